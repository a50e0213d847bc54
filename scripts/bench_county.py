"""County-scale benchmark (issue 9): prints ratios, never asserts timings.

    python scripts/bench_county.py [--db URL] [--scale 1.0] [--seed 1] [--only runs|pages]
                                   [--repeat 1] [--compare-with DIR]

- Without --db a SQLite file under /tmp is used; a database without the generated county
  gets one first (`flask db upgrade` + `flask demo county --scale S --seed N --no-runs`).
- ``runs``: the mid-year 双监控 (`flask monitor --as-of 2023-06-30`, the CLI path) and the
  self-evaluation opening (`flask evaluate --year 2023`), each in its own process, next to a
  plain-SQL floor (a separate process with the bare DB-API) that reads the same rows, and one
  that also writes the same number of rows with executemany (then rolls back). Printed: the
  seconds each reports for its work, run / floor ratios and each process's peak memory
  (ru_maxrss). The run's outputs are deleted before each run, so it can be repeated; the last
  run's outputs stay (the finance pages need them).
- ``--compare-with DIR``: also run the CLI from another checkout (e.g. a `git worktree` of
  main before the change) in the same session, side by side, so the noisy shared machine
  affects both alike.
- ``pages``: the finance pages (scripts/bench_pages.py): queries per page at scales 0.1, 0.3
  and the main scale, the county summaries' export times, and on the main scale gunicorn with
  4 workers and 8 concurrent clients: each page's p50/p95 and throughput next to the
  health-check route of the same server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2023
AS_OF = "2023-06-30"


# ----------------------------------------------------------------------------- helpers


def _env(url: str) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env.pop("TRACKER_ENV", None)
    return env


def _run(cmd: list[str], url: str, cwd: Path = ROOT) -> tuple[str, float, float]:
    """Run a child process; return its output, wall seconds and peak memory in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(url), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{out[-3000:]}")
    return out, wall, usage.ru_maxrss / 1024


def _flask(args: list[str], url: str, cwd: Path = ROOT) -> tuple[str, float, float]:
    return _run([sys.executable, "-m", "flask", "--app", "tracker", *args], url, cwd)


def _engine(url: str):
    from sqlalchemy import create_engine

    return create_engine(url)


def ensure_county(url: str, scale: float, seed: int) -> None:
    from sqlalchemy import inspect, text

    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_pages

    bench_pages.create_database(url)  # a PostgreSQL database named in --db may not exist yet
    engine = _engine(url)
    has_tables = "departments" in inspect(engine).get_table_names()
    found = False
    if has_tables:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT COUNT(*) FROM departments WHERE code = 'C001'")).scalar() > 0
    engine.dispose()
    if found:
        return
    print(f"generating the county (scale {scale}, seed {seed}) …", flush=True)
    _flask(["db", "upgrade"], url)
    out, wall, _ = _flask(["demo", "county", "--scale", str(scale), "--seed", str(seed), "--no-runs"], url)
    print(out.strip().splitlines()[-1], f"({wall:.0f} s)", flush=True)


def county_counts(url: str) -> dict:
    from sqlalchemy import text

    engine = _engine(url)
    with engine.connect() as conn:
        counts = {
            table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
            for table in ("departments", "projects", "indicators", "progress_entries", "expenditures")
        }
    engine.dispose()
    return counts


# ----------------------------------------------------------------------------- runs section


RESET_SQL = {
    "monitoring": [
        "DELETE FROM monitoring_rows WHERE snapshot_id IN (SELECT id FROM monitoring_snapshots WHERE period_key = :p)",
        "DELETE FROM monitoring_snapshots WHERE period_key = :p",
        "DELETE FROM workflow_events WHERE submission_id IN (SELECT id FROM submissions WHERE kind = 'monitoring' AND period_key = :p)",
        "DELETE FROM submissions WHERE kind = 'monitoring' AND period_key = :p",
        "DELETE FROM notifications WHERE dedupe_key LIKE 'monitoring_open:' || :p || ':%' OR dedupe_key = 'monitoring_run:' || :p",
        "DELETE FROM job_completions WHERE job = 'monitoring' AND period_key = :p",
    ],
    "evaluation": [
        "DELETE FROM evaluation_rows WHERE form_id IN (SELECT id FROM evaluation_forms WHERE year = :y)",
        "DELETE FROM score_changes WHERE form_id IN (SELECT id FROM evaluation_forms WHERE year = :y)",
        "DELETE FROM evaluation_forms WHERE year = :y",
        "DELETE FROM workflow_events WHERE submission_id IN (SELECT id FROM submissions WHERE kind = 'evaluation' AND period_key = :p)",
        "DELETE FROM submissions WHERE kind = 'evaluation' AND period_key = :p",
        "DELETE FROM notifications WHERE dedupe_key LIKE 'evaluation_open:' || :p || ':%'",
        "DELETE FROM job_completions WHERE job = 'evaluation_open' AND period_key = :p",
    ],
}


