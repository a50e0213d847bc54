"""Read endpoints: every listing goes through the scope helpers (owners and reviewers see their
own department only; finance and admin see all) and issues a fixed number of queries per page."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.api import schemas as s
from tracker.api.common import bp, current_api_user, page_body, paginate
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    Department,
    EvaluationForm,
    EvaluationRow,
    Expenditure,
    Indicator,
    MonitoringSnapshot,
    ProgressEntry,
    Project,
    Submission,
)
from tracker.services.progress import current_entries_query, describe_entry
from tracker.services.scope import NotVisible, scope_departments, scope_projects

RATE_PLACES = Decimal("0.000001")
ERRORS = {"401": {"description": "缺少令牌、令牌无效、已撤销或已过期，或账号已停用"}}


class With:
    """An ORM object with extra computed attributes, for serialization."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._obj, name)


def _doc(**extra):
    return bp.doc(responses={**ERRORS, **extra})


def _in_scope(stmt, args: dict, *, year_column=BudgetYear.year):
    """Scope to the user's departments, then the common year / department filters."""
    stmt = scope_projects(stmt, current_api_user())
    if args.get("year") is not None:
        stmt = stmt.where(year_column == args["year"])
    if args.get("department_id") is not None:
        stmt = stmt.where(Project.department_id == args["department_id"])
    return stmt


# ----------------------------------------------------------------------------- who am I, years, departments


@bp.route("/me", methods=["GET"], tags=["账号"])
@bp.response(200, s.MeSchema)
@_doc()
def me():
    """当前令牌所代表的用户（角色与可见部门范围）"""
    return current_api_user()


@bp.route("/years", methods=["GET"], tags=["部门与年度"])
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.YearPage)
@_doc()
def years(**args):
    """预算年度"""
    rows, meta = paginate(select(BudgetYear), args, order_by=(BudgetYear.year.desc(),))
    return page_body(rows, meta)


@bp.route("/departments", methods=["GET"], tags=["部门与年度"])
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.DepartmentPage)
@_doc()
def departments(**args):
    """部门（项目填报人、部门审核人只看到本部门）"""
    stmt = scope_departments(select(Department), current_api_user())
    rows, meta = paginate(stmt, args, order_by=(Department.code, Department.id))
    return page_body(rows, meta)


# ----------------------------------------------------------------------------- projects


def _project_figures(projects: list[Project]) -> list[With]:
    """Spending of a page of projects (one grouped query); indicator counts are the
    projects' own (Project.indicator_count)."""
    ids = [p.id for p in projects]
    spent: dict[int, Decimal] = {}
    if ids:
        current = current_entries_query(Expenditure).where(Expenditure.project_id.in_(ids))
        spent = dict(
            db.session.execute(
                current.with_only_columns(Expenditure.project_id, func.sum(Expenditure.amount)).group_by(
                    Expenditure.project_id
                )
            ).all()
        )
    result = []
    for p in projects:
        total = Decimal(spent.get(p.id) or 0)
        budget = p.budget
        rate = (total / budget).quantize(RATE_PLACES) if budget else None
        result.append(
            With(
                p,
                year=p.year.year,
                department_name=p.department.name,
                spent=total,
                budget=budget,
                execution_rate=rate,
                indicator_count=p.indicator_count,
            )
        )
    return result


PROJECT_LOADS = (selectinload(Project.department), selectinload(Project.year))


@bp.route("/projects", methods=["GET"], tags=["项目与指标"])
@bp.arguments(s.ProjectArgs, location="query", as_kwargs=True)
@bp.response(200, s.ProjectPage)
@_doc()
def projects(**args):
    """项目：预算、已支出、执行率"""
    stmt = _in_scope(select(Project).join(BudgetYear, Project.year_id == BudgetYear.id), args)
    if args.get("q"):
        stmt = stmt.where(Project.name.contains(args["q"]))
    rows, meta = paginate(
        stmt,
        args,
        order_by=(BudgetYear.year.desc(), Project.department_id, Project.position, Project.id),
        options=PROJECT_LOADS,
    )
    return page_body(_project_figures(rows), meta)


