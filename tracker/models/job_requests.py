"""A job asked for from a page (运行双监控, 生成自评表), run by the scheduler process.

The web request only writes this row; the scheduler's poll picks it up, runs the job through
the exactly-once runner (services/jobs.run_once) and writes the outcome back here, so the
page can show progress and the result without ever running a county-wide job itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import UTCDateTime, utcnow
from tracker.models.org import User

REQUEST_STATES = ("queued", "running", "done", "failed")


class JobRequest(db.Model):
    __tablename__ = "job_requests"
    __table_args__ = (CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by the worker while it runs (PostgreSQL; SQLite has one writer, so only at the end).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str] = mapped_column(String(128), default="")  # host:pid of the scheduler that took it
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    run_status: Mapped[str] = mapped_column(String(16), default="")  # the JobRun's: succeeded / skipped / failed
    counts: Mapped[str] = mapped_column(Text, default="{}")
    message: Mapped[str] = mapped_column(Text, default="")
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id"))

    requested_by: Mapped[User | None] = relationship()
