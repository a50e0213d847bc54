"""Departments, budget years and users (DOMAIN.md §1)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.domain.vocab import GLOBAL_ROLES, ROLE_LABELS, Role, sql_in
from tracker.extensions import db
from tracker.models.base import TimestampMixin, UTCDateTime

# Roles are defined once, in tracker.domain.vocab; these names are kept as aliases.
ROLES = ROLE_OWNER, ROLE_REVIEWER, ROLE_FINANCE, ROLE_ADMIN = tuple(Role)


class Department(TimestampMixin, db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The finance bureau itself (finance and admin users usually belong here).
    is_finance_bureau: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    users: Mapped[list[User]] = relationship(back_populates="department")

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"


class BudgetYear(TimestampMixin, db.Model):
    __tablename__ = "budget_years"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # open: data may be entered; closed: the year is archived read-only.
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    def __repr__(self) -> str:
        return f"<BudgetYear {self.year}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(sql_in("role", Role), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Optional: notifications are also e-mailed when SMTP is configured.
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    is_active_flag: Mapped[bool] = mapped_column("is_active", Boolean, default=True, nullable=False)
    # Changing it logs the user out everywhere (password reset, disabling).
    session_token: Mapped[str] = mapped_column(String(64))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moves on with every admin edit of the account (not with logins): two admins editing the
    # same user cannot overwrite each other silently.
    profile_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", nullable=False)

    department: Mapped[Department] = relationship(back_populates="users", lazy="joined")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.is_active_flag)

    # The token of the login session this object was loaded for (set at login and by the
    # user loader); the session and remember-me cookies carry it, so logout can end them.
    login_token: str = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.login_token}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def sees_all_departments(self) -> bool:
        return self.role in GLOBAL_ROLES

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
