"""The monitoring job runs exactly once per period (DOMAIN.md §7): run twice, killed in the
middle, or started by two processes at once, it never duplicates anything.

The cross-process tests start tests/services/job_worker.py against the same database the
test session uses (SQLite file by default, PostgreSQL with TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.edge import run_job
from tracker.extensions import db as _db
from tracker.models import (
    Department,
    JobCompletion,
    JobRun,
    MonitoringRow,
    MonitoringSnapshot,
    Notification,
    Submission,
    User,
)
from tracker.services import jobs

AS_OF = date(2023, 6, 30)
PROJECTS = 18
INDICATORS = 184
WORKER = Path(__file__).with_name("job_worker.py")
ROOT = WORKER.parents[2]


@pytest.fixture
def people(seeded, db):
    """One owner in every department of the seed and one finance user, so the job has someone
    to notify: one monitoring_open per department's owner (the seed has one department)
    + 1 monitoring_run to finance."""
    finance = Department(name="财政局（测试）", is_finance_bureau=True)
    db.session.add(finance)
    departments = db.session.scalars(select(Department).where(Department.is_finance_bureau.is_(False))).all()
    for dept in [*departments, finance]:
        db.session.add(
            User(
                username=f"u{dept.id}_{'finance' if dept is finance else 'owner'}",
                display_name="测试",
                role="finance" if dept is finance else "owner",
                department=dept,
                password_hash="!",  # no login in these tests; skips the slow hash
                session_token=os.urandom(8).hex(),
            )
        )
    db.session.commit()
    return len(departments) + 1


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def totals() -> dict:
    return {
        "snapshots": count(MonitoringSnapshot, MonitoringSnapshot.period_key == AS_OF.isoformat()),
        "rows": count(MonitoringRow),
        "submissions": count(Submission, Submission.kind == "monitoring"),
        "completions": count(JobCompletion, JobCompletion.job == "monitoring"),
        "notifications": count(Notification),
    }


def statuses() -> list[str]:
    return sorted(_db.session.scalars(select(JobRun.status).where(JobRun.job == "monitoring")))


def run_counts(run: JobRun) -> dict:
    return json.loads(run.counts)


def release_session(db) -> None:
    """The workers need the database to themselves: no open transaction, no lock held here."""
    db.session.commit()
    db.session.close()


def start_worker(app, tmp_path: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(WORKER),
            "--db",
            app.config["SQLALCHEMY_DATABASE_URI"],
            "--uploads",
            str(tmp_path / "uploads"),
            "--as-of",
            AS_OF.isoformat(),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, procs: list[subprocess.Popen], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        for proc in procs:
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"worker exited early ({proc.returncode}) before {path.name}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            for proc in procs:
                proc.kill()
            pytest.fail(f"timed out waiting for {path.name}")
        time.sleep(0.01)


def test_second_run_is_skipped_and_duplicates_nothing(app, db, people):
    first = run_job(jobs.monitoring_job(AS_OF))
    assert first.status == "succeeded"
    counts = run_counts(first)
    assert (counts["projects"], counts["indicators"], counts["skipped"]) == (PROJECTS, INDICATORS, 0)
    after_first = totals()
    assert after_first == {
        "snapshots": PROJECTS,
        "rows": INDICATORS,
        "submissions": PROJECTS,
        "completions": 1,
        "notifications": people,
    }

    second = run_job(jobs.monitoring_job(AS_OF))
    assert second.status == "skipped"
    assert run_counts(second)["reason"] == "该期间已运行过"
    assert totals() == after_first
    assert statuses() == ["skipped", "succeeded"]

    result = app.test_cli_runner().invoke(args=["monitor", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output
    assert totals() == after_first
    assert statuses() == ["skipped", "skipped", "succeeded"]
    assert db.session.scalar(select(JobRun.trigger).order_by(JobRun.id.desc()).limit(1)) == "cli"


def test_run_killed_half_way_leaves_nothing_and_rerun_does_it_all(app, db, people, tmp_path):
    release_session(db)
    marker = tmp_path / "half-way"
    # Batches of 5 projects: after the 5th project the transaction holds exactly one batch.
    worker = start_worker(app, tmp_path, "--marker", str(marker), "--marker-after", "5", "--hang", "60", "--batch", "5")
    try:
        wait_for(marker, [worker])
        # Inside its own transaction the worker had claimed the period and written 5 snapshots.
        inside = json.loads(marker.read_text())
        assert inside == {"index": 5, "total": PROJECTS, "claimed": 1, "snapshots": 5}
    finally:
        worker.send_signal(signal.SIGKILL)  # no cleanup, no rollback from the client side
        worker.communicate(timeout=10)
    assert worker.returncode == -signal.SIGKILL

    # Nothing of the half-done run was committed, and no run was recorded.
    assert totals() == {"snapshots": 0, "rows": 0, "submissions": 0, "completions": 0, "notifications": 0}
    assert statuses() == []
    db.session.close()

    # The rerun does the whole job (SQLite: the dead process's lock is gone and its journal
    # rolled back; PostgreSQL: its backend ended with the connection and rolled back).
    rerun = run_job(jobs.monitoring_job(AS_OF), trigger="cli")
    assert rerun.status == "succeeded"
    assert (run_counts(rerun)["projects"], run_counts(rerun)["indicators"]) == (PROJECTS, INDICATORS)
    assert totals() == {
        "snapshots": PROJECTS,
        "rows": INDICATORS,
        "submissions": PROJECTS,
        "completions": 1,
        "notifications": people,
    }
    assert statuses() == ["succeeded"]


def test_two_processes_started_at_once_run_it_once(app, db, people, tmp_path):
    release_session(db)
    go = tmp_path / "go"
    # 18 projects x 0.1 s keeps one run near 2 s: long enough to overlap, well inside the
    # 5 s SQLite busy timeout the loser waits on for the write lock.
    workers = [
        start_worker(app, tmp_path, "--ready", str(tmp_path / f"ready{n}"), "--go", str(go), "--sleep", "0.1")
        for n in (1, 2)
    ]
    try:
        for n in (1, 2):
            wait_for(tmp_path / f"ready{n}", workers)
        go.touch()
        outputs = [w.communicate(timeout=30) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.communicate()
    for w, (out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, f"{out}\n{err}"
    printed = sorted(out.strip().splitlines()[-1].split()[0] for out, _ in outputs)
    assert printed == ["status=skipped", "status=succeeded"], outputs

    assert statuses() == ["skipped", "succeeded"]
    assert totals() == {
        "snapshots": PROJECTS,
        "rows": INDICATORS,
        "submissions": PROJECTS,
        "completions": 1,
        "notifications": people,
    }
    runs = {r.status: r for r in db.session.scalars(select(JobRun).where(JobRun.job == "monitoring"))}
    winner, loser = runs["succeeded"], runs["skipped"]
    assert (run_counts(winner)["projects"], run_counts(winner)["indicators"]) == (PROJECTS, INDICATORS)
    # They really ran at the same time: the loser started before the winner committed, so it
    # was stopped by the claim (unique key or lock), not by finding a finished run.
    assert loser.started_at < winner.finished_at
    assert run_counts(loser)["reason"] == "另一进程正在或已经运行"
