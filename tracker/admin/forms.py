"""The admin pages' forms (WTForms) and the settings form, read into typed values."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.domain import InputError
from tracker.models import ROLE_LABELS, ROLES
from tracker.services import accounts


def dept_choices():
    depts = accounts.department_list()
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


def form_errors(form) -> str:
    return "；".join(msg for msgs in form.errors.values() for msg in msgs)


def parse_settings_form(form) -> dict:
    """The posted settings by key; the warning thresholds come as percentages (threshold-<name>)."""
    values = dict(form)
    threshold_fields = [k for k in form if k.startswith("threshold-")]
    if threshold_fields:
        try:
            percents = {k.removeprefix("threshold-"): Decimal(form[k]) for k in threshold_fields if form[k].strip()}
            if not all(p.is_finite() for p in percents.values()):
                raise InvalidOperation
        except (InvalidOperation, ArithmeticError):
            raise InputError({"monitoring_thresholds": "预警阈值应为数字（百分比）。"}) from None
        values["monitoring_thresholds"] = {k: str(p / 100) for k, p in percents.items()}
    return values


def posted_user_version(text: str | None) -> int | None:
    """As posted_version(): absent means no check (old pages), mangled is a conflict."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        return -1
    return int(text)