def _project(project_id: int) -> Project:
    project = db.session.scalar(
        scope_projects(select(Project).where(Project.id == project_id), current_api_user()).options(*PROJECT_LOADS)
    )
    if project is None:
        raise NotVisible(project_id)
    return project


@bp.route("/projects/<int:project_id>", methods=["GET"], tags=["项目与指标"])
@bp.response(200, s.ProjectDetailSchema)
@_doc(**{"404": {"description": "项目不存在或不在您的部门范围内"}})
def project(project_id: int):
    """一个项目及其全部指标（含解析后的目标）"""
    p = _project(project_id)
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.project_id == p.id).order_by(Indicator.position, Indicator.id)
    ).all()
    year = p.year.year
    item = _project_figures([p])[0]
    item.indicators = [_indicator_item(ind, year) for ind in indicators]
    return item


# ----------------------------------------------------------------------------- indicators


def target_dict(indicator: Indicator, budget_year: int) -> dict:
    t = indicator.target
    deadline = None
    if t.kind == "deadline":
        deadline = {
            "year": t.year,
            "month": t.month,
            "day": t.day,
            "monthly_day": t.monthly_day,
            "due_date": t.due_date(budget_year),
        }
    return {
        "raw": t.raw,
        "kind": t.kind,
        "op": t.op,
        "value": t.value,
        "unit": t.unit,
        "implicit_op": t.implicit_op,
        "direction": t.direction,
        "deadline": deadline,
        "description": t.describe(),
    }


def _indicator_item(ind: Indicator, budget_year: int) -> With:
    return With(ind, target=target_dict(ind, budget_year))


def _indicator_stmt(args: dict):
    stmt = _in_scope(
        select(Indicator)
        .join(Project, Indicator.project_id == Project.id)
        .join(BudgetYear, Project.year_id == BudgetYear.id),
        args,
    )
    if args.get("project_id") is not None:
        stmt = stmt.where(Indicator.project_id == args["project_id"])
    if args.get("level1"):
        stmt = stmt.where(Indicator.level1 == args["level1"])
    if args.get("kind"):
        stmt = stmt.where(Indicator.target_kind == args["kind"])
    return stmt


INDICATOR_LOADS = (selectinload(Indicator.project).selectinload(Project.year),)


@bp.route("/indicators", methods=["GET"], tags=["项目与指标"])
@bp.arguments(s.IndicatorArgs, location="query", as_kwargs=True)
@bp.response(200, s.IndicatorPage)
@_doc()
def indicators(**args):
    """指标及解析后的目标（类型、运算符、数值、单位、截止日期、原文）"""
    rows, meta = paginate(
        _indicator_stmt(args),
        args,
        order_by=(Indicator.project_id, Indicator.position, Indicator.id),
        options=INDICATOR_LOADS,
    )
    return page_body([_indicator_item(i, i.project.year.year) for i in rows], meta)


@bp.route("/indicators/<int:indicator_id>", methods=["GET"], tags=["项目与指标"])
@bp.response(200, s.IndicatorSchema)
@_doc(**{"404": {"description": "指标不存在或不在您的部门范围内"}})
def indicator(indicator_id: int):
    """一个指标"""
    ind = db.session.scalar(_indicator_stmt({}).where(Indicator.id == indicator_id).options(*INDICATOR_LOADS))
    if ind is None:
        raise NotVisible(indicator_id)
    return _indicator_item(ind, ind.project.year.year)


# ----------------------------------------------------------------------------- entries and spending


