"""Benchmark: the demo's full 双监控 run and the scoring of every project; prints figures.

    python scripts/bench_jobs.py [--repeat 3] [--database-url URL]

Each repetition loads the quickstart demo into an empty database, then times
monitoring.run(2023-06-30) and evaluation.open_forms(2023) (prefill + scoring).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from sqlalchemy import delete

    from tracker import create_app
    from tracker.cli import load_demo
    from tracker.extensions import db
    from tracker.services import evaluation, monitoring

    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=tmp)
    timings = {
        "demo load": [],
        "monitoring run (18 projects)": [],
        "open + score self-evaluation (18 projects)": [],
        "re-score one form": [],
    }
    with app.app_context():
        db.create_all()
        for _ in range(args.repeat):
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
            db.session.commit()
            t0 = time.perf_counter()
            load_demo(echo=lambda *a, **k: None)
            t1 = time.perf_counter()
            counts = monitoring.run(date(2023, 6, 30))
            db.session.commit()
            t2 = time.perf_counter()
            evaluation.open_forms(2023)
            db.session.commit()
            t3 = time.perf_counter()
            form = evaluation.summary_all(2023)[0]
            evaluation.rescore(form)
            db.session.rollback()
            t4 = time.perf_counter()
            timings["demo load"].append(t1 - t0)
            timings["monitoring run (18 projects)"].append(t2 - t1)
            timings["open + score self-evaluation (18 projects)"].append(t3 - t2)
            timings["re-score one form"].append(t4 - t3)
        print(
            f"db {url.split(':')[0]}; monitoring: {counts['projects']} projects, {counts['indicators']} indicators, lights {counts['lights']}"
        )
        for form in evaluation.summary_all(2023):
            print(f"  {form.total_score:>6} {form.grade}  {form.project.name}")
        db.session.remove()
        db.drop_all()
    for label, values in timings.items():
        print(f"{label:<45} median {statistics.median(values) * 1000:8.1f} ms   min {min(values) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
