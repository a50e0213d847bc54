"""The review flow in a real browser: owner records a value with evidence and submits the
period → the department reviewer approves → finance approves (审定) → the period is locked.

Screenshots of every step go to tests/e2e/screenshots/ (gitignored).
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

PROJECT = "2023年度机关用房租赁费用项目"
AS_OF = "2023-03-31"  # the seed is budget year 2023; values may not be dated after today
PERIOD = "2023-03"
PERIOD_LABEL = "2023年3月"
LOCKED_DAY = "2023-03-15"  # another day of the same (monthly) period
EVIDENCE_NAME = "房屋租赁合同（2023年3月）.pdf"
VIEWPORT = {"width": 1366, "height": 900}  # a common office laptop screen


def make_pdf(text: str = "E2E evidence") -> bytes:
    """A small but well-formed one-page PDF (correct xref offsets), built by hand."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Session:
    """One user's browser window; records JavaScript errors and failed sub-resources."""

    def __init__(self, browser, server, username: str, screenshots):
        self.context = browser.new_context(
            base_url=server.url, viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"JS error: {exc}"))
        # Anything the Content-Security-Policy refused (an inline script or style left in a template).
        self.page.on(
            "console", lambda msg: "Content Security Policy" in msg.text and self.problems.append(f"CSP: {msg.text}")
        )
        self.page.on("response", self._check_response)
        self.username = username
        self.screenshots = screenshots
        self.login(server.password)

    def _check_response(self, response) -> None:
        # A page itself may answer 400 (a refused form, shown to the user); its assets may not fail.
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} {response.url}")

    def login(self, password: str) -> None:
        from playwright.sync_api import expect

        page = self.page
        page.goto("/login")
        page.fill("#username", self.username)
        page.fill("#password", password)
        page.locator("form button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/login"))

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.problems, f"{self.username}: {self.problems}"


def _badge(page) -> int:
    """The 我的待办 count in the header (no badge means 0)."""
    badge = page.locator("#todo-count")
    return int(badge.inner_text()) if badge.count() else 0


