"""Measure the target-quality review and the payment import at county scale.

    python scripts/bench_quality.py [--projects 2500] [--payments 5000] [--database-url URL]

Copies the seed's 18 projects (184 indicators) over departments until --projects projects
exist (2,500 → ~25,500 indicators), then times ``services.quality.review`` for the whole
county (finance) and for one department, and the .xlsx export; then plans and applies a
payment file of --payments rows and plans it again (all duplicates). Prints figures; no
assertions. SQLite in a temporary file by default; --database-url for PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2500)
    parser.add_argument("--payments", type=int, default=5000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite'}"

    from sqlalchemy import insert, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.importers import parse_file
    from tracker.models import Department, Indicator, Project
    from tracker.services import accounts, imports, payments, quality

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp / "up"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed = ROOT / "sample_data" / "seed_2023_430.txt"
        data = seed.read_bytes()
        imports.apply_import(imports.plan_import(parse_file(seed.name, data), year=2023, filename=seed.name, data=data))
        db.session.commit()
        base = db.session.scalars(select(Project)).all()
        base_inds = {p.id: p.indicators for p in base}
        year_id = base[0].year_id
        t0 = time.perf_counter()
        made, dept_no = len(base), 0
        while made < args.projects:
            dept_no += 1
            dept = Department(name=f"基准部门{dept_no}", code=f"B{dept_no:04d}")
            db.session.add(dept)
            db.session.flush()
            rows = []
            for p in base:
                if made >= args.projects:
                    break
                rows.append(
                    {
                        "department_id": dept.id,
                        "year_id": year_id,
                        "name": p.name,
                        "goal": p.goal,
                        "position": p.position,
                    }
                )
                made += 1
            ids = db.session.scalars(insert(Project).returning(Project.id), rows).all()
            ind_rows = []
            for pid, p in zip(ids, base, strict=False):
                for i in base_inds[p.id]:
                    ind_rows.append(
                        {
                            "project_id": pid,
                            "position": i.position,
                            "level1": i.level1,
                            "level2": i.level2,
                            "level3": i.level3,
                            "target_raw": i.target_raw,
                            "target_kind": i.target_kind,
                            "target_op": i.target_op,
                            "target_value": i.target_value,
                            "target_unit": i.target_unit,
                        }
                    )
            db.session.execute(insert(Indicator), ind_rows)
        db.session.commit()
        n_ind = db.session.scalar(select(db.func.count()).select_from(Indicator))
        print(
            f"data: {made} projects, {n_ind} indicators, {dept_no + 1} departments (built in {time.perf_counter() - t0:.1f} s)"
        )

        finance = accounts.create_user(
            username="bench_fin",
            password="bench-Pass-2023",
            role="finance",
            department=db.session.scalar(select(Department).limit(1)),
        )
        db.session.commit()
        for label, kwargs in (("county", {}), ("one department", {"department_id": base[0].department_id})):
            best = None
            for _ in range(3):
                t = time.perf_counter()
                report = quality.review(finance, 2023, **kwargs)
                best = min(best or 1e9, time.perf_counter() - t)
            flagged = sum(1 for p in report.projects if p.findings)
            print(
                f"quality.review {label}: {len(report.projects)} projects, {flagged} with findings, best of 3 {best * 1000:.0f} ms"
            )
        from tracker.exporters.quality_xlsx import quality_workbook

        report = quality.review(finance, 2023)
        t = time.perf_counter()
        book = quality_workbook(report)
        print(f"quality .xlsx export: {len(book) / 1024:.0f} KiB in {(time.perf_counter() - t) * 1000:.0f} ms")

        from flask_login import login_user

        from tracker.quality import index as quality_page

        with app.test_request_context("/quality/?year=2023&sort=severity"):
            login_user(finance)
            t = time.perf_counter()
            html = quality_page()
            print(
                f"quality page (county, first 100 rows): {len(html) / 1024:.0f} KiB in {(time.perf_counter() - t) * 1000:.0f} ms"
            )

        lines = ["支付日期,项目名称,支付金额(元),摘要"]
        for n in range(args.payments):
            lines.append(f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d},{base[n % len(base)].name},{1000 + n}.5,第{n}笔")
        data = ("\n".join(lines) + "\n").encode()
        reviewer = accounts.create_user(
            username="bench_rev",
            password="bench-Pass-2023",
            role="reviewer",
            department=db.session.get(Department, base[0].department_id),
        )
        db.session.commit()
        t = time.perf_counter()
        plan = payments.plan_payments(reviewer, "bench.csv", data)
        t_plan = time.perf_counter() - t
        t = time.perf_counter()
        record = payments.apply_payments(reviewer, plan)
        db.session.commit()
        t_apply = time.perf_counter() - t
        t = time.perf_counter()
        again = payments.plan_payments(reviewer, "bench.csv", data)
        t_again = time.perf_counter() - t
        print(
            f"payments: {len(plan.rows)} rows planned in {t_plan * 1000:.0f} ms, {record.added_count} added in "
            f"{t_apply * 1000:.0f} ms ({record.added_amount} 万元); re-plan {t_again * 1000:.0f} ms, "
            f"{len(again.matched)} new, {len(again.of(payments.DUPLICATE))} duplicates"
        )
        assert record.added_amount > Decimal(0)
        db.session.remove()
        if args.database_url:
            db.drop_all()


if __name__ == "__main__":
    main()
