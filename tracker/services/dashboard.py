"""Read-only queries behind the finance pages (双监控 overview and drill-down, 自评 overview,
the project list): aggregated in SQL over the frozen snapshot and score rows, filtered in
the query, one page of rows at a time. A page issues the same few queries whatever the
county's size; nothing here loads an indicator row as an object."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from decimal import Decimal
from math import ceil
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from tracker.domain import monitoring as monitoring_rules
from tracker.domain import scoring
from tracker.domain.vocab import State, SubmissionKind
from tracker.extensions import db
from tracker.memo import Memo
from tracker.models import (
    BudgetYear,
    Department,
    EvaluationForm,
    EvaluationRow,
    Expenditure,
    Indicator,
    MonitoringRow,
    MonitoringSnapshot,
    Project,
    Submission,
    User,
)
from tracker.services.scope import scope_projects, visible_department_ids

PER_PAGE = 50
GRADES = ("优", "良", "中", "差")


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)


def page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def paginate(stmt: Select, page: int, per_page: int = PER_PAGE, *, count: Select | None = None) -> Page:
    """One COUNT and one LIMIT/OFFSET query; a page past the end shows the last page.
    ``count`` is a lean COUNT of the same rows (without the joins only shown columns need)."""
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    page = _page_in_range(total, page, per_page)
    items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all() if total else []
    return Page(list(items), page, per_page, total)


def _page_in_range(total: int, page: int, per_page: int) -> int:
    """The page asked for, or the last page when it is past the end."""
    return min(max(1, page), max(1, ceil(total / per_page)))


def deferred_page(total: int, page: int, per_page: int, ordered_ids: Select, rows_for) -> Page:
    """A page read with a "deferred join": the page's ids chosen first by ``ordered_ids``
    (sorting ids over the few columns the order needs, not whole rows with every joined
    name), then ``rows_for(ids)`` reads only those rows in full (each row's first element
    has the id). A row deleted between the two reads is left out."""
    page = _page_in_range(total, page, per_page)
    if not total:
        return Page([], page, per_page, 0)
    ids = list(db.session.scalars(ordered_ids.limit(per_page).offset((page - 1) * per_page)))
    by_id = {row[0].id: row for row in rows_for(ids)}
    return Page([by_id[i] for i in ids if i in by_id], page, per_page, total)


def _budget(snap=MonitoringSnapshot):
    return func.coalesce(snap.adjusted_budget, snap.initial_budget)


# ---------------------------------------------------------------------------- 双监控


@dataclass
class DepartmentLights:
    id: int
    name: str
    projects: int
    lights: dict[str, int]
    budget: Decimal
    spent: Decimal

    @property
    def rate(self) -> Decimal | None:
        return self.spent / self.budget if self.budget else None


# The overview's per-department figures of a period, memoised per process. A snapshot's
# light, budget, spending and time progress are frozen when the run writes it (DOMAIN.md §4),
# so the figures change only when snapshots of the period are added or removed, and the names
# when a department is renamed (its updated_at moves) or added/removed. The memo's key holds
# all of that, read by one query on indexes (a fraction of the GROUP BY's cost); every worker
# and server checks it against the database on each request, so nothing is ever stale.
_OVERVIEW_MEMO: Memo[tuple[list[DepartmentLights], Decimal | None]] = Memo(32)


def _stamp(*columns, where) -> tuple:
    """One row of aggregates over indexes that moves whenever the memoised figures may have
    changed; the departments' count and latest update (names) are part of every stamp."""
    return tuple(
        db.session.execute(
            select(
                *columns,
                select(func.count(Department.id)).scalar_subquery(),
                select(func.max(Department.updated_at)).scalar_subquery(),
            ).where(where)
        ).one()
    )


def _period_stamp(period: str) -> tuple:
    return _stamp(
        func.count(MonitoringSnapshot.id),
        func.max(MonitoringSnapshot.id),
        where=MonitoringSnapshot.period_key == period,
    )


