"""Error pages, template filters and response headers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, make_response, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from sqlalchemy.exc import DataError, InterfaceError, OperationalError

from tracker.domain import DomainError, formatting, limits
from tracker.domain.monitoring import LIGHT_LABELS
from tracker.domain.periods import parse_period_key
from tracker.domain.targets import Target, format_decimal
from tracker.domain.vocab import Action, Light, Role, State, SubmissionKind
from tracker.memo import Memo
from tracker.services.scope import NotVisible

_TARGET_PARSE: Memo[Markup] = Memo(4096)
_URL_SLOT = 987654321987  # an id no row has: url_maker's placeholder


def _standalone(code: int, title: str, message: str):
    try:
        html = render_template("errors/standalone.html", code=code, title=title, message=message)
    except Exception:  # the template itself failed: plain text still in Chinese
        html = f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{code} · {title}</h1><p>{message}</p>"
    return make_response(html, code), code


def register(app: Flask) -> None:
    _register_filters(app)
    _register_globals(app)
    _register_error_pages(app)
    _register_request_hooks(app)


def _register_filters(app: Flask) -> None:
    tz = ZoneInfo(app.config["TIMEZONE"])

    @app.template_filter("num")
    def num(value, places: int | None = None) -> str:
        if value is None or value == "":
            return ""
        value = Decimal(value)
        if places is not None:
            return f"{value:,.{places}f}"
        return format_decimal(value)

    # One rule for money and rates on every page (tracker/domain/formatting.py).
    app.add_template_filter(formatting.money, "wan")
    app.add_template_filter(formatting.rate, "pct")
    app.add_template_filter(formatting.points, "pts")

    @app.template_filter("job_counts")
    def job_counts(counts_json: str) -> str:
        """A job run's counts in words: 项目 18，指标 184，红灯 3 …"""
        names = {
            "projects": "项目",
            "indicators": "指标",
            "skipped": "已有",
            "opened": "生成",
            "existing": "已有",
            "reminded": "提醒",
            "overdue": "逾期",
            "checked": "检查",
            "missed": "逾期未完成",
            "departments": "部门",
            "notified": "通知",
            "reason": "原因",
            "seconds": "用时（秒）",
        }
        try:
            counts = json.loads(counts_json or "{}")
        except ValueError:
            return counts_json
        parts = []
        for key, value in counts.items():
            if key == "lights":
                parts.extend(f"{LIGHT_LABELS[k]}灯 {n}" for k, n in value.items() if n)
            else:
                parts.append(f"{names.get(key, key)} {value}")
        return "，".join(parts)

    @app.template_filter("period_label")
    def period_label(key: str) -> str:
        try:
            return parse_period_key(key).label
        except DomainError:
            return key

    @app.template_filter("dict_without")
    def dict_without(mapping: dict, *keys: str) -> dict:
        """A page's filters without some of them (for "all departments" and similar links)."""
        return {k: v for k, v in mapping.items() if k not in keys}

    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if value is None:
            return ""
        return value.astimezone(tz).strftime(fmt)


