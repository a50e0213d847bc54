"""Users, departments and budget years: the rules admin pages and the CLI share."""

from __future__ import annotations

import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from tracker.domain import DomainError
from tracker.extensions import db
from tracker.models import ROLE_ADMIN, ROLES, BudgetYear, Department, User
from tracker.services import current, login_security

MIN_PASSWORD = 8


class AccountError(DomainError):
    pass


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 位。")
    if password.isdigit() or password.isalpha():
        raise AccountError("密码需同时包含字母和数字。")


def new_session_token() -> str:
    return secrets.token_hex(16)


def create_user(*, username: str, password: str, role: str, department: Department, display_name: str = "") -> User:
    username = (username or "").strip()
    if not username:
        raise AccountError("用户名不能为空。")
    if role not in ROLES:
        raise AccountError(f"未知的角色“{role}”（可选：{'、'.join(ROLES)}）。")
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise AccountError(f"用户名“{username}”已存在。")
    check_password_strength(password)
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        role=role,
        department_id=department.id,
        session_token=new_session_token(),
        is_active_flag=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _active_admins() -> int:
    return db.session.execute(
        select(func.count(User.id)).where(User.role == ROLE_ADMIN, User.is_active_flag.is_(True))
    ).scalar_one()


class AccountConflict(AccountError):
    pass


def _bump_version(user: User, expected_version: int | None) -> None:
    """Optimistic check: the edit applies only to the version the admin saw (atomic in SQL)."""
    current = user.profile_version or 1
    if expected_version is not None:
        # Session.execute is typed as Result; a bulk UPDATE returns a CursorResult (with rowcount)
        result = cast(
            CursorResult[Any],
            db.session.execute(
                update(User)
                .where(User.id == user.id, User.profile_version == expected_version)
                .values(profile_version=expected_version + 1)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            raise AccountConflict(
                f"用户“{user.username}”已被其他管理员修改，您的修改未保存。页面已显示最新内容，请核对后重新保存。"
            )
        db.session.refresh(user, ["profile_version"])
    else:
        user.profile_version = current + 1


def update_user(
    user: User,
    *,
    role: str,
    department: Department,
    display_name: str,
    acting: User,
    email: str | None = None,
    expected_version: int | None = None,
) -> None:
    if role not in ROLES:
        raise AccountError(f"未知的角色“{role}”。")
    if user.role == ROLE_ADMIN and role != ROLE_ADMIN and user.is_active and _active_admins() <= 1:
        raise AccountError("这是最后一个启用的管理员账号，不能改为其他角色。")
    if user.id == acting.id and role != user.role:
        raise AccountError("不能修改自己的角色。")
    _bump_version(user, expected_version)
    if role != user.role or department.id != user.department_id:
        # what the user may see changes: open sessions end and they log in again
        login_security.end_all_sessions(user)
    user.role = role
    user.department_id = department.id
    user.display_name = display_name.strip() or user.username
    if email is not None:
        email = email.strip()
        if email and ("@" not in email or " " in email):
            raise AccountError(f"电子邮箱“{email}”格式不正确。")
        user.email = email or None
    db.session.flush()


def set_active(user: User, active: bool, *, acting: User) -> None:
    if not active:
        if user.id == acting.id:
            raise AccountError("不能停用自己的账号。")
        if user.role == ROLE_ADMIN and _active_admins() <= 1:
            raise AccountError("这是最后一个启用的管理员账号，不能停用。")
        user.session_token = new_session_token()
        login_security.end_all_sessions(user)  # ends the user's open sessions
    user.is_active_flag = active
    db.session.flush()


def reset_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.set_password(password)
    user.session_token = new_session_token()
    login_security.end_all_sessions(user)
    db.session.flush()


def save_department(dept: Department | None, *, name: str, code: str | None, is_finance_bureau: bool) -> Department:
    name = (name or "").strip()
    code = (code or "").strip() or None
    if not name:
        raise AccountError("部门名称不能为空。")
    clash = db.session.scalar(select(Department).where(Department.name == name))
    if clash is not None and clash is not dept:
        raise AccountError(f"部门名称“{name}”已存在。")
    if code:
        clash = db.session.scalar(select(Department).where(Department.code == code))
        if clash is not None and clash is not dept:
            raise AccountError(f"部门编码“{code}”已被“{clash.name}”使用。")
    if dept is None:
        dept = Department(name=name, code=code, is_finance_bureau=is_finance_bureau)
        db.session.add(dept)
    else:
        dept.name, dept.code, dept.is_finance_bureau = name, code, is_finance_bureau
    db.session.flush()
    return dept


def get_or_create_year(year: int) -> BudgetYear:
    if not 2000 <= year <= 2100:
        raise AccountError(f"预算年度“{year}”不在 2000–2100 之间。")
    found = db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))
    if found is None:
        found = BudgetYear(year=year, is_current=db.session.scalar(select(BudgetYear.id).limit(1)) is None)
        db.session.add(found)
        db.session.flush()
        current.forget_year()
    return found


def set_current_year(year: BudgetYear) -> None:
    for other in db.session.scalars(select(BudgetYear).where(BudgetYear.is_current.is_(True))):
        other.is_current = False
    year.is_current = True
    db.session.flush()
    current.forget_year()


def set_year_closed(year: BudgetYear, closed: bool, *, acting: User | None) -> None:
    """归档 a budget year (read-only everywhere) or open it again, with an audit entry."""
    from tracker.services import audit

    if year.is_closed == closed:
        return
    year.is_closed = closed
    db.session.flush()
    audit.record(
        acting,
        "year_closed" if closed else "year_reopened",
        "budget_year",
        year.id,
        f"{year.year} 年度{'归档（只读）' if closed else '重新开放'}",
        old="归档" if not closed else "开放",
        new="归档" if closed else "开放",
    )


def users_by_role() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def departments_for_admin() -> tuple[list[Department], dict[int, int], dict[int, int]]:
    """Every department (the bureau first) with its user and project counts."""
    from tracker.models import Project

    user_counts = dict(
        db.session.execute(select(User.department_id, func.count(User.id)).group_by(User.department_id)).all()
    )
    project_counts = dict(
        db.session.execute(select(Project.department_id, func.count(Project.id)).group_by(Project.department_id)).all()
    )
    return department_list(), user_counts, project_counts


def department_list() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.is_finance_bureau.desc(), Department.code)))


def years_for_admin() -> tuple[list[BudgetYear], dict[int, int]]:
    """Every budget year, newest first, with its project count."""
    from tracker.models import Project

    project_counts = dict(
        db.session.execute(select(Project.year_id, func.count(Project.id)).group_by(Project.year_id)).all()
    )
    return list(db.session.scalars(select(BudgetYear).order_by(BudgetYear.year.desc()))), project_counts


def finance_bureau() -> Department:
    dept = db.session.scalar(select(Department).where(Department.is_finance_bureau.is_(True)).limit(1))
    if dept is None:
        dept = Department(name="县财政局", code=None, is_finance_bureau=True)
        db.session.add(dept)
        db.session.flush()
    return dept