def _department_figures(period: str, scope: tuple[int, ...] | None) -> list[DepartmentLights]:
    budget = _budget()
    has_budget = and_(budget.is_not(None), budget != 0)
    stmt = (
        select(
            Project.department_id,
            Department.name,
            MonitoringSnapshot.project_light,
            func.count(MonitoringSnapshot.id),
            func.sum(case((has_budget, budget), else_=0)),
            func.sum(case((has_budget, MonitoringSnapshot.spent), else_=0)),
        )
        .join(Project, MonitoringSnapshot.project_id == Project.id)
        .join(Department, Project.department_id == Department.id)
        .where(MonitoringSnapshot.period_key == period)
        .group_by(Project.department_id, Department.name, MonitoringSnapshot.project_light)
        .order_by(Project.department_id)
    )
    if scope is not None:
        stmt = stmt.where(Project.department_id.in_(scope))
    out: dict[int, DepartmentLights] = {}
    for dept_id, name, light, n, budget_sum, spent_sum in db.session.execute(stmt):
        d = out.setdefault(
            dept_id,
            DepartmentLights(dept_id, name, 0, dict.fromkeys(monitoring_rules.LIGHTS, 0), Decimal(0), Decimal(0)),
        )
        d.projects += n
        d.lights[light] = d.lights.get(light, 0) + n
        d.budget += Decimal(budget_sum or 0)
        d.spent += Decimal(spent_sum or 0)
    return list(out.values())


@dataclass
class Overview:
    departments: list[DepartmentLights]
    time_progress: Decimal | None
    key: tuple  # changes whenever the figures may have: for memoising what is drawn from them


def monitoring_overview(user: User, period: str) -> Overview:
    """Per department (id order): projects by light, and budget/spending of projects that have
    a budget — one GROUP BY over the period's snapshots, memoised while they are unchanged —
    and the period's time progress (序时进度)."""
    visible = visible_department_ids(user)
    scope = tuple(visible) if visible is not None else None
    key = (period, scope, _period_stamp(period))
    departments, progress = _OVERVIEW_MEMO.get(key, lambda: (_department_figures(period, scope), time_progress(period)))
    # copies: a caller may change what it got without touching the memo
    return Overview([replace(d, lights=dict(d.lights)) for d in departments], progress, key)


def monitoring_chart(departments: list[DepartmentLights], time_progress: Decimal | None) -> dict:
    return {
        "departments": [d.name for d in departments],
        "rates": [round(float(d.rate * 100), 1) if d.rate is not None else None for d in departments],
        "time_progress": round(float(time_progress * 100), 1) if time_progress is not None else None,
        "lights": [
            [monitoring_rules.LIGHT_LABELS[k], sum(d.lights[k] for d in departments)] for k in monitoring_rules.LIGHTS
        ],
    }


def time_progress(period: str) -> Decimal | None:
    return db.session.scalar(
        select(MonitoringSnapshot.time_progress).where(MonitoringSnapshot.period_key == period).limit(1)
    )


MONITORING_SORTS = {
    "dept": lambda: (Project.department_id, Project.position, Project.id),
    "name": lambda: (Project.name, Project.id),
    "rate": lambda: (MonitoringSnapshot.execution_rate.is_(None), MonitoringSnapshot.execution_rate, Project.id),
    "rate_desc": lambda: (
        MonitoringSnapshot.execution_rate.is_(None),
        MonitoringSnapshot.execution_rate.desc(),
        Project.id,
    ),
    "light": lambda: (
        _light_order(MonitoringSnapshot.project_light),
        Project.department_id,
        Project.position,
        Project.id,
    ),
}
SORT_LABELS = {
    "dept": "部门顺序",
    "name": "项目名称",
    "rate": "执行率从低到高",
    "rate_desc": "执行率从高到低",
    "light": "预警（红灯在前）",
}


def _light_order(column):
    return case({k: i for i, k in enumerate(("red", "yellow", "grey", "blue", "green"))}, value=column, else_=9)


def _monitoring_submission_join(stmt: Select) -> Select:
    return stmt.outerjoin(
        Submission,
        (Submission.project_id == MonitoringSnapshot.project_id)
        & (Submission.kind == SubmissionKind.MONITORING)
        & (Submission.period_key == MonitoringSnapshot.period_key),
    )


