"""Jobs asked for from a page, run by the scheduler process (never inside a web request).

- ``enqueue`` (web request): writes a queued JobRequest and returns at once (flush only).
- ``tracker.job_queue.tick`` (scheduler process, every few seconds): claims queued requests one at
  a time with a compare-and-set UPDATE (…WHERE state = 'queued'; only one process's UPDATE
  matches), runs each through the exactly-once runner (tracker.edge.run_job), and writes the
  outcome back.

Two requests for the same (job, period) — two clicks, two app servers, two scheduler processes —
still give one run: the second request ends "已运行过" because edge.run_job finds the completion.
A scheduler killed half-way leaves its request "running"; the job's own transaction rolled back,
so the next tick puts the request back in the queue once its worker is gone (same host, dead pid)
or its heartbeat is older than job_queue.STALE_AFTER.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.domain import DomainError
from tracker.domain import monitoring as rules
from tracker.extensions import db
from tracker.models import JobRequest, User

REQUESTABLE = {
    "monitoring": "双监控",
    "evaluation_open": "生成自评表",
}
ACTIVE = ("queued", "running")
STATE_LABELS = {"queued": "排队中", "running": "运行中", "done": "已完成", "failed": "失败"}


def period_label(job: str, period_key: str) -> str:
    if job == "monitoring":
        from tracker.services.monitoring import period_label as label

        return label(date.fromisoformat(period_key))
    return f"{period_key}年度"


def already_done(job: str, period_key: str) -> bool:
    from tracker.services import jobs

    return jobs.already_done(job, period_key)


def enqueue(job: str, period_key: str, user: User | None) -> tuple[JobRequest, bool]:
    """The request for (job, period): an active one if there is one, else a new queued one.

    Returns (request, created). Flushes only; the caller commits.
    """
    if job not in REQUESTABLE:
        raise DomainError(f"作业“{job}”不能从页面启动。")
    active = db.session.scalar(
        select(JobRequest)
        .where(JobRequest.job == job, JobRequest.period_key == period_key, JobRequest.state.in_(ACTIVE))
        .order_by(JobRequest.id)
        .limit(1)
    )
    if active is not None:
        return active, False
    request = JobRequest(
        job=job,
        period_key=period_key,
        state="queued",
        requested_by_id=user.id if user else None,
        worker="",
        progress_done=0,
        run_status="",
        counts="{}",
        message="",
    )
    db.session.add(request)
    db.session.flush()
    return request, True


def describe_result(job: str, period_key: str, status: str, counts: dict) -> str:
    label = period_label(job, period_key)
    if status == "skipped":
        return f"{label}{REQUESTABLE[job]}已运行过，未重复生成。"
    if job == "monitoring":
        lights = "、".join(f"{rules.LIGHT_LABELS[k]}灯 {n}" for k, n in counts.get("lights", {}).items() if n)
        return (
            f"{label}双监控已完成：{counts.get('projects', 0)} 个项目、{counts.get('indicators', 0)} 条指标"
            f"（{lights or '无项目'}），用时 {counts.get('seconds', 0)} 秒。"
        )
    return (
        f"{label}自评表已生成：新生成 {counts.get('opened', 0)} 张，已有 {counts.get('existing', 0)} 张，"
        f"用时 {counts.get('seconds', 0)} 秒。"
    )


def as_dict(req: JobRequest) -> dict:
    total = req.progress_total
    return {
        "id": req.id,
        "job": req.job,
        "period_key": req.period_key,
        "state": req.state,
        "state_label": STATE_LABELS[req.state],
        "finished": req.state in ("done", "failed"),
        "progress_done": req.progress_done,
        "progress_total": total,
        "percent": (100 if req.state == "done" else round(req.progress_done * 100 / total)) if total else None,
        "run_status": req.run_status,
        "message": req.message,
    }
