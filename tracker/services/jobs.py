"""Scheduled jobs, each run exactly once per period (DOMAIN.md §7).

A job is a plan: its (job, period) key and its work, which only adds and flushes. The edge
(tracker.edge.run_job) runs a plan in one transaction: it claims the period by inserting a
JobCompletion row, does the work and records the run, and commits them together or rolls
them back together, so:
- running it again finds the completion and skips;
- a run killed half-way leaves nothing (its transaction never committed), so a rerun
  does the whole job;
- two processes starting at once both try to insert the same unique key: one wins, the
  other fails on the key (or on the lock) and records a skipped run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from tracker.domain import DomainError, scoring
from tracker.domain.periods import period_for
from tracker.domain.vocab import Role, State, SubmissionKind
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    Indicator,
    JobCompletion,
    JobRun,
    MonitoringSnapshot,
    ProgressEntry,
    Project,
    Submission,
)
from tracker.models.base import utcnow
from tracker.services import monitoring, notify, settings
from tracker.services.progress import current_entries_query


@dataclass(frozen=True)
class JobSpec:
    name: str
    label: str
    describe: str


JOBS = {
    "monthly_reminder": JobSpec("monthly_reminder", "每月填报提醒", "每月提醒日：上月没有任何完成值的指标，提醒填报人"),
    "monitoring": JobSpec(
        "monitoring", "双监控快照", "监控截止日的次日：为每个项目生成监控表（数值、预警灯、预测）并通知"
    ),
    "deadline_check": JobSpec(
        "deadline_check", "时限指标检查", "每天：前一天到期的时限指标标记完成或逾期，逾期通知填报人"
    ),
    "form_deadlines": JobSpec(
        "form_deadlines", "提交期限提醒", "每天：监控表截止前 3 天提醒填报人；逾期未提交的通知财政局"
    ),
    "evaluation_open": JobSpec(
        "evaluation_open", "生成绩效自评表", "次年自评开始日（默认 1月5日）：按全年记录预填、计分并通知填报人"
    ),
}


@dataclass(frozen=True)
class JobPlan:
    """What a job does for one period; tracker.edge.run_job runs it exactly once."""

    job: str
    period_key: str
    work: Callable[[], dict]


def record_run(job, period_key, trigger, status, started, counts=None, error="", user=None) -> JobRun:
    finished = utcnow()
    run = JobRun(
        job=job,
        period_key=period_key,
        trigger=trigger,
        status=status,
        started_at=started,
        finished_at=finished,
        duration_ms=int((finished - started).total_seconds() * 1000),
        counts=json.dumps(counts or {}, ensure_ascii=False),
        error=error[:4000],
        triggered_by_id=user.id if user else None,
    )
    db.session.add(run)
    return run


def already_done(job: str, period_key: str) -> bool:
    return (
        db.session.scalar(
            select(JobCompletion.id).where(JobCompletion.job == job, JobCompletion.period_key == period_key)
        )
        is not None
    )


def claim(job: str, period_key: str) -> None:
    """Insert the (job, period) key; a concurrent run blocks or fails (IntegrityError) here."""
    db.session.add(JobCompletion(job=job, period_key=period_key))
    db.session.flush()


# ----------------------------------------------------------------------------- the jobs


class JobError(DomainError):
    pass


def _require_year(year: int) -> None:
    if not db.session.scalar(select(BudgetYear.id).where(BudgetYear.year == year)):
        raise JobError(f"系统中没有 {year} 预算年度，未运行。")


require_year = _require_year  # checked by a page before it queues a job request


def monitoring_job(as_of: date, *, progress_cb=None) -> JobPlan:
    _require_year(as_of.year)
    # a plain dict of the counts: run_job adds "seconds" to it
    return JobPlan("monitoring", as_of.isoformat(), lambda: dict(monitoring.run(as_of, progress_cb=progress_cb)))


def monthly_reminder_job(today: date) -> JobPlan:
    """On the reminder day, owners hear about last month's indicators without any entry."""
    last_month = today.replace(day=1) - timedelta(days=1)
    period = period_for(last_month, "monthly")

    def work() -> dict:
        year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == last_month.year))
        if year is None:
            return {"departments": 0}
        entry = current_entries_query(ProgressEntry).where(
            ProgressEntry.indicator_id == Indicator.id,
            ProgressEntry.as_of.between(period.start, period.end),
        )
        missing = db.session.execute(
            select(Project.department_id, func.count(Indicator.id))
            .join(Indicator, Indicator.project_id == Project.id)
            .where(Project.year_id == year.id, ~exists(entry.with_only_columns(ProgressEntry.id)))
            .group_by(Project.department_id)
        ).all()
        sent = 0
        for department_id, n in missing:
            sent += notify.notify(
                notify.users_with_role(Role.OWNER, department_id),
                kind="reminder",
                message=f"{period.label}有 {n} 条指标还没有填报实际完成值，请尽快填报。",
                link="/todo",
                dedupe_key=f"reminder:{period.key}",
            )
        return {"departments": len(missing), "notified": sent}

    return JobPlan("monthly_reminder", period.key, work)


