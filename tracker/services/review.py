"""The review workflow of a period's progress (and later forms): submit → department → finance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.domain import workflow
from tracker.domain.periods import Period, parse_period_key, periods_of_year
from tracker.domain.vocab import Role, SubmissionKind
from tracker.extensions import db
from tracker.models import Expenditure, ProgressEntry, Project, Submission, User, WorkflowEvent
from tracker.services import audit
from tracker.services.progress import (
    ConflictError,
    current_entries_query,
    ensure_year_open,
    find_submission,
    frequency,
    today,
)
from tracker.services.scope import NotVisible

KIND_LABELS = {
    SubmissionKind.PROGRESS: "进度填报",
    SubmissionKind.MONITORING: "绩效监控表",
    SubmissionKind.EVALUATION: "绩效自评表",
    SubmissionKind.ADJUSTMENT: "绩效目标调整",
}


def get_or_create(project: Project, period_key: str, kind: str = SubmissionKind.PROGRESS) -> Submission:
    submission = find_submission(project.id, kind, period_key)
    if submission is None:
        submission = Submission(
            project_id=project.id, year_id=project.year_id, kind=kind, period_key=period_key, state=workflow.DRAFT
        )
        db.session.add(submission)
        db.session.flush()
    return submission


def act(
    user: User,
    project: Project,
    period_key: str,
    action: str,
    *,
    comment: str = "",
    expected_version: int | None = None,
    kind: str = SubmissionKind.PROGRESS,
) -> Submission:
    if not user.sees_all_departments and user.department_id != project.department_id:
        raise NotVisible(project.id)
    ensure_year_open(project)
    if kind == SubmissionKind.PROGRESS:
        period = parse_period_key(period_key)
        if period.year != project.year.year:
            raise workflow.WorkflowError(f"{period.label}不属于 {project.year.year} 预算年度。")
        if action == workflow.SUBMIT and period.start > today():
            raise workflow.WorkflowError(f"{period.label}尚未开始，不能提交。")
    submission = get_or_create(project, period_key, kind)
    if expected_version is not None and expected_version != submission.version:
        raise ConflictError(
            f"此表单已被其他人处理（当前状态：{workflow.STATE_LABELS[submission.state]}），"
            "您的操作未执行，请刷新后重试。"
        )
    before = submission.state
    after = workflow.next_state(
        before,
        action,
        role=user.role,
        same_department=user.department_id == project.department_id,
        comment=comment,
    )
    submission.state = after
    submission.last_comment = (comment or "").strip()
    if action == workflow.SUBMIT:
        submission.submitted_by_id = user.id
    submission.events.append(
        WorkflowEvent(
            action=action, from_state=before, to_state=after, comment=(comment or "").strip(), actor_id=user.id
        )
    )
    db.session.flush()
    submission_kind = SubmissionKind(kind)  # kinds are the enum's values (stored on the submission)
    label = KIND_LABELS.get(submission_kind, kind)
    if after == workflow.RETURNED:
        from tracker.services import notify

        period_text = parse_period_key(period_key).label if kind == SubmissionKind.PROGRESS else period_key
        notify.notify(
            notify.users_with_role(Role.OWNER, project.department_id)
            + notify.users_with_role(Role.REVIEWER, project.department_id),
            kind="returned",
            message=f"“{project.name}”的{label}（{period_text}）被{workflow.ACTION_LABELS[action]}：{(comment or '').strip()}",
            link={
                SubmissionKind.PROGRESS: f"/projects/{project.id}/review/{period_key}",
                SubmissionKind.MONITORING: f"/monitoring/{project.id}/{period_key}",
                SubmissionKind.EVALUATION: f"/evaluation/{project.id}/{period_key}",
                SubmissionKind.ADJUSTMENT: f"/projects/{project.id}/adjustments/{period_key.removeprefix('adj')}",
            }.get(submission_kind, ""),
            dedupe_key=f"returned:{submission.id}:{len(submission.events)}",
        )
    audit.record(
        user,
        f"workflow_{action}",
        "submission",
        submission.id,
        f"{label} {period_key}：{workflow.ACTION_LABELS[action]}"
        + (f"（{comment.strip()}）" if comment and comment.strip() else ""),
        project=project,
        old=workflow.STATE_LABELS[before],
        new=workflow.STATE_LABELS[after],
    )
    return submission


@dataclass
class PeriodRow:
    period: Period
    submission: Submission | None
    entries: int
    spending: int

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else workflow.DRAFT

    @property
    def state_label(self) -> str:
        return workflow.STATE_LABELS[self.state]


def period_overview(project: Project) -> list[PeriodRow]:
    """Every period of the project's year with its state and entry counts (3 queries)."""
    periods = periods_of_year(project.year.year, frequency())
    submissions = {
        s.period_key: s
        for s in db.session.scalars(
            select(Submission)
            .where(Submission.project_id == project.id, Submission.kind == SubmissionKind.PROGRESS)
            .options(selectinload(Submission.events).selectinload(WorkflowEvent.actor))
        )
    }
    entries = dict(
        db.session.execute(
            current_entries_query(ProgressEntry)
            .where(ProgressEntry.project_id == project.id)
            .with_only_columns(ProgressEntry.period_key, func.count(ProgressEntry.id))
            .group_by(ProgressEntry.period_key)
        ).all()
    )
    spending = dict(
        db.session.execute(
            current_entries_query(Expenditure)
            .where(Expenditure.project_id == project.id)
            .with_only_columns(Expenditure.period_key, func.count(Expenditure.id))
            .group_by(Expenditure.period_key)
        ).all()
    )
    return [PeriodRow(p, submissions.get(p.key), entries.get(p.key, 0), spending.get(p.key, 0)) for p in periods]
