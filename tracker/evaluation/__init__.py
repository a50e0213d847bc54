"""绩效自评 pages: the form, review, outputs, and the department summary."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.auth import roles_required
from tracker.domain import DomainError, InputError, scoring, workflow
from tracker.domain.vocab import Role, State, SubmissionKind
from tracker.edge import Refusal, transaction, unit_of_work
from tracker.evaluation import forms
from tracker.extensions import db
from tracker.models import BudgetYear, EvaluationForm
from tracker.review_actions import CONFLICT as REVIEW_CONFLICT
from tracker.review_actions import apply_from_form, posted_version
from tracker.services import current, dashboard, evaluation, job_requests, jobs, review
from tracker.services.scope import can_edit_project, get_project

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


def _year() -> int:
    year = request.args.get("year", type=int)
    if year:
        return year
    return current.year_number() or 2023


@bp.route("/")
@login_required
def index():
    """自评 overview: averages and grades from GROUP BY queries, the forms paginated in SQL."""
    year = _year()
    department_id = request.args.get("department", type=int)
    grade = request.args.get("grade") or ""
    state = request.args.get("state") or ""
    sort = request.args.get("sort") or "dept"
    if sort not in dashboard.EVALUATION_SORTS:
        sort = "dept"
    departments, grades = dashboard.evaluation_departments(current_user, year)
    filters_ = {"department_id": department_id, "grade": grade, "state": state}
    page = dashboard.evaluation_page(
        current_user, year, sort=sort, page=dashboard.page_number(request.args.get("page")), **filters_
    )
    points = dashboard.evaluation_points([form.id for form, *_ in page.items])
    rows = [
        (
            form,
            project_name,
            department_name,
            form_state,
            dashboard.evaluation_warnings(points[form.id], form.execution_score, form.budget, form.spent),
        )
        for form, project_name, department_name, form_state in page.items
    ]
    filters = {
        k: v
        for k, v in {"year": year, "department": department_id, "grade": grade, "state": state, "sort": sort}.items()
        if v
    }
    return render_template(
        "evaluation/index.html",
        rows=rows,
        page=page,
        year=year,
        chart=dashboard.evaluation_chart(departments, grades),
        by_dept=departments,
        departments=departments,
        department_id=department_id,
        department=next((d for d in departments if d[0] == department_id), None),
        grade=grade,
        grades=dashboard.GRADES,
        state=state,
        sort=sort,
        sorts=dashboard.EVALUATION_SORT_LABELS,
        filters=filters,
        has_forms=bool(departments),
        state_labels=workflow.STATE_LABELS,
        years=db.session.scalars(select(BudgetYear).order_by(BudgetYear.year.desc())).all(),
    )


@bp.route("/open", methods=["POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
def open_now():
    text = (request.form.get("year") or "").strip()
    if not text.isdigit() or len(text) != 4:
        flash(f"预算年度“{text}”无效。", "danger")
        return redirect(url_for("evaluation.index"))
    year = int(text)
    try:
        jobs.require_year(year)
    except DomainError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("evaluation.index"))
    if jobs.already_done("evaluation_open", str(year)):
        flash(f"{year}年度自评表已生成过，未重复生成。", "info")
        return redirect(url_for("evaluation.index", year=year))
    # Opening and scoring every project's form happens in the scheduler process.
    with transaction():
        req, _ = job_requests.enqueue("evaluation_open", str(year), current_user)
    return redirect(url_for("job_requests.status", request_id=req.id))


def _form(project_id: int, year: int) -> EvaluationForm:
    form = evaluation.form_of(get_project(current_user, project_id), year)
    if form is None:
        abort(404)
    return form


def _render(form, *, errors=None, data=None, status=200):
    submission = evaluation.submission_of(form)
    state = submission.state if submission else State.DRAFT
    same = current_user.department_id == form.project.department_id
    editable = workflow.is_editable(state) and can_edit_project(current_user, form.project)
    groups: dict[str, list] = {}
    for row in form.rows:
        groups.setdefault(row.indicator.level1, []).append(row)
    return render_template(
        "evaluation/form.html",
        form=form,
        project=form.project,
        submission=submission,
        state=state,
        editable=editable,
        groups=groups,
        level1_weights=evaluation.level1_weights(form),
        warnings=evaluation.warnings(form),
        stale=evaluation.changes_since_filled(form),
        actions=[a for a in workflow.allowed_actions(state, current_user.role, same) if a != workflow.SUBMIT],
        can_submit=workflow.SUBMIT in workflow.allowed_actions(state, current_user.role, same),
        action_labels=workflow.ACTION_LABELS,
        state_labels=workflow.STATE_LABELS,
        needs_comment={a for a in workflow.ACTIONS if workflow.comment_required(a)},
        tiers=scoring.TIERS,
        tier_range=scoring.tier_range,
        rate=scoring.execution_rate(form.budget or 0, form.spent),
        errors=errors or {},
        data=data,
    ), status


def _form_url(project_id: int, year: int) -> str:
    return url_for("evaluation.form", project_id=project_id, year=year)


def _form_refused(refusal: Refusal, project_id: int, year: int):
    errors = refusal.errors if isinstance(refusal.error, InputError) else {"_form": refusal.message}
    return _render(_form(project_id, year), errors=errors, data=request.form, status=400)


@bp.route("/<int:project_id>/<int:year>", methods=["GET", "POST"])
@login_required
@unit_of_work(on_error=_form_refused, conflict="自评表已被其他人修改，您的修改未保存，请核对后重新提交。")
def form(project_id: int, year: int):
    ev = _form(project_id, year)
    if request.method == "GET":
        return _render(ev)
    if not can_edit_project(current_user, ev.project):
        abort(403)
    action = request.form.get("action", "save")
    if action == "refresh":
        evaluation.refresh_from_record(current_user, ev)
    else:
        evaluation.save(
            current_user, ev, forms.parse_evaluation_form(ev, request.form), expected_version=posted_version()
        )
    if action == "submit":
        evaluation.check_complete(ev)
        review.act(current_user, ev.project, str(year), "submit", kind=SubmissionKind.EVALUATION)
    flash(
        {"submit": "自评表已提交部门审核。", "refresh": "已按最新记录重新取数并计分。"}.get(
            action, "已保存，分数已重新计算。"
        ),
        "success",
    )
    return redirect(_form_url(project_id, year))


@bp.route("/<int:project_id>/<int:year>/preview", methods=["POST"])
@roles_required(Role.OWNER, Role.REVIEWER)
def preview(project_id: int, year: int):
    """Scores for what is on the screen, without saving anything (live recalculation)."""
    ev = _form(project_id, year)
    with transaction() as unit:
        unit.discard()  # a preview never writes
        try:
            evaluation.save(current_user, ev, forms.parse_evaluation_form(ev, request.form), expected_version=None)
            result = {
                "rows": {str(r.id): f"{r.score:.2f}" if r.score is not None else "—" for r in ev.rows},
                "total": f"{ev.total_score:.2f}",
                "grade": ev.grade,
                "execution": f"{ev.execution_score:.2f}",
            }
        except InputError as exc:
            result = {"errors": exc.errors}
        except DomainError as exc:
            result = {"errors": {"_form": str(exc)}}
    return jsonify(result)


@bp.route("/<int:project_id>/<int:year>/review", methods=["POST"])
@roles_required(Role.OWNER, Role.REVIEWER, Role.FINANCE)
@unit_of_work(redirect_to=_form_url, conflict=REVIEW_CONFLICT)
def act(project_id: int, year: int):
    ev = _form(project_id, year)
    apply_from_form(
        ev.project,
        str(year),
        kind=SubmissionKind.EVALUATION,
        label="自评表",
        before_submit=lambda: evaluation.check_complete(ev),
    )
    return redirect(_form_url(project_id, year))


@bp.route("/<int:project_id>/<int:year>/print")
@login_required
def print_view(project_id: int, year: int):
    ev = _form(project_id, year)
    groups: dict[str, list] = {}
    for row in ev.rows:
        groups.setdefault(row.indicator.level1, []).append(row)
    return render_template(
        "evaluation/print.html",
        form=ev,
        project=ev.project,
        groups=groups,
        level1_weights=evaluation.level1_weights(ev),
        rate=scoring.execution_rate(ev.budget or 0, ev.spent),
    )


@bp.route("/<int:project_id>/<int:year>/export.xlsx")
@login_required
def export(project_id: int, year: int):
    from tracker.exporters.evaluation_xlsx import XLSX_MIMETYPE, evaluation_filename, evaluation_workbook

    ev = _form(project_id, year)
    return send_file(
        BytesIO(evaluation_workbook(ev)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=evaluation_filename(ev),
    )


@bp.route("/summary.xlsx")
@login_required
def export_summary():
    """Every form of the year the user may see (the page's department filter applies): one
    streaming query, written row by row."""
    from tracker.exporters import cache as export_cache
    from tracker.exporters.evaluation_xlsx import XLSX_MIMETYPE, SummaryRow, summary_filename, write_summary

    year = _year()
    department_id = request.args.get("department", type=int)

    def rows():
        return dashboard.evaluation_summary_rows(current_user, year, department_id=department_id)

    def write(result):
        def summary_rows():
            for dept, name, budget, spent, execution_score, total, grade, state, points in result:
                messages = [w.message for w in dashboard.evaluation_warnings(points, execution_score, budget, spent)]
                yield SummaryRow(
                    dept, name, budget, spent, total, grade, workflow.STATE_LABELS.get(state, state), messages
                )

        return write_summary(year, summary_rows())

    out = export_cache.workbook("evaluation-summary", (year,), rows, write, allow_empty=False)
    if out is None:
        abort(404)
    return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=summary_filename(year))
