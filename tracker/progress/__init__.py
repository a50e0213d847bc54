"""Owners record values and spending; everyone in scope reads history; review of periods."""

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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth import roles_required, safe_next
from tracker.domain import DomainError, workflow
from tracker.domain.periods import parse_period_key
from tracker.extensions import db
from tracker.models import AuditLog, Evidence, Expenditure, Indicator, ProgressEntry, Project, User
from tracker.review_actions import apply_from_form, posted_version
from tracker.services import evidence as evidence_service
from tracker.services import progress, review
from tracker.services import todo as todo_service
from tracker.services.scope import NotVisible, can_edit_project, get_project

bp = Blueprint("progress", __name__)


def _indicator(project: Project, indicator_id: int) -> Indicator:
    ind = db.session.get(Indicator, indicator_id)
    if ind is None or ind.project_id != project.id:
        raise NotVisible(indicator_id)
    return ind


def _files() -> list[tuple[str, bytes]]:
    return [(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]


def _fail() -> None:
    """Nothing of a refused save stays: neither rows nor the evidence files it wrote."""
    db.session.rollback()
    evidence_service.discard_written()


def _commit() -> None:
    db.session.commit()
    evidence_service.commit_written()


def _conflict_message(exc: Exception) -> str:
    """A DomainError says what is wrong; a lost race on the database is a conflict."""
    if isinstance(exc, IntegrityError | StaleDataError):
        return "保存时发现其他人刚刚修改了同一条记录，您的修改未保存，填写的内容仍保留在下方，请核对后重新提交。"
    return str(exc)


@bp.route("/projects/<int:project_id>/indicators/<int:indicator_id>", methods=["GET", "POST"])
@login_required
def indicator(project_id: int, indicator_id: int):
    project = get_project(current_user, project_id)
    ind = _indicator(project, indicator_id)
    errors: dict[str, str] = {}
    message = None
    form = request.form
    correcting = None
    void_error = None  # (entry id, message) when a withdrawal was refused
    if request.method == "POST":
        if not can_edit_project(current_user, project):
            abort(403)
        supersedes_id = form.get("supersedes_id", type=int)
        if supersedes_id:
            correcting = db.session.get(ProgressEntry, supersedes_id)
            if correcting is None or correcting.indicator_id != ind.id:
                abort(404)
        voiding = form.get("void") == "1" and correcting is not None
        if progress.already_saved(ProgressEntry, form.get("client_token")):
            flash("已保存（重复提交已忽略）。", "info")
            return redirect(url_for("progress.indicator", project_id=project.id, indicator_id=ind.id))
        try:
            if voiding:
                progress.void_value(current_user, correcting, form.get("reason", ""))
            else:
                data = progress.parse_value_form(ind, form)
                progress.record_value(current_user, ind, data, _files(), supersedes=correcting)
            _commit()
            flash("已保存。", "success")
            return redirect(url_for("progress.indicator", project_id=project.id, indicator_id=ind.id))
        except progress.InputError as exc:
            _fail()
            errors = exc.errors
        except (DomainError, IntegrityError, StaleDataError) as exc:
            _fail()
            if progress.already_saved(ProgressEntry, form.get("client_token")):
                flash("已保存（重复提交已忽略）。", "info")
                return redirect(url_for("progress.indicator", project_id=project.id, indicator_id=ind.id))
            message = _conflict_message(exc)
        ind = _indicator(project, indicator_id)
        if voiding:
            # The refusal belongs next to the 撤销 control, not in the entry form.
            void_error = (supersedes_id, message or "；".join(errors.values()))
            correcting, message, errors, form = None, None, {}, {"reason": form.get("reason", "")}
    elif request.args.get("correct", type=int) and can_edit_project(current_user, project):
        correcting = db.session.get(ProgressEntry, request.args.get("correct", type=int))
        if correcting is None or correcting.indicator_id != ind.id:
            abort(404)
        form = {
            "as_of": correcting.as_of.isoformat(),
            "value": progress.format_decimal(correcting.input_value) if correcting.input_value is not None else "",
            "unit": correcting.input_unit,
            "tier": correcting.tier or "",
            "completed_on": correcting.completed_on.isoformat() if correcting.completed_on else "",
            "for_month": str(correcting.for_month or ""),
            "note": correcting.note,
        }
    from tracker.services import dashboard

    history_page = dashboard.indicator_history_page(ind, dashboard.page_number(request.args.get("page")))
    history = history_page.items
    superseded = progress.superseded_ids(ProgressEntry, [e.id for e in history])
    files = _evidence_for(ProgressEntry, [e.id for e in history])
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
    ), (400 if errors or message else 200)


def _evidence_for(model, ids: list[int]) -> dict[int, list[Evidence]]:
    if not ids:
        return {}
    column = Evidence.progress_entry_id if model is ProgressEntry else Evidence.expenditure_id
    result: dict[int, list[Evidence]] = {}
    for ev in db.session.scalars(select(Evidence).where(column.in_(ids)).order_by(Evidence.id)):
        result.setdefault(getattr(ev, column.key), []).append(ev)
    return result


