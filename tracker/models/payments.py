"""Spending imported from the treasury payment system (国库集中支付 / 预算管理一体化)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Money, UTCDateTime, utcnow
from tracker.models.org import User
from tracker.models.projects import Project


class ProjectPaymentCode(db.Model):
    """A payment-system 项目编码 known to belong to a project.

    The published 绩效目标表 carries no project code; a code is learned the first time a
    payment row with that code is matched by the project's name, and matches by code after."""

    __tablename__ = "project_payment_codes"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()


class PaymentImport(db.Model):
    """One confirmed payment file: what it held and what it added (for the history list)."""

    __tablename__ = "payment_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    row_count: Mapped[int] = mapped_column(Integer)
    added_count: Mapped[int] = mapped_column(Integer)
    duplicate_count: Mapped[int] = mapped_column(Integer)
    unmatched_count: Mapped[int] = mapped_column(Integer)
    # Total of the rows added, in 万元.
    added_amount: Mapped[Decimal] = mapped_column(Money)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The importer's department when scoped (reviewer); None for finance (every department).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User] = relationship()
