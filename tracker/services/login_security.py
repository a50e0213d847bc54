"""Brute-force protection and server-side sessions for logins.

- Failed logins are recorded per account (the user name as typed) and per client address.
  After ``LOGIN_MAX_FAILURES`` failures within ``LOGIN_LOCK_MINUTES`` an account is locked
  for that long (rolling window, counted since its last successful login); after
  ``LOGIN_MAX_FAILURES_PER_ADDR`` failures an address is throttled the same way. Attempts
  refused by a lock are not recorded, so a lock ends on time whatever an attacker does.
- A wrong password for an unknown user costs the same hash check as for a known user, so the
  response time does not reveal which user names exist.
- Every login is a LoginSession row; the cookies carry its token. Logout revokes that row; a
  password reset, deactivation or role/department change revokes all rows of the user.

The database holds the counters (no Redis): every worker and every app server behind one
address sees the same numbers.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import CursorResult, bindparam, delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.models import User
from tracker.models.base import utcnow
from tracker.models.security import LoginAttempt, LoginSession
from tracker.services import audit, current

DEFAULTS = {"LOGIN_MAX_FAILURES": 5, "LOGIN_LOCK_MINUTES": 15, "LOGIN_MAX_FAILURES_PER_ADDR": 20}
_dummy_hash: str | None = None


def _cfg(key: str) -> int:
    if has_app_context():
        return int(current_app.config.get(key, DEFAULTS[key]))
    return DEFAULTS[key]


@dataclass(frozen=True)
class Lock:
    until: datetime
    by_address: bool

    def message(self, now: datetime, tz) -> str:
        minutes = max(1, int((self.until - now).total_seconds() + 59) // 60)
        when = self.until.astimezone(tz).strftime("%H:%M")
        if self.by_address:
            return f"此电脑登录失败次数过多，已暂停登录。请在 {minutes} 分钟后（{when} 以后）再试。"
        return f"该账号登录失败次数过多，已暂时锁定。请在 {minutes} 分钟后（{when} 以后）再试，或请系统管理员解锁。"


def _norm(username: str) -> str:
    return (username or "").strip().lower()[:64]


def _failures_since(column, value: str, since: datetime) -> list[datetime]:
    rows = db.session.scalars(
        select(LoginAttempt.at)
        .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc())
    ).all()
    return list(rows)


def _last_success(username: str) -> datetime | None:
    return db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.success.is_(True))
    )


def current_lock(username: str, remote_addr: str, now: datetime | None = None) -> Lock | None:
    """The lock in force for this account or address, if any."""
    now = now or utcnow()
    window = timedelta(minutes=_cfg("LOGIN_LOCK_MINUTES"))
    name = _norm(username)
    since = now - window
    last_ok = _last_success(name)
    if last_ok is not None and last_ok > since:
        since = last_ok
    limit = _cfg("LOGIN_MAX_FAILURES")
    failures = _failures_since(LoginAttempt.username, name, since)
    if len(failures) >= limit:
        return Lock(until=failures[limit - 1] + window, by_address=False)
    addr_limit = _cfg("LOGIN_MAX_FAILURES_PER_ADDR")
    failures = _failures_since(LoginAttempt.remote_addr, remote_addr or "", now - window)
    if len(failures) >= addr_limit:
        return Lock(until=failures[addr_limit - 1] + window, by_address=True)
    return None


def verify(user: User | None, password: str) -> bool:
    """Check a password; an unknown user costs the same hash check as a known one."""
    global _dummy_hash
    if user is None:
        if _dummy_hash is None:
            _dummy_hash = generate_password_hash(secrets.token_hex(8))
        check_password_hash(_dummy_hash, password or "")
        return False
    return user.check_password(password or "")


def record_attempt(username: str, remote_addr: str, *, success: bool, user: User | None) -> Lock | None:
    """Record a try; returns the lock this failure started, if it started one (audited)."""
    name = _norm(username)
    db.session.add(LoginAttempt(username=name, remote_addr=(remote_addr or "")[:64], success=success))
    db.session.flush()
    if success:
        return None
    lock = current_lock(name, remote_addr)
    if lock is not None:
        failures = _cfg("LOGIN_MAX_FAILURES_PER_ADDR" if lock.by_address else "LOGIN_MAX_FAILURES")
        what = f"地址 {remote_addr}" if lock.by_address else f"账号“{name}”"
        audit.record(
            None,
            "login_locked",
            "user",
            user.id if user else None,
            f"{what}连续登录失败 {failures} 次，锁定至 {lock.until.isoformat(timespec='minutes')}",
            department_id=user.department_id if user else None,
        )
    return lock


def unlock(user: User, *, acting: User) -> int:
    """Admin: clear the recent failures of an account so that it can log in again."""
    window = timedelta(minutes=_cfg("LOGIN_LOCK_MINUTES"))
    # Session.execute is typed as Result; a bulk DELETE returns a CursorResult (with rowcount)
    result = cast(
        CursorResult[Any],
        db.session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.username == _norm(user.username),
                LoginAttempt.success.is_(False),
                LoginAttempt.at >= utcnow() - window,
            )
        ),
    )
    audit.record(
        acting, "login_unlock", "user", user.id, f"解锁账号“{user.username}”", department_id=user.department_id
    )
    return result.rowcount or 0


def prune_attempts(older_than_days: int = 90) -> int:
    result = cast(
        CursorResult[Any],
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=older_than_days))),
    )
    return result.rowcount or 0


# --- server-side sessions ----------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remote_addr: str = "", user_agent: str = "") -> str:
    """A new login; returns the token the cookies will carry (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_hash(token),
            user_id=user.id,
            remote_addr=(remote_addr or "")[:64],
            user_agent=(user_agent or "")[:200],
        )
    )
    db.session.flush()
    return token


@functools.cache
def _session_user_statement():
    # Built once; the user's department comes along (User.department is joined-eager), and
    # with it what nearly every page reads besides its user: the settings and the current
    # budget year (tracker/services/current.py), in the same round trip.
    return (
        select(User, *current.columns())
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            LoginSession.token_hash == bindparam("token_hash"),
            LoginSession.revoked_at.is_(None),
        )
    )


def session_user(user_id: int, token: str) -> User | None:
    """The user of a live login session, or None (revoked, unknown, user disabled).

    Read on every request, so one query: the session row joined to its user (and the settings
    and current year, kept for the request)."""
    if not token:
        return None
    row = db.session.execute(_session_user_statement(), {"user_id": user_id, "token_hash": _hash(token)}).first()
    if row is None or not row[0].is_active:
        return None
    current.absorb(*row[1:])
    return row[0]


def end_session(token: str) -> None:
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(user: User) -> None:
    """Every login of the user ends (password reset, deactivation, role change)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