def reset(url: str, which: str) -> None:
    """Delete what a run wrote, so the next one does the whole job again."""
    from sqlalchemy import text

    params = {"p": AS_OF, "y": YEAR} if which == "monitoring" else {"p": str(YEAR), "y": YEAR}
    engine = _engine(url)
    with engine.begin() as conn:
        for sql in RESET_SQL[which]:
            conn.execute(text(sql), {k: v for k, v in params.items() if f":{k}" in sql})
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _reported_seconds(output: str) -> float:
    found = re.search(r"用时 ([0-9.]+) 秒", output)
    if not found:
        sys.exit(f"no timing in the output:\n{output[-2000:]}")
    return float(found.group(1))


def time_run(which: str, url: str, code: Path) -> tuple[float, float]:
    reset(url, which)
    args = ["monitor", "--as-of", AS_OF] if which == "monitoring" else ["evaluate", "--year", str(YEAR)]
    out, _wall, peak = _flask(args, url, cwd=code)
    if "succeeded" not in out:
        sys.exit(f"{which} did not succeed:\n{out[-2000:]}")
    return _reported_seconds(out), peak


# The floor: the same rows read with plain SQL through the bare DB-API, and the same number
# of rows written with executemany (rolled back). Runs in its own process (--floor).

FLOOR_READS = {
    "monitoring": [
        "SELECT p.id, p.department_id, p.initial_budget, p.adjusted_budget, p.goal FROM projects p "
        "JOIN budget_years y ON y.id = p.year_id WHERE y.year = {year}",
        "SELECT i.id, i.project_id, i.position, i.level1, i.level2, i.level3, i.target_raw, i.target_kind, i.target_op, "
        "i.op_override, i.target_value, i.target_unit, i.deadline_year, i.deadline_month, i.deadline_day, "
        "i.deadline_monthly_day, i.target_implicit_op, i.accumulation FROM indicators i JOIN projects p ON p.id = i.project_id "
        "JOIN budget_years y ON y.id = p.year_id WHERE y.year = {year}",
        "SELECT e.indicator_id, e.id, e.as_of, e.value, e.tier, e.completed_on, e.for_month FROM progress_entries e "
        "WHERE e.as_of <= '{as_of}' AND e.is_void = {false} "
        "AND NOT EXISTS (SELECT 1 FROM progress_entries n WHERE n.supersedes_id = e.id)",
        "SELECT x.project_id, x.amount FROM expenditures x WHERE x.spent_on <= '{as_of}' AND x.is_void = {false} "
        "AND NOT EXISTS (SELECT 1 FROM expenditures n WHERE n.supersedes_id = x.id)",
    ],
}
FLOOR_READS["evaluation"] = [
    FLOOR_READS["monitoring"][0],
    FLOOR_READS["monitoring"][1],
    FLOOR_READS["monitoring"][2].replace("e.as_of <= '{as_of}' AND ", ""),
    FLOOR_READS["monitoring"][3].replace("'{as_of}'", "'{year}-12-31'"),
]


