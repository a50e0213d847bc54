"""A separate OS process that runs the monitoring job against the test database.

Used by tests/services/test_jobs.py to prove exactly-once across processes (a run killed
half-way, two runs started at once). Never creates or drops tables: it joins the schema the
test session made. Prints one line ``status=<status> counts=<json>`` when the job returns.

    python tests/services/job_worker.py --db URL --uploads DIR --as-of 2023-06-30
        [--ready FILE] [--go FILE]              start barrier: touch READY, wait for GO
        [--marker FILE --marker-after N]        after the Nth project write FILE (what the
                                                uncommitted transaction holds), then
        [--hang SECONDS]                        sleep that long (the test kills us here)
        [--sleep SECONDS]                       sleep after every project (to overlap runs)
        [--batch N]                             projects written per batch (monitoring.BATCH)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--uploads", required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--ready")
    parser.add_argument("--go")
    parser.add_argument("--marker")
    parser.add_argument("--marker-after", type=int, default=5)
    parser.add_argument("--hang", type=float, default=0.0)
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--batch", type=int)
    args = parser.parse_args(argv)

    from sqlalchemy import event, func, select

    from tracker import create_app
    from tracker.edge import run_job
    from tracker.extensions import db
    from tracker.models import JobCompletion, MonitoringSnapshot
    from tracker.services import jobs, monitoring

    if args.batch:
        monitoring.BATCH = args.batch

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=args.db, UPLOAD_DIR=args.uploads)
    as_of = date.fromisoformat(args.as_of)

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "handle_error")
    def report(context):
        # How a loser lost (unique key, lock…), for the test's failure messages.
        error = context.original_exception
        print(f"db error: {type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr, flush=True)

    def progress(index, total, project):
        if args.marker and index == args.marker_after:
            # What this process's own, still uncommitted transaction holds right now.
            claimed = db.session.scalar(select(func.count(JobCompletion.id)))
            snapshots = db.session.scalar(select(func.count(MonitoringSnapshot.id)))
            tmp = Path(args.marker + ".tmp")
            tmp.write_text(json.dumps({"index": index, "total": total, "claimed": claimed, "snapshots": snapshots}))
            tmp.rename(args.marker)  # atomic: the test never reads a half-written marker
            if args.hang:
                time.sleep(args.hang)
        if args.sleep:
            time.sleep(args.sleep)

    with app.app_context():
        # Connect (and warm up) before the barrier so both racers start the job itself together.
        db.session.execute(select(1))
        db.session.rollback()
        if args.ready:
            Path(args.ready).touch()
        if args.go:
            deadline = time.monotonic() + 30
            while not Path(args.go).exists():
                if time.monotonic() > deadline:
                    print("status=timeout counts={}", flush=True)
                    return 2
                time.sleep(0.005)
        run = run_job(jobs.monitoring_job(as_of, progress_cb=progress), trigger="cli")
        print(f"status={run.status} counts={run.counts}", flush=True)
        db.session.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
