"""Finance pages at county scale (issue 9): the ``pages`` section of the county benchmark.

    python scripts/bench_pages.py --scales 0.1,0.3,1.0                # SQLite files in instance/bench/
    python scripts/bench_pages.py --pg postgresql+psycopg://postgres@127.0.0.1:5432 --scales 0.1,0.3,1.0

For each scale a county is generated once (``flask demo county --scale S --seed 1``, reused on
later runs) and, in-process, every finance page is requested as the finance user while a
SQLAlchemy event listener counts the queries; the county summaries (.xlsx) are timed.
On the largest scale the app is then served by gunicorn (4 workers) and 8 client threads
request each page in turn, next to the cheap health-check route of the same server: p50/p95
and throughput, as ratios to that route (the machine is shared and noisy; absolute times
move, ratios much less). Prints one table; ``--markdown`` prints it for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2023-06-30"
FINANCE = ("finance", "Finance2023")


def pages(ids: dict) -> list[tuple[str, str]]:
    return [
        ("双监控 overview", f"/monitoring/?period={AS_OF}"),
        ("department drill-down", f"/monitoring/?period={AS_OF}&department={ids['department']}"),
        ("自评 overview", "/evaluation/?year=2023"),
        ("我的待办", "/todo"),
        ("project list", "/?year=2023"),
        ("project page", f"/projects/{ids['project']}"),
        ("indicator page (most entries)", f"/projects/{ids['indicator_project']}/indicators/{ids['indicator']}"),
    ]


EXPORTS = [
    ("county monitoring summary .xlsx", f"/monitoring/summary.xlsx?period={AS_OF}"),
    ("自评 summary .xlsx", "/evaluation/summary.xlsx?year=2023"),
]


# ---------------------------------------------------------------------------- databases


DATA_DIR = ROOT / "instance" / "bench"


def database_url(scale: float, pg: str | None) -> str:
    name = f"scalepages_county_{str(scale).replace('.', '_')}"
    if pg:
        return f"{pg.rstrip('/')}/{name}"
    folder = DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / (name + '.sqlite')}"


EXPORT_CACHE = ROOT / "instance" / "bench" / "export-cache"


def _clear_export_cache() -> None:
    shutil.rmtree(EXPORT_CACHE, ignore_errors=True)


def _env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "TRACKER_ENV": "production",
            "SECRET_KEY": "bench-not-secret",
            "TRACKER_INSECURE_COOKIES": "1",
            "TRACKER_UPLOAD_DIR": str(ROOT / "instance" / "bench" / "uploads"),
            "TRACKER_EXPORT_CACHE_DIR": str(EXPORT_CACHE),
            "TRACKER_MAX_REQUESTS": "0",  # no worker recycled (and re-imported) in the middle of a measurement
        }
    )
    return env


def create_database(url: str, *, regenerate: bool = False) -> None:
    """A PostgreSQL database is created when missing (a SQLite file creates itself)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername.startswith("postgresql"):
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).scalar()
            if exists and regenerate:
                conn.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
                exists = False
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    elif regenerate and parsed.database and Path(parsed.database).exists():
        Path(parsed.database).unlink()