def _monitoring_filtered(
    stmt: Select,
    user: User,
    period: str,
    *,
    department_id: int | None,
    light: str,
    state: str,
    projects_joined: bool = False,
) -> Select:
    """A period's snapshots with the page's filters, joining only what the filters need
    (``stmt`` may have joined projects already, for its order)."""
    stmt = stmt.where(MonitoringSnapshot.period_key == period)
    if not projects_joined and (department_id or visible_department_ids(user) is not None):
        stmt = stmt.join(Project, MonitoringSnapshot.project_id == Project.id)
    if department_id:
        stmt = stmt.where(Project.department_id == department_id)
    if light:
        stmt = stmt.where(MonitoringSnapshot.project_light == light)
    if state:
        stmt = _monitoring_submission_join(stmt).where(func.coalesce(Submission.state, literal(State.DRAFT)) == state)
    return scope_projects(stmt, user)


def monitoring_page(
    user: User,
    period: str,
    *,
    department_id: int | None = None,
    light: str = "",
    state: str = "",
    sort: str = "dept",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of (snapshot, project name, department name, form state, department id) of a
    period, filtered and sorted in SQL. The page's ids are chosen first from the snapshots and
    projects alone (a "deferred join": sorting a county's snapshots does not drag their
    names, states and every column along), then only those rows are read in full."""

    def filtered(stmt: Select, *, projects_joined: bool = False) -> Select:
        return _monitoring_filtered(
            stmt,
            user,
            period,
            department_id=department_id,
            light=light,
            state=state,
            projects_joined=projects_joined,
        )

    form_state = func.coalesce(Submission.state, literal(State.DRAFT))

    def rows_for(ids: list[int]):
        return db.session.execute(
            _monitoring_submission_join(
                select(
                    MonitoringSnapshot, Project.name, Department.name, form_state.label("state"), Project.department_id
                )
                .join(Project, MonitoringSnapshot.project_id == Project.id)
                .join(Department, Project.department_id == Department.id)
            ).where(MonitoringSnapshot.id.in_(ids))
        )

    return deferred_page(
        db.session.scalar(filtered(select(func.count(MonitoringSnapshot.id)))) or 0,
        page,
        per_page,
        filtered(
            select(MonitoringSnapshot.id).join(Project, MonitoringSnapshot.project_id == Project.id),
            projects_joined=True,
        ).order_by(*MONITORING_SORTS.get(sort, MONITORING_SORTS["dept"])()),
        rows_for,
    )


def row_light_counts(snapshot_ids: list[int]) -> dict[int, dict[str, int]]:
    """Red and yellow indicator rows per snapshot (one GROUP BY for a page of snapshots)."""
    counts: dict[int, dict[str, int]] = {i: {"red": 0, "yellow": 0} for i in snapshot_ids}
    if not snapshot_ids:
        return counts
    stmt = (
        select(MonitoringRow.snapshot_id, MonitoringRow.light, func.count())
        .where(MonitoringRow.snapshot_id.in_(snapshot_ids), MonitoringRow.light.in_(("red", "yellow")))
        .group_by(MonitoringRow.snapshot_id, MonitoringRow.light)
    )
    for snapshot_id, light, n in db.session.execute(stmt):
        counts[snapshot_id][light] = n
    return counts


def monitoring_summary_rows(user: User, period: str, *, department_id: int | None = None):
    """Every project of a period for the summary export, streamed: plain tuples (no ORM
    objects), red/yellow counts aggregated in the same query."""
    reds = func.sum(case((MonitoringRow.light == "red", 1), else_=0))
    yellows = func.sum(case((MonitoringRow.light == "yellow", 1), else_=0))
    counts = (
        select(MonitoringRow.snapshot_id, reds.label("red"), yellows.label("yellow"))
        .join(MonitoringSnapshot, MonitoringRow.snapshot_id == MonitoringSnapshot.id)
        .where(MonitoringSnapshot.period_key == period)
        .group_by(MonitoringRow.snapshot_id)
        .subquery()
    )
    form_state = func.coalesce(Submission.state, literal("draft"))
    stmt = (
        select(
            Department.name,
            Project.name,
            _budget(),
            MonitoringSnapshot.spent,
            MonitoringSnapshot.execution_rate,
            MonitoringSnapshot.time_progress,
            MonitoringSnapshot.budget_light,
            MonitoringSnapshot.project_light,
            func.coalesce(counts.c.red, 0),
            func.coalesce(counts.c.yellow, 0),
            MonitoringSnapshot.needs_rectification,
            form_state,
            MonitoringSnapshot.as_of,
        )
        .join(Project, MonitoringSnapshot.project_id == Project.id)
        .join(Department, Project.department_id == Department.id)
        .outerjoin(counts, counts.c.snapshot_id == MonitoringSnapshot.id)
        .outerjoin(
            Submission,
            (Submission.project_id == MonitoringSnapshot.project_id)
            & (Submission.kind == "monitoring")
            & (Submission.period_key == MonitoringSnapshot.period_key),
        )
        .where(MonitoringSnapshot.period_key == period)
        .order_by(Project.department_id, Project.position, Project.id)
    )
    if department_id:
        stmt = stmt.where(Project.department_id == department_id)
    return db.session.execute(scope_projects(stmt, user).execution_options(yield_per=500))


# ---------------------------------------------------------------------------- 自评


_EVALUATION_MEMO: Memo[tuple[list[tuple[int, str, Decimal, int]], dict[str, int]]] = Memo(32)


def _year_stamp(year: int) -> tuple:
    """What the 自评 overview's per-department figures depend on: the year's forms (any ORM
    update of a form bumps its version) and the departments (names)."""
    return _stamp(
        func.count(EvaluationForm.id),
        func.max(EvaluationForm.id),
        func.coalesce(func.sum(EvaluationForm.version), 0),
        where=EvaluationForm.year == year,
    )


def evaluation_departments(user: User, year: int) -> tuple[list[tuple[int, str, Decimal, int]], dict[str, int]]:
    """(department id, name, average score, forms) per department, and forms per grade;
    memoised per process while the year's forms and the departments are unchanged (one
    query on the forms checks that on every request, so nothing is ever stale)."""
    visible = visible_department_ids(user)
    key = (year, tuple(visible) if visible is not None else None, _year_stamp(year))
    departments, grades = _EVALUATION_MEMO.get(key, lambda: _evaluation_departments(user, year))
    return list(departments), dict(grades)


def _evaluation_departments(user: User, year: int) -> tuple[list[tuple[int, str, Decimal, int]], dict[str, int]]:
    stmt = (
        select(
            Project.department_id, Department.name, func.avg(EvaluationForm.total_score), func.count(EvaluationForm.id)
        )
        .join(Project, EvaluationForm.project_id == Project.id)
        .join(Department, Project.department_id == Department.id)
        .where(EvaluationForm.year == year)
        .group_by(Project.department_id, Department.name)
        .order_by(Project.department_id)
    )
    departments = [tuple(r) for r in db.session.execute(scope_projects(stmt, user))]
    grade = func.coalesce(EvaluationForm.grade, literal("差"))
    stmt = (
        select(grade, func.count(EvaluationForm.id))
        .join(Project, EvaluationForm.project_id == Project.id)
        .where(EvaluationForm.year == year)
        .group_by(grade)
    )
    grades = dict.fromkeys(GRADES, 0)
    for g, n in db.session.execute(scope_projects(stmt, user)):
        grades[g] = grades.get(g, 0) + n
    return departments, grades


def evaluation_chart(departments, grades: dict[str, int]) -> dict:
    return {
        "departments": [name for _, name, _, _ in departments],
        "averages": [round(float(avg), 2) if avg is not None else None for _, _, avg, _ in departments],
        "grades": [[g, n] for g, n in grades.items()],  # a list keeps 优良中差 in order in JSON
    }


EVALUATION_SORTS = {
    "dept": lambda: (Project.department_id, Project.position, Project.id),
    "name": lambda: (Project.name, Project.id),
    "score": lambda: (EvaluationForm.total_score, Project.id),
    "score_desc": lambda: (EvaluationForm.total_score.desc(), Project.id),
}
EVALUATION_SORT_LABELS = {"dept": "部门顺序", "name": "项目名称", "score": "得分从低到高", "score_desc": "得分从高到低"}


def _points():
    """Indicator points (sum of row scores) per form, for the consistency warnings."""
    return select(EvaluationRow.form_id, func.sum(func.coalesce(EvaluationRow.score, 0)).label("points")).group_by(
        EvaluationRow.form_id
    )


def evaluation_rows_query(
    user: User,
    year: int,
    *,
    department_id: int | None = None,
    grade: str = "",
    state: str = "",
    sort: str = "dept",
    count: bool = False,
) -> Select:
    """(form, project name, department name, state) of a year, filtered in SQL; with
    ``count`` the COUNT of those rows instead."""
    form_state = func.coalesce(Submission.state, literal("draft"))
    stmt: Select[*tuple[Any, ...]]
    if count:
        stmt = select(func.count(EvaluationForm.id)).join(Project, EvaluationForm.project_id == Project.id)
    else:
        stmt = (
            select(EvaluationForm, Project.name, Department.name, form_state.label("state"))
            .join(Project, EvaluationForm.project_id == Project.id)
            .join(Department, Project.department_id == Department.id)
            .order_by(*EVALUATION_SORTS.get(sort, EVALUATION_SORTS["dept"])())
        )
    if not count or state:
        stmt = stmt.outerjoin(
            Submission,
            (Submission.project_id == EvaluationForm.project_id)
            & (Submission.kind == "evaluation")
            & (Submission.period_key == str(year)),
        )
    stmt = stmt.where(EvaluationForm.year == year)
    if department_id:
        stmt = stmt.where(Project.department_id == department_id)
    if grade:
        stmt = stmt.where(func.coalesce(EvaluationForm.grade, literal("差")) == grade)
    if state:
        stmt = stmt.where(form_state == state)
    return scope_projects(stmt, user)


def evaluation_page(
    user: User,
    year: int,
    *,
    department_id: int | None = None,
    grade: str = "",
    state: str = "",
    sort: str = "dept",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of evaluation_rows_query's rows: the page's form ids chosen first (sorted on
    the forms and projects alone), then only those rows read in full (as monitoring_page)."""

    def counted() -> Select:
        return evaluation_rows_query(user, year, department_id=department_id, grade=grade, state=state, count=True)

    return deferred_page(
        db.session.scalar(counted()) or 0,
        page,
        per_page,
        counted()
        .with_only_columns(EvaluationForm.id)
        .order_by(*EVALUATION_SORTS.get(sort, EVALUATION_SORTS["dept"])()),
        lambda ids: db.session.execute(
            evaluation_rows_query(user, year, sort=sort).where(EvaluationForm.id.in_(ids)).order_by(None)
        ),
    )


