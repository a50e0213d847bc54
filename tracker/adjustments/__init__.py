"""绩效目标调整 / 年中追加 pages (issue 12 §3) and the year comparison of a department (§4).

Owners and reviewers propose for their own department; reviewer and finance act on a
proposal with the usual review actions; everybody sees only what their scope allows
(get_project answers 404 for another department's project)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.auth import roles_required
from tracker.domain import workflow
from tracker.domain.vocab import Role
from tracker.edge import Refusal, unit_of_work
from tracker.extensions import db
from tracker.models import Department, Indicator
from tracker.models.adjustments import ADJ_INDICATOR, ADJ_PROJECT, ADJ_TARGET, TargetAdjustment
from tracker.review_actions import posted_version
from tracker.services import adjustments, clock, years
from tracker.services.scope import get_project, scope_departments, visible_department_ids

from .forms import AdjustmentForm

bp = Blueprint("adjustments", __name__)


@bp.app_template_global()
def target_history(indicator):
    """For templates that show an indicator the user may already see (the indicator page)."""
    return adjustments.history(indicator)


def _adjustment(project_id: int, adjustment_id: int) -> TargetAdjustment:
    project = get_project(current_user, project_id)
    adj = db.session.get(TargetAdjustment, adjustment_id)
    if adj is None or adj.project_id != project.id:
        abort(404)
    return adj


def _indicator(project_id: int, indicator_id: int) -> Indicator:
    project = get_project(current_user, project_id)
    ind = db.session.get(Indicator, indicator_id)
    if ind is None or ind.project_id != project.id:
        abort(404)
    return ind


@bp.route("/adjustments/")
@login_required
def index():
    items = adjustments.for_department(visible_department_ids(current_user))
    states = {a.id: adjustments.state_of(a) for a in items}
    return render_template(
        "adjustments/index.html", items=items, states=states, state_labels=workflow.STATE_LABELS, project=None
    )


@bp.route("/projects/<int:project_id>/adjustments")
@login_required
def for_project(project_id: int):
    project = get_project(current_user, project_id)
    items = adjustments.for_department(visible_department_ids(current_user), project_id=project.id)
    states = {a.id: adjustments.state_of(a) for a in items}
    can_propose = (
        current_user.role in (Role.OWNER, Role.REVIEWER) and current_user.department_id == project.department_id
    )
    return render_template(
        "adjustments/index.html",
        items=items,
        states=states,
        state_labels=workflow.STATE_LABELS,
        project=project,
        can_propose=can_propose,
    )


def _new_form(project) -> AdjustmentForm:
    form = AdjustmentForm()
    form.indicator_id.choices = [(0, "（新增指标 / 年中追加时不用选）")] + [
        (i.id, f"{i.level2} / {i.level3}（现为 {i.target_raw}）") for i in project.indicators
    ]
    if request.method == "GET":
        form.indicator_id.data = request.args.get("indicator", 0, type=int)
        today = clock.today()  # the app's time zone, not the server's
        # today when the project's year is running, else mid-year as a starting point
        form.effective_from.data = today if today.year == project.year.year else date(project.year.year, 7, 1)
    return form


def _new_refused(refusal: Refusal, project_id: int):
    project = get_project(current_user, project_id)
    form = _new_form(project)
    form.validate()
    return render_template("adjustments/new.html", project=project, form=form, error=refusal.message), 400


@bp.route("/projects/<int:project_id>/adjustments/new", methods=["GET", "POST"])
@roles_required(Role.OWNER, Role.REVIEWER)
@unit_of_work(on_error=_new_refused)
def new(project_id: int):
    project = get_project(current_user, project_id)
    form = _new_form(project)
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("adjustments/new.html", project=project, form=form, error=None), status
    kind = form.kind.data
    indicator = None
    if kind == ADJ_TARGET:
        indicator = next((i for i in project.indicators if i.id == form.indicator_id.data), None)
    adj = adjustments.propose(
        current_user,
        project,
        kind,
        reason=form.reason.data,
        effective_from=form.effective_from.data,
        indicator=indicator,
        new_target_raw=form.new_target_raw.data or "",
        level1=form.level1.data or "",
        level2=form.level2.data or "",
        level3=form.level3.data or "",
        project_name=form.project_name.data or "",
        project_goal=form.project_goal.data or "",
        project_budget=form.project_budget.data,
    )
    flash("调整申请已提交部门审核。", "success")
    return redirect(url_for("adjustments.detail", project_id=project.id, adjustment_id=adj.id))


def _detail_url(project_id: int, adjustment_id: int) -> str:
    return url_for("adjustments.detail", project_id=project_id, adjustment_id=adjustment_id)


@bp.route("/projects/<int:project_id>/adjustments/<int:adjustment_id>", methods=["GET", "POST"])
@login_required
@unit_of_work(redirect_to=_detail_url, conflict="此调整申请已被其他人处理，您的操作未执行，请刷新后重试。")
def detail(project_id: int, adjustment_id: int):
    adj = _adjustment(project_id, adjustment_id)
    if request.method == "POST":
        action = request.form.get("action", "")
        sub = adjustments.act(
            current_user, adj, action, comment=request.form.get("comment", ""), expected_version=posted_version()
        )
        done = "，调整已生效" if adj.applied else ""
        flash(
            f"调整申请：{workflow.ACTION_LABELS.get(action, action)}完成，现为“{workflow.STATE_LABELS[sub.state]}”{done}。",
            "success",
        )
        return redirect(_detail_url(project_id, adjustment_id))
    submission = adjustments.submission_of(adj)
    state = submission.state if submission else workflow.DRAFT
    same = current_user.department_id == adj.project.department_id
    actions = (
        []
        if adj.applied
        else [a for a in workflow.allowed_actions(state, current_user.role, same) if a != workflow.REOPEN]
    )
    return render_template(
        "adjustments/detail.html",
        adj=adj,
        project=adj.project,
        submission=submission,
        state=state,
        actions=actions,
        action_labels=workflow.ACTION_LABELS,
        state_labels=workflow.STATE_LABELS,
        needs_comment={a for a in workflow.ACTIONS if workflow.comment_required(a)},
        ADJ_TARGET=ADJ_TARGET,
        ADJ_INDICATOR=ADJ_INDICATOR,
        ADJ_PROJECT=ADJ_PROJECT,
    )


@bp.route("/projects/<int:project_id>/indicators/<int:indicator_id>/targets")
@login_required
def targets(project_id: int, indicator_id: int):
    ind = _indicator(project_id, indicator_id)
    history = adjustments.history(ind)
    proposals = adjustments.for_department(visible_department_ids(current_user), indicator_id=ind.id)
    states = {a.id: adjustments.state_of(a) for a in proposals}
    return render_template(
        "adjustments/targets.html",
        ind=ind,
        project=ind.project,
        history=history,
        proposals=proposals,
        states=states,
        state_labels=workflow.STATE_LABELS,
    )


@bp.route("/years/compare")
@login_required
def compare():
    """A department's budget years side by side, with a chart."""
    departments = db.session.scalars(
        scope_departments(select(Department), current_user)
        .where(Department.is_finance_bureau.is_(False))
        .order_by(Department.code, Department.name)
    ).all()
    wanted = request.args.get("department", type=int)
    if wanted is not None:
        department = next((d for d in departments if d.id == wanted), None)
        if department is None:
            abort(404)
    else:
        department = next((d for d in departments if d.id == current_user.department_id), None) or (
            departments[0] if departments else None
        )
    summaries = years.department_years(department) if department else []
    return render_template(
        "adjustments/compare.html",
        departments=departments,
        department=department,
        summaries=summaries,
        chart=years.chart_data(summaries),
    )
