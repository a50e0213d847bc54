"""What owners record during the year, the review of it, and the audit trail.

Entries are append-only: a correction is a new row that supersedes the old one
(``supersedes_id`` is unique, so two people cannot both supersede the same entry).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.vocab import State, SubmissionKind, Tier, sql_in
from tracker.extensions import db
from tracker.models.base import Money, Quantity, UTCDateTime, utcnow
from tracker.models.org import User
from tracker.models.projects import Indicator, Project

TIERS = tuple(Tier)


class ProgressEntry(db.Model):
    """One 实际完成值 of an indicator as of a date."""

    __tablename__ = "progress_entries"
    __table_args__ = (
        CheckConstraint(sql_in("tier", Tier, nullable=True), name="tier_known"),
        CheckConstraint("for_month IS NULL OR (for_month BETWEEN 1 AND 12)", name="for_month_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    period_key: Mapped[str] = mapped_column(String(8), index=True)
    # In the target's unit; what the user typed is kept beside it.
    value: Mapped[Decimal | None] = mapped_column(Quantity)
    input_value: Mapped[Decimal | None] = mapped_column(Quantity)
    input_unit: Mapped[str] = mapped_column(String(32), default="")
    tier: Mapped[str | None] = mapped_column(String(8))
    completed_on: Mapped[date | None] = mapped_column(Date)
    for_month: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    # One per rendered form: a form posted twice (double click, browser retry) saves once.
    client_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    # A correction points at what it replaces; a voiding correction withdraws it.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entries.id"), unique=True)
    is_void: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicator: Mapped[Indicator] = relationship()
    created_by: Mapped[User] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        primaryjoin="Evidence.progress_entry_id == ProgressEntry.id", viewonly=True
    )


class Spending(db.Model):
    """Spending (支出) on a project (预算执行), in 万元 with what was typed kept beside it.

    The domain word is spending; the table keeps its name ``expenditures``.
    """

    __tablename__ = "expenditures"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    spent_on: Mapped[date] = mapped_column(Date)
    period_key: Mapped[str] = mapped_column(String(8), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    input_amount: Mapped[Decimal] = mapped_column(Money)
    input_unit: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    client_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("expenditures.id"), unique=True)
    is_void: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(primaryjoin="Evidence.expenditure_id == Spending.id", viewonly=True)


# The former name, kept so that code written against it keeps working.
Expenditure = Spending


class Evidence(db.Model):
    """A 佐证材料 file, stored outside the web root under a random name."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("(progress_entry_id IS NOT NULL) <> (expenditure_id IS NOT NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entries.id"), index=True)
    expenditure_id: Mapped[int | None] = mapped_column(ForeignKey("expenditures.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Submission(db.Model):
    """A form that goes through review (DOMAIN.md §6): one per project, kind and period."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "period_key"),
        CheckConstraint(sql_in("kind", SubmissionKind), name="kind_known"),
        CheckConstraint(sql_in("state", State), name="state_known"),
        # 我的待办 and its badge (on every page) count forms by state within the projects of a
        # year: with the project in the index the count reads only the index, not the rows.
        Index("ix_submissions_state_project_id", "state", "project_id"),
        # The finance bureau's badge counts the county's forms awaiting it in the current year:
        # the project's year kept on the form, so that count reads the index alone (no join
        # to the year's thousands of projects on every page).
        Index("ix_submissions_year_id_state", "year_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    # Always the project's year (projects never change year); set by every writer.
    year_id: Mapped[int] = mapped_column(ForeignKey("budget_years.id"))
    kind: Mapped[str] = mapped_column(String(16))
    period_key: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=State.DRAFT)
    last_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    events: Mapped[list[WorkflowEvent]] = relationship(
        back_populates="submission", order_by="WorkflowEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


@event.listens_for(Submission, "before_insert")
def _year_of_project(mapper, connection, target: Submission) -> None:
    """A form made through the ORM without its year takes its project's, in the INSERT itself."""
    if target.year_id is None:
        target.year_id = select(Project.year_id).where(Project.id == target.project_id).scalar_subquery()


class WorkflowEvent(db.Model):
    __tablename__ = "workflow_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()


class AuditLog(db.Model):
    """Append-only: who changed what, when, from what to what."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
    project: Mapped[Project | None] = relationship()


class AppSetting(db.Model):
    """Deployment settings an admin can change (reporting frequency, thresholds…), as JSON."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