def evaluation_points(form_ids: list[int]) -> dict[int, Decimal]:
    """Indicator points (sum of row scores) of a page of forms, for the warnings."""
    points = {i: Decimal(0) for i in form_ids}
    if form_ids:
        for form_id, total in db.session.execute(_points().where(EvaluationRow.form_id.in_(form_ids))):
            points[form_id] = Decimal(total or 0)
    return points


def evaluation_warnings(points, execution_score, budget, spent) -> list:
    return scoring.consistency_warnings(Decimal(points or 0), execution_score, budget or 0, spent)


def evaluation_summary_rows(user: User, year: int, *, department_id: int | None = None):
    """Every form of a year for the summary export, streamed as plain tuples."""
    points = (
        _points()
        .join(EvaluationForm, EvaluationRow.form_id == EvaluationForm.id)
        .where(EvaluationForm.year == year)
        .subquery()
    )
    form_state = func.coalesce(Submission.state, literal("draft"))
    stmt = (
        select(
            Department.name,
            Project.name,
            EvaluationForm.budget,
            EvaluationForm.spent,
            EvaluationForm.execution_score,
            EvaluationForm.total_score,
            EvaluationForm.grade,
            form_state,
            func.coalesce(points.c.points, 0),
        )
        .join(Project, EvaluationForm.project_id == Project.id)
        .join(Department, Project.department_id == Department.id)
        .outerjoin(points, points.c.form_id == EvaluationForm.id)
        .outerjoin(
            Submission,
            (Submission.project_id == EvaluationForm.project_id)
            & (Submission.kind == "evaluation")
            & (Submission.period_key == str(year)),
        )
        .where(EvaluationForm.year == year)
        .order_by(Project.department_id, Project.position, Project.id)
    )
    if department_id:
        stmt = stmt.where(Project.department_id == department_id)
    return db.session.execute(scope_projects(stmt, user).execution_options(yield_per=500))


