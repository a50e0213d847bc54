"""双监控 snapshots and forms, scheduled job runs, and in-app notifications."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.vocab import Light, sql_in
from tracker.extensions import db
from tracker.models.base import Money, Quantity, UTCDateTime, utcnow
from tracker.models.org import User
from tracker.models.projects import Indicator, Project

LIGHT_CHECK = sql_in("", Light).strip()  # "IN ('red', 'yellow', 'green', 'blue', 'grey')"


class JobRun(db.Model):
    """Every attempt of a scheduled job (for the admin page): status, duration, counts, error."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32), index=True)
    period_key: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(16))  # schedule / manual / cli
    status: Mapped[str] = mapped_column(String(16))  # succeeded / skipped / failed
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str] = mapped_column(Text, default="")
    triggered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class JobCompletion(db.Model):
    """A job done for a period. Written in the same transaction as the job's work, so a run
    either happened completely (and once) or not at all: a second run, a rerun after a
    crash, or a concurrent scheduler process finds it, or is stopped by the unique key."""

    __tablename__ = "job_completions"
    __table_args__ = (UniqueConstraint("job", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MonitoringSnapshot(db.Model):
    """项目支出绩效目标执行监控表 of one project for one as-of date: the figures are frozen
    at the run; the owner's explanations and finance's disposition are filled in later."""

    __tablename__ = "monitoring_snapshots"
    __table_args__ = (
        UniqueConstraint("project_id", "period_key"),
        CheckConstraint(f"budget_light {LIGHT_CHECK}", name="budget_light_known"),
        CheckConstraint(f"project_light {LIGHT_CHECK}", name="project_light_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(16), index=True)  # the as-of date, 2023-06-30
    as_of: Mapped[date] = mapped_column(Date)
    time_progress: Mapped[Decimal] = mapped_column(Numeric(10, 6))
    initial_budget: Mapped[Decimal | None] = mapped_column(Money)
    adjusted_budget: Mapped[Decimal | None] = mapped_column(Money)
    spent: Mapped[Decimal] = mapped_column(Money)
    execution_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    forecast_spent: Mapped[Decimal | None] = mapped_column(Money)
    budget_light: Mapped[str] = mapped_column(String(8))
    project_light: Mapped[str] = mapped_column(String(8))
    # Filled by the owner
    annual_goal: Mapped[str] = mapped_column(Text, default="")
    expected_completion: Mapped[str] = mapped_column(Text, default="")
    budget_explanation: Mapped[str] = mapped_column(Text, default="")
    # Finance bureau disposition
    needs_rectification: Mapped[bool] = mapped_column(Boolean, default=False)
    rectification_requirements: Mapped[str] = mapped_column(Text, default="")
    rectification_result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    rows: Mapped[list[MonitoringRow]] = relationship(
        back_populates="snapshot", order_by="MonitoringRow.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def budget(self) -> Decimal | None:
        return self.adjusted_budget if self.adjusted_budget is not None else self.initial_budget


class MonitoringRow(db.Model):
    """One 三级指标 of a monitoring form: the target and value as they stood at the run."""

    __tablename__ = "monitoring_rows"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "indicator_id"),
        CheckConstraint(f"light {LIGHT_CHECK}", name="light_known"),
        CheckConstraint(
            "likelihood IS NULL OR likelihood IN ('确定能', '有可能', '完全不可能')", name="likelihood_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("monitoring_snapshots.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    level1: Mapped[str] = mapped_column(String(32))
    level2: Mapped[str] = mapped_column(String(64))
    level3: Mapped[str] = mapped_column(String(500))
    target_raw: Mapped[str] = mapped_column(Text)
    target_unit: Mapped[str] = mapped_column(String(32), default="")
    accumulation: Mapped[str] = mapped_column(String(16))
    current_value: Mapped[Decimal | None] = mapped_column(Quantity)
    current_text: Mapped[str] = mapped_column(Text, default="")  # tier, completion date…
    light: Mapped[str] = mapped_column(String(8))
    forecast: Mapped[Decimal | None] = mapped_column(Quantity)
    # Filled by the owner
    forecast_override: Mapped[Decimal | None] = mapped_column(Quantity)
    forecast_text: Mapped[str] = mapped_column(Text, default="")  # 全年预计完成值 for non-numeric rows
    forecast_reason: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # 偏差原因 categories
    analysis: Mapped[str] = mapped_column(Text, default="")
    likelihood: Mapped[str | None] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(Text, default="")

    snapshot: Mapped[MonitoringSnapshot] = relationship(back_populates="rows")
    indicator: Mapped[Indicator] = relationship()


class Notification(db.Model):
    """An in-app message; the dedupe key makes a job that runs twice notify once."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(255), default="")
    dedupe_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
