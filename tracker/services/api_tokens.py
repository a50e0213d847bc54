"""Personal API tokens: created and revoked by their user on the token page, used as
``Authorization: Bearer <token>`` on /api/v1.

The secret is shown once; only its sha256 is stored. A token acts as its user, with the
user's role and department scope as they are at the time of each request, so a role change
applies at once and a deactivated user's tokens stop working. Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tracker.domain import DomainError
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.models.base import utcnow
from tracker.services import audit

PREFIX = "trk_"
# Offered on the page; None = does not expire.
LIFETIMES_DAYS = (30, 90, 180, 365, None)
MAX_ACTIVE_PER_USER = 20
NAME_MAX = 100
# Writing the last use on every request would turn each GET into a write; once a minute is
# precise enough to tell a token in use from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(DomainError):
    """Bad input on the token page (message names the field)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class AuthError(Exception):
    """The request carries no usable token (answered as 401 with this message)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def _active_count(user: User, now: datetime) -> int:
    return db.session.execute(
        select(func.count(ApiToken.id)).where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
        )
    ).scalar_one()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def create(user: User, name: str, days: int | None) -> NewToken:
    name = (name or "").strip()
    if not name:
        raise TokenError("name", "请填写令牌名称（例如“财务系统对接”），便于以后识别和撤销。")
    if len(name) > NAME_MAX:
        raise TokenError("name", f"令牌名称最多 {NAME_MAX} 字，填写的有 {len(name)} 字。")
    if days not in LIFETIMES_DAYS:
        raise TokenError("days", "请选择有效期：30、90、180、365 天或不过期。")
    now = utcnow()
    if _active_count(user, now) >= MAX_ACTIVE_PER_USER:
        raise TokenError("name", f"每个用户最多 {MAX_ACTIVE_PER_USER} 个有效令牌，请先撤销不用的令牌。")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[: len(PREFIX) + 4],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    expiry = f"，有效期 {days} 天" if days else "，不过期"
    audit.record(
        user,
        "api_token_create",
        "api_token",
        token.id,
        f"创建 API 令牌“{name}”（{token.prefix}…{expiry}）",
        department_id=user.department_id,
    )
    return NewToken(token, secret)


def revoke(user: User, token_id: int) -> ApiToken:
    """A user revokes one of their own tokens; anyone else's is not found."""
    from tracker.services.scope import NotVisible

    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotVisible(token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record(
            user,
            "api_token_revoke",
            "api_token",
            token.id,
            f"撤销 API 令牌“{token.name}”（{token.prefix}…）",
            department_id=user.department_id,
        )
    return token


def authenticate(authorization: str | None) -> tuple[User, ApiToken]:
    """The user an ``Authorization: Bearer …`` header stands for, or AuthError saying why not."""
    if not authorization:
        raise AuthError("缺少 API 令牌：请在请求头中提供 Authorization: Bearer <令牌>（在“API 令牌”页面创建）。")
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise AuthError("Authorization 请求头格式应为：Bearer <令牌>。")
    if len(secret) > 200:
        raise AuthError("API 令牌无效。")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None:
        raise AuthError("API 令牌无效。")
    now = utcnow()
    state = token.state(now)
    if state == "revoked":
        raise AuthError("API 令牌已被撤销。")
    if state == "expired":
        raise AuthError("API 令牌已过期，请重新创建。")
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise AuthError("该令牌所属账号已停用。")
    return user, token


def mark_used(token: ApiToken, now: datetime | None = None) -> bool:
    """Stamp the last use (at most once per LAST_USED_PRECISION); True when something changed."""
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.flush()
        return True
    return False
