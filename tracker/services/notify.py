"""In-app notifications (and optional e-mail); a dedupe key makes each message go out once."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Notification, User
from tracker.models.base import utcnow
from tracker.services import bulk


def notify(users: list[User], *, kind: str, message: str, link: str = "", dedupe_key: str) -> int:
    """Adds a notification for each user who has not had this key yet; returns how many."""
    if not users:
        return 0
    ids = {u.id for u in users}
    already = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.user_id.in_(ids), Notification.dedupe_key == dedupe_key)
        )
    )
    added = 0
    for user_id in sorted(ids - already):
        db.session.add(Notification(user_id=user_id, kind=kind, message=message, link=link, dedupe_key=dedupe_key))
        added += 1
    db.session.flush()
    return added


@dataclass(frozen=True)
class Message:
    user_ids: tuple[int, ...]
    kind: str
    message: str
    link: str
    dedupe_key: str


def notify_many(messages: list[Message], *, chunk: int = 1000) -> int:
    """Batch runs: many messages with one look-up of what was already sent and bulk inserts
    (notify() per message would be a query and a flush each). Same dedupe rule as notify()."""
    added = 0
    for start in range(0, len(messages), chunk):
        part = [m for m in messages[start : start + chunk] if m.user_ids]
        if not part:
            continue
        keys = {m.dedupe_key for m in part}
        already: set[tuple[int, str]] = {
            (user_id, key)
            for user_id, key in db.session.execute(
                select(Notification.user_id, Notification.dedupe_key).where(
                    Notification.user_id.in_({u for m in part for u in m.user_ids}), Notification.dedupe_key.in_(keys)
                )
            )
        }
        rows = []
        for m in part:
            for user_id in sorted(set(m.user_ids)):
                if (user_id, m.dedupe_key) not in already:
                    already.add((user_id, m.dedupe_key))
                    rows.append(
                        {
                            "user_id": user_id,
                            "kind": m.kind,
                            "message": m.message,
                            "link": m.link,
                            "dedupe_key": m.dedupe_key,
                            "created_at": utcnow(),
                        }
                    )
        if rows:
            bulk.insert_rows(Notification, rows)
            added += len(rows)
    return added


def user_ids_by_department(role: str, department_ids) -> dict[int, tuple[int, ...]]:
    """Active users of a role per department, for many departments in one query."""
    found: dict[int, list[int]] = {}
    for user_id, department_id in db.session.execute(
        select(User.id, User.department_id)
        .where(User.role == role, User.is_active_flag.is_(True), User.department_id.in_(list(department_ids)))
        .order_by(User.id)
    ):
        found.setdefault(department_id, []).append(user_id)
    return {k: tuple(v) for k, v in found.items()}


def users_with_role(role: str, department_id: int | None = None) -> list[User]:
    stmt = select(User).where(User.role == role, User.is_active_flag.is_(True))
    if department_id is not None:
        stmt = stmt.where(User.department_id == department_id)
    return list(db.session.scalars(stmt))


def send_pending_email(limit: int = 200) -> int:
    """Send not-yet-emailed notifications to users with an e-mail address, through SMTP
    when configured (TRACKER_SMTP_HOST / PORT / FROM); returns the count."""
    host = current_app.config.get("SMTP_HOST")
    if not host:
        return 0
    rows = db.session.scalars(
        select(Notification)
        .join(User)
        .where(Notification.emailed_at.is_(None), User.email.is_not(None), User.email != "")
        .limit(limit)
    ).all()
    if not rows:
        return 0
    with smtplib.SMTP(host, int(current_app.config.get("SMTP_PORT", 25)), timeout=10) as smtp:
        for row in rows:
            mail = EmailMessage()
            mail["From"] = current_app.config.get("SMTP_FROM", "tracker@localhost")
            mail["To"] = row.user.email
            mail["Subject"] = "【预算绩效目标跟踪】" + row.message[:40]
            mail.set_content(row.message + ("\n\n" + row.link if row.link else ""))
            smtp.send_message(mail)
            row.emailed_at = utcnow()
    db.session.flush()
    return len(rows)


# ----------------------------------------------------------------------------- a user's inbox


def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def recent(user: User, limit: int = 200) -> list[Notification]:
    """The user's notifications, newest first."""
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
        )
    )


def mark_all_read(user: User) -> None:
    for row in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ):
        row.read_at = utcnow()
    db.session.flush()


def open_notification(user: User, notification_id: int) -> Notification | None:
    """The user's own notification, marked read; None for anyone else's (answered as 404)."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        return None
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.flush()
    return row