# ---------------------------------------------------------------------------- project list


PROJECT_SORTS = {
    "dept": lambda: (BudgetYear.year.desc(), Department.code, Project.position, Project.id),
    "name": lambda: (Project.name, Project.id),
    "budget_desc": lambda: (_budget(Project).is_(None), _budget(Project).desc(), Project.id),
}
PROJECT_SORT_LABELS = {"dept": "部门顺序", "name": "项目名称", "budget_desc": "预算从高到低"}


def _matching_projects(stmt: Select, user: User, *, year: int | None, department_id: int | None, q: str) -> Select:
    """The list's filters and the user's scope on a statement over projects."""
    if year:
        stmt = stmt.join(BudgetYear, Project.year_id == BudgetYear.id).where(BudgetYear.year == year)
    if department_id:
        stmt = stmt.where(Project.department_id == department_id)
    if q:
        stmt = stmt.where(Project.name.contains(q))
    return scope_projects(stmt, user)


def projects_query(user: User, *, year: int | None, department_id: int | None, q: str, sort: str = "dept") -> Select:
    """(project, department name, year) matching the filters, in the chosen order."""
    stmt = (
        select(Project, Department.name, BudgetYear.year)
        .join(BudgetYear, Project.year_id == BudgetYear.id)
        .join(Department, Project.department_id == Department.id)
        .order_by(*PROJECT_SORTS.get(sort, PROJECT_SORTS["dept"])())
    )
    if year:
        stmt = stmt.where(BudgetYear.year == year)
    if department_id:
        stmt = stmt.where(Project.department_id == department_id)
    if q:
        stmt = stmt.where(Project.name.contains(q))
    return scope_projects(stmt, user)


