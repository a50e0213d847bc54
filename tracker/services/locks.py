"""What may still be changed: archived years and periods under review or approved are locked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.domain import DomainError
from tracker.domain.periods import FREQUENCIES, Period, period_for
from tracker.domain.vocab import LOCKED_STATES, State, SubmissionKind
from tracker.domain.workflow import STATE_LABELS
from tracker.extensions import db
from tracker.models import Project, Submission
from tracker.services import clock


class LockedError(DomainError):
    pass


def ensure_year_open(project: Project) -> None:
    """An archived (归档) budget year is read-only everywhere."""
    if project.year.is_closed:
        raise LockedError(f"{project.year.year} 年度已归档（只读），不能再修改。")


def ensure_open(project: Project, day: date) -> Period:
    """Entries dated in a period under review or approved cannot be added or corrected.

    Both the monthly and the quarterly period of the day are checked, so switching the
    reporting frequency mid-year never unlocks what was submitted under the other one.
    """
    ensure_year_open(project)
    period = period_for(day, clock.frequency())
    keys = {period_for(day, f).key: period_for(day, f) for f in FREQUENCIES}
    locked = db.session.execute(
        select(Submission.period_key, Submission.state).where(
            Submission.project_id == project.id,
            Submission.kind == SubmissionKind.PROGRESS,
            Submission.period_key.in_(list(keys)),
            Submission.state.in_(LOCKED_STATES),
        )
    ).first()
    if locked is not None:
        label = keys[locked.period_key].label
        raise LockedError(
            f"{label}的填报{STATE_LABELS[locked.state]}，已锁定，不能再修改"
            + (
                "；如需更正请联系财政局重新打开。"
                if locked.state == State.APPROVED
                else "；如需修改请先撤回或等待退回。"
            )
        )
    return period


def is_locked_day(day: date, locked_keys: set[str]) -> bool:
    return any(period_for(day, f).key in locked_keys for f in FREQUENCIES)


def locked_period_keys(project: Project) -> set[str]:
    """Periods of the project whose progress is under review or approved (one query).

    Keys of either frequency; see ``is_locked_day``."""
    return set(
        db.session.scalars(
            select(Submission.period_key).where(
                Submission.project_id == project.id,
                Submission.kind == SubmissionKind.PROGRESS,
                Submission.state.in_(LOCKED_STATES),
            )
        )
    )
