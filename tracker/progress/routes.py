"""Routes: owners record values and spending; everyone in scope reads history; review of periods."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker.auth import roles_required, safe_next
from tracker.domain import DomainError, InputError, workflow
from tracker.domain.periods import parse_period_key
from tracker.domain.vocab import Role, SubmissionKind
from tracker.edge import Refusal, unit_of_work
from tracker.extensions import db
from tracker.models import Evidence, Expenditure, Indicator, ProgressEntry, Project
from tracker.progress import forms
from tracker.projects import page_project
from tracker.review_actions import CONFLICT as REVIEW_CONFLICT
from tracker.review_actions import apply_from_form, posted_version
from tracker.services import audit, plausibility, progress, review
from tracker.services import evidence as evidence_service
from tracker.services import todo as todo_service
from tracker.services.scope import NotVisible, can_edit_project, get_project

bp = Blueprint("progress", __name__)


def _indicator(project: Project, indicator_id: int) -> Indicator:
    ind = db.session.get(Indicator, indicator_id)
    if ind is None or ind.project_id != project.id:
        raise NotVisible(indicator_id)
    return ind


CONFLICT = "保存时发现其他人刚刚修改了同一条记录，您的修改未保存，填写的内容仍保留在下方，请核对后重新提交。"


def _correcting(ind: Indicator, entry_id: int | None) -> ProgressEntry | None:
    """The entry a post corrects or withdraws (None: a new entry); 404 if not this indicator's."""
    if not entry_id:
        return None
    entry = db.session.get(ProgressEntry, entry_id)
    if entry is None or entry.indicator_id != ind.id:
        abort(404)
    return entry


def _indicator_url(project_id: int, indicator_id: int) -> str:
    return url_for("progress.indicator", project_id=project_id, indicator_id=indicator_id)


def _indicator_refused(refusal: Refusal, project_id: int, indicator_id: int):
    """A refused save: the page again with the input and what is wrong (nothing was saved)."""
    form = request.form
    if not isinstance(refusal.error, InputError) and progress.already_saved(ProgressEntry, form.get("client_token")):
        flash("已保存（重复提交已忽略）。", "info")  # the first of a double submit won the race
        return redirect(_indicator_url(project_id, indicator_id))
    project = get_project(current_user, project_id)
    ind = _indicator(project, indicator_id)
    supersedes_id = form.get("supersedes_id", type=int)
    correcting = _correcting(ind, supersedes_id)
    if form.get("void") == "1" and correcting is not None:
        # The refusal belongs next to the 撤销 control, not in the entry form.
        return _render_indicator(
            project, ind, form={"reason": form.get("reason", "")}, void_error=(supersedes_id, refusal.message)
        )
    message = None if isinstance(refusal.error, InputError) else refusal.message
    return _render_indicator(project, ind, form=form, correcting=correcting, errors=refusal.errors, message=message)


@bp.route("/projects/<int:project_id>/indicators/<int:indicator_id>", methods=["GET", "POST"])
@login_required
@unit_of_work(on_error=_indicator_refused, conflict=CONFLICT)
def indicator(project_id: int, indicator_id: int):
    project = page_project(current_user, project_id)  # with what the page header shows
    ind = _indicator(project, indicator_id)
    form = request.form
    if request.method == "POST":
        if not can_edit_project(current_user, project):
            abort(403)
        correcting = _correcting(ind, form.get("supersedes_id", type=int))
        if progress.already_saved(ProgressEntry, form.get("client_token")):
            flash("已保存（重复提交已忽略）。", "info")
            return redirect(_indicator_url(project.id, ind.id))
        if form.get("void") == "1" and correcting is not None:
            progress.void_value(current_user, correcting, form.get("reason", ""))
        else:
            data = forms.parse_value_form(ind, form)
            warnings = plausibility.value_warnings(ind, data, supersedes=correcting)
            if warnings and form.get(plausibility.CONFIRM_FIELD) != "1":
                # nothing written: the page again, with the warnings and a box to confirm
                return _render_indicator(project, ind, form=form, correcting=correcting, warnings=warnings)
            progress.record_value(current_user, ind, data, forms.posted_files(request.files), supersedes=correcting)
        flash("已保存。", "success")
        return redirect(_indicator_url(project.id, ind.id))
    correcting = None
    if request.args.get("correct", type=int) and can_edit_project(current_user, project):
        correcting = _correcting(ind, request.args.get("correct", type=int))
        form = {
            "as_of": correcting.as_of.isoformat(),
            "value": progress.format_decimal(correcting.input_value) if correcting.input_value is not None else "",
            "unit": correcting.input_unit,
            "tier": correcting.tier or "",
            "completed_on": correcting.completed_on.isoformat() if correcting.completed_on else "",
            "for_month": str(correcting.for_month or ""),
            "note": correcting.note,
        }
    return _render_indicator(project, ind, form=form, correcting=correcting)


