"""我的待办: everything a user owes now, with its type, due date and overdue flag, sorted by
due date; scoped by role and department. A fixed number of queries whatever the data size:
the badge is one COUNT over a UNION ALL of every kind; the list is that UNION ALL read as
plain tuples (no ORM object per item) plus the indicators still missing this period.

Kinds and who owes them:
- period (owner): a past period of the current year with values recorded but not submitted;
- missing (owner): indicators without a value in the current period (one line per project);
- monitoring (owner): a 监控表 not yet submitted (draft), overdue after the due days;
- evaluation (owner): a 自评表 not yet submitted;
- returned (owner, reviewer): any form returned for changes;
- review (reviewer: submitted in the department; finance: passed by a department);
- rectification (owner, reviewer): 需整改 without a result yet.

Due dates: a period's values by the reminder day of the next month (the day owners are
reminded); a 监控表 by its as-of date plus the setting 监控表提交期限; a review or a
returned form by the due date of the form itself; a 自评表 and 需整改 have no set date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from tracker.domain.periods import Period, PeriodError, current_period, parse_period_key
from tracker.domain.vocab import Role, State
from tracker.extensions import db
from tracker.memo import Memo
from tracker.models import (
    Department,
    EvaluationForm,
    Indicator,
    MonitoringSnapshot,
    Notification,
    ProgressEntry,
    Project,
    Submission,
    User,
)
from tracker.services import current
from tracker.services.current import Year
from tracker.services.progress import current_entries_query, frequency, today
from tracker.services.scope import scope_projects, visible_department_ids

KIND_LABELS = {
    "period": "提交填报",
    "missing": "填报完成值",
    "monitoring": "监控表",
    "evaluation": "自评表",
    "returned": "被退回待修改",
    "review": "等待我审核",
    "rectification": "需整改",
}
FORM_LABELS = {"progress": "填报", "monitoring": "监控表", "evaluation": "自评表"}


@dataclass
class Item:
    kind: str  # a key of KIND_LABELS
    form_kind: str  # progress / monitoring / evaluation
    project_id: int
    project_name: str
    department_name: str
    period_key: str
    state: str
    comment: str = ""
    count: int = 1  # indicators, for "missing"
    due: date | None = None
    overdue: bool = False

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def form_label(self) -> str:
        return FORM_LABELS.get(self.form_kind, "")

    @property
    def period_label(self) -> str:
        if self.form_kind == "evaluation":
            return f"{self.period_key}年度"
        if self.form_kind == "monitoring":
            from tracker.services.monitoring import period_label

            try:
                return period_label(date.fromisoformat(self.period_key))
            except ValueError:
                return self.period_key
        try:
            return parse_period_key(self.period_key).label
        except PeriodError:
            return self.period_key

    # Attributes the earlier list used (s.project.name) still work on an item.
    @property
    def project(self):
        return _ProjectRef(self.project_id, self.project_name)

    @property
    def last_comment(self) -> str:
        return self.comment


@dataclass(frozen=True)
class _ProjectRef:
    id: int
    name: str


@dataclass
class Todo:
    period: Period | None = None
    items: list[Item] = field(default_factory=list)

    @property
    def missing(self) -> list[tuple[_ProjectRef, int]]:
        return [(i.project, i.count) for i in self.items if i.kind == "missing"]

    @property
    def returned(self) -> list[Item]:
        return [i for i in self.items if i.kind == "returned"]

    @property
    def to_review(self) -> list[Item]:
        return [i for i in self.items if i.kind == "review"]

    @property
    def count(self) -> int:
        return sum(i.count for i in self.items)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.overdue)


def _this_period(year: Year, day: date) -> str | None:
    """While the budget year runs, the current period: only the periods before it are over."""
    return current_period(day, year.year, frequency()).key if day.year == year.year else None


def _branches(user: User, year: Year, this_period: str | None, *, lean: bool = False) -> list:
    """One SELECT per kind the user owes, with the same columns:
    kind, form kind, project id, project name, department name, period key, state, comment.
    ``lean`` (for the badge's COUNT): one constant column and no join to departments."""
    role = user.role

    def columns(kind, form_kind, period_key, state, comment):
        if lean:
            return (literal(1).label("one"),)
        return (
            literal(kind).label("kind"),
            cast(form_kind, String).label("form_kind"),
            Project.id.label("project_id"),
            Project.name.label("project_name"),
            Department.name.label("department_name"),
            cast(period_key, String).label("period_key"),
            cast(state, String).label("state"),
            cast(comment, String).label("comment"),
        )

    def base(*cols):
        stmt = select(*cols).select_from(Project)
        if not lean:
            stmt = stmt.join(Department, Project.department_id == Department.id)
        return scope_projects(stmt.where(Project.year_id == year.id), user)

    branches = []
    if role in (Role.OWNER, Role.REVIEWER):
        branches.append(
            base(
                *columns("returned", Submission.kind, Submission.period_key, Submission.state, Submission.last_comment)
            )
            .join(Submission, Submission.project_id == Project.id)
            .where(Submission.state == State.RETURNED)
        )
        branches.append(
            base(
                *columns(
                    "rectification",
                    literal("monitoring"),
                    MonitoringSnapshot.period_key,
                    literal("draft"),
                    MonitoringSnapshot.rectification_requirements,
                )
            )
            .join(MonitoringSnapshot, MonitoringSnapshot.project_id == Project.id)
            .where(MonitoringSnapshot.needs_rectification.is_(True), MonitoringSnapshot.rectification_result == "")
        )
    if role == Role.OWNER:
        # Periods already over with values recorded and nothing submitted yet.
        submitted = select(Submission.id).where(
            Submission.project_id == ProgressEntry.project_id,
            Submission.kind == "progress",
            Submission.period_key == ProgressEntry.period_key,
            Submission.state != State.DRAFT,
        )
        own = select(Project.id).where(Project.year_id == year.id, Project.department_id == user.department_id)
        recorded_stmt = (
            select(ProgressEntry.project_id, ProgressEntry.period_key)
            .where(ProgressEntry.project_id.in_(own), ProgressEntry.is_void.is_(False), ~exists(submitted))
            .group_by(ProgressEntry.project_id, ProgressEntry.period_key)
        )
        if this_period:
            recorded_stmt = recorded_stmt.where(ProgressEntry.period_key < this_period)
        recorded = recorded_stmt.subquery()
        branches.append(
            base(*columns("period", literal("progress"), recorded.c.period_key, literal("draft"), literal("")))
            .join(recorded, recorded.c.project_id == Project.id)
            .where(recorded.c.period_key.like(f"{year.year}-%"))
        )
        for form_kind, model, key in (
            ("monitoring", MonitoringSnapshot, MonitoringSnapshot.period_key),
            ("evaluation", EvaluationForm, cast(EvaluationForm.year, String)),
        ):
            sub_state = (
                select(Submission.state)
                .where(Submission.project_id == Project.id, Submission.kind == form_kind, Submission.period_key == key)
                .scalar_subquery()
            )
            stmt = (
                base(*columns(form_kind, literal(form_kind), key, func.coalesce(sub_state, "draft"), literal("")))
                .join(model, model.project_id == Project.id)
                .where(or_(sub_state.is_(None), sub_state == State.DRAFT))
            )
            if model is EvaluationForm:
                stmt = stmt.where(EvaluationForm.year == year.year)
            branches.append(stmt)
    review_state = {"reviewer": "submitted", "finance": "dept_approved"}.get(role)
    if review_state and lean:
        # The badge's count, on every page: the forms keep their project's year, so it reads
        # the (year, state) index range, joining projects only for a department's scope.
        count = (
            select(literal(1).label("one"))
            .select_from(Submission)
            .where(Submission.year_id == year.id, Submission.state == review_state)
        )
        if visible_department_ids(user) is not None:
            count = scope_projects(count.join(Project, Submission.project_id == Project.id), user)
        branches.append(count)
    elif review_state:
        branches.append(
            base(*columns("review", Submission.kind, Submission.period_key, Submission.state, Submission.last_comment))
            .join(Submission, Submission.project_id == Project.id)
            .where(Submission.state == review_state)
        )
    return branches


def _missing_query(user: User, year: Year, period: Period):
    entry = current_entries_query(ProgressEntry).where(
        ProgressEntry.indicator_id == Indicator.id, ProgressEntry.period_key == period.key
    )
    return scope_projects(
        select(Project.id, Project.name, Department.name, func.count(Indicator.id))
        .join(Department, Project.department_id == Department.id)
        .join(Indicator, Indicator.project_id == Project.id)
        .where(Project.year_id == year.id, ~exists(entry.with_only_columns(ProgressEntry.id)))
        .group_by(Project.id, Project.name, Department.name, Project.position)
        .order_by(Project.position),
        user,
    )


def _chased_period(user: User, year: Year, day: date) -> Period | None:
    # Only owners are chased for values, and only while the budget year is running: a
    # year that has ended is closed out by the monitoring and self-evaluation forms.
    if user.role == Role.OWNER and day.year == year.year:
        return current_period(day, year.year, frequency())
    return None


def todo_count(user: User) -> int:
    """The number of things the user owes: one query, whatever the data size."""
    found = _statements(user)
    if found is None or found[0].todo is None:
        return 0
    return int(db.session.scalar(found[0].todo) or 0)


def header_counts(user: User) -> tuple[int, int]:
    """The header's badges, on every page: (我的待办 = todo_count, unread messages), one query.
    On 我的待办 itself the list was just read (todo_for, same transaction): its count is the
    badge, not counted again."""
    from flask import g, has_app_context

    listed = g.get("_todo_listed") if has_app_context() else None
    found = None
    if listed is None or listed[0] != user.id:
        listed, found = None, _statements(user)
    stmt = found[0].header if found is not None else _UNREAD_ONLY
    todo, unread = db.session.execute(stmt, {"user_id": user.id}).one()
    return (listed[1] if listed is not None else int(todo or 0)), int(unread or 0)


_UNREAD = (
    select(func.count(Notification.id))
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
    .scalar_subquery()
)
_UNREAD_ONLY = select(literal(0), _UNREAD)


class _Statements(NamedTuple):
    todo: Select | None  # the todo count
    header: Select  # the todo count and the unread messages
    items: CompoundSelect | None  # the list's rows, every kind but "missing" (todo_for)
    missing: Select | None  # the indicators still missing this period, per project (todo_for)


# The statements for each combination of what they depend on: the badge is on every page,
# and building it (and its cache key) cost more than running it. They hold only plain values
# (ids, period keys; the user id is a bound parameter), never the user object, and the
# numbers are read from the database on every request, so they are exact right after any
# change.
_STATEMENTS: Memo[_Statements] = Memo(4096)  # departments × roles × periods: a bound, not a leak


def _statements(user: User) -> tuple[_Statements, date, Period | None] | None:
    """The user's statements, today and the period chased for values (None: nothing is owed)."""
    if user.role == Role.ADMIN:
        return None
    year = current.year()
    if year is None:
        return None
    day = today()
    this_period, period = _this_period(year, day), _chased_period(user, year, day)
    # Everything _branches and _missing_query read from the user and the year.
    key = (user.role, user.sees_all_departments, user.department_id, year, this_period, period)
    statements = _STATEMENTS.get(key, lambda: _build_statements(user, year, this_period, period))
    return statements, day, period


def _build_statements(user: User, year: Year, this_period: str | None, period: Period | None) -> _Statements:
    parts = []
    branches = _branches(user, year, this_period, lean=True)
    if branches:
        parts.append(select(func.count()).select_from(union_all(*branches).subquery()).scalar_subquery())
    if period is not None:
        missing = _missing_query(user, year, period).order_by(None).subquery()
        parts.append(select(func.coalesce(func.sum(list(missing.c)[-1]), 0)).scalar_subquery())
    listing = _branches(user, year, this_period)
    items = union_all(*listing) if listing else None
    missing_rows = _missing_query(user, year, period) if period is not None else None
    if not parts:
        return _Statements(None, _UNREAD_ONLY, items, missing_rows)
    total: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        total = total + part
    return _Statements(select(total), select(total, _UNREAD), items, missing_rows)


def todo_for(user: User) -> Todo:
    todo = Todo()
    found = _statements(user)
    if found is None:
        return todo
    statements, day, todo.period = found
    rows = db.session.execute(statements.items).all() if statements.items is not None else []
    from tracker.services import settings

    monitoring_days = settings.get("monitoring_due_days")
    reminder_day = settings.get("reminder_day")
    dues: dict[tuple[str, str], date | None] = {}  # many items share a period
    for kind, form_kind, project_id, project_name, department_name, period_key, state, comment in rows:
        item = Item(kind, form_kind, project_id, project_name, department_name, period_key, state, comment or "")
        if kind != "rectification":
            key = (form_kind, period_key)
            if key not in dues:
                dues[key] = _due(form_kind, period_key, monitoring_days, reminder_day)
            item.due = dues[key]
        item.overdue = item.due is not None and day > item.due and kind != "review"
        todo.items.append(item)
    if todo.period is not None and statements.missing is not None:
        for project_id, project_name, department_name, n in db.session.execute(statements.missing):
            if n:
                todo.items.append(
                    Item(
                        "missing",
                        "progress",
                        project_id,
                        project_name,
                        department_name,
                        todo.period.key,
                        "draft",
                        count=n,
                        due=_due("progress", todo.period.key, monitoring_days, reminder_day),
                    )
                )
    todo.items.sort(key=lambda i: (i.due is None, i.due or date.max, i.department_name, i.project_name, i.period_key))
    from flask import g, has_app_context

    if has_app_context():
        g._todo_listed = (user.id, todo.count)  # the header's badge on this page (header_counts)
    return todo


def _due(form_kind: str, period_key: str, monitoring_days: int, reminder_day: int) -> date | None:
    try:
        if form_kind == "monitoring":
            return date.fromisoformat(period_key) + timedelta(days=int(monitoring_days))
        if form_kind == "progress":
            return parse_period_key(period_key).end + timedelta(days=int(reminder_day))
    except (ValueError, PeriodError):
        return None
    return None  # 自评表: no set date
