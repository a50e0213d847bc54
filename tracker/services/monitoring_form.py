"""The owner's part of the monitoring form, its submission rules, and finance's disposition."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from tracker.domain import ConflictError, InputError
from tracker.domain import monitoring as monitoring_rules
from tracker.domain.vocab import Role, SubmissionKind
from tracker.domain.workflow import is_editable
from tracker.extensions import db
from tracker.models import MonitoringSnapshot, Project, Submission, User
from tracker.services import audit, notify
from tracker.services.progress import LockedError, ensure_year_open, find_submission
from tracker.services.scope import NotVisible, can_edit_project


def snapshot_of(project: Project, period_key: str) -> MonitoringSnapshot | None:
    """The project's monitoring form of a period, with its rows (the caller checked the scope)."""
    return db.session.scalar(
        select(MonitoringSnapshot)
        .where(MonitoringSnapshot.project_id == project.id, MonitoringSnapshot.period_key == period_key)
        .options(selectinload(MonitoringSnapshot.rows))
    )


def submission_of(snapshot: MonitoringSnapshot) -> Submission | None:
    return find_submission(snapshot.project_id, SubmissionKind.MONITORING, snapshot.period_key)


def _editable(user: User, snapshot: MonitoringSnapshot) -> None:
    if not can_edit_project(user, snapshot.project):
        raise NotVisible(snapshot.project_id)
    ensure_year_open(snapshot.project)
    submission = submission_of(snapshot)
    if submission is not None and not is_editable(submission.state):
        raise LockedError("监控表已提交审核或已审定，不能再修改。")


@dataclass
class RowEdit:
    """The owner's text for one row; None: the input was not on the page (left as it is)."""

    row_id: int
    deviation: tuple[list[str], str, str | None, str] | None = None  # (reasons, analysis, likelihood, measure)
    forecast_reason: str | None = None
    forecast_text: str | None = None
    forecast_override: tuple[Decimal | None] | None = None  # (value in the row's unit,); (None,) clears


@dataclass
class MonitoringEdit:
    """The owner's part of the monitoring form as typed values; ``errors``: what could not be read."""

    expected_completion: str = ""
    budget_explanation: str = ""
    rows: dict[int, RowEdit] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def save(user: User, snapshot: MonitoringSnapshot, data: MonitoringEdit, *, expected_version: int | None) -> None:
    """Store the owner's text; values that could not be read are refused per field."""
    _editable(user, snapshot)
    if expected_version is not None and expected_version != snapshot.version:
        raise ConflictError("监控表已被其他人修改，您的内容未保存，请核对后重新提交（您填写的内容仍在页面上）。")
    snapshot.expected_completion = data.expected_completion
    snapshot.budget_explanation = data.budget_explanation
    for row in snapshot.rows:
        edit = data.rows.get(row.id)
        if edit is None:
            continue
        # Only rows whose inputs were on the page change: a post never clears what it did not show.
        if edit.deviation is not None:
            reasons, row.analysis, row.likelihood, row.measure = edit.deviation
            row.reasons = list(reasons)
        if edit.forecast_reason is not None:
            row.forecast_reason = edit.forecast_reason
        if edit.forecast_text is not None:
            row.forecast_text = edit.forecast_text
        if edit.forecast_override is not None:
            row.forecast_override = edit.forecast_override[0]
    if data.errors:
        raise InputError(data.errors)
    # Saving rows alone would not touch the snapshot row: mark it, so its version moves on
    # and a second person saving from the same page gets a conflict instead of a silent loss.
    flag_modified(snapshot, "expected_completion")
    db.session.flush()


def check_complete(snapshot: MonitoringSnapshot, thresholds: monitoring_rules.Thresholds) -> None:
    """Before submitting: every row that is not green is explained, overrides have reasons."""
    errors: dict[str, str] = {}
    for row in snapshot.rows:
        prefix = f"row-{row.id}-"
        reasons = list(row.reasons or [])
        problems = []
        try:
            monitoring_rules.check_deviation_explanation(
                row.light, reasons=reasons, analysis=row.analysis, measure=row.measure, thresholds=thresholds
            )
        except monitoring_rules.MonitoringError as exc:
            problems.append(str(exc))
        if monitoring_rules.needs_deviation_explanation(row.light, thresholds) and not row.likelihood:
            problems.append("请选择完成目标可能性")
        if problems:
            # Everything this row lacks, in one message, so the owner fixes it in one go.
            errors[prefix + "analysis"] = f"第{row.position}行“{row.level3}”：" + "；".join(problems)
            continue
        if row.forecast_override is not None and row.forecast_override != row.forecast and not row.forecast_reason:
            errors[prefix + "forecast_reason"] = (
                f"第{row.position}行“{row.level3}”：修改了系统预测的全年预计完成值，须说明原因"
            )
    if snapshot.budget_light in ("red", "yellow") and not snapshot.budget_explanation:
        errors["budget_explanation"] = "预算执行进度偏慢（红/黄灯），请说明原因和措施。"
    if not snapshot.expected_completion:
        errors["expected_completion"] = "请填写全年预计完成情况。"
    if errors:
        raise InputError(errors)


def set_disposition(user: User, snapshot: MonitoringSnapshot, *, needs: bool, requirements: str) -> None:
    ensure_year_open(snapshot.project)
    requirements = (requirements or "").strip()
    if needs and not requirements:
        raise InputError({"rectification_requirements": "标记为需整改时必须填写整改要求。"})
    old = {"需整改": snapshot.needs_rectification, "整改要求": snapshot.rectification_requirements}
    snapshot.needs_rectification = needs
    snapshot.rectification_requirements = requirements if needs else ""
    db.session.flush()
    audit.record(
        user,
        "rectification",
        "monitoring",
        snapshot.id,
        f"{snapshot.period_key} 监控表{'标记为需整改' if needs else '取消整改要求'}",
        project=snapshot.project,
        old=old,
        new={"需整改": snapshot.needs_rectification, "整改要求": snapshot.rectification_requirements},
    )
    if snapshot.needs_rectification:
        _notify_rectification(snapshot)


def _notify_rectification(snapshot: MonitoringSnapshot) -> None:
    """需整改 goes to the project department's owners and reviewers, once per version."""
    department_id = snapshot.project.department_id
    notify.notify(
        notify.users_with_role(Role.OWNER, department_id) + notify.users_with_role(Role.REVIEWER, department_id),
        kind="rectification",
        message=f"财政局要求“{snapshot.project.name}”整改：{snapshot.rectification_requirements}",
        link=f"/monitoring/{snapshot.project_id}/{snapshot.period_key}",
        dedupe_key=f"rectification:{snapshot.id}:{snapshot.version}",
    )


def set_rectification_result(user: User, snapshot: MonitoringSnapshot, text: str) -> None:
    if not can_edit_project(user, snapshot.project):
        raise NotVisible(snapshot.project_id)
    ensure_year_open(snapshot.project)
    if not snapshot.needs_rectification:
        raise InputError({"rectification_result": "财政局未要求整改。"})
    text = (text or "").strip()
    if not text:
        raise InputError({"rectification_result": "请填写整改结果。"})
    old = snapshot.rectification_result
    snapshot.rectification_result = text
    db.session.flush()
    audit.record(
        user,
        "rectification_result",
        "monitoring",
        snapshot.id,
        f"{snapshot.period_key} 填报整改结果",
        project=snapshot.project,
        old=old,
        new=text,
    )