@functools.cache
def _snapshot_periods_statement():
    """Distinct period keys, newest first, by a loose index scan: one index probe per period
    (max below the last one found) instead of reading every snapshot of every period."""
    snapshots = aliased(MonitoringSnapshot)
    found = select(func.max(MonitoringSnapshot.period_key).label("key")).cte("periods", recursive=True)
    below = select(func.max(snapshots.period_key)).where(snapshots.period_key < found.c.key).scalar_subquery()
    found = found.union_all(select(below).where(found.c.key.is_not(None)))
    return select(found.c.key).where(found.c.key.is_not(None)).order_by(found.c.key.desc())


def snapshot_periods() -> list[str]:
    """Every period with 双监控 snapshots, newest first (the period selector, county-wide)."""
    return list(db.session.scalars(_snapshot_periods_statement()))


def project_page(
    user: User, page: int, *, year: int | None, department_id: int | None, q: str, sort: str = "dept"
) -> tuple[Page, int]:
    """One page of projects_query and the number of indicators of all matching projects.

    Three queries: both counts at once (the projects: Page.total); the page's ids alone, in
    order (sorting ids, not whole rows with their goal texts); then those rows."""
    counts: dict[str, Any] = {"year": year, "department_id": department_id, "q": q}
    # The indicators from each project's own count (kept by the database: Project.indicator_count),
    # not by counting the county's ~45k indicator rows on every request.
    both = _matching_projects(
        select(func.count(Project.id), func.coalesce(func.sum(Project.indicator_count), 0)), user, **counts
    )
    total, total_indicators = db.session.execute(both).one()
    ordered = projects_query(user, year=year, department_id=department_id, q=q, sort=sort)
    return deferred_page(
        total,
        page,
        PER_PAGE,
        ordered.with_only_columns(Project.id),
        lambda ids: db.session.execute(
            select(Project, Department.name, BudgetYear.year)
            .join(BudgetYear, Project.year_id == BudgetYear.id)
            .join(Department, Project.department_id == Department.id)
            .where(Project.id.in_(ids))
        ),
    ), total_indicators or 0


