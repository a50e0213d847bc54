"""The /api/v1 blueprint: bearer-token authentication, JSON errors, pagination, role gate.

Authentication is by ``Authorization: Bearer <token>`` only. The session cookie is never
looked at here (Flask-Login's ``current_user`` is not used anywhere under /api), so a browser
that is logged in to the pages cannot be made to call the API: CSRF cannot be turned against
it, and the blueprint is exempt from the form CSRF check.
"""

from __future__ import annotations

from functools import wraps
from math import ceil

from flask import g, jsonify, request
from flask_smorest import Blueprint
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.api.fields import LABELS
from tracker.domain import DomainError
from tracker.extensions import db
from tracker.models import User
from tracker.services import api_tokens
from tracker.services.progress import ConflictError, InputError, LockedError
from tracker.services.scope import NotVisible

bp = Blueprint(
    "api_v1",
    __name__,
    url_prefix="/api/v1",
    description="预算绩效目标跟踪系统 REST API（令牌认证；与页面相同的权限范围、校验、锁定和审计）",
)

NOT_FOUND = "对象不存在或您无权查看。"


def current_api_user() -> User:
    return g.api_user


# ----------------------------------------------------------------------------- authentication


@bp.before_request
def authenticate():
    try:
        user, token = api_tokens.authenticate(request.headers.get("Authorization"))
    except api_tokens.AuthError as exc:
        db.session.rollback()
        return error_response(401, str(exc), headers={"WWW-Authenticate": 'Bearer realm="tracker"'})
    if api_tokens.mark_used(token):
        # The last-use stamp is bookkeeping, not part of the request's work: kept even when
        # the request itself is refused.
        db.session.commit()
    g.api_user = user
    g.api_token = token
    return None


# ----------------------------------------------------------------------------- role gate


def api_roles(*roles: str, precheck=None):
    """Only these roles may call the endpoint (403 for the others). ``precheck(**url_args)``
    loads the object named in the URL within the user's scope (NotVisible → 404) before the
    request body is even parsed, so a body error cannot tell whether a guessed id exists.
    The department scope is checked again by the service. Read by the role × route matrix test.

    Put it directly under ``@bp.route`` so that it runs before the body is parsed."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_api_user().role not in roles:
                return error_response(403, "您的角色不能执行此操作：只有本部门的项目填报人和部门审核人可以填报。")
            if precheck is not None:
                precheck(**kwargs)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


# ----------------------------------------------------------------------------- errors

_STATUS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}
_DEFAULT_MESSAGES = {
    400: "请求有误。",
    401: "需要 API 令牌。",
    403: "您没有执行此操作的权限。",
    404: NOT_FOUND,
    405: "不支持此请求方式。",
    409: "与当前数据冲突，未保存。",
    413: "请求过大。",
    422: "提交的内容有误，未保存。",
    500: "服务器内部错误，请稍后再试或联系管理员。",
}


def error_response(
    code: int, message: str | None = None, errors: dict[str, str] | None = None, headers=None, warnings=None
):
    """A JSON error as a finished Response (so no response schema re-serializes it)."""
    body = {"code": code, "status": _STATUS.get(code, ""), "message": message or _DEFAULT_MESSAGES.get(code, "")}
    if errors:
        body["errors"] = errors
    if warnings:
        body["warnings"] = warnings
    response = jsonify(body)
    response.status_code = code
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _label(name: str, message: str) -> str:
    label = LABELS.get(name)
    return f"{label}（{name}）：{message}" if label and not name.startswith("_") else message


def _flatten(messages) -> dict[str, str]:
    """webargs/marshmallow messages ({"json": {"as_of": ["必填。"]}}) → {"as_of": "截至日期（as_of）：必填。"}."""
    errors: dict[str, str] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            name = prefix.rsplit(".", 1)[-1]
            errors[prefix or "_schema"] = _label(name, "".join(value))
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(f"{prefix}.{i}", inner)
        else:
            errors[prefix or "_schema"] = str(value)

    for location, fields in (messages or {}).items():
        if isinstance(fields, dict):
            walk("", fields)
        else:
            walk(location, fields)
    return errors


def _http_error(error: HTTPException):
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    if code in (400, 422) and "messages" in data:
        errors = _flatten(data["messages"])
        if code == 400 or any("Invalid JSON" in m for m in errors.values()):
            return error_response(400, "请求体不是有效的 JSON。")
        message = "提交的内容有误，未保存：" + "；".join(errors.values())
        return error_response(422, message, errors)
    return error_response(code, data.get("message") or _DEFAULT_MESSAGES.get(code) or error.description)


def _not_visible(error):
    db.session.rollback()
    return error_response(404, NOT_FOUND)


def _input_error(error: InputError):
    db.session.rollback()
    # The services' messages already name the field in Chinese (the same as on the pages).
    return error_response(422, "提交的内容有误，未保存：" + "；".join(error.errors.values()), dict(error.errors))


def _conflict(error):
    db.session.rollback()
    return error_response(409, str(error))


def _domain_error(error):
    db.session.rollback()
    warnings = getattr(error, "warnings", None)
    if warnings:  # plausibility (tracker/api/write.py): the same check as the pages, not saved
        return error_response(
            422,
            f"数值可能有误，未保存：{error}。如确认无误，请带 confirm_plausible: true 重新提交。",
            {"confirm_plausible": "请核对后确认（confirm_plausible: true）。"},
            warnings=[{"code": w.code, "message": w.message} for w in warnings],
        )
    return error_response(422, str(error))


def _lost_race(error):
    # Found only at commit: someone saved the same thing at the same moment.
    db.session.rollback()
    return error_response(409, "保存时发现其他人刚刚修改了同一条记录，未保存。请重新读取最新记录后再提交。")


def _data_error(error):
    # An id far beyond anything stored (PostgreSQL refuses it, SQLite overflows): not found.
    db.session.rollback()
    return error_response(404, NOT_FOUND)


for _code in (400, 401, 403, 404, 405, 409, 413, 422, 500):
    # Code-specific handlers on the blueprint come before the app's HTML error pages.
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(NotVisible, _not_visible)
bp.register_error_handler(InputError, _input_error)
bp.register_error_handler(LockedError, _conflict)
bp.register_error_handler(ConflictError, _conflict)
bp.register_error_handler(DomainError, _domain_error)
bp.register_error_handler(DataError, _data_error)
bp.register_error_handler(IntegrityError, _lost_race)
bp.register_error_handler(StaleDataError, _lost_race)
bp.register_error_handler(OverflowError, _data_error)


# ----------------------------------------------------------------------------- pagination


def paginate(stmt, args: dict, *, order_by, options=()) -> tuple[list, dict]:
    """One page of a select() of one entity: a count query, a page query, and the eager loads
    given in ``options`` (selectinload: one query each, whatever the page size)."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page_stmt = stmt.order_by(*order_by).offset((page - 1) * per_page).limit(per_page)
    rows = list(db.session.scalars(page_stmt.options(*options)))
    return rows, {"page": page, "per_page": per_page, "total": total, "pages": ceil(total / per_page) if total else 0}


def page_body(items: list, meta: dict) -> dict:
    return {**meta, "items": items}
