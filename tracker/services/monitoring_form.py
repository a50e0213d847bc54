"""The owner's part of the monitoring form, its submission rules, and finance's disposition."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy.orm.attributes import flag_modified

from tracker.domain import monitoring as rules
from tracker.domain.units import UnitError, check_range, convert, parse_quantity
from tracker.domain.workflow import is_editable
from tracker.extensions import db
from tracker.models import MonitoringSnapshot, Submission, User
from tracker.services import audit
from tracker.services.progress import ConflictError, InputError, LockedError, ensure_year_open, find_submission
from tracker.services.scope import NotVisible, can_edit_project


def submission_of(snapshot: MonitoringSnapshot) -> Submission | None:
    return find_submission(snapshot.project_id, "monitoring", snapshot.period_key)


def _editable(user: User, snapshot: MonitoringSnapshot) -> None:
    if not can_edit_project(user, snapshot.project):
        raise NotVisible(snapshot.project_id)
    ensure_year_open(snapshot.project)
    submission = submission_of(snapshot)
    if submission is not None and not is_editable(submission.state):
        raise LockedError("监控表已提交审核或已审定，不能再修改。")


def save(user: User, snapshot: MonitoringSnapshot, form, *, expected_version: int | None) -> None:
    """Store the owner's text; values that cannot be read are refused per field."""
    _editable(user, snapshot)
    if expected_version is not None and expected_version != snapshot.version:
        raise ConflictError("监控表已被其他人修改，您的内容未保存，请核对后重新提交（您填写的内容仍在页面上）。")
    errors: dict[str, str] = {}
    snapshot.expected_completion = (form.get("expected_completion") or "").strip()
    snapshot.budget_explanation = (form.get("budget_explanation") or "").strip()
    for row in snapshot.rows:
        prefix = f"row-{row.id}-"
        # Only rows whose inputs were on the page change: a post never clears what it did not show.
        if (prefix + "analysis") in form:
            reasons = [r for r in form.getlist(prefix + "reasons") if r in rules.DEVIATION_REASONS]
            row.reasons = json.dumps(reasons, ensure_ascii=False)
            row.analysis = (form.get(prefix + "analysis") or "").strip()
            likelihood = form.get(prefix + "likelihood") or None
            if likelihood and likelihood not in rules.LIKELIHOODS:
                errors[prefix + "likelihood"] = f"“{row.level3}”的完成目标可能性无效。"
            row.likelihood = likelihood
            row.measure = (form.get(prefix + "measure") or "").strip()
        if (prefix + "forecast_reason") in form:
            row.forecast_reason = (form.get(prefix + "forecast_reason") or "").strip()
        if (prefix + "forecast_text") in form:
            row.forecast_text = (form.get(prefix + "forecast_text") or "").strip()
        if (prefix + "forecast_override") in form:
            text = (form.get(prefix + "forecast_override") or "").strip()
            if text:
                try:
                    number, unit = parse_quantity(text)
                    if unit and unit != row.target_unit:
                        number = convert(number, unit, row.target_unit)
                    row.forecast_override = check_range(number, what=f"“{row.level3}”的全年预计完成值", maximum=Decimal(10) ** 17)
                except UnitError as exc:
                    errors[prefix + "forecast_override"] = f"“{row.level3}”的全年预计完成值：{exc}"
            else:
                row.forecast_override = None
    if errors:
        raise InputError(errors)
    # Saving rows alone would not touch the snapshot row: mark it, so its version moves on
    # and a second person saving from the same page gets a conflict instead of a silent loss.
    flag_modified(snapshot, "expected_completion")
    db.session.flush()


def check_complete(snapshot: MonitoringSnapshot, thresholds: rules.Thresholds) -> None:
    """Before submitting: every row that is not green is explained, overrides have reasons."""
    errors: dict[str, str] = {}
    for row in snapshot.rows:
        prefix = f"row-{row.id}-"
        reasons = json.loads(row.reasons or "[]")
        problems = []
        try:
            rules.check_deviation_explanation(
                row.light, reasons=reasons, analysis=row.analysis, measure=row.measure, thresholds=thresholds
            )
        except rules.MonitoringError as exc:
            problems.append(str(exc))
        if rules.needs_deviation_explanation(row.light, thresholds) and not row.likelihood:
            problems.append("请选择完成目标可能性")
        if problems:
            # Everything this row lacks, in one message, so the owner fixes it in one go.
            errors[prefix + "analysis"] = f"第{row.position}行“{row.level3}”：" + "；".join(problems)
            continue
        if row.forecast_override is not None and row.forecast_override != row.forecast and not row.forecast_reason:
            errors[prefix + "forecast_reason"] = f"第{row.position}行“{row.level3}”：修改了系统预测的全年预计完成值，须说明原因"
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
        user, "rectification", "monitoring", snapshot.id,
        f"{snapshot.period_key} 监控表{'标记为需整改' if needs else '取消整改要求'}",
        project=snapshot.project, old=old,
        new={"需整改": snapshot.needs_rectification, "整改要求": snapshot.rectification_requirements},
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
    audit.record(user, "rectification_result", "monitoring", snapshot.id, f"{snapshot.period_key} 填报整改结果",
                 project=snapshot.project, old=old, new=text)
