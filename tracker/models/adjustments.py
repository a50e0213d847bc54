"""绩效目标调整 and 年中追加 (issue 12 §3): proposals that go through review, and the
history of every indicator's target (which target was in force on which date)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.targets import Target
from tracker.extensions import db
from tracker.models.base import Money, Quantity, UTCDateTime, utcnow
from tracker.models.org import User
from tracker.models.projects import Indicator, Project

ADJ_TARGET = "target"  # change an indicator's 指标值
ADJ_INDICATOR = "indicator"  # add an indicator to a project
ADJ_PROJECT = "project"  # 年中追加: a new project of the department
ADJ_KINDS = (ADJ_TARGET, ADJ_INDICATOR, ADJ_PROJECT)
ADJ_KIND_LABELS = {ADJ_TARGET: "调整指标值", ADJ_INDICATOR: "新增指标", ADJ_PROJECT: "年中追加项目"}


class TargetAdjustment(db.Model):
    """One proposal. Its review is a Submission of kind 'adjustment' (period_key 'adj<id>')
    on ``project_id``; on final approval the change is applied from ``effective_from``."""

    __tablename__ = "target_adjustments"
    __table_args__ = (CheckConstraint("kind IN ('target', 'indicator', 'project')", name="adjustment_kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The project the proposal belongs to (for 年中追加: the project created on approval;
    # until then a project of the same department and year carries the review).
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    new_target_raw: Mapped[str] = mapped_column(Text, default="")
    level1: Mapped[str] = mapped_column(String(32), default="")
    level2: Mapped[str] = mapped_column(String(64), default="")
    level3: Mapped[str] = mapped_column(String(500), default="")
    project_name: Mapped[str] = mapped_column(String(300), default="")
    project_goal: Mapped[str] = mapped_column(Text, default="")
    project_budget: Mapped[Decimal | None] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date] = mapped_column(Date)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0", nullable=False)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What approval created (年中追加 / 新增指标).
    created_project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    created_indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))

    project: Mapped[Project] = relationship(foreign_keys=[project_id])
    indicator: Mapped[Indicator | None] = relationship(foreign_keys=[indicator_id])
    proposed_by: Mapped[User] = relationship()

    @property
    def period_key(self) -> str:
        return f"adj{self.id}"

    @property
    def kind_label(self) -> str:
        return ADJ_KIND_LABELS.get(self.kind, self.kind)


class TargetVersion(db.Model):
    """A target of an indicator and the day it took effect. The first version is the one the
    document published (effective from 1 January); each approved adjustment adds one."""

    __tablename__ = "target_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    target_raw: Mapped[str] = mapped_column(Text, default="")
    target_kind: Mapped[str] = mapped_column(String(16))
    target_op: Mapped[str | None] = mapped_column(String(2))
    target_value: Mapped[Decimal | None] = mapped_column(Quantity)
    target_unit: Mapped[str] = mapped_column(String(32), default="")
    target_implicit_op: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_year: Mapped[int | None] = mapped_column(Integer)
    deadline_month: Mapped[int | None] = mapped_column(Integer)
    deadline_day: Mapped[int | None] = mapped_column(Integer)
    deadline_monthly_day: Mapped[int | None] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("target_adjustments.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    approved_by: Mapped[User | None] = relationship()

    @property
    def target(self) -> Target:
        return Target(
            raw=self.target_raw,
            kind=self.target_kind,
            op=self.target_op,
            value=self.target_value,
            unit=self.target_unit or "",
            year=self.deadline_year,
            month=self.deadline_month,
            day=self.deadline_day,
            monthly_day=self.deadline_monthly_day,
            implicit_op=self.target_implicit_op,
        )

    def set_target(self, target: Target) -> None:
        self.target_raw = target.raw
        self.target_kind = target.kind
        self.target_op = target.op
        self.target_value = target.value
        self.target_unit = target.unit or ""
        self.target_implicit_op = target.implicit_op
        self.deadline_year = target.year
        self.deadline_month = target.month
        self.deadline_day = target.day
        self.deadline_monthly_day = target.monthly_day