def floor(which: str, url: str, write: bool) -> None:
    """Child process: read (and write) like the run would, with plain SQL; print JSON."""
    import datetime as dt
    import resource
    from decimal import Decimal

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        import psycopg

        conn = psycopg.connect(
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database,
        )
        false, mark = "false", "%s"
    else:
        import sqlite3

        sqlite3.register_adapter(Decimal, float)  # as SQLAlchemy binds Numeric on SQLite (to_float)
        conn = sqlite3.connect(parsed.database)
        # As every connection of the app (tracker/__init__.py): the rows written are checked
        # against the schema's foreign keys, as the run's are (PostgreSQL always checks).
        conn.execute("PRAGMA foreign_keys=ON")
        false, mark = "0", "?"
    started = time.perf_counter()
    cur = conn.cursor()
    rows = {}
    for n, sql in enumerate(FLOOR_READS[which]):
        cur.execute(sql.format(year=YEAR, as_of=AS_OF, false=false))
        rows[n] = cur.fetchall()
    projects, indicators = rows[0], rows[1]
    read_seconds = time.perf_counter() - started
    if write:
        now = dt.datetime.now(dt.UTC)
        if parsed.get_backend_name() != "postgresql":
            now = now.replace(tzinfo=None)
        zero = Decimal(0)

        def many(table: str, columns: list[str], values: list[tuple]) -> None:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
            cur.executemany(sql, values)

        def ids(table: str, where: str) -> dict:
            cur.execute(f"SELECT project_id, id FROM {table} WHERE {where}")
            return dict(cur.fetchall())

        if which == "monitoring":
            many(
                "monitoring_snapshots",
                [
                    "project_id",
                    "period_key",
                    "as_of",
                    "time_progress",
                    "initial_budget",
                    "adjusted_budget",
                    "spent",
                    "execution_rate",
                    "forecast_spent",
                    "budget_light",
                    "project_light",
                    "annual_goal",
                    "expected_completion",
                    "budget_explanation",
                    "needs_rectification",
                    "rectification_requirements",
                    "rectification_result",
                    "created_at",
                    "version",
                ],
                [
                    (
                        p[0],
                        "floor",
                        dt.date(YEAR, 6, 30),
                        Decimal("0.5"),
                        p[2],
                        p[3],
                        zero,
                        zero,
                        zero,
                        "green",
                        "green",
                        p[4] or "",
                        "",
                        "",
                        False,
                        "",
                        "",
                        now,
                        1,
                    )
                    for p in projects
                ],
            )
            snapshot = ids("monitoring_snapshots", "period_key = 'floor'")
            many(
                "monitoring_rows",
                [
                    "snapshot_id",
                    "indicator_id",
                    "position",
                    "level1",
                    "level2",
                    "level3",
                    "target_raw",
                    "target_unit",
                    "accumulation",
                    "current_value",
                    "current_text",
                    "light",
                    "forecast",
                    "forecast_text",
                    "forecast_reason",
                    "reasons",
                    "analysis",
                    "measure",
                ],
                [
                    (
                        snapshot[i[1]],
                        i[0],
                        i[2],
                        i[3],
                        i[4],
                        i[5],
                        i[6],
                        i[11] or "",
                        i[17],
                        zero,
                        "",
                        "green",
                        zero,
                        "",
                        "",
                        "[]",
                        "",
                        "",
                    )
                    for i in indicators
                ],
            )
            many(
                "submissions",
                ["project_id", "kind", "period_key", "state", "last_comment", "updated_at", "version"],
                [(p[0], "monitoring", "floor", "draft", "", now, 1) for p in projects],
            )
        else:
            many(
                "evaluation_forms",
                [
                    "project_id",
                    "year",
                    "level1_weights",
                    "execution_weight",
                    "initial_budget",
                    "budget",
                    "spent",
                    "fiscal_share",
                    "execution_score",
                    "execution_explanation",
                    "goal_actual",
                    "total_score",
                    "grade",
                    "created_at",
                    "version",
                ],
                [
                    (p[0], 1999, "{}", Decimal(10), p[2], p[3], zero, p[2], zero, "", "", zero, "中", now, 1)
                    for p in projects
                ],
            )
            form = ids("evaluation_forms", "year = 1999")
            many(
                "evaluation_rows",
                [
                    "form_id",
                    "indicator_id",
                    "position",
                    "target_raw",
                    "weight",
                    "actual_value",
                    "actual_text",
                    "tier",
                    "proposed_tier",
                    "tier_score",
                    "score",
                    "overshoot",
                    "deduction",
                    "deduction_reason",
                    "explanation",
                    "problem",
                ],
                [
                    (form[i[1]], i[0], i[2], i[6], zero, zero, "", None, None, None, zero, False, zero, "", "", "")
                    for i in indicators
                ],
            )
            many(
                "score_changes",
                ["form_id", "created_at", "before", "after", "reason"],
                [(form[p[0]], now, None, zero, "floor") for p in projects],
            )
            many(
                "submissions",
                ["project_id", "kind", "period_key", "state", "last_comment", "updated_at", "version"],
                [(p[0], "evaluation", "floor", "draft", "", now, 1) for p in projects],
            )
            cur.execute("SELECT id FROM users WHERE role = 'owner' ORDER BY id LIMIT 1")
            user = cur.fetchone()[0]
            many(
                "notifications",
                ["user_id", "kind", "message", "link", "dedupe_key", "created_at"],
                [(user, "floor", "floor", "", f"floor:{p[0]}", now) for p in projects],
            )
        conn.rollback()
    seconds = time.perf_counter() - started
    conn.close()
    print(
        json.dumps(
            {
                "read_seconds": read_seconds,
                "seconds": seconds,
                "rows": {k: len(v) for k, v in rows.items()},
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def time_floor(which: str, url: str, write: bool) -> tuple[float, float]:
    out, _wall, peak = _run(
        [sys.executable, str(Path(__file__).resolve()), "--floor", which, *(["--write"] if write else []), "--db", url],
        url,
    )
    result = json.loads(out.strip().splitlines()[-1])
    return result["seconds"], peak


def runs(url: str, *, repeat: int, compare_with: Path | None) -> list[dict]:
    codes = [("before", compare_with)] if compare_with else []
    codes.append(("after" if compare_with else "this branch", ROOT))
    results = []
    for which in ("monitoring", "evaluation"):
        for _ in range(repeat):
            read, read_peak = time_floor(which, url, write=False)
            read_write, rw_peak = time_floor(which, url, write=True)
            for label, code in codes:
                seconds, peak = time_run(which, url, code)
                results.append(
                    {
                        "run": which,
                        "code": label,
                        "seconds": seconds,
                        "peak_mb": peak,
                        "floor_read": read,
                        "floor_read_write": read_write,
                        "floor_peak_mb": max(read_peak, rw_peak),
                    }
                )
                print(
                    f"  {which:<10} {label:<11} {seconds:7.2f} s  floor read {read:6.2f} s  read+write {read_write:6.2f} s"
                    f"  → ×{seconds / read:5.1f} / ×{seconds / read_write:5.1f}  peak {peak:6.0f} MB"
                    f" (floor {max(read_peak, rw_peak):.0f} MB)",
                    flush=True,
                )
    return results


def print_runs_table(results: list[dict], url: str, counts: dict) -> None:
    backend = url.split(":")[0].split("+")[0]
    print()
    print(
        f"## Batch runs — {backend}, {counts['projects']} projects, {counts['indicators']} indicators, "
        f"{counts['progress_entries']} entries, {counts['expenditures']} spending rows"
    )
    print()
    print(
        "| run | code | run s | floor read s | floor read+write s | run / read | run / read+write | peak MB | floor peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        name = "mid-year monitoring (CLI)" if r["run"] == "monitoring" else "self-evaluation (open + score)"
        print(
            f"| {name} | {r['code']} | {r['seconds']:.2f} | {r['floor_read']:.2f} | {r['floor_read_write']:.2f} | "
            f"{r['seconds'] / r['floor_read']:.1f}× | {r['seconds'] / r['floor_read_write']:.1f}× | "
            f"{r['peak_mb']:.0f} | {r['floor_peak_mb']:.0f} |"
        )


# ----------------------------------------------------------------------------- pages section


def _at_scale(url: str, scale: float, seed: int) -> str:
    """The database of another scale next to ``url`` (a sibling file or database name)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    suffix = f"_s{str(scale).replace('.', '_')}"
    if parsed.drivername.startswith("sqlite"):
        path = Path(parsed.database)
        return f"sqlite:///{path.with_name(path.stem + suffix + path.suffix)}"
    return parsed.set(database=f"{parsed.database}{suffix}").render_as_string(hide_password=False)


def pages(url: str, args) -> None:
    """Finance pages (scripts/bench_pages.py): queries per page at each of --page-scales and
    the main scale (sibling databases, generated once), export times, and on the main scale
    gunicorn with 4 workers and 8 clients next to the health-check route."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_pages

    scales = sorted({*(float(s) for s in args.page_scales.split(",") if s), args.scale})
    per_scale = {}
    for scale in scales:
        target = url if scale == args.scale else _at_scale(url, scale, args.seed)
        bench_pages.create_database(target)
        ensure_county(target, scale, args.seed)
        bench_pages.ensure_runs(target)
        per_scale[scale] = bench_pages.in_process(target)
        print(f"queries at scale {scale}: {per_scale[scale][0]}", flush=True)
    load = None
    if not args.no_load:
        load = bench_pages.served(
            url, per_scale[args.scale][2], port=args.port, workers=4, n_clients=8, per_client=args.per_client
        )
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(bench_pages.report(scales, per_scale, load, args.scale, backend), flush=True)


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a SQLite file under /tmp for the scale and seed)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("runs", "pages"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--compare-with", type=Path, help="another checkout whose CLI runs side by side (before)")
    parser.add_argument("--page-scales", default="0.1,0.3", help="pages: further scales for queries per page")
    parser.add_argument("--port", type=int, default=5220, help="pages: port of the gunicorn under test")
    parser.add_argument("--per-client", type=int, default=5, help="pages: requests per client and page")
    parser.add_argument("--no-load", action="store_true", help="pages: no gunicorn load test")
    parser.add_argument("--floor", choices=("monitoring", "evaluation"), help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    url = args.db or f"sqlite:///{tempfile.gettempdir()}/bench_county_{args.scale}_{args.seed}.sqlite"
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if args.floor:
        floor(args.floor, url, args.write)
        return
    ensure_county(url, args.scale, args.seed)
    counts = county_counts(url)
    print(f"county: {counts}", flush=True)
    if args.only in (None, "runs"):
        results = runs(url, repeat=args.repeat, compare_with=args.compare_with)
        print_runs_table(results, url, counts)
    if args.only in (None, "pages"):
        pages(url, args)


if __name__ == "__main__":
    main()