def url_maker(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """``url_for(endpoint, **values, key=n)`` for many ids in a loop: the URL is built once
    around a placeholder and each id put in its place (url_for is the costly part of a
    long table's rows). Falls back to url_for if the placeholder is ambiguous."""
    url = url_for(endpoint, **values, **{key: _URL_SLOT})
    head, slot, tail = url.partition(str(_URL_SLOT))
    if not slot or str(_URL_SLOT) in tail or str(_URL_SLOT) in head:
        return lambda value: url_for(endpoint, **values, **{key: value})
    return lambda value: f"{head}{int(value)}{tail}"


def target_parse_html(target: Target) -> Markup:
    """The macro _macros/forms.html target_parse, memoised by the target's value: a long
    table calls it on every row, and a Jinja macro call costs more than the rest of the
    cell. The output depends on the value alone, so the memo is never stale (it is
    bypassed while templates reload, in development)."""
    env = current_app.jinja_env
    if env.auto_reload:
        return _target_parse_macro(env)(target)
    # 1.0 and 1.00 are equal but print differently
    return _TARGET_PARSE.get((target, str(target.value)), lambda: _target_parse_macro(env)(target))


def _target_parse_macro(env):
    return env.get_template("_macros/forms.html").module.target_parse


_URLS: Memo[str] = Memo(8192)


def template_url_for(endpoint: str, **values) -> str:
    """url_for in templates, kept per (script root, endpoint, arguments): the header's links
    and the tabs are the same ~25 URLs on every page, and building each costs ~6 µs. A URL
    depends on nothing else here (no url_defaults, no subdomains); relative endpoints
    (".x"), _external/_anchor/… and calls outside a request go to url_for itself."""
    if endpoint[:1] == "." or not has_request_context() or any(name[:1] == "_" for name in values):
        return url_for(endpoint, **values)
    try:
        return _URLS.get((request.script_root, endpoint, *sorted(values.items())), lambda: url_for(endpoint, **values))
    except TypeError:  # an unhashable argument
        return url_for(endpoint, **values)


def _register_globals(app: Flask) -> None:
    # The vocabulary in templates: `current_user.role == Role.FINANCE`, `state == State.DRAFT`.
    app.jinja_env.globals.update(Role=Role, State=State, Action=Action, SubmissionKind=SubmissionKind, Light=Light)

    app.add_template_global(url_maker, "url_maker")
    app.jinja_env.globals["url_for"] = template_url_for

    @app.template_global("options")
    def options(choices: Iterable[tuple[Any, str]], selected: Any) -> Markup:
        """The <option>s of a long <select> (152 departments), as the usual loop writes them:
        ``<option value="{{ v }}" {% if v == selected %}selected{% endif %}>{{ label }}</option>``
        (Jinja spent ~10 µs on each)."""
        return Markup(
            "".join(
                f'<option value="{escape(value)}" {"selected" if value == selected else ""}>{escape(label)}</option>'
                for value, label in choices
            )
        )

    app.add_template_global(target_parse_html, "target_parse")

    @app.template_global("maxlen")
    def maxlen(name: str) -> int:
        """maxlength for a text field, from the one table the server enforces."""
        return limits.limit_for(name)

    @app.context_processor
    def header_badges():
        from flask_login import current_user

        from tracker.services.todo import header_counts

        def badges() -> tuple[int, int]:
            """我的待办 and unread messages: one query, once per request."""
            if not current_user.is_authenticated:
                return 0, 0
            if "_badges" not in g:
                g._badges = header_counts(current_user)
            return g._badges

        def count() -> int:
            return badges()[0]

        def unread() -> int:
            return badges()[1]

        def new_token() -> str:
            """A fresh token for a form, so that posting it twice saves once."""
            import uuid

            return uuid.uuid4().hex

        return {"todo_count": count, "unread_count": unread, "new_token": new_token}


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(NotVisible)
    def not_visible(error):
        return render_template("errors/error.html", code=404, message="页面不存在或您无权查看。"), 404

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/error.html", code=403, message="您没有执行此操作的权限。"), 403

    @app.errorhandler(404)
    def not_found(error):
        if request.path.startswith("/api/"):  # an unknown /api URL (no blueprint matched): JSON
            return {"code": 404, "status": "Not Found", "message": "接口不存在。"}, 404
        return render_template("errors/error.html", code=404, message="页面不存在或您无权查看。"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        if request.path.startswith("/api/"):
            return {"code": 405, "status": "Method Not Allowed", "message": "不支持此请求方式。"}, 405
        return render_template("errors/error.html", code=405, message="不支持此请求方式。"), 405

    @app.errorhandler(413)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return (
            render_template("errors/error.html", code=413, message=f"上传的文件过大（上限 {limit} MB）。"),
            413,
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return (
            render_template(
                "errors/error.html",
                code=400,
                message="表单已失效或来源不明（CSRF 校验失败），请刷新页面后重新提交。",
            ),
            400,
        )

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(error):
        # An id or number in the URL far beyond anything stored (SQLite overflows, PostgreSQL
        # refuses it): nothing by that number exists.
        from tracker.extensions import db

        db.session.rollback()
        return render_template("errors/error.html", code=404, message="页面不存在或您无权查看。"), 404

    @app.errorhandler(DomainError)
    def domain_error(error):
        return render_template("errors/error.html", code=400, message=str(error)), 400

    @app.errorhandler(500)
    def server_error(error):
        # Standalone: the error may have come from the database, which the usual layout needs.
        return _standalone(500, "出错了", "服务器内部错误，请稍后再试或联系管理员。")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        """The database is down, unreachable or dropped the connection: a Chinese page that
        needs no database (not even for the logged-in user), and 503 so proxies may retry."""
        app.logger.error("database unavailable: %s", error)
        try:
            from tracker.extensions import db

            db.session.rollback()
        except Exception:  # the connection is gone; nothing to roll back
            pass
        response = _standalone(
            503,
            "数据库暂时不可用",
            "系统暂时无法连接数据库，您的操作未完成。请稍后刷新重试；如持续出现，请联系系统管理员。",
        )
        response[0].headers["Retry-After"] = "30"
        return response

    @app.route("/healthz")
    def healthz():
        """For the load balancer / compose: 200 when this server can reach the database."""
        from sqlalchemy import text

        from tracker.extensions import db

        db.session.execute(text("SELECT 1"))  # a DB error becomes the 503 page above
        return {"status": "ok"}


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def refuse_unusable_text():
        """NUL/control characters and over-long text are refused before any view runs (so no
        upload is written and nothing is stored), with the field named; forms carry the same
        maxlength, so only a forged or broken request gets here."""
        if request.method != "POST" or not request.form:
            return None
        problems = limits.check_fields(request.form.items(multi=True))
        if not problems:
            return None
        message = "提交的内容有误，未保存：" + "；".join(p.message for p in problems[:5])
        return render_template("errors/error.html", code=400, message=message), 400

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def warm_templates(app: Flask) -> int:
    """Compile every page template when a worker starts (~0.4 s; tracker/wsgi.py), not on the
    first request of each page: a worker's first 双监控 overview would otherwise wait for its
    templates to compile, again after every restart (gunicorn recycles workers every
    TRACKER_MAX_REQUESTS requests)."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