def _render_indicator(
    project, ind, *, form, correcting=None, errors=None, message=None, void_error=None, warnings=None
):
    errors = errors or {}
    from tracker.services import dashboard

    history_page = dashboard.indicator_history_page(ind, dashboard.page_number(request.args.get("page")))
    history = history_page.items
    superseded = progress.superseded_ids(ProgressEntry, [e.id for e in history])
    files = evidence_service.by_record(ProgressEntry, [e.id for e in history])
    summary = progress.project_progress(project, [ind]).rows[0]
    day = progress.today()
    if day.year == project.year.year:
        default_as_of = day
    elif history:
        default_as_of = history[0].as_of
    else:
        default_as_of = date(project.year.year, 12, 31)
    return render_template(
        "progress/indicator.html",
        locked=progress.locked_period_keys(project),
        is_locked=progress.is_locked_day,
        void_error=void_error,
        default_as_of=default_as_of,
        project=project,
        ind=ind,
        target=ind.target,
        history=history,
        history_page=history_page,
        superseded=superseded,
        files=files,
        summary=summary,
        errors=errors,
        message=message,
        form=form,
        correcting=correcting,
        can_edit=can_edit_project(current_user, project),
        today=progress.today(),
        describe=progress.describe_entry,
        warnings=warnings or [],
    ), (400 if errors or message else 200)


@bp.route("/projects/<int:project_id>/indicators/<int:indicator_id>/accumulation", methods=["POST"])
@roles_required(Role.OWNER, Role.REVIEWER, Role.FINANCE)
@unit_of_work(redirect_to=_indicator_url)
def accumulation(project_id: int, indicator_id: int):
    project = get_project(current_user, project_id)
    ind = _indicator(project, indicator_id)
    progress.set_accumulation(current_user, ind, request.form.get("accumulation", ""))
    flash(f"“{ind.level3}”已设为{ind.accumulation_label}。", "success")
    return redirect(_indicator_url(project.id, ind.id))


def _spending_url(project_id: int) -> str:
    return url_for("progress.spending", project_id=project_id)


def _spending_refused(refusal: Refusal, project_id: int):
    message = None if isinstance(refusal.error, InputError) else refusal.message
    return _render_spending(
        get_project(current_user, project_id), form=request.form, errors=refusal.errors, message=message
    )


@bp.route("/projects/<int:project_id>/spending", methods=["GET", "POST"])
@login_required
@unit_of_work(on_error=_spending_refused, conflict=CONFLICT)
def spending(project_id: int):
    project = get_project(current_user, project_id)
    form = request.form
    if request.method == "POST":
        if not can_edit_project(current_user, project):
            abort(403)
        if progress.already_saved(Expenditure, form.get("client_token")):
            flash("已保存（重复提交已忽略）。", "info")
            return redirect(_spending_url(project.id))
        supersedes = None
        supersedes_id = form.get("supersedes_id", type=int)
        if supersedes_id:
            supersedes = db.session.get(Expenditure, supersedes_id)
            if supersedes is None or supersedes.project_id != project.id:
                abort(404)
        if form.get("void") == "1" and supersedes is not None:
            progress.record_spending(
                current_user, project, None, supersedes=supersedes, void_reason=form.get("reason", "")
            )
        else:
            data = forms.parse_spending_form(project, form)
            warnings = plausibility.spending_warnings(project, data, supersedes=supersedes)
            if warnings and form.get(plausibility.CONFIRM_FIELD) != "1":
                return _render_spending(project, form=form, warnings=warnings)
            progress.record_spending(
                current_user, project, data, forms.posted_files(request.files), supersedes=supersedes
            )
        flash("已保存支出记录。", "success")
        return redirect(_spending_url(project.id))
    return _render_spending(project, form=form)


def _render_spending(project, *, form, errors=None, message=None, warnings=None):
    errors = errors or {}
    rows = progress.spending_history(project)
    superseded = progress.superseded_ids(Expenditure, [r.id for r in rows])
    summary = progress.project_progress(project, [])
    return render_template(
        "progress/spending.html",
        locked=progress.locked_period_keys(project),
        is_locked=progress.is_locked_day,
        project=project,
        rows=rows,
        superseded=superseded,
        files=evidence_service.by_record(Expenditure, [r.id for r in rows]),
        summary=summary,
        errors=errors,
        message=message,
        form=form,
        can_edit=can_edit_project(current_user, project),
        today=progress.today(),
        warnings=warnings or [],
    ), (400 if errors or message else 200)


def _budget_refused(refusal: Refusal, project_id: int):
    form = request.form
    flash(
        refusal.message
        + "（您填写的：年初 "
        + form.get("initial_budget", "")
        + "，调整后 "
        + form.get("adjusted_budget", "")
        + "，原因 "
        + form.get("reason", "")
        + "）",
        "danger",
    )
    return redirect(_spending_url(project_id))


@bp.route("/projects/<int:project_id>/budget", methods=["POST"])
@roles_required(Role.FINANCE)
@unit_of_work(on_error=_budget_refused, conflict=CONFLICT)
def budget(project_id: int):
    project = get_project(current_user, project_id)
    progress.update_budget(
        current_user, project, forms.parse_budget_form(request.form), expected_version=posted_version()
    )
    flash("已修改项目预算。", "success")
    return redirect(_spending_url(project.id))


