"""Admin pages: users, departments, budget years."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.auth import roles_required
from tracker.domain import DomainError
from tracker.domain.periods import FREQUENCY_LABELS
from tracker.extensions import db
from tracker.models import ROLE_LABELS, ROLES, BudgetYear, Department, Project, User
from tracker.services import accounts, audit, login_security, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _dept_choices():
    depts = db.session.scalars(select(Department).order_by(Department.is_finance_bureau.desc(), Department.code)).all()
    return [(d.id, f"{d.code or ''} {d.name}".strip()) for d in depts]


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=100)])
    role = SelectField("角色", choices=[(r, ROLE_LABELS[r]) for r in ROLES])
    department_id = SelectField("所属部门", coerce=int)
    password = PasswordField("初始密码", validators=[DataRequired("请输入初始密码")])


class EditUserForm(FlaskForm):
    version = HiddenField()
    display_name = StringField("姓名", validators=[Optional(), Length(max=100)])
    email = StringField("电子邮箱（可选，用于接收通知）", validators=[Optional(), Length(max=200)])
    role = SelectField("角色", choices=[(r, ROLE_LABELS[r]) for r in ROLES])
    department_id = SelectField("所属部门", coerce=int)


class PasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired("请输入新密码")])


class ActionForm(FlaskForm):
    """An empty form: a CSRF token for one-button actions."""


class DepartmentForm(FlaskForm):
    name = StringField("部门名称", validators=[DataRequired("请输入部门名称"), Length(max=200)])
    code = StringField("部门编码", validators=[Optional(), Length(max=32)])
    is_finance_bureau = BooleanField("这是财政局（绩效科所在部门）")


class YearForm(FlaskForm):
    year = IntegerField("预算年度", validators=[NumberRange(2000, 2100, "预算年度应在 2000–2100 之间")])


def _form_errors(form) -> str:
    return "；".join(msg for msgs in form.errors.values() for msg in msgs)


@bp.route("/")
@roles_required("admin")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users():
    form = UserForm()
    form.department_id.choices = _dept_choices()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                username=form.username.data,
                password=form.password.data,
                role=form.role.data,
                department=db.get_or_404(Department, form.department_id.data),
                display_name=form.display_name.data or "",
            )
            db.session.commit()
            flash(f"已创建用户“{user.username}”。", "success")
            return redirect(url_for("admin.users"))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    elif request.method == "POST":
        flash(_form_errors(form), "danger")
    all_users = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", form=form, users=all_users, action=ActionForm(), labels=ROLE_LABELS)


def _posted_user_version(text: str | None) -> int | None:
    """As posted_version(): absent means no check (old pages), mangled is a conflict."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        return -1
    return int(text)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    form.department_id.choices = _dept_choices()
    status = 200
    if request.method == "GET":
        form.version.data = str(user.profile_version)
    if form.validate_on_submit():
        try:
            accounts.update_user(
                user,
                role=form.role.data,
                department=db.get_or_404(Department, form.department_id.data),
                display_name=form.display_name.data or "",
                acting=current_user,
                email=form.email.data or "",
                expected_version=_posted_user_version(form.version.data),
            )
            db.session.commit()
            flash("已保存。", "success")
            return redirect(url_for("admin.users"))
        except accounts.AccountConflict as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            # show what the other admin saved; the next save applies to that version
            form = EditUserForm(obj=db.session.get(User, user_id), formdata=None)
            form.department_id.choices = _dept_choices()
            form.version.data = str(user.profile_version)
            status = 409
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    lock = login_security.current_lock(user.username, "")
    return render_template(
        "admin/user_edit.html", user=user, form=form, password_form=PasswordForm(), action=ActionForm(), lock=lock
    ), status


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required("admin")
def unlock_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    login_security.unlock(user, acting=current_user)
    db.session.commit()
    flash(f"已解锁“{user.username}”，可以重新登录。", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required("admin")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(user, form.password.data)
            db.session.commit()
            flash(f"已重置“{user.username}”的密码，其已登录的会话均已失效。", "success")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    else:
        flash(_form_errors(form) or "请求无效。", "danger")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required("admin")
def toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(user, active, acting=current_user)
        db.session.commit()
        flash(f"已{'启用' if active else '停用'}“{user.username}”。", "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    return redirect(url_for("admin.users"))


@bp.route("/departments", methods=["GET", "POST"])
@roles_required("admin")
def departments():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            accounts.save_department(
                None, name=form.name.data, code=form.code.data, is_finance_bureau=form.is_finance_bureau.data
            )
            db.session.commit()
            flash("已添加部门。", "success")
            return redirect(url_for("admin.departments"))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    elif request.method == "POST":
        flash(_form_errors(form), "danger")
    user_counts = dict(db.session.execute(select(User.department_id, func.count(User.id)).group_by(User.department_id)).all())
    project_counts = dict(
        db.session.execute(select(Project.department_id, func.count(Project.id)).group_by(Project.department_id)).all()
    )
    depts = db.session.scalars(select(Department).order_by(Department.is_finance_bureau.desc(), Department.code)).all()
    return render_template(
        "admin/departments.html", form=form, departments=depts, user_counts=user_counts, project_counts=project_counts
    )


@bp.route("/departments/<int:dept_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_department(dept_id: int):
    dept = db.get_or_404(Department, dept_id)
    form = DepartmentForm(obj=dept)
    if form.validate_on_submit():
        try:
            accounts.save_department(
                dept, name=form.name.data, code=form.code.data, is_finance_bureau=form.is_finance_bureau.data
            )
            db.session.commit()
            flash("已保存。", "success")
            return redirect(url_for("admin.departments"))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    return render_template("admin/department_edit.html", form=form, dept=dept)


@bp.route("/years", methods=["GET", "POST"])
@roles_required("admin")
def years():
    form = YearForm()
    if form.validate_on_submit():
        try:
            accounts.get_or_create_year(form.year.data)
            db.session.commit()
            flash(f"已添加预算年度 {form.year.data}。", "success")
            return redirect(url_for("admin.years"))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    elif request.method == "POST":
        flash(_form_errors(form), "danger")
    project_counts = dict(db.session.execute(select(Project.year_id, func.count(Project.id)).group_by(Project.year_id)).all())
    all_years = db.session.scalars(select(BudgetYear).order_by(BudgetYear.year.desc())).all()
    return render_template("admin/years.html", form=form, years=all_years, action=ActionForm(), project_counts=project_counts)


@bp.route("/years/<int:year_id>/current", methods=["POST"])
@roles_required("admin")
def set_current_year(year_id: int):
    year = db.get_or_404(BudgetYear, year_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.set_current_year(year)
    db.session.commit()
    flash(f"{year.year} 年已设为当前预算年度。", "success")
    return redirect(url_for("admin.years"))


@bp.route("/years/<int:year_id>/closed", methods=["POST"])
@roles_required("admin")
def toggle_closed(year_id: int):
    year = db.get_or_404(BudgetYear, year_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    year.is_closed = request.form.get("closed") == "1"
    db.session.commit()
    flash(f"{year.year} 年已{'归档（只读）' if year.is_closed else '重新开放'}。", "success")
    return redirect(url_for("admin.years"))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings_page():
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            changes = []
            form_values = dict(request.form)
            threshold_fields = [k for k in request.form if k.startswith("threshold-")]
            if threshold_fields:
                form_values["monitoring_thresholds"] = {
                    k.removeprefix("threshold-"): str(Decimal(request.form[k]) / 100)
                    for k in threshold_fields
                    if request.form[k].strip()
                }
            for key in settings.DEFAULTS:
                if key in form_values:
                    old, new = settings.put(key, form_values[key], user=current_user)
                    if old != new:
                        changes.append((key, old, new))
            for key, old, new in changes:
                audit.record(current_user, "setting", "setting", None, f"修改设置“{settings.LABELS[key]}”", old=old, new=new)
            db.session.commit()
            flash("设置已保存。", "success")
            return redirect(url_for("admin.settings_page"))
        except (DomainError, ArithmeticError) as exc:
            db.session.rollback()
            flash(str(exc) if isinstance(exc, DomainError) else "预警阈值应为数字（百分比）。", "danger")
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
        action=ActionForm(),
    )


@bp.route("/jobs", methods=["GET", "POST"])
@roles_required("admin")
def jobs_page():
    from datetime import date

    from tracker.scheduler import DAILY_HOUR
    from tracker.services import jobs, monitoring

    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        job = request.form.get("job", "")
        try:
            day = date.fromisoformat(request.form.get("date", ""))
        except ValueError:
            flash("日期无效（应为 2023-07-01 的形式）。", "danger")
            return redirect(url_for("admin.jobs_page"))
        runners = {
            "monitoring": lambda: jobs.monitoring_job(day, trigger="manual", user=current_user),
            "monthly_reminder": lambda: jobs.monthly_reminder_job(day, trigger="manual", user=current_user),
            "deadline_check": lambda: jobs.deadline_check_job(day, trigger="manual", user=current_user),
            "form_deadlines": lambda: jobs.form_deadlines_job(day, trigger="manual", user=current_user),
            "evaluation_open": lambda: jobs.evaluation_job(day.year, trigger="manual", user=current_user),
        }
        if job not in runners:
            abort(400)
        try:
            run = runners[job]()
            flash(f"{jobs.JOBS[job].label}（{run.period_key}）：{ {'succeeded': '完成', 'skipped': '已运行过，未重复执行'}.get(run.status, run.status) } {run.counts}", "success" if run.status == "succeeded" else "info")
        except DomainError as exc:
            flash(str(exc), "danger")
        except Exception:  # the failed run is recorded with its error below
            db.session.rollback()
            flash(f"{jobs.JOBS[job].label}运行失败，错误已记录在下方的运行记录中。", "danger")
        return redirect(url_for("admin.jobs_page"))
    from flask import current_app

    from tracker.scheduler import local_today

    year = db.session.scalar(select(BudgetYear.year).where(BudgetYear.is_current.is_(True)))
    checkpoints = monitoring.checkpoints(year) if year else []
    return render_template(
        "admin/jobs.html",
        next_runs=jobs.next_runs(local_today(current_app)),
        jobs=jobs.JOBS,
        runs=jobs.recent_runs(),
        action=ActionForm(),
        daily_hour=DAILY_HOUR,
        checkpoints=checkpoints,
        reminder_day=settings.get("reminder_day"),
        due_days=settings.get("monitoring_due_days"),
        evaluation_open=settings.get("evaluation_open_date"),
        checkpoint_choice=monitoring.CHECKPOINT_CHOICES[settings.get("monitoring_checkpoints")][0],
        choices=monitoring.CHECKPOINT_CHOICES,
        current_choice=settings.get("monitoring_checkpoints"),
    )