def _count(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0
    except Exception:
        return 0
    finally:
        engine.dispose()


def ensure_county(url: str, scale: float, *, regenerate: bool = False, seed: int = 1) -> None:
    """Create and fill the database unless it already holds a county."""
    create_database(url, regenerate=regenerate)
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    if _count(url, "projects"):
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=_env(url), check=True, stderr=subprocess.DEVNULL)
        ensure_runs(url)
        return
    started = time.perf_counter()
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=_env(url), check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*flask, "demo", "county", "--scale", str(scale), "--seed", str(seed)], cwd=ROOT, env=_env(url), check=True
    )
    print(f"  county {scale} generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    ensure_runs(url)


def ensure_runs(url: str) -> None:
    """The finance pages show the mid-year 双监控 and the self-evaluation: run them (through
    the CLI, as the scheduler would) when the county was generated without them."""
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    if not _count(url, "monitoring_snapshots"):
        subprocess.run(
            [*flask, "monitor", "--as-of", AS_OF], cwd=ROOT, env=_env(url), check=True, stdout=subprocess.DEVNULL
        )
    if not _count(url, "evaluation_forms"):
        subprocess.run(
            [*flask, "evaluate", "--year", "2023"], cwd=ROOT, env=_env(url), check=True, stdout=subprocess.DEVNULL
        )
    analyze(url)


def analyze(url: str) -> None:
    """VACUUM ANALYZE on PostgreSQL, as autovacuum (on by default in production, off on this
    machine's server) would have done after the bulk inserts: planner statistics, and the
    visibility map that lets a count read an index alone (without it the project list's
    spending sums read the heap: 9 ms instead of 1)."""
    from sqlalchemy import create_engine, text

    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()


def county_ids(app) -> dict:
    """A department with many projects, a project, and the indicator with the most entries."""
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import ProgressEntry, Project

    with app.app_context():
        department = db.session.execute(
            select(Project.department_id, func.count())
            .group_by(Project.department_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()[0]
        indicator, project = db.session.execute(
            select(ProgressEntry.indicator_id, ProgressEntry.project_id)
            .group_by(ProgressEntry.indicator_id, ProgressEntry.project_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
        counts = {
            "projects": db.session.scalar(select(func.count(Project.id))),
            "entries_on_indicator": db.session.scalar(
                select(func.count()).where(ProgressEntry.indicator_id == indicator)
            ),
        }
    return {
        "department": department,
        "project": project,
        "indicator_project": project,
        "indicator": indicator,
        **counts,
    }


# ---------------------------------------------------------------------------- in-process: queries and exports


def _login(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = {"username": FINANCE[0], "password": FINANCE[1]}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def in_process(url: str) -> tuple[dict, dict, dict]:
    """(queries per page, seconds per export, ids) for the database at ``url``."""
    from sqlalchemy import event

    os.environ.update(_env(url))
    from tracker import create_app
    from tracker.extensions import db

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    if not any(rule.rule == "/healthz" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/bench-hello", "bench_hello", lambda: "ok")
    hello = "/healthz" if any(rule.rule == "/healthz" for rule in app.url_map.iter_rules()) else "/bench-hello"
    ids = county_ids(app)
    client = app.test_client()
    _login(client)
    queries = {}
    cpu = {}  # CPU ms per request in this process: robust to a busy machine, unlike wall time
    with app.app_context():
        engine = db.engine
    for label, path in [("hello-world", hello), *pages(ids)]:
        client.get(path)
        samples = []
        for _ in range(5):
            started = time.process_time()
            client.get(path).get_data()
            samples.append(time.process_time() - started)
        cpu[label] = statistics.median(samples) * 1000
    for label, path in pages(ids):
        statements = []

        def count(*args, _s=statements):
            _s.append(1)

        client.get(path)  # warm caches (templates, settings)
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (path, response.status_code)
        queries[label] = len(statements)
    exports = {}
    for label, path in EXPORTS:
        # written: the workbook for these rows is not kept yet (tracker/exporters/cache.py);
        # kept: the same rows again, served from the kept file.
        written, kept = [], []
        for _ in range(3):
            _clear_export_cache()
            for times in (written, kept):
                started = time.perf_counter()
                response = client.get(path)
                body = response.get_data()
                times.append(time.perf_counter() - started)
                assert response.status_code == 200 and body[:2] == b"PK", (path, response.status_code)
        exports[label] = (statistics.median(written), len(body), statistics.median(kept))
    with app.app_context():
        db.engine.dispose()
    return queries, exports, {**ids, "cpu": cpu}


# ---------------------------------------------------------------------------- gunicorn and 8 clients


class Client:
    """One logged-in browser: a keep-alive connection and the session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, payload

    def login(self) -> None:
        _, html = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
        form = {"username": FINANCE[0], "password": FINANCE[1]}
        if token:
            form["csrf_token"] = token.group(1).decode()
        status, _ = self.request("POST", "/login", form)
        assert status == 302, status


def hello_path(port: int) -> str:
    client = Client(port)
    status, _ = client.request("GET", "/healthz")
    return "/healthz" if status == 200 else "/bench-hello"


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
            "--chdir",
            str(ROOT),
            "scripts.bench_wsgi:app",
        ],
        cwd=ROOT,
        env=_env(url),
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def load(port: int, path: str, *, clients: list[Client], per_client: int) -> dict:
    """Every client requests ``path`` ``per_client`` times, all at once."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def run(client: Client) -> None:
        mine = []
        barrier.wait()
        for _ in range(per_client):
            started = time.perf_counter()
            status, _ = client.request("GET", path)
            mine.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{path}: {status}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, round(0.95 * len(latencies)) - 1)],
        "rps": len(latencies) / wall,
        "errors": errors[:3],
    }


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) of these processes and of this one (the client threads)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
    own = os.times()
    return total + own.user + own.system


def _server_pids(server: subprocess.Popen) -> list[int]:
    """The gunicorn master and workers, and PostgreSQL's processes (its backends do the
    queries' work on the same two cores)."""
    found = [server.pid]
    for args in (["pgrep", "-P", str(server.pid)], ["pgrep", "-x", "postgres"]):
        found += [int(p) for p in subprocess.run(args, check=False, capture_output=True, text=True).stdout.split()]
    return found


def side_by_side(port: int, page: str, hello: str, *, clients: list[Client], server, rounds: int = 7) -> dict:
    """The project page next to the hello route, in alternating rounds (hello 40 requests per
    client, then the page 15): per round the throughput ratio and the ratio of CPU spent per
    request by the whole machine's share of the test (server, database, clients). The machine
    is shared: its speed moves by ±30 % within a minute, so single runs of each disagree and
    the median of rounds taken side by side is reported."""
    pids = _server_pids(server)
    throughput, cpu = [], []
    for _ in range(rounds):
        c0 = _cpu_seconds(pids)
        h = load(port, hello, clients=clients, per_client=40)
        c1 = _cpu_seconds(pids)
        p = load(port, page, clients=clients, per_client=15)
        c2 = _cpu_seconds(pids)
        throughput.append(p["rps"] / h["rps"])
        cpu.append(((c1 - c0) / (40 * len(clients))) / ((c2 - c1) / (15 * len(clients))))
    return {"throughput": throughput, "cpu": cpu}


def served(url: str, ids: dict, *, port: int, workers: int, n_clients: int, per_client: int) -> dict:
    server = start_server(url, port, workers)
    try:
        clients = [Client(port) for _ in range(n_clients)]
        for c in clients:
            c.login()
        hello = hello_path(port)
        results: dict = {}
        targets = [("hello-world (" + hello + ")", hello), *pages(ids), *EXPORTS]
        for label, path in targets:
            load(port, path, clients=clients, per_client=2)  # warm every worker (16 requests over 4)
            results[label] = load(port, path, clients=clients, per_client=per_client)
            print(
                f"  {label}: p50 {results[label]['p50'] * 1000:.0f} ms, p95 {results[label]['p95'] * 1000:.0f} ms, "
                f"{results[label]['rps']:.1f}/s {results[label]['errors'] or ''}",
                file=sys.stderr,
            )
        page = dict(pages(ids))["project page"]
        results["_side_by_side"] = side_by_side(port, page, hello, clients=clients, server=server)
        print(f"  project page vs hello, rounds: {results['_side_by_side']}", file=sys.stderr)
        return results
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# ---------------------------------------------------------------------------- report


def report(scales, per_scale: dict, load_results: dict | None, big: float, backend: str) -> str:
    lines = [f"### Finance pages — {backend}", ""]
    ids = per_scale[big][2]
    lines.append(
        f"County at scale {big}: {ids['projects']} projects; the indicator page shows the indicator with the most "
        f"entries ({ids['entries_on_indicator']})."
    )
    lines.append("")
    if load_results:
        load_results = dict(load_results)
        rounds = load_results.pop("_side_by_side", None)
        hello_label = next(k for k in load_results if k.startswith("hello-world"))
        hello = load_results[hello_label]
        lines += [
            f"gunicorn, 4 workers, 8 concurrent clients, scale {big}. Ratios are to {hello_label} on the same server.",
            "Each row is warmed by two requests per client first, so the exports here are served from the workbook",
            "written for their rows (their first, written, time is in the exports table below).",
            "",
            "| page | p50 ms | p95 ms | req/s | throughput vs hello | p95 vs hello |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, r in load_results.items():
            lines.append(
                f"| {label} | {r['p50'] * 1000:.0f} | {r['p95'] * 1000:.0f} | {r['rps']:.1f} | "
                f"{r['rps'] / hello['rps'] * 100:.1f} % | {r['p95'] / hello['p95']:.1f}× |"
            )
        lines.append("")
        if rounds:
            t, c = rounds["throughput"], rounds["cpu"]
            lines += [
                f"Project page next to {hello_label}, {len(t)} alternating rounds (hello 40 requests per client,",
                "then the page 15): throughput ratio and CPU-per-request ratio (gunicorn, PostgreSQL and the",
                "clients, from /proc):",
                "",
                "| measure | median | range |",
                "|---|---:|---:|",
                f"| throughput vs hello | {statistics.median(t) * 100:.1f} % | {min(t) * 100:.1f}–{max(t) * 100:.1f} % |",
                f"| CPU per hello request / per page request | {statistics.median(c) * 100:.1f} % "
                f"| {min(c) * 100:.1f}–{max(c) * 100:.1f} % |",
                "",
            ]
    lines += ["Queries per page (in-process, SQLAlchemy event listener):", ""]
    lines.append("| page | " + " | ".join(f"scale {s}" for s in scales) + " |")
    lines.append("|---|" + "---:|" * len(scales))
    for label in per_scale[scales[0]][0]:
        lines.append(f"| {label} | " + " | ".join(str(per_scale[s][0][label]) for s in scales) + " |")
    lines += ["", "CPU per request (in-process, one request at a time, median of 5; ms):", ""]
    lines.append("| page | " + " | ".join(f"scale {s}" for s in scales) + f" | vs hello-world at {big} |")
    lines.append("|---|" + "---:|" * (len(scales) + 1))
    hello_cpu = per_scale[big][2]["cpu"]["hello-world"]
    for label in per_scale[big][2]["cpu"]:
        lines.append(
            f"| {label} | "
            + " | ".join(f"{per_scale[s][2]['cpu'][label]:.1f}" for s in scales)
            + f" | {per_scale[big][2]['cpu'][label] / hello_cpu:.0f}× |"
        )
    lines += [
        "",
        "Exports, one request alone (in-process, median of 3): written = no workbook kept for these rows yet,",
        "kept = the same rows again (served from the workbook written for them):",
        "",
    ]
    lines.append("| export | " + " | ".join(f"scale {s} written / kept" for s in scales) + " |")
    lines.append("|---|" + "---:|" * len(scales))
    for label in per_scale[scales[0]][1]:
        lines.append(
            f"| {label} | "
            + " | ".join(
                f"{per_scale[s][1][label][0]:.2f} s / {per_scale[s][1][label][2]:.2f} s "
                f"({per_scale[s][1][label][1] // 1024} KB)"
                for s in scales
            )
            + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="0.1,0.3,1.0")
    parser.add_argument(
        "--pg", help="PostgreSQL server URL without database, e.g. postgresql+psycopg://postgres@127.0.0.1:5432"
    )
    parser.add_argument("--port", type=int, default=5220)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=5, help="requests per client and page")
    parser.add_argument("--no-load", action="store_true", help="only queries and exports (no gunicorn)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--data-dir", type=Path, help="folder of the SQLite counties (default instance/bench)")
    parser.add_argument(
        "--only-existing", action="store_true", help="use the databases as they are (another checkout: before)"
    )
    args = parser.parse_args()
    global DATA_DIR
    if args.data_dir:
        DATA_DIR = args.data_dir
    scales = [float(s) for s in args.scales.split(",")]
    per_scale = {}
    for scale in scales:
        url = database_url(scale, args.pg)
        if not args.only_existing:
            ensure_county(url, scale, regenerate=args.regenerate)
        per_scale[scale] = in_process(url)
        print(f"  scale {scale}: queries {per_scale[scale][0]}", file=sys.stderr)
    big = max(scales)
    load_results = None
    if not args.no_load:
        load_results = served(
            database_url(big, args.pg),
            per_scale[big][2],
            port=args.port,
            workers=args.workers,
            n_clients=args.clients,
            per_client=args.per_client,
        )
    print(report(scales, per_scale, load_results, big, "PostgreSQL" if args.pg else "SQLite"))


if __name__ == "__main__":
    main()