def _successors(model, ids: list[int]) -> dict[int, int]:
    """old id → the id of the row that corrected or voided it (one query)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(model.supersedes_id, model.id).where(model.supersedes_id.in_(ids))).all())


def entry_items(entries: list[ProgressEntry]) -> list[With]:
    newer = _successors(ProgressEntry, [e.id for e in entries])
    return [
        With(
            e,
            unit=e.indicator.target_unit,
            description=describe_entry(e),
            superseded_by_id=newer.get(e.id),
            is_current=e.id not in newer and not e.is_void,
        )
        for e in entries
    ]


def spending_items(rows: list[Expenditure]) -> list[With]:
    newer = _successors(Expenditure, [r.id for r in rows])
    return [With(r, superseded_by_id=newer.get(r.id), is_current=r.id not in newer and not r.is_void) for r in rows]


def _history_stmt(model, date_column, args: dict):
    base = current_entries_query(model) if args.get("current") else select(model)
    stmt = _in_scope(
        base.join(Project, model.project_id == Project.id).join(BudgetYear, Project.year_id == BudgetYear.id), args
    )
    if args.get("project_id") is not None:
        stmt = stmt.where(model.project_id == args["project_id"])
    if args.get("as_of_from") is not None:
        stmt = stmt.where(date_column >= args["as_of_from"])
    if args.get("as_of_to") is not None:
        stmt = stmt.where(date_column <= args["as_of_to"])
    return stmt


ENTRY_LOADS = (selectinload(ProgressEntry.indicator), selectinload(ProgressEntry.created_by))
SPENDING_LOADS = (selectinload(Expenditure.created_by),)


@bp.route("/entries", methods=["GET"], tags=["完成值"])
@bp.arguments(s.EntryArgs, location="query", as_kwargs=True)
@bp.response(200, s.EntryPage)
@_doc()
def entries(**args):
    """实际完成值（含历史：被更正的记录和撤销记录，用 superseded_by_id / is_void 区分）"""
    stmt = _history_stmt(ProgressEntry, ProgressEntry.as_of, args)
    if args.get("indicator_id") is not None:
        stmt = stmt.where(ProgressEntry.indicator_id == args["indicator_id"])
    rows, meta = paginate(stmt, args, order_by=(ProgressEntry.id,), options=ENTRY_LOADS)
    return page_body(entry_items(rows), meta)


def load_entry(entry_id: int) -> ProgressEntry:
    entry = db.session.scalar(
        scope_projects(
            select(ProgressEntry)
            .join(Project, ProgressEntry.project_id == Project.id)
            .where(ProgressEntry.id == entry_id),
            current_api_user(),
        ).options(*ENTRY_LOADS)
    )
    if entry is None:
        raise NotVisible(entry_id)
    return entry


@bp.route("/entries/<int:entry_id>", methods=["GET"], tags=["完成值"])
@bp.response(200, s.EntrySchema)
@_doc(**{"404": {"description": "记录不存在或不在您的部门范围内"}})
def entry(entry_id: int):
    """一条完成值记录"""
    return entry_items([load_entry(entry_id)])[0]


@bp.route("/spending", methods=["GET"], tags=["支出"])
@bp.arguments(s.EntryArgs, location="query", as_kwargs=True)
@bp.response(200, s.SpendingPage)
@_doc()
def spending(**args):
    """支出记录（预算执行，万元；含被更正和撤销的历史）。indicator_id 不适用。"""
    stmt = _history_stmt(Expenditure, Expenditure.spent_on, args)
    rows, meta = paginate(stmt, args, order_by=(Expenditure.id,), options=SPENDING_LOADS)
    return page_body(spending_items(rows), meta)


def load_expenditure(expenditure_id: int) -> Expenditure:
    row = db.session.scalar(
        scope_projects(
            select(Expenditure)
            .join(Project, Expenditure.project_id == Project.id)
            .where(Expenditure.id == expenditure_id),
            current_api_user(),
        ).options(*SPENDING_LOADS)
    )
    if row is None:
        raise NotVisible(expenditure_id)
    return row


@bp.route("/spending/<int:expenditure_id>", methods=["GET"], tags=["支出"])
@bp.response(200, s.SpendingSchema)
@_doc(**{"404": {"description": "记录不存在或不在您的部门范围内"}})
def spending_row(expenditure_id: int):
    """一条支出记录"""
    return spending_items([load_expenditure(expenditure_id)])[0]


# ----------------------------------------------------------------------------- monitoring


def _states(kind: str, pairs: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Workflow state of forms, by (project id, period key): one query."""
    if not pairs:
        return {}
    rows = db.session.execute(
        select(Submission.project_id, Submission.period_key, Submission.state).where(
            Submission.kind == kind, Submission.project_id.in_({p for p, _ in pairs})
        )
    ).all()
    return {(p, k): state for p, k, state in rows}


def snapshot_items(snaps: list[MonitoringSnapshot]) -> list[With]:
    states = _states("monitoring", [(x.project_id, x.period_key) for x in snaps])
    return [With(x, state=states.get((x.project_id, x.period_key), "draft")) for x in snaps]


