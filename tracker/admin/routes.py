"""Admin pages: users, departments, budget years, settings, jobs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.admin import forms
from tracker.auth import roles_required
from tracker.domain import DomainError
from tracker.domain.periods import FREQUENCY_LABELS
from tracker.domain.vocab import Role
from tracker.edge import Refusal, run_job, unit_of_work
from tracker.extensions import db
from tracker.models import ROLE_LABELS, BudgetYear, Department, User
from tracker.services import accounts, current, login_security, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _flash_then(page):
    """A refusal is flashed above the page, which shows again with the input kept."""

    def on_error(refusal: Refusal, **kwargs):
        flash(refusal.message, "danger")
        return page(**kwargs)

    return on_error


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    return redirect(url_for("admin.users"))


def _user_form() -> forms.UserForm:
    form = forms.UserForm()
    form.department_id.choices = forms.dept_choices()
    return form


def _users_page(form: forms.UserForm | None = None):
    return render_template(
        "admin/users.html",
        form=form or _user_form(),
        users=accounts.users_by_role(),
        action=forms.ActionForm(),
        labels=ROLE_LABELS,
    )


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@unit_of_work(on_error=_flash_then(_users_page))
def users():
    form = _user_form()
    if form.validate_on_submit():
        user = accounts.create_user(
            username=form.username.data,
            password=form.password.data,
            role=form.role.data,
            department=db.get_or_404(Department, form.department_id.data),
            display_name=form.display_name.data or "",
        )
        flash(f"已创建用户“{user.username}”。", "success")
        return redirect(url_for("admin.users"))
    if request.method == "POST":
        flash(forms.form_errors(form), "danger")
    return _users_page(form)


def _edit_user_page(user_id: int, form: forms.EditUserForm | None = None, status: int = 200):
    user = db.get_or_404(User, user_id)
    if form is None:
        form = forms.EditUserForm(obj=user)
        form.department_id.choices = forms.dept_choices()
    if request.method == "GET":
        form.version.data = str(user.profile_version)
    lock = login_security.current_lock(user.username, "")
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        password_form=forms.PasswordForm(),
        action=forms.ActionForm(),
        lock=lock,
    ), status


def _edit_user_refused(refusal: Refusal, user_id: int):
    flash(refusal.message, "danger")
    if not isinstance(refusal.error, accounts.AccountConflict):
        return _edit_user_page(user_id)
    # show what the other admin saved; the next save applies to that version
    user = db.get_or_404(User, user_id)
    form = forms.EditUserForm(obj=user, formdata=None)
    form.department_id.choices = forms.dept_choices()
    form.version.data = str(user.profile_version)
    return _edit_user_page(user_id, form, status=409)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@unit_of_work(on_error=_edit_user_refused)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = forms.EditUserForm(obj=user)
    form.department_id.choices = forms.dept_choices()
    if form.validate_on_submit():
        accounts.update_user(
            user,
            role=form.role.data,
            department=db.get_or_404(Department, form.department_id.data),
            display_name=form.display_name.data or "",
            acting=current_user,
            email=form.email.data or "",
            expected_version=forms.posted_user_version(form.version.data),
        )
        flash("已保存。", "success")
        return redirect(url_for("admin.users"))
    return _edit_user_page(user_id, form)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
@unit_of_work
def unlock_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    login_security.unlock(user, acting=current_user)
    flash(f"已解锁“{user.username}”，可以重新登录。", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _edit_user_url(user_id: int) -> str:
    return url_for("admin.edit_user", user_id=user_id)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
@unit_of_work(redirect_to=_edit_user_url)
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = forms.PasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        flash(f"已重置“{user.username}”的密码，其已登录的会话均已失效。", "success")
    else:
        flash(forms.form_errors(form) or "请求无效。", "danger")
    return redirect(_edit_user_url(user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
@unit_of_work(redirect_to=lambda user_id: url_for("admin.users"))
def toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    accounts.set_active(user, active, acting=current_user)
    flash(f"已{'启用' if active else '停用'}“{user.username}”。", "success")
    return redirect(url_for("admin.users"))


def _departments_page(form: forms.DepartmentForm | None = None):
    depts, user_counts, project_counts = accounts.departments_for_admin()
    return render_template(
        "admin/departments.html",
        form=form or forms.DepartmentForm(),
        departments=depts,
        user_counts=user_counts,
        project_counts=project_counts,
    )


@bp.route("/departments", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@unit_of_work(on_error=_flash_then(_departments_page))
def departments():
    form = forms.DepartmentForm()
    if form.validate_on_submit():
        accounts.save_department(
            None, name=form.name.data, code=form.code.data, is_finance_bureau=form.is_finance_bureau.data
        )
        flash("已添加部门。", "success")
        return redirect(url_for("admin.departments"))
    if request.method == "POST":
        flash(forms.form_errors(form), "danger")
    return _departments_page(form)


def _edit_department_page(dept_id: int, form: forms.DepartmentForm | None = None):
    dept = db.get_or_404(Department, dept_id)
    return render_template("admin/department_edit.html", form=form or forms.DepartmentForm(obj=dept), dept=dept)


@bp.route("/departments/<int:dept_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@unit_of_work(on_error=_flash_then(_edit_department_page))
def edit_department(dept_id: int):
    dept = db.get_or_404(Department, dept_id)
    form = forms.DepartmentForm(obj=dept)
    if form.validate_on_submit():
        accounts.save_department(
            dept, name=form.name.data, code=form.code.data, is_finance_bureau=form.is_finance_bureau.data
        )
        flash("已保存。", "success")
        return redirect(url_for("admin.departments"))
    return _edit_department_page(dept_id, form)


def _years_page(form: forms.YearForm | None = None):
    all_years, project_counts = accounts.years_for_admin()
    return render_template(
        "admin/years.html",
        form=form or forms.YearForm(),
        years=all_years,
        action=forms.ActionForm(),
        project_counts=project_counts,
    )


@bp.route("/years", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@unit_of_work(on_error=_flash_then(_years_page))
def years():
    form = forms.YearForm()
    if form.validate_on_submit():
        accounts.get_or_create_year(form.year.data)
        flash(f"已添加预算年度 {form.year.data}。", "success")
        return redirect(url_for("admin.years"))
    if request.method == "POST":
        flash(forms.form_errors(form), "danger")
    return _years_page(form)


@bp.route("/years/<int:year_id>/current", methods=["POST"])
@roles_required(Role.ADMIN)
@unit_of_work
def set_current_year(year_id: int):
    year = db.get_or_404(BudgetYear, year_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    accounts.set_current_year(year)
    flash(f"{year.year} 年已设为当前预算年度。", "success")
    return redirect(url_for("admin.years"))


@bp.route("/years/<int:year_id>/closed", methods=["POST"])
@roles_required(Role.ADMIN)
@unit_of_work(redirect_to=lambda year_id: url_for("admin.years"))
def toggle_closed(year_id: int):
    year = db.get_or_404(BudgetYear, year_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("closed") == "1":
        accounts.set_year_closed(year, True, acting=current_user)
    else:  # reopening an archived year needs a reason (audited), issue 12 §4
        from tracker.services.years import reopen_year

        reopen_year(year, reason=request.form.get("reason", ""), acting=current_user)
    flash(f"{year.year} 年已{'归档（只读）' if year.is_closed else '重新开放'}。", "success")
    return redirect(url_for("admin.years"))


def _settings_page():
    from tracker.services.monitoring import thresholds

    limits = thresholds()
    return render_template(
        "admin/settings.html",
        thresholds={
            "budget_red_below": ("预算执行：执行率/序时进度 低于此为红灯", limits.budget_red_below),
            "budget_yellow_below": ("预算执行：低于此为黄灯", limits.budget_yellow_below),
            "indicator_red_below": ("指标：完成进度 低于此为红灯", limits.indicator_red_below),
            "indicator_yellow_below": ("指标：低于此为黄灯", limits.indicator_yellow_below),
            "indicator_blue_from": ("指标：达到此为蓝灯（超前较多）", limits.indicator_blue_from),
        },
        values={key: settings.get(key) for key in settings.DEFAULTS},
        labels=settings.LABELS,
        frequencies=FREQUENCY_LABELS,
        action=forms.ActionForm(),
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@unit_of_work(on_error=_flash_then(_settings_page))
def settings_page():
    if request.method == "POST":
        if not forms.ActionForm().validate_on_submit():
            abort(400)
        settings.save_all(forms.parse_settings_form(request.form), user=current_user)
        flash("设置已保存。", "success")
        return redirect(url_for("admin.settings_page"))
    return _settings_page()


@bp.route("/jobs", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def jobs_page():
    from datetime import date

    from tracker.scheduler import DAILY_HOUR
    from tracker.services import jobs, monitoring

    if request.method == "POST":
        if not forms.ActionForm().validate_on_submit():
            abort(400)
        job = request.form.get("job", "")
        try:
            day = date.fromisoformat(request.form.get("date", ""))
        except ValueError:
            flash("日期无效（应为 2023-07-01 的形式）。", "danger")
            return redirect(url_for("admin.jobs_page"))
        if job in ("monitoring", "evaluation_open"):  # county-wide: the scheduler process runs it
            from tracker.edge import transaction
            from tracker.services import job_requests

            period_key = day.isoformat() if job == "monitoring" else str(day.year)
            try:
                jobs.require_year(day.year)
            except DomainError as exc:
                flash(str(exc), "danger")
                return redirect(url_for("admin.jobs_page"))
            with transaction():
                req, _ = job_requests.enqueue(job, period_key, current_user)
            return redirect(url_for("job_requests.status", request_id=req.id))
        plans = {
            "monitoring": lambda: jobs.monitoring_job(day),
            "monthly_reminder": lambda: jobs.monthly_reminder_job(day),
            "deadline_check": lambda: jobs.deadline_check_job(day),
            "form_deadlines": lambda: jobs.form_deadlines_job(day),
            "evaluation_open": lambda: jobs.evaluation_job(day.year, user=current_user),
        }
        if job not in plans:
            abort(400)
        try:
            # A job is its own unit of work: run_job commits it, or records its failure.
            run = run_job(plans[job](), trigger="manual", user=current_user)
            flash(
                f"{jobs.JOBS[job].label}（{run.period_key}）：{ {'succeeded': '完成', 'skipped': '已运行过，未重复执行'}.get(run.status, run.status) } {run.counts}",
                "success" if run.status == "succeeded" else "info",
            )
        except DomainError as exc:
            flash(str(exc), "danger")
        except Exception:  # the failed run is recorded with its error below
            flash(f"{jobs.JOBS[job].label}运行失败，错误已记录在下方的运行记录中。", "danger")
        return redirect(url_for("admin.jobs_page"))
    from flask import current_app

    from tracker.scheduler import local_today

    year = current.year_number()
    checkpoints = monitoring.checkpoints(year) if year else []
    return render_template(
        "admin/jobs.html",
        next_runs=jobs.next_runs(local_today(current_app)),
        jobs=jobs.JOBS,
        runs=jobs.recent_runs(),
        action=forms.ActionForm(),
        daily_hour=DAILY_HOUR,
        checkpoints=checkpoints,
        reminder_day=settings.get("reminder_day"),
        due_days=settings.get("monitoring_due_days"),
        evaluation_open=settings.get("evaluation_open_date"),
        checkpoint_choice=monitoring.CHECKPOINT_CHOICES[settings.get("monitoring_checkpoints")][0],
        choices=monitoring.CHECKPOINT_CHOICES,
        current_choice=settings.get("monitoring_checkpoints"),
    )
