"""The scheduler process: `flask --app tracker scheduler run`. Never inside web workers.

One daily trigger runs every job that is due (each job knows its own calendar and is
safe to run twice, see services/jobs.py), and runs once at start to catch up. An interval
trigger (every JOB_POLL_SECONDS) runs the jobs asked for from pages (tracker/job_queue.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

log = logging.getLogger("tracker.scheduler")

DAILY_HOUR = 6


def local_today(app: Flask):
    return datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()


def daily(app: Flask) -> None:
    from tracker.edge import run_daily, transaction
    from tracker.services import notify

    with app.app_context():
        for run in run_daily(local_today(app)):
            log.info("job %s %s: %s %s", run.job, run.period_key, run.status, run.counts)
        with transaction():
            notify.send_pending_email()


def job_requests_tick(app: Flask) -> None:
    """Jobs asked for from a page (运行双监控, 生成自评表): run them here, not in the web worker."""
    from tracker import job_queue

    with app.app_context():
        try:
            job_queue.tick()
        finally:
            from tracker.extensions import db

            db.session.remove()


def build(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=ZoneInfo(app.config["TIMEZONE"]))
    scheduler.add_job(
        daily,
        CronTrigger(hour=DAILY_HOUR, minute=0, timezone=ZoneInfo(app.config["TIMEZONE"])),
        args=[app],
        id="daily",
        name="每日作业（提醒、双监控、时限检查、提交期限）",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=6 * 3600,
        next_run_time=datetime.now(ZoneInfo(app.config["TIMEZONE"])),
    )
    scheduler.add_job(
        job_requests_tick,
        IntervalTrigger(seconds=app.config["JOB_POLL_SECONDS"]),
        args=[app],
        id="job_requests",
        name="页面提交的作业（运行双监控、生成自评表）",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(ZoneInfo(app.config["TIMEZONE"])),
    )
    return scheduler