@pytest.mark.e2e
def test_value_with_evidence_submitted_reviewed_and_locked(live_server, browser, screenshots):
    from playwright.sync_api import expect

    pdf = make_pdf()

    # 1. The owner records an actual value with an evidence file and submits the period.
    owner = Session(browser, live_server, live_server.owner, screenshots)
    page = owner.page
    expect(page.locator("h1")).to_have_text("项目绩效目标")
    owner.shot("01_owner_projects")

    page.get_by_role("link", name=PROJECT, exact=True).click()
    expect(page.locator("h1")).to_have_text(PROJECT)
    owner.shot("02_owner_project")

    first_link = page.locator("#target-table tbody tr").first.locator("td a").first
    indicator_name = first_link.inner_text().strip()
    first_link.click()
    expect(page.locator("h2.h5")).to_have_text(indicator_name)
    indicator_url = page.url
    expect(page.locator("#ytd")).to_have_text("—")
    expect(page.get_by_text("尚未填报。")).to_be_visible()
    page.fill("#as_of", AS_OF)
    page.fill("#value", "7")
    page.fill("#note", "七处办公地点均正常运转")
    page.set_input_files("#files", files=[{"name": EVIDENCE_NAME, "mimeType": "application/pdf", "buffer": pdf}])
    owner.shot("03_owner_indicator_filled")
    page.click("#save-value")

    expect(page.locator(".alert-success")).to_contain_text("已保存")
    history = page.locator("#history")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history).to_contain_text(AS_OF)
    expect(history).to_contain_text(PERIOD)
    expect(history).to_contain_text("七处办公地点均正常运转")
    evidence = history.get_by_role("link", name=EVIDENCE_NAME)
    expect(evidence).to_be_visible()
    expect(page.locator("#ytd")).to_have_text(re.compile(r"^7\b"))
    owner.shot("04_owner_value_saved")

    # The evidence link serves the very bytes uploaded, inline as a PDF.
    download = owner.context.request.get(evidence.get_attribute("href"))
    assert download.ok, download.status
    assert download.headers["content-type"] == "application/pdf"
    assert download.body() == pdf

    page.get_by_role("link", name="填报与审核").click()
    row = page.locator(f"#period-{PERIOD}")
    expect(row.locator("td").nth(1)).to_have_text("1")
    expect(row.locator(".badge")).to_have_text("草稿")
    owner.shot("05_owner_review_tab")
    row.locator("button[data-action=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    expect(row.locator(".badge")).to_have_text("已提交")
    expect(row.locator("button[data-action=submit]")).to_have_count(0)
    owner.shot("06_owner_submitted")

    # 撤回 asks first (issue 10): dismissing the question leaves the submission as it is.
    dialogs: list[str] = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    row.locator("button[data-action=withdraw]").click()
    page.wait_for_timeout(300)
    assert dialogs and "撤回" in dialogs[0], dialogs
    expect(row.locator(".badge")).to_have_text("已提交")

    # The live app checks CSRF: the same kind of POST without the form's token is refused.
    forged = owner.context.request.post(page.url.split("#")[0] + "/2023-04", form={"action": "submit"}, max_redirects=0)
    assert forged.status == 400 and "CSRF" in forged.text(), forged.status

    # 2. The department reviewer finds it in 我的待办 and approves it.
    reviewer = Session(browser, live_server, live_server.reviewer, screenshots)
    page = reviewer.page
    expect(page.locator("#todo-count")).to_be_visible()
    before = _badge(page)
    reviewer.shot("07_reviewer_home")
    page.locator("#nav").get_by_role("link", name=re.compile("我的待办")).click()
    expect(page.locator(".page-header")).to_contain_text(f"共 {before} 项")
    item = page.locator("#todo-items tr[data-kind=review]").get_by_role("link", name=f"{PROJECT} · {PERIOD_LABEL}")
    expect(item).to_be_visible()
    reviewer.shot("08_reviewer_todo")
    item.click()  # the period's own page: what is being approved, with its evidence
    expect(page.locator("#period-state")).to_have_text("已提交")
    expect(page.locator("#period-entries")).to_contain_text("七处办公地点均正常运转")
    expect(page.locator("#period-entries").get_by_role("link", name=EVIDENCE_NAME)).to_be_visible()
    expect(page.locator("#period-events")).to_contain_text("张填报")  # who submitted
    reviewer.shot("09_reviewer_review_page")
    page.locator("button[data-action=dept_approve]").click()
    expect(page.locator(".alert-success")).to_contain_text("部门审核通过")
    expect(page.locator("#period-state")).to_have_text("部门已审核")
    assert _badge(page) == before - 1
    reviewer.shot("10_reviewer_approved")
    reviewer.close()

    # 3. Finance finds it in 我的待办 and approves it (审定).
    finance = Session(browser, live_server, live_server.finance, screenshots)
    page = finance.page
    expect(page.locator("#todo-count")).to_have_text("1")
    page.locator("#nav").get_by_role("link", name=re.compile("我的待办")).click()
    item = page.locator("#todo-items tr[data-kind=review]").get_by_role("link", name=f"{PROJECT} · {PERIOD_LABEL}")
    expect(item).to_be_visible()
    finance.shot("11_finance_todo")
    item.click()
    expect(page.locator("#period-state")).to_have_text("部门已审核")
    page.locator("button[data-action=approve]").click()
    expect(page.locator(".alert-success")).to_contain_text("审定")
    expect(page.locator("#period-state")).to_have_text("已审定")
    expect(page.locator("#todo-count")).to_have_count(0)
    finance.shot("12_finance_approved")
    finance.close()

    # The owner sees 已审定 and can no longer record a value dated in that period.
    page = owner.page
    page.reload()
    row = page.locator(f"#period-{PERIOD}")
    expect(row.locator(".badge")).to_have_text("已审定")
    expect(row.locator("button")).to_have_count(0)
    owner.shot("13_owner_period_approved")

    page.goto(indicator_url)
    page.fill("#as_of", LOCKED_DAY)
    page.fill("#value", "1")
    page.click("#save-value")
    message = page.locator("#form-message")
    expect(message).to_contain_text("2023年3月的填报已审定，已锁定，不能再修改")
    expect(message).to_contain_text("联系财政局重新打开")
    expect(page.locator("#as_of")).to_have_value(LOCKED_DAY)  # the input is kept
    expect(page.locator("#history tbody tr")).to_have_count(1)
    expect(page.locator("#ytd")).to_have_text(re.compile(r"^7\b"))
    owner.shot("14_owner_locked")

    # The approved entry offers no 更正/撤销 and says it is locked.
    history = page.locator("#history")
    expect(history.get_by_role("button", name="撤销", exact=True)).to_have_count(0)
    expect(history.get_by_text("已锁定")).to_be_visible()
    owner.shot("15_owner_entry_locked")
    owner.close()