def deadline_check_job(today: date) -> JobPlan:
    """The day after a deadline target: met or missed; owners of missed ones are told."""
    due = today - timedelta(days=1)

    def work() -> dict:
        from tracker.domain import progress as progress_rules

        year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == due.year))
        if year is None:
            return {"checked": 0}
        indicators = db.session.scalars(
            select(Indicator)
            .join(Project)
            .where(Project.year_id == year.id, Indicator.target_kind == "deadline")
            .options(selectinload(Indicator.project))
        ).all()

        def due_yesterday(target) -> bool:
            if target.monthly_day:  # the domain's own clamping (每月31日前 in February → 28/29)
                return scoring.monthly_due_date(target, year.year, due.month) == due
            return target.month is not None and target.due_date(year.year) == due

        due_indicators = [ind for ind in indicators if due_yesterday(ind.target)]
        entries: dict[int, list[ProgressEntry]] = {}
        for entry in db.session.scalars(  # one query for all of them
            current_entries_query(ProgressEntry).where(ProgressEntry.indicator_id.in_([i.id for i in due_indicators]))
        ):
            entries.setdefault(entry.indicator_id, []).append(entry)
        checked = missed = 0
        for ind in due_indicators:
            target = ind.target
            readings = [
                progress_rules.Reading(e.as_of, e.id, e.value, e.tier, e.completed_on, e.for_month)
                for e in entries.get(ind.id, [])
            ]
            completed = progress_rules.completions(readings).get(due.month if target.monthly_day else None)
            checked += 1
            if completed is None or completed > due:
                missed += 1
                notify.notify(
                    notify.users_with_role(Role.OWNER, ind.project.department_id),
                    kind="deadline_missed",
                    message=f"时限指标“{ind.level3}”（{ind.target_raw}）已于 {due.isoformat()} 到期，尚未登记按时完成。",
                    link=f"/projects/{ind.project_id}/indicators/{ind.id}",
                    dedupe_key=f"deadline:{ind.id}:{due.isoformat()}",
                )
        return {"checked": checked, "missed": missed}

    return JobPlan("deadline_check", due.isoformat(), work)


def form_deadlines_job(today: date) -> JobPlan:
    """Monitoring forms: remind owners 3 days before the due date; flag overdue ones to finance."""

    def work() -> dict:
        days = settings.get("monitoring_due_days")
        rows = db.session.execute(
            select(Submission, MonitoringSnapshot)
            .join(
                MonitoringSnapshot,
                (MonitoringSnapshot.project_id == Submission.project_id)
                & (MonitoringSnapshot.period_key == Submission.period_key),
            )
            .where(Submission.kind == SubmissionKind.MONITORING, Submission.state.in_((State.DRAFT, State.RETURNED)))
        ).all()
        reminded = overdue = 0
        for submission, snapshot in rows:
            due = snapshot.as_of + timedelta(days=days)
            project = submission.project
            if due - timedelta(days=3) == today:
                reminded += notify.notify(
                    notify.users_with_role(Role.OWNER, project.department_id),
                    kind="form_due",
                    message=f"“{project.name}”的{monitoring.period_label(snapshot.as_of)}监控表将于 {due.isoformat()} 截止，请及时提交。",
                    link=f"/monitoring/{project.id}/{snapshot.period_key}",
                    dedupe_key=f"form_due:{snapshot.period_key}:{project.id}",
                )
            elif today > due:
                overdue += 1
                notify.notify(
                    notify.users_with_role(Role.FINANCE),
                    kind="form_overdue",
                    message=f"“{project.department.name} · {project.name}”的{monitoring.period_label(snapshot.as_of)}监控表已逾期未提交（截止 {due.isoformat()}）。",
                    link=f"/monitoring/{project.id}/{snapshot.period_key}",
                    dedupe_key=f"form_overdue:{snapshot.period_key}:{project.id}",
                )
        return {"reminded": reminded, "overdue": overdue}

    return JobPlan("form_deadlines", today.isoformat(), work)


