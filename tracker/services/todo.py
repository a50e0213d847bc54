"""我的待办: what a user owes now — bounded queries, whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, select

from tracker.domain.periods import Period, current_period
from tracker.domain.vocab import Role, State
from tracker.extensions import db
from tracker.models import BudgetYear, Indicator, ProgressEntry, Project, Submission, User
from tracker.services.progress import current_entries_query, frequency, today
from tracker.services.scope import scope_projects


@dataclass
class Todo:
    period: Period | None = None
    missing: list[tuple[Project, int]] = field(default_factory=list)  # indicators with no entry this period
    returned: list[Submission] = field(default_factory=list)
    to_review: list[Submission] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(n for _, n in self.missing) + len(self.returned) + len(self.to_review)


def todo_for(user: User) -> Todo:
    todo = Todo()
    if user.role == Role.ADMIN:
        return todo
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.is_current.is_(True)))
    if year is None:
        return todo
    day = today()
    if user.role in (Role.OWNER, Role.REVIEWER):
        todo.returned = _submissions(user, year, State.RETURNED)
    # Only owners are chased for values, and only while the budget year is running: a
    # year that has ended is closed out by the monitoring and self-evaluation forms.
    if user.role == Role.OWNER and day.year == year.year:
        todo.period = current_period(day, year.year, frequency())
        entry = current_entries_query(ProgressEntry).where(
            ProgressEntry.indicator_id == Indicator.id, ProgressEntry.period_key == todo.period.key
        )
        stmt = (
            select(Project, func.count(Indicator.id))
            .join(Indicator, Indicator.project_id == Project.id)
            .where(Project.year_id == year.id, ~exists(entry.with_only_columns(ProgressEntry.id)))
            .group_by(Project.id)
            .order_by(Project.position)
        )
        todo.missing = [(p, n) for p, n in db.session.execute(scope_projects(stmt, user)).all() if n]
    if user.role == Role.REVIEWER:
        todo.to_review = _submissions(user, year, State.SUBMITTED)
    elif user.role == Role.FINANCE:
        todo.to_review = _submissions(user, year, State.DEPT_APPROVED)
    return todo


def _submissions(user: User, year: BudgetYear, state: str) -> list[Submission]:
    stmt = (
        select(Submission)
        .join(Project, Submission.project_id == Project.id)
        .where(Project.year_id == year.id, Submission.state == state)
        .order_by(Submission.updated_at)
    )
    return list(db.session.scalars(scope_projects(stmt, user)).all())
