"""Benchmark: parse and import the seed document; prints figures (no assertions).

python scripts/bench_import.py [--repeat 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import BASE_DIR

SEED = BASE_DIR / "sample_data" / "seed_2023_430.txt"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from sqlalchemy import delete

    from tracker import create_app
    from tracker.extensions import db
    from tracker.importers import parse_file
    from tracker.services.imports import apply_import, plan_import

    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=tmp)
    data = SEED.read_bytes()
    parse_times, first_times, again_times = [], [], []
    with app.app_context():
        db.create_all()
        for _ in range(args.repeat):
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
            db.session.commit()
            t0 = time.perf_counter()
            doc = parse_file(SEED.name, data)
            t1 = time.perf_counter()
            plan = plan_import(doc, year=2023, filename=SEED.name, data=data)
            apply_import(plan)
            db.session.commit()
            t2 = time.perf_counter()
            plan = plan_import(parse_file(SEED.name, data), year=2023, filename=SEED.name, data=data)
            assert not plan.has_changes
            t3 = time.perf_counter()
            parse_times.append(t1 - t0)
            first_times.append(t2 - t0)
            again_times.append(t3 - t2)
        db.session.remove()
        db.drop_all()
    print(
        f"seed: {len(data):,} bytes, {len(doc.projects)} projects, {doc.indicator_count} indicators; db {url.split(':')[0]}"
    )
    for label, values in [
        ("parse only", parse_times),
        ("parse + plan + write (fresh db)", first_times),
        ("re-import, unchanged (parse + plan)", again_times),
    ]:
        print(f"{label:<38} median {statistics.median(values) * 1000:8.1f} ms   min {min(values) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