def evaluation_job(year: int, *, user=None) -> JobPlan:
    from tracker.services import evaluation

    _require_year(year)
    return JobPlan("evaluation_open", str(year), lambda: evaluation.open_forms(year, user=user))


def due_evaluation_years(today: date) -> list[int]:
    """Budget years whose self-evaluation opening day (next year, default 1月5日) has come."""
    month, day = (int(x) for x in settings.get("evaluation_open_date").split("-"))
    done = set(db.session.scalars(select(JobCompletion.period_key).where(JobCompletion.job == "evaluation_open")))
    years = []
    for year in db.session.scalars(select(BudgetYear.year).where(BudgetYear.is_current.is_(True))):
        if today >= date(year + 1, month, day) and str(year) not in done:
            years.append(year)
    return years


def due_monitoring_dates(today: date) -> list[date]:
    """Checkpoints of the current budget year whose day-after has come and that have not
    run yet (so a scheduler that was down on the day catches up)."""
    dates = []
    for year in db.session.scalars(select(BudgetYear.year).where(BudgetYear.is_current.is_(True))):
        for as_of in monitoring.checkpoints(year):
            if as_of < today:
                dates.append(as_of)
    done = set(db.session.scalars(select(JobCompletion.period_key).where(JobCompletion.job == "monitoring")))
    return [d for d in dates if d.isoformat() not in done]


def due_jobs(today: date) -> list[JobPlan]:
    """What the scheduler does every morning: each job decides whether today is its day."""
    plans = [monitoring_job(as_of) for as_of in due_monitoring_dates(today)]
    plans += [evaluation_job(year) for year in due_evaluation_years(today)]
    if today.day == settings.get("reminder_day"):
        plans.append(monthly_reminder_job(today))
    plans.append(deadline_check_job(today))
    plans.append(form_deadlines_job(today))
    return plans


def next_runs(today: date) -> dict[str, date | None]:
    """When each job next does something, counting from ``today`` (shown on the admin page).

    The scheduler wakes every morning; these are the days on which a job has work to do.
    """
    import calendar

    reminder_day = settings.get("reminder_day")
    this_month = today.replace(day=min(reminder_day, calendar.monthrange(today.year, today.month)[1]))
    if this_month < today:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        this_month = date(year, month, min(reminder_day, calendar.monthrange(year, month)[1]))
    pending = due_monitoring_dates(today)
    monitoring_next = today if pending else None
    if monitoring_next is None:
        done = set(db.session.scalars(select(JobCompletion.period_key).where(JobCompletion.job == "monitoring")))
        for year in db.session.scalars(select(BudgetYear.year).where(BudgetYear.is_current.is_(True))):
            upcoming = [
                d + timedelta(days=1) for d in monitoring.checkpoints(year) if d.isoformat() not in done and d >= today
            ]
            monitoring_next = min(upcoming) if upcoming else None
    evaluation_next = None
    month, day = (int(x) for x in settings.get("evaluation_open_date").split("-"))
    done_years = set(db.session.scalars(select(JobCompletion.period_key).where(JobCompletion.job == "evaluation_open")))
    for year in db.session.scalars(select(BudgetYear.year).where(BudgetYear.is_current.is_(True))):
        if str(year) not in done_years:
            evaluation_next = max(date(year + 1, month, day), today)
    return {
        "monthly_reminder": this_month,
        "monitoring": monitoring_next,
        "deadline_check": today,
        "form_deadlines": today,
        "evaluation_open": evaluation_next,
    }


def recent_runs(limit: int = 50) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(limit)))
