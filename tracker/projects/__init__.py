"""Project list and the project page (the 绩效目标表 as published, with parsed targets)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from tracker.domain import monitoring as monitoring_rules
from tracker.domain.targets import KIND_QUANTITATIVE
from tracker.extensions import db
from tracker.models import BudgetYear, Department, Indicator, Project, User
from tracker.projects.rows import PageIndicator, RowView, render_rows
from tracker.services import dashboard
from tracker.services.monitoring import thresholds
from tracker.services.progress import project_progress
from tracker.services.scope import NotVisible, can_edit_project, scope_departments, scope_projects
from tracker.web import url_maker

bp = Blueprint("projects", __name__)

# A project page shows the project's year, department and source document: loaded with the
# project in one query (three lazy loads otherwise). Built once; the scope is added per user.
_PAGE_PROJECT = (
    select(Project)
    .options(joinedload(Project.year), joinedload(Project.department), joinedload(Project.source_document))
    .where(Project.id == bindparam("project_id"))
)
_YEARS = select(BudgetYear.year, BudgetYear.is_current).order_by(BudgetYear.year.desc())
_DEPARTMENTS = select(Department.id, Department.code, Department.name).order_by(Department.code, Department.name)
# The project page's indicators as plain rows (tracker/projects/rows.py PageIndicator).
_PAGE_INDICATORS = (
    select(*(getattr(Indicator, name) for name in PageIndicator._fields))
    .where(Indicator.project_id == bindparam("project_id"))
    .order_by(Indicator.position, Indicator.id)
)


def page_project(user: User, project_id: int) -> Project:
    """get_project (same scope, NotVisible outside it) with what the page header shows."""
    project = db.session.scalar(scope_projects(_PAGE_PROJECT, user), {"project_id": project_id})
    if project is None:
        raise NotVisible(project_id)
    return project


def row_views(project: Project, rows: list, previous: dict | None, *, can_edit: bool) -> list[RowView]:
    """The table's rows (tracker/projects/rows.py): what each shows, merged cells included."""
    indicator_url = url_maker("progress.indicator", "indicator_id", project_id=project.id)
    targets_url = url_maker("adjustments.targets", "indicator_id", project_id=project.id)
    views = []
    for merged, p in zip(merged_rows([row.indicator for row in rows]), rows, strict=True):
        ind = p.indicator
        latest = p.latest
        pv = previous.get(ind.id) if previous is not None else None
        views.append(
            RowView(
                id=ind.id,
                span1=merged["span1"],
                span2=merged["span2"],
                level1=ind.level1,
                level2=ind.level2,
                level3=ind.level3,
                description=ind.description,
                target_raw=ind.target_raw,
                target=p.target,
                accumulation_label=ind.accumulation_label if ind.target_kind == KIND_QUANTITATIVE else None,
                basis=ind.basis,
                ytd=p.ytd,
                unit=ind.target_unit,
                latest_text=(latest.tier or ("已完成" if latest.completed_on else "")) if latest is not None else "",
                entry_count=p.entry_count,
                latest_as_of=latest.as_of if latest is not None else None,
                status=p.status,
                status_label=p.status_label,
                can_edit=can_edit,
                indicator_url=indicator_url(ind.id),
                targets_url=targets_url(ind.id),
                show_previous=previous is not None,
                pv_target=pv.target_raw if pv is not None else None,
                pv_actual=pv.actual if pv is not None else None,
                pv_score=pv.score if pv is not None else None,
                pv_weight=pv.weight if pv is not None else None,
            )
        )
    return views


def merged_rows(indicators: list[Indicator]) -> list[dict]:
    """Rows of the published table with the rowspans of merged 一级/二级 cells.

    A 一级 cell spans its consecutive run of rows; a 二级 cell spans its run inside it.
    """
    rows = [{"ind": ind, "span1": 0, "span2": 0} for ind in indicators]
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j]["ind"].level1 == rows[i]["ind"].level1:
            j += 1
        rows[i]["span1"] = j - i
        k = i
        while k < j:
            m = k
            while m < j and rows[m]["ind"].level2 == rows[k]["ind"].level2:
                m += 1
            rows[k]["span2"] = m - k
            k = m
        i = j
    return rows


@bp.route("/")
@login_required
def index():
    # Plain rows: the filters need a few columns of every department (152 in a county).
    years = db.session.execute(_YEARS).all()
    departments = db.session.execute(scope_departments(_DEPARTMENTS, current_user)).all()

    year = request.args.get("year", type=int)
    if year is None and "year" not in request.args:
        current = next((y for y in years if y.is_current), years[0] if years else None)
        year = current.year if current else None
    department_id = request.args.get("department", type=int)
    q = (request.args.get("q") or "").strip()
    sort = request.args.get("sort") or "dept"
    if sort not in dashboard.PROJECT_SORTS:
        sort = "dept"
    # One page of projects (filters and order in SQL), then their figures for that page only.
    page, total_indicators = dashboard.project_page(
        current_user,
        dashboard.page_number(request.args.get("page")),
        year=year,
        department_id=department_id,
        q=q,
        sort=sort,
    )
    figures = dashboard.project_figures([project.id for project, _, _ in page.items])
    filters = {k: v for k, v in {"department": department_id, "q": q, "sort": sort}.items() if v}
    filters["year"] = year or ""  # "" keeps 全部年度 across pages
    return render_template(
        "projects/index.html",
        page=page,
        figures=figures,
        years=years,
        departments=departments,
        department_choices=[(d.id, f"{d.code or ''} {d.name}") for d in departments],
        department=next((d for d in departments if d.id == department_id), None),
        year=year,
        department_id=department_id,
        q=q,
        sort=sort,
        sorts=dashboard.PROJECT_SORT_LABELS,
        filters=filters,
        total_projects=page.total,
        total_indicators=total_indicators,
        light_labels=monitoring_rules.LIGHT_LABELS,
    )


@bp.route("/projects/<int:project_id>")
@login_required
def detail(project_id: int):
    project = page_project(current_user, project_id)
    indicators = [PageIndicator._make(row) for row in db.session.execute(_PAGE_INDICATORS, {"project_id": project.id})]
    summary = project_progress(project, indicators)
    # The same light rule as 双监控 (thresholds configurable), for the execution bar.
    budget_light = (
        monitoring_rules.budget_light(summary.execution_rate, summary.time_progress, thresholds())
        if summary.execution_rate is not None
        else "grey"
    )
    from tracker.services.years import previous_values  # issue 12 §4: last year next to this year

    previous, previous_form, previous_project = previous_values(project)
    can_edit = can_edit_project(current_user, project)
    return render_template(
        "projects/detail.html",
        previous_form=previous_form,
        previous_project=previous_project,
        project=project,
        indicator_rows=render_rows(
            row_views(project, summary.rows, previous if previous_project else None, can_edit=can_edit)
        ),
        indicator_count=len(indicators),
        summary=summary,
        budget_light=budget_light,
    )
