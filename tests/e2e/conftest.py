"""End-to-end fixtures: the app served by a real HTTP server, driven by a real Chromium.

The live app is separate from the session ``app`` fixture of tests/conftest.py: it has its
own database (a SQLite file in tmp, or a fresh PostgreSQL database when TEST_DATABASE_URL is
set), its own upload directory, and CSRF protection switched ON, since the browser sends
the token like a real user's would.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SEED_FILE, TEST_PASSWORD, fresh_database

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SEED_DEPARTMENT_CODE = "430"


def _chromium_or_skip() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"e2e: Chromium not found at {CHROMIUM} (apt-get install chromium, or set E2E_CHROMIUM)")
    pytest.importorskip("playwright.sync_api", reason="e2e: the playwright Python package is not installed")
    return CHROMIUM


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory) -> Iterator[str]:
    """A brand-new database for the live app; on PostgreSQL created here and dropped after."""
    with fresh_database(tmp_path_factory.mktemp("e2e_db") / "e2e.sqlite", "tracker_e2e") as url:
        yield url


@dataclass
class LiveServer:
    url: str
    app: object
    owner: str
    reviewer: str
    finance: str
    password: str = TEST_PASSWORD


@pytest.fixture(scope="session")
def live_server(e2e_database_url, tmp_path_factory) -> Iterator[LiveServer]:
    _chromium_or_skip()  # no point in building a server nobody can browse
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from tracker import create_app
    from tracker.extensions import db
    from tracker.importers import parse_file
    from tracker.models import Department
    from tracker.services import accounts
    from tracker.services.imports import apply_import, plan_import

    tmp = tmp_path_factory.mktemp("e2e_app")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=e2e_database_url,
        UPLOAD_DIR=str(tmp / "uploads"),
        WTF_CSRF_ENABLED=True,
        SERVER_NAME=None,
    )
    with app.app_context():
        db.create_all()
        data = SEED_FILE.read_bytes()
        plan = plan_import(parse_file(SEED_FILE.name, data), year=2023, filename=SEED_FILE.name, data=data)
        apply_import(plan)
        dept = db.session.scalar(select(Department).where(Department.code == SEED_DEPARTMENT_CODE))
        assert dept is not None, "the seed should create the department with code 430"
        finance_dept = accounts.finance_bureau()
        accounts.create_user(
            username="e2e_owner", password=TEST_PASSWORD, role="owner", department=dept, display_name="张填报"
        )
        accounts.create_user(
            username="e2e_reviewer", password=TEST_PASSWORD, role="reviewer", department=dept, display_name="李审核"
        )
        accounts.create_user(
            username="e2e_finance",
            password=TEST_PASSWORD,
            role="finance",
            department=finance_dept,
            display_name="王绩效",
        )
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}",
            app=app,
            owner="e2e_owner",
            reviewer="e2e_reviewer",
            finance="e2e_finance",
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # lets e2e_database_url drop the PostgreSQL database


@pytest.fixture(scope="module")
def scheduler_poll(live_server) -> Iterator[None]:
    """The scheduler process's poll for jobs asked for from pages (运行双监控, 生成自评表),
    in a thread for the tests of one module (not left running under other tests)."""
    from tracker.scheduler import job_requests_tick

    stop = threading.Event()

    def poll():
        while not stop.wait(0.5):
            job_requests_tick(live_server.app)

    poller = threading.Thread(target=poll, name="e2e-scheduler-poll", daemon=True)
    poller.start()
    try:
        yield
    finally:
        stop.set()
        poller.join(timeout=60)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """tests/e2e/screenshots/ (gitignored), emptied at the start of the run."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
