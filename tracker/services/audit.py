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