@bp.route("/monitoring/snapshots", methods=["GET"], tags=["双监控"])
@bp.arguments(s.SnapshotArgs, location="query", as_kwargs=True)
@bp.response(200, s.SnapshotPage)
@_doc()
def snapshots(**args):
    """双监控表：预算执行与绩效目标预警灯（逐指标的灯见单个监控表）"""
    stmt = _in_scope(
        select(MonitoringSnapshot)
        .join(Project, MonitoringSnapshot.project_id == Project.id)
        .join(BudgetYear, Project.year_id == BudgetYear.id),
        args,
    )
    if args.get("project_id") is not None:
        stmt = stmt.where(MonitoringSnapshot.project_id == args["project_id"])
    if args.get("period_key"):
        stmt = stmt.where(MonitoringSnapshot.period_key == args["period_key"])
    if args.get("light"):
        stmt = stmt.where(
            (MonitoringSnapshot.project_light == args["light"]) | (MonitoringSnapshot.budget_light == args["light"])
        )
    rows, meta = paginate(
        stmt,
        args,
        order_by=(MonitoringSnapshot.period_key.desc(), MonitoringSnapshot.project_id),
        options=(selectinload(MonitoringSnapshot.project),),
    )
    return page_body(snapshot_items(rows), meta)


@bp.route("/monitoring/snapshots/<int:snapshot_id>", methods=["GET"], tags=["双监控"])
@bp.response(200, s.SnapshotDetailSchema)
@_doc(**{"404": {"description": "监控表不存在或不在您的部门范围内"}})
def snapshot(snapshot_id: int):
    """一张监控表及逐指标的预警灯、预测和偏差说明"""
    snap = db.session.scalar(
        scope_projects(
            select(MonitoringSnapshot)
            .join(Project, MonitoringSnapshot.project_id == Project.id)
            .where(MonitoringSnapshot.id == snapshot_id),
            current_api_user(),
        ).options(selectinload(MonitoringSnapshot.project), selectinload(MonitoringSnapshot.rows))
    )
    if snap is None:
        raise NotVisible(snapshot_id)
    return snapshot_items([snap])[0]


# ----------------------------------------------------------------------------- self-evaluation


def evaluation_items(forms: list[EvaluationForm]) -> list[With]:
    states = _states("evaluation", [(f.project_id, str(f.year)) for f in forms])
    return [With(f, state=states.get((f.project_id, str(f.year)), "draft")) for f in forms]


@bp.route("/evaluations", methods=["GET"], tags=["绩效自评"])
@bp.arguments(s.EvaluationArgs, location="query", as_kwargs=True)
@bp.response(200, s.EvaluationPage)
@_doc()
def evaluations(**args):
    """绩效自评表：总分、预算执行得分和等级"""
    stmt = _in_scope(
        select(EvaluationForm).join(Project, EvaluationForm.project_id == Project.id),
        args,
        year_column=EvaluationForm.year,
    )
    if args.get("project_id") is not None:
        stmt = stmt.where(EvaluationForm.project_id == args["project_id"])
    if args.get("grade"):
        stmt = stmt.where(EvaluationForm.grade == args["grade"])
    rows, meta = paginate(
        stmt,
        args,
        order_by=(EvaluationForm.year.desc(), EvaluationForm.project_id),
        options=(selectinload(EvaluationForm.project),),
    )
    return page_body(evaluation_items(rows), meta)


@bp.route("/evaluations/<int:form_id>", methods=["GET"], tags=["绩效自评"])
@bp.response(200, s.EvaluationDetailSchema)
@_doc(**{"404": {"description": "自评表不存在或不在您的部门范围内"}})
def evaluation(form_id: int):
    """一张自评表及逐指标得分"""
    form = db.session.scalar(
        scope_projects(
            select(EvaluationForm)
            .join(Project, EvaluationForm.project_id == Project.id)
            .where(EvaluationForm.id == form_id),
            current_api_user(),
        ).options(
            selectinload(EvaluationForm.project),
            selectinload(EvaluationForm.rows).selectinload(EvaluationRow.indicator),
        )
    )
    if form is None:
        raise NotVisible(form_id)
    return evaluation_items([form])[0]
