"""Who may see what. Every listing, page, export and API goes through these helpers."""

from __future__ import annotations

from sqlalchemy import Select, select

from tracker.domain.vocab import Role
from tracker.extensions import db
from tracker.models import Department, Project, User


class NotVisible(LookupError):
    """The object does not exist or the user may not see it (answered as 404)."""


def visible_department_ids(user: User) -> list[int] | None:
    """None means every department."""
    if user.sees_all_departments:
        return None
    return [user.department_id]


def scope_projects(stmt: Select, user: User) -> Select:
    ids = visible_department_ids(user)
    if ids is None:
        return stmt
    return stmt.where(Project.department_id.in_(ids))


def scope_departments(stmt: Select, user: User) -> Select:
    ids = visible_department_ids(user)
    if ids is None:
        return stmt
    return stmt.where(Department.id.in_(ids))


def get_project(user: User, project_id: int) -> Project:
    project = db.session.scalar(scope_projects(select(Project).where(Project.id == project_id), user))
    if project is None:
        raise NotVisible(project_id)
    return project


def can_edit_project(user: User, project: Project) -> bool:
    """Owners and reviewers edit their own department's projects only."""
    return user.role in (Role.OWNER, Role.REVIEWER) and user.department_id == project.department_id
