"""The scheduler process: `flask --app tracker scheduler run`. Never inside web workers.

One daily trigger runs every job that is due (each job knows its own calendar and is
safe to run twice, see services/jobs.py), and runs once at start to catch up.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
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
    return scheduler