@bp.route("/evidence/<int:evidence_id>")
@login_required
def download(evidence_id: int):
    ev = db.session.get(Evidence, evidence_id)
    if ev is None:
        abort(404)
    get_project(current_user, ev.project_id)  # the scope check: 404 for other departments
    path = evidence_service.path_of(ev)
    if not path.exists():
        abort(404)
    inline = ev.content_type in ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")
    return send_file(path, mimetype=ev.content_type, as_attachment=not inline, download_name=ev.filename)


@bp.route("/projects/<int:project_id>/review")
@login_required
def periods(project_id: int):
    project = get_project(current_user, project_id)
    rows = review.period_overview(project)
    same = current_user.department_id == project.department_id
    actions = {row.period.key: workflow.allowed_actions(row.state, current_user.role, same) for row in rows}
    return render_template(
        "progress/review.html",
        project=project,
        rows=rows,
        actions=actions,
        labels=workflow.ACTION_LABELS,
        needs_comment={a for a in workflow.ACTIONS if workflow.comment_required(a)},
        today=progress.today(),
    )


@bp.route("/projects/<int:project_id>/review/<period_key>", methods=["GET"])
@login_required
def period_detail(project_id: int, period_key: str):
    """What a reviewer approves: the period's values and spending with their evidence."""
    project = get_project(current_user, project_id)
    try:
        period = parse_period_key(period_key)
    except DomainError:
        abort(404)
    if period.year != project.year.year:
        abort(404)
    entries = db.session.scalars(
        progress.current_entries_query(ProgressEntry)
        .where(ProgressEntry.project_id == project.id, ProgressEntry.as_of.between(period.start, period.end))
        .options(selectinload(ProgressEntry.indicator), selectinload(ProgressEntry.created_by))
        .order_by(ProgressEntry.as_of, ProgressEntry.id)
    ).all()
    spending_rows = db.session.scalars(
        progress.current_entries_query(Expenditure)
        .where(Expenditure.project_id == project.id, Expenditure.spent_on.between(period.start, period.end))
        .options(selectinload(Expenditure.created_by))
        .order_by(Expenditure.spent_on, Expenditure.id)
    ).all()
    submission = progress.find_submission(project.id, SubmissionKind.PROGRESS, period.key)
    state = submission.state if submission else workflow.DRAFT
    return render_template(
        "progress/period.html",
        project=project,
        period=period,
        entries=entries,
        spending_rows=spending_rows,
        entry_files=evidence_service.by_record(ProgressEntry, [e.id for e in entries]),
        spending_files=evidence_service.by_record(Expenditure, [r.id for r in spending_rows]),
        submission=submission,
        state=state,
        actions=workflow.allowed_actions(state, current_user.role, current_user.department_id == project.department_id),
        labels=workflow.ACTION_LABELS,
        state_labels=workflow.STATE_LABELS,
        needs_comment={a for a in workflow.ACTIONS if workflow.comment_required(a)},
        describe=progress.describe_entry,
    )


def _periods_url(project_id: int, period_key: str | None = None) -> str:
    return safe_next(request.form.get("back")) or url_for("progress.periods", project_id=project_id)


@bp.route("/projects/<int:project_id>/review/<period_key>", methods=["POST"])
@roles_required(Role.OWNER, Role.REVIEWER, Role.FINANCE)
@unit_of_work(redirect_to=_periods_url, conflict=REVIEW_CONFLICT)
def act(project_id: int, period_key: str):
    project = get_project(current_user, project_id)
    try:
        label = f"{parse_period_key(period_key).label}的填报"
    except DomainError:
        abort(404)
    apply_from_form(project, period_key, kind=SubmissionKind.PROGRESS, label=label)
    return redirect(_periods_url(project_id))


@bp.route("/todo")
@login_required
def todo():
    """Everything the user owes, sorted by due date, 50 a page (a constant number of queries)."""
    from tracker.services import dashboard

    todo = todo_service.todo_for(current_user)
    page = dashboard.Page([], dashboard.page_number(request.args.get("page")), dashboard.PER_PAGE, len(todo.items))
    page.page = min(page.page, page.pages)
    items = todo.items[(page.page - 1) * page.per_page : page.page * page.per_page]
    return render_template("progress/todo.html", todo=todo, items=items, page=page, labels=workflow.STATE_LABELS)


@bp.route("/audit")
@roles_required(Role.FINANCE, Role.ADMIN)
def audit_log():
    project_id = request.args.get("project", type=int)
    user_id = request.args.get("user", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    rows, has_next = audit.page(
        project_id=project_id, actor_id=user_id, page=page, per_page=current_app.config["PER_PAGE"]
    )
    users, projects = audit.filter_choices()
    return render_template(
        "progress/audit.html",
        rows=rows,
        has_next=has_next,
        page=page,
        users=users,
        projects=projects,
        project_id=project_id,
        user_id=user_id,
    )