@dataclass
class ProjectFigures:
    spent: Decimal = Decimal(0)
    light: str | None = None  # 项目综合预警 of the latest monitoring snapshot
    as_of: object = None


@functools.cache
def _figure_statements() -> tuple[Select, Select]:
    """project_figures' two statements, built once (the page's ids are a bound list)."""
    from sqlalchemy import bindparam

    from tracker.services.progress import current_entries_query

    ids: Any = bindparam("ids", expanding=True)
    spent = (
        current_entries_query(Expenditure)
        .with_only_columns(Expenditure.project_id, func.sum(Expenditure.amount))
        .where(Expenditure.project_id.in_(ids))
        .group_by(Expenditure.project_id)
    )
    latest = (
        select(MonitoringSnapshot.project_id, func.max(MonitoringSnapshot.period_key).label("key"))
        .where(MonitoringSnapshot.project_id.in_(ids))
        .group_by(MonitoringSnapshot.project_id)
        .subquery()
    )
    lights = select(MonitoringSnapshot.project_id, MonitoringSnapshot.project_light, MonitoringSnapshot.as_of).join(
        latest,
        (latest.c.project_id == MonitoringSnapshot.project_id) & (latest.c.key == MonitoringSnapshot.period_key),
    )
    return spent, lights


def project_figures(project_ids: list[int]) -> dict[int, ProjectFigures]:
    """For a page of projects: current spending (corrections applied) and the light of the
    latest snapshot — two grouped queries whatever the page holds (the number of indicators
    is the project's own Project.indicator_count)."""
    out = {i: ProjectFigures() for i in project_ids}
    if not project_ids:
        return out
    spent, lights = _figure_statements()
    db.session.flush()  # plain Core rows below, which do not autoflush
    conn = db.session.connection()
    params = {"ids": project_ids}
    for pid, amount in conn.execute(spent, params):
        out[pid].spent = Decimal(amount or 0)
    for pid, light, as_of in conn.execute(lights, params):
        out[pid].light, out[pid].as_of = light, as_of
    return out


# ---------------------------------------------------------------------------- indicator history

HISTORY_PER_PAGE = 50


@functools.cache
def _history_statements() -> tuple[Select, Select]:
    """indicator_history_page's count and page, built once (bound indicator id, limit, offset);
    each entry's author comes in the same query."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload

    from tracker.models import ProgressEntry

    indicator = ProgressEntry.indicator_id == bindparam("indicator_id")
    count = select(func.count(ProgressEntry.id)).where(indicator)
    page = (
        select(ProgressEntry)
        .where(indicator)
        .options(joinedload(ProgressEntry.created_by))
        .order_by(ProgressEntry.as_of.desc(), ProgressEntry.created_at.desc(), ProgressEntry.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, page


def indicator_history_page(indicator: Indicator, page: int, per_page: int = HISTORY_PER_PAGE) -> Page:
    """One page of an indicator's entries by 截至日期, newest first (corrections and withdrawals
    included), with their authors: a COUNT and one query, however long the history."""
    count, rows = _history_statements()
    total = db.session.scalar(count, {"indicator_id": indicator.id}) or 0
    page = _page_in_range(total, page, per_page)
    items = (
        db.session.scalars(
            rows, {"indicator_id": indicator.id, "limit": per_page, "offset": (page - 1) * per_page}
        ).all()
        if total
        else []
    )
    return Page(list(items), page, per_page, total)