@bp.route("/projects/<int:project_id>/indicators/<int:indicator_id>/accumulation", methods=["POST"])
@roles_required("owner", "reviewer", "finance")
def accumulation(project_id: int, indicator_id: int):
    project = get_project(current_user, project_id)
    ind = _indicator(project, indicator_id)
    try:
        progress.set_accumulation(current_user, ind, request.form.get("accumulation", ""))
        db.session.commit()
        flash(f"“{ind.level3}”已设为{ind.accumulation_label}。", "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    return redirect(url_for("progress.indicator", project_id=project.id, indicator_id=ind.id))


@bp.route("/projects/<int:project_id>/spending", methods=["GET", "POST"])
@login_required
def spending(project_id: int):
    project = get_project(current_user, project_id)
    errors: dict[str, str] = {}
    message = None
    form = request.form
    if request.method == "POST":
        if not can_edit_project(current_user, project):
            abort(403)
        if progress.already_saved(Expenditure, form.get("client_token")):
            flash("已保存（重复提交已忽略）。", "info")
            return redirect(url_for("progress.spending", project_id=project.id))
        supersedes = None
        supersedes_id = form.get("supersedes_id", type=int)
        if supersedes_id:
            supersedes = db.session.get(Expenditure, supersedes_id)
            if supersedes is None or supersedes.project_id != project.id:
                abort(404)
        try:
            if form.get("void") == "1" and supersedes is not None:
                progress.record_spending(current_user, project, None, supersedes=supersedes, void_reason=form.get("reason", ""))
            else:
                data = progress.parse_spending_form(project, form)
                progress.record_spending(current_user, project, data, _files(), supersedes=supersedes)
            _commit()
            flash("已保存支出记录。", "success")
            return redirect(url_for("progress.spending", project_id=project.id))
        except progress.InputError as exc:
            _fail()
            errors = exc.errors
        except (DomainError, IntegrityError, StaleDataError) as exc:
            _fail()
            message = _conflict_message(exc)
        project = get_project(current_user, project_id)
    rows = db.session.scalars(
        select(Expenditure)
        .where(Expenditure.project_id == project.id)
        .options(selectinload(Expenditure.created_by))
        .order_by(Expenditure.spent_on.desc(), Expenditure.id.desc())
    ).all()
    superseded = progress.superseded_ids(Expenditure, [r.id for r in rows])
    summary = progress.project_progress(project, [])
    return render_template(
        "progress/spending.html",
        locked=progress.locked_period_keys(project),
        is_locked=progress.is_locked_day,
        project=project,
        rows=rows,
        superseded=superseded,
        files=_evidence_for(Expenditure, [r.id for r in rows]),
        summary=summary,
        errors=errors,
        message=message,
        form=form,
        can_edit=can_edit_project(current_user, project),
        today=progress.today(),
    ), (400 if errors or message else 200)


@bp.route("/projects/<int:project_id>/budget", methods=["POST"])
@roles_required("finance")
def budget(project_id: int):
    project = get_project(current_user, project_id)
    try:
        progress.update_budget(
            current_user,
            project,
            initial=request.form.get("initial_budget", ""),
            adjusted=request.form.get("adjusted_budget", ""),
            reason=request.form.get("reason", ""),
            expected_version=posted_version(),
        )
        db.session.commit()
        flash("已修改项目预算。", "success")
    except (DomainError, StaleDataError) as exc:
        db.session.rollback()
        flash(_conflict_message(exc) + "（您填写的：年初 " + request.form.get("initial_budget", "") + "，调整后 "
              + request.form.get("adjusted_budget", "") + "，原因 " + request.form.get("reason", "") + "）", "danger")
    return redirect(url_for("progress.spending", project_id=project.id))


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
    actions = {
        row.period.key: workflow.allowed_actions(row.state, current_user.role, same) for row in rows
    }
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
    submission = progress.find_submission(project.id, "progress", period.key)
    state = submission.state if submission else workflow.DRAFT
    return render_template(
        "progress/period.html",
        project=project,
        period=period,
        entries=entries,
        spending_rows=spending_rows,
        entry_files=_evidence_for(ProgressEntry, [e.id for e in entries]),
        spending_files=_evidence_for(Expenditure, [r.id for r in spending_rows]),
        submission=submission,
        state=state,
        actions=workflow.allowed_actions(state, current_user.role, current_user.department_id == project.department_id),
        labels=workflow.ACTION_LABELS,
        state_labels=workflow.STATE_LABELS,
        needs_comment={a for a in workflow.ACTIONS if workflow.comment_required(a)},
        describe=progress.describe_entry,
    )


@bp.route("/projects/<int:project_id>/review/<period_key>", methods=["POST"])
@roles_required("owner", "reviewer", "finance")
def act(project_id: int, period_key: str):
    project = get_project(current_user, project_id)
    try:
        label = f"{parse_period_key(period_key).label}的填报"
    except DomainError:
        abort(404)
    apply_from_form(project, period_key, kind="progress", label=label)
    return redirect(safe_next(request.form.get("back")) or url_for("progress.periods", project_id=project.id))


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
@roles_required("finance", "admin")
def audit_log():
    project_id = request.args.get("project", type=int)
    user_id = request.args.get("user", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(AuditLog).options(selectinload(AuditLog.actor), selectinload(AuditLog.project))
    if project_id:
        stmt = stmt.where(AuditLog.project_id == project_id)
    if user_id:
        stmt = stmt.where(AuditLog.actor_id == user_id)
    per_page = current_app.config["PER_PAGE"]
    rows = db.session.scalars(stmt.order_by(AuditLog.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)).all()
    users = db.session.scalars(select(User).order_by(User.username)).all()
    projects = db.session.scalars(select(Project).order_by(Project.year_id.desc(), Project.position)).all()
    return render_template(
        "progress/audit.html",
        rows=rows[:per_page],
        has_next=len(rows) > per_page,
        page=page,
        users=users,
        projects=projects,
        project_id=project_id,
        user_id=user_id,
    )
