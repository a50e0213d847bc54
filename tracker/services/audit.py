"""The append-only audit log: every change, with who, when and old → new."""

from __future__ import annotations

import json
from decimal import Decimal

from tracker.extensions import db
from tracker.models import AuditLog, Project, User


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=lambda v: format(v, "f") if isinstance(v, Decimal) else str(v))


def record(
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    *,
    project: Project | None = None,
    department_id: int | None = None,
    old=None,
    new=None,
) -> AuditLog:
    row = AuditLog(
        actor_id=actor.id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        project_id=project.id if project else None,
        department_id=project.department_id if project else department_id,
        summary=summary,
        old_value=_text(old),
        new_value=_text(new),
    )
    db.session.add(row)
    return row


def page(*, project_id: int | None, actor_id: int | None, page: int, per_page: int) -> tuple[list[AuditLog], bool]:
    """One page of the log, newest first, optionally for one project or one user; and whether
    a next page exists."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    stmt = select(AuditLog).options(selectinload(AuditLog.actor), selectinload(AuditLog.project))
    if project_id:
        stmt = stmt.where(AuditLog.project_id == project_id)
    if actor_id:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    rows = db.session.scalars(stmt.order_by(AuditLog.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)).all()
    return list(rows[:per_page]), len(rows) > per_page


def filter_choices() -> tuple[list[User], list[Project]]:
    """Every user and project, for the log's filters."""
    from sqlalchemy import select

    users = list(db.session.scalars(select(User).order_by(User.username)))
    projects = list(db.session.scalars(select(Project).order_by(Project.year_id.desc(), Project.position)))
    return users, projects
