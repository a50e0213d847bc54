"""双监控 pages: the finance overview, the monitoring form, exports, notifications."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from tracker.auth import roles_required, safe_next
from tracker.domain import DomainError, InputError, workflow
from tracker.domain import monitoring as monitoring_rules
from tracker.domain.vocab import Action, Role, State, SubmissionKind
from tracker.edge import Refusal, transaction, unit_of_work
from tracker.extensions import db
from tracker.memo import Memo
from tracker.models import MonitoringSnapshot, Project
from tracker.monitoring import forms
from tracker.review_actions import CONFLICT as REVIEW_CONFLICT
from tracker.review_actions import apply_from_form, posted_version
from tracker.services import clock, current, dashboard, job_requests, jobs, monitoring, monitoring_form, notify, review
from tracker.services.scope import can_edit_project, get_project, scope_projects, visible_department_ids

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


def _periods() -> list[str]:
    """The periods with snapshots the user may see, newest first."""
    if visible_department_ids(current_user) is None:
        return dashboard.snapshot_periods()
    stmt = select(MonitoringSnapshot.period_key).join(Project, MonitoringSnapshot.project_id == Project.id)
    stmt = scope_projects(stmt, current_user).distinct().order_by(MonitoringSnapshot.period_key.desc())
    return list(db.session.scalars(stmt))


# The department table and the department options, rendered once per period figures (their
# memo key: see dashboard.monitoring_overview) and chosen department — a county's ~150
# departments are most of the overview's markup, and they change only with the figures.
_FRAGMENTS: Memo[dict[str, Markup]] = Memo(64)


def _department_fragments(overview: dashboard.Overview, period: str, department_id: int | None) -> dict[str, Markup]:
    def render() -> dict[str, Markup]:
        return {
            part: Markup(
                render_template(
                    "monitoring/_departments.html",
                    part=part,
                    by_dept=overview.departments,
                    period=period,
                    department_id=department_id,
                    light_labels=monitoring_rules.LIGHT_LABELS,
                )
            )
            for part in ("rows", "options")
        }

    return _FRAGMENTS.get((overview.key, department_id, request.script_root), render)


@bp.route("/")
@login_required
def index():
    """The overview and the department drill-down: counts per department from one GROUP BY
    on the frozen snapshots, the project table filtered, sorted and paginated in SQL."""
    periods = _periods()
    period = request.args.get("period") or (periods[0] if periods else None)
    light = request.args.get("light") or ""
    state = request.args.get("state") or ""
    sort = request.args.get("sort") or "dept"
    if sort not in dashboard.MONITORING_SORTS:
        sort = "dept"
    department_id = request.args.get("department", type=int)
    departments, page, chart, red_yellow, fragments = [], None, {}, {}, {}
    if period:
        overview = dashboard.monitoring_overview(current_user, period)
        departments = overview.departments
        chart = dashboard.monitoring_chart(departments, overview.time_progress)
        fragments = _department_fragments(overview, period, department_id)
        page = dashboard.monitoring_page(
            current_user,
            period,
            department_id=department_id,
            light=light,
            state=state,
            sort=sort,
            page=dashboard.page_number(request.args.get("page")),
        )
        red_yellow = dashboard.row_light_counts([row[0].id for row in page.items])
    filters = {
        k: v
        for k, v in {
            "period": period,
            "department": department_id,
            "light": light,
            "state": state,
            "sort": sort,
        }.items()
        if v
    }
    return render_template(
        "monitoring/index.html",
        periods=periods,
        period=period,
        page=page,
        red_yellow=red_yellow,
        department_fragments=fragments,
        chart=chart,
        departments=departments,
        department=next((d for d in departments if d.id == department_id), None),
        light=light,
        state=state,
        sort=sort,
        sorts=dashboard.SORT_LABELS,
        filters=filters,
        department_id=department_id,
        light_labels=monitoring_rules.LIGHT_LABELS,
        state_labels=workflow.STATE_LABELS,
        period_label=monitoring.period_label,
        to_date=date.fromisoformat,
        default_as_of=monitoring.checkpoints(_current_year())[0],
    )


def _current_year() -> int:
    return current.year_number() or clock.today().year


@bp.route("/run", methods=["POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
def run():
    try:
        as_of = date.fromisoformat(request.form.get("as_of", ""))
    except ValueError:
        flash("监控截止日期无效（应为 2023-06-30 的形式）。", "danger")
        return redirect(url_for("monitoring.index"))
    try:
        jobs.require_year(as_of.year)
    except DomainError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("monitoring.index"))
    if jobs.already_done("monitoring", as_of.isoformat()):
        flash(f"{monitoring.period_label(as_of)}双监控已运行过，未重复生成。", "info")
        return redirect(url_for("monitoring.index", period=as_of.isoformat()))
    # The county-wide run happens in the scheduler process; this request only queues it.
    with transaction():
        req, _ = job_requests.enqueue("monitoring", as_of.isoformat(), current_user)
    return redirect(url_for("job_requests.status", request_id=req.id))


def _snapshot(project_id: int, period_key: str) -> MonitoringSnapshot:
    snap = monitoring_form.snapshot_of(get_project(current_user, project_id), period_key)
    if snap is None:
        abort(404)
    return snap


def _render_form(snap, *, errors=None, form=None, status=200):
    submission = monitoring_form.submission_of(snap)
    state = submission.state if submission else State.DRAFT
    same = current_user.department_id == snap.project.department_id
    editable = workflow.is_editable(state) and current_user.role in (Role.OWNER, Role.REVIEWER) and same
    return render_template(
        "monitoring/form.html",
        snap=snap,
        project=snap.project,
        submission=submission,
        state=state,
        editable=editable,
        actions=list(workflow.allowed_actions(state, current_user.role, same)),
        action_labels=workflow.ACTION_LABELS,
        state_labels=workflow.STATE_LABELS,
        needs_comment={a for a in workflow.ACTIONS if workflow.comment_required(a)},
        light_labels=monitoring_rules.LIGHT_LABELS,
        reasons=monitoring_rules.DEVIATION_REASONS,
        likelihoods=monitoring_rules.LIKELIHOODS,
        reasons_of=monitoring.reasons_of,
        needs_explaining=lambda light: monitoring_rules.needs_deviation_explanation(light, monitoring.thresholds()),
        errors=errors or {},
        form=form,
        period_label=monitoring.period_label(snap.as_of),
    ), status


def _form_url(project_id: int, period_key: str) -> str:
    return url_for("monitoring.form", project_id=project_id, period_key=period_key)


def _form_refused(refusal: Refusal, project_id: int, period_key: str):
    snap = _snapshot(project_id, period_key)
    if isinstance(refusal.error, InputError):
        return _render_form(snap, errors=refusal.errors, form=request.form, status=400)
    return _render_form(
        snap, errors={"_form": refusal.message}, form=request.form, status=409 if refusal.lost_race else 400
    )


@bp.route("/<int:project_id>/<period_key>", methods=["GET", "POST"])
@login_required
@unit_of_work(on_error=_form_refused, conflict="监控表已被其他人修改，您的内容未保存，请核对后重新提交。")
def form(project_id: int, period_key: str):
    snap = _snapshot(project_id, period_key)
    if request.method == "GET":
        return _render_form(snap)
    if not can_edit_project(current_user, snap.project):
        abort(403)
    action = request.form.get("action", "save")
    monitoring_form.save(
        current_user, snap, forms.parse_monitoring_form(snap, request.form), expected_version=posted_version()
    )
    if action == "submit":
        monitoring_form.check_complete(snap, monitoring.thresholds())
        review.act(current_user, snap.project, period_key, Action.SUBMIT, kind=SubmissionKind.MONITORING)
    flash("监控表已提交部门审核。" if action == "submit" else "已保存草稿。", "success")
    return redirect(_form_url(project_id, period_key))


@bp.route("/<int:project_id>/<period_key>/review", methods=["POST"])
@roles_required(Role.OWNER, Role.REVIEWER, Role.FINANCE)
@unit_of_work(redirect_to=_form_url, conflict=REVIEW_CONFLICT)
def act(project_id: int, period_key: str):
    snap = _snapshot(project_id, period_key)
    apply_from_form(
        snap.project,
        period_key,
        kind=SubmissionKind.MONITORING,
        label="监控表",
        before_submit=lambda: monitoring_form.check_complete(snap, monitoring.thresholds()),
    )
    return redirect(_form_url(project_id, period_key))


@bp.route("/<int:project_id>/<period_key>/disposition", methods=["POST"])
@roles_required(Role.FINANCE)
@unit_of_work(redirect_to=_form_url)
def disposition(project_id: int, period_key: str):
    snap = _snapshot(project_id, period_key)
    monitoring_form.set_disposition(
        current_user,
        snap,
        needs=request.form.get("needs_rectification") == "1",
        requirements=request.form.get("rectification_requirements", ""),
    )
    flash("已保存处理意见。", "success")
    return redirect(_form_url(project_id, period_key))


@bp.route("/<int:project_id>/<period_key>/rectification", methods=["POST"])
@roles_required(Role.OWNER, Role.REVIEWER)
@unit_of_work(redirect_to=_form_url)
def rectification(project_id: int, period_key: str):
    snap = _snapshot(project_id, period_key)
    monitoring_form.set_rectification_result(current_user, snap, request.form.get("rectification_result", ""))
    flash("已提交整改结果。", "success")
    return redirect(_form_url(project_id, period_key))


@bp.route("/<int:project_id>/<period_key>/print")
@login_required
def print_view(project_id: int, period_key: str):
    snap = _snapshot(project_id, period_key)
    return render_template(
        "monitoring/print.html",
        snap=snap,
        project=snap.project,
        light_labels=monitoring_rules.LIGHT_LABELS,
        reasons_of=monitoring.reasons_of,
        period_label=monitoring.period_label(snap.as_of),
    )


@bp.route("/<int:project_id>/<period_key>/export.xlsx")
@login_required
def export(project_id: int, period_key: str):
    from tracker.exporters.monitoring_xlsx import XLSX_MIMETYPE, monitoring_filename, monitoring_workbook

    snap = _snapshot(project_id, period_key)
    return send_file(
        BytesIO(monitoring_workbook(snap)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=monitoring_filename(snap),
    )


@bp.route("/summary.xlsx")
@login_required
def export_summary():
    """Every project of a period the user may see, one row each (the department scope and
    the page's department filter apply): one streaming query, written row by row — or the
    workbook already written for exactly these rows (tracker/exporters/cache.py)."""
    from tracker.exporters import cache as export_cache
    from tracker.exporters.monitoring_xlsx import XLSX_MIMETYPE, SummaryRow, summary_filename, write_monitoring_summary

    periods = _periods()
    period = request.args.get("period") or (periods[0] if periods else "")
    if period not in periods:
        abort(404)
    department_id = request.args.get("department", type=int)

    def rows():
        return dashboard.monitoring_summary_rows(current_user, period, department_id=department_id)

    def write(result):
        return write_monitoring_summary(
            (
                SummaryRow(*row[:11], workflow.STATE_LABELS.get(row[11], row[11]))  # dept … needs, state
                for row in result
            ),
            periods=[date.fromisoformat(period)],
            with_states=True,
        )

    out = export_cache.workbook("monitoring-summary", (period,), rows, write)
    return send_file(
        out, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=summary_filename(date.fromisoformat(period))
    )


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
@unit_of_work
def notifications():
    if request.method == "POST":
        notify.mark_all_read(current_user)
        return redirect(url_for("monitoring.notifications"))
    return render_template("monitoring/notifications.html", rows=notify.recent(current_user))


@bp.route("/notifications/<int:notification_id>")
@login_required
@unit_of_work
def open_notification(notification_id: int):
    """Follow a notification's link and mark it read; only its own user may."""
    row = notify.open_notification(current_user, notification_id)
    if row is None:
        abort(404)
    return redirect(safe_next(row.link) or url_for("monitoring.notifications"))
