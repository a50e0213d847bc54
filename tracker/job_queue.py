"""The worker side of the job requests (services/job_requests.py): the scheduler process's
poll claims queued requests, runs each through the exactly-once runner and records the outcome.

Like tracker.edge, this module owns its transactions (a claim commits at once, so a second
process sees it; the job is its own unit via edge.run_job; the outcome commits after).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from tracker.domain import DomainError
from tracker.extensions import db
from tracker.models import JobRequest, User
from tracker.models.base import utcnow
from tracker.services.job_requests import REQUESTABLE, describe_result, period_label

log = logging.getLogger("tracker.job_requests")

STALE_AFTER = timedelta(hours=2)
PROGRESS_EVERY = 1.0  # seconds between progress writes


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ----------------------------------------------------------------------------- the worker side


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_stale() -> int:
    """Requests left "running" by a worker that is gone go back to the queue (committed)."""
    from tracker.edge import transaction

    now = utcnow()
    host = socket.gethostname()
    n = 0
    with transaction():
        n = _requeue(now, host)
    return n


def _requeue(now, host) -> int:
    n = 0
    for req in db.session.scalars(select(JobRequest).where(JobRequest.state == "running")):
        where, _, pid = req.worker.rpartition(":")
        dead_here = where == host and pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid))
        beat = req.heartbeat_at or req.started_at or req.requested_at
        if dead_here or now - beat > STALE_AFTER:
            changed = db.session.execute(
                update(JobRequest)
                .where(JobRequest.id == req.id, JobRequest.state == "running", JobRequest.worker == req.worker)
                .values(state="queued", worker="", message="上次运行的进程已中断，已重新排队。")
            ).rowcount
            n += changed
    return n


def claim_next(worker: str) -> int | None:
    """Take the oldest queued request: only one process's UPDATE … WHERE state='queued' matches."""
    from tracker.edge import transaction

    while True:
        with transaction():
            candidate = db.session.scalar(
                select(JobRequest.id).where(JobRequest.state == "queued").order_by(JobRequest.id).limit(1)
            )
            if candidate is None:
                return None
            now = utcnow()
            taken = db.session.execute(
                update(JobRequest)
                .where(JobRequest.id == candidate, JobRequest.state == "queued")
                .values(state="running", worker=worker, started_at=now, heartbeat_at=now, message="")
            ).rowcount
        if taken == 1:
            return candidate
        # Another process took it between our SELECT and UPDATE: look again.


class _Progress:
    """Writes n/m to the request from a connection of its own (the job's transaction is still
    open). SQLite allows one writer, which the job is, so there it writes nothing until the end."""

    def __init__(self, request_id: int):
        self.request_id = request_id
        self.enabled = db.engine.dialect.name != "sqlite"
        self.last = 0.0

    def __call__(self, done: int, total: int, *_args) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < PROGRESS_EVERY and done != total):
            return
        self.last = now
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    update(JobRequest)
                    .where(JobRequest.id == self.request_id)
                    .values(progress_done=done, progress_total=total, heartbeat_at=utcnow())
                )
        except SQLAlchemyError:  # progress is a courtesy; the job goes on
            log.warning("progress of job request %s not written", self.request_id, exc_info=True)


def run_request(request_id: int) -> JobRequest:
    """Run one claimed request through the exactly-once runner and record the outcome."""
    from tracker.edge import run_job, transaction
    from tracker.services import jobs

    req = db.session.get(JobRequest, request_id)
    job, period_key = req.job, req.period_key
    user = db.session.get(User, req.requested_by_id) if req.requested_by_id else None
    db.session.rollback()  # run_job starts its own transaction
    progress = _Progress(request_id)
    run = None
    error = ""
    try:
        if job == "monitoring":
            plan = jobs.monitoring_job(date.fromisoformat(period_key), progress_cb=progress)
        else:
            plan = jobs.evaluation_job(int(period_key), user=user)
        run = run_job(plan, trigger="manual", user=user)  # exactly once; records its JobRun
    except DomainError as exc:
        db.session.rollback()
        error = str(exc)
    except Exception as exc:  # run_job recorded a failed JobRun; the page gets the message too
        db.session.rollback()
        log.exception("job request %s failed", request_id)
        error = f"{type(exc).__name__}: {exc}"
    with transaction():
        req = db.session.get(JobRequest, request_id)
        req.finished_at = utcnow()
        req.heartbeat_at = req.finished_at
        if run is not None:
            req.job_run_id = run.id
            req.run_status = run.status
            req.counts = run.counts or "{}"
            if run.status == "failed":
                error = run.error or "运行失败"
        if error:
            req.state = "failed"
            req.run_status = req.run_status or "failed"
            req.message = f"{period_label(job, period_key)}{REQUESTABLE[job]}未能运行：{error}"[:4000]
        else:
            req.state = "done"
            counts = json.loads(req.counts or "{}")
            if req.progress_total is None and "projects" in counts:
                req.progress_total = counts.get("projects", 0)
            req.progress_done = req.progress_total or req.progress_done
            req.message = describe_result(job, period_key, run.status, counts)
    return req


def tick(worker: str | None = None, *, limit: int = 20) -> list[int]:
    """One poll of the scheduler: requeue orphans, then run queued requests one by one."""
    worker = worker or worker_name()
    requeue_stale()
    done = []
    while len(done) < limit:
        request_id = claim_next(worker)
        if request_id is None:
            break
        log.info("job request %s taken by %s", request_id, worker)
        req = run_request(request_id)
        log.info("job request %s: %s %s", request_id, req.state, req.message)
        done.append(request_id)
    return done
