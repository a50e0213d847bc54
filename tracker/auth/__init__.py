"""Login, logout and the role gate on routes."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired

from tracker.edge import unit_of_work
from tracker.extensions import db, login_manager
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services import login_security

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The id carries the login session's token (server-side row): logout, a password reset,
    # disabling or a role change revoke it, and every copy of the cookies stops working.
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or len(ident) > 12:
        return None
    user = login_security.session_user(int(ident), token)
    if user is not None:
        user.login_token = token
    return user


def roles_required(*roles: str):
    """The role gate on a route; the department scope is checked again in the service."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # read by the role × route matrix test
        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """Only a local path may be a redirect target (no scheme, no host, no //)."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码")])
    remember = BooleanField("记住我")


@bp.route("/login", methods=["GET", "POST"])
@unit_of_work(commit_error_responses=True)  # a failed attempt is stored with its 401/429
def login():
    if current_user.is_authenticated:
        return redirect(url_for("projects.index"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        addr = request.remote_addr or ""
        tz = ZoneInfo(current_app.config["TIMEZONE"])
        lock = login_security.current_lock(username, addr)
        if lock is not None:
            # Refused before the password is looked at; not recorded, so the lock ends on time.
            error, status = lock.message(utcnow(), tz), 429
        else:
            user = db.session.scalar(select(User).where(User.username == username))
            if not login_security.verify(user, form.password.data):
                lock = login_security.record_attempt(username, addr, success=False, user=user)
                error, status = (lock.message(utcnow(), tz), 429) if lock else ("用户名或密码错误。", 401)
            elif not user.is_active:
                error, status = "该账号已停用，请联系系统管理员。", 401
            else:
                login_security.record_attempt(username, addr, success=True, user=user)
                user.login_token = login_security.start_session(
                    user, remote_addr=addr, user_agent=request.headers.get("User-Agent", "")
                )
                login_user(user, remember=form.remember.data)
                user.last_login_at = utcnow()
                return redirect(safe_next(request.args.get("next")) or url_for("projects.index"))
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
@unit_of_work
def logout():
    login_security.end_session(current_user.login_token)
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
