"""A whole county at once, in a real browser: several files are uploaded, the page's script
steps through them with a progress bar, the per-file preview asks for the department of a
file that names none, and the report lists every file. CSRF is ON (the script sends the token).

The app is served on a port of 5210–5219 of its own (not the shared live_server), with its
own database and upload directory.
"""

from __future__ import annotations

import re
import threading

import pytest

from tests.conftest import SEED_FILE, TEST_PASSWORD, fresh_database

pytestmark = pytest.mark.e2e
PORTS = range(5210, 5220)


@pytest.fixture(scope="module")
def batch_server(browser, tmp_path_factory):
    from werkzeug.serving import make_server

    from tracker import create_app
    from tracker.extensions import db
    from tracker.services import accounts

    tmp = tmp_path_factory.mktemp("e2e_batch")
    with fresh_database(tmp / "batch.sqlite", "impbatch_e2e") as url:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=url,
            UPLOAD_DIR=str(tmp / "uploads"),
            WTF_CSRF_ENABLED=True,
            SERVER_NAME=None,
        )
        with app.app_context():
            db.create_all()
            accounts.create_user(
                username="batch_finance",
                password=TEST_PASSWORD,
                role="finance",
                department=accounts.finance_bureau(),
                display_name="王绩效",
            )
            db.session.commit()
            db.session.remove()
        server = None
        for port in PORTS:
            try:
                server = make_server("127.0.0.1", port, app, threaded=True)
                break
            except OSError:
                continue
        if server is None:
            pytest.skip("e2e: no free port in 5210–5219")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_batch_upload_with_progress_preview_and_report(batch_server, browser, screenshots):
    from playwright.sync_api import expect
    from sqlalchemy import func, select

    from tests.importers.pdf_builder import build_pdf, indicator_rows
    from tracker.extensions import db
    from tracker.models import Department, Project

    app, url = batch_server
    pdf = build_pdf([("农机购置补贴项目", "完成农机补贴发放。", indicator_rows(12))], year=2023)
    nameless = build_pdf([("河道清淤项目", "清淤河道10公里。", indicator_rows(12, "河道"))], department=None, year=2023)
    context = browser.new_context(base_url=url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" and "favicon" not in r.url
            else None
        ),
    )
    try:
        page.goto("/login")
        page.fill("#username", "batch_finance")
        page.fill("#password", TEST_PASSWORD)
        page.locator("form button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/login"))

        page.goto("/imports/")
        page.fill("#year", "2023")
        page.set_input_files(
            "#file",
            files=[
                {"name": "平乡.txt", "mimeType": "text/plain", "buffer": SEED_FILE.read_bytes()},
                {"name": "农业.pdf", "mimeType": "application/pdf", "buffer": pdf},
                {"name": "无部门.pdf", "mimeType": "application/pdf", "buffer": nameless},
                {"name": "通知.txt", "mimeType": "text/plain", "buffer": "会议通知，没有表格。".encode()},
            ],
        )
        page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()

        # the script steps through the four files, then the page shows the preview
        expect(page.locator("#confirm-batch")).to_be_visible()
        report = page.locator("#batch-report")
        expect(report.locator("tbody tr")).to_have_count(4)
        expect(report.locator('tr[data-status="refused"]')).to_contain_text("通知.txt")
        expect(page.locator("#batch-summary")).to_contain_text("共 4 个文件")
        page.screenshot(path=str(screenshots / "batch_01_preview.png"), full_page=True)
        with app.app_context():
            assert db.session.scalar(select(func.count(Project.id))) == 0

        ask = report.locator('tr[data-status="ask"]')
        ask.locator('input[name^="new_name_"]').fill("示例县水利局")
        ask.locator('input[name^="new_code_"]').fill("302")
        page.click("#confirm-batch")

        expect(page.locator("#batch-summary")).to_contain_text("已导入（新增） 3，拒绝 1")
        expect(page.locator("#batch-progress")).to_have_count(0)
        page.screenshot(path=str(screenshots / "batch_02_report.png"), full_page=True)
        with app.app_context():
            assert db.session.scalar(select(func.count(Project.id))) == 20
            assert db.session.scalar(select(Department.name).where(Department.code == "302")) == "示例县水利局"
            db.session.remove()
        assert not problems, problems
    finally:
        context.close()
