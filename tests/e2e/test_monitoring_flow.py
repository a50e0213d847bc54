"""双监控 in a real browser: finance runs the mid-year monitoring → the owner of a project
that is behind explains it (refused first without an explanation) and submits the form →
finance marks it 需整改 → the owner sees the requirement and a message.

Screenshots of every step go to tests/e2e/screenshots/ (gitignored), prefixed ``m``.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_review_flow import Session
from tracker.progress import forms as progress_forms

pytestmark = pytest.mark.e2e

AS_OF = "2023-06-30"
INDICATOR_TARGET = "≥12次"  # 每年检查空调工作状态的次数, a cumulative count
VALUE_DAY = "2023-05-31"
REQUIREMENT = "9月底前完成支付"


@pytest.fixture(scope="module")
def behind_project(live_server) -> str:
    """The project of the ≥12次 indicator, made clearly behind at mid-year: a budget of 100 万元
    with 1 万元 spent, and only 2 of the 12 checks done by the end of May. Returns its name."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Indicator, User
    from tracker.services import progress

    with live_server.app.app_context():
        indicators = db.session.scalars(select(Indicator).where(Indicator.target_raw == INDICATOR_TARGET)).all()
        assert len(indicators) == 1, [i.level3 for i in indicators]
        indicator = indicators[0]
        assert indicator.accumulation == "cumulative"
        project = indicator.project
        finance = db.session.scalar(select(User).where(User.username == live_server.finance))
        owner = db.session.scalar(select(User).where(User.username == live_server.owner))
        progress.update_budget(
            finance,
            project,
            progress_forms.parse_budget_form({"initial_budget": "100", "reason": "E2E：年初预算"}),
            expected_version=None,
        )
        value = progress_forms.parse_value_form(
            indicator, {"as_of": VALUE_DAY, "value": "2", "note": "上半年检查 2 次"}
        )
        progress.record_value(owner, indicator, value)
        spending = progress_forms.parse_spending_form(
            project, {"spent_on": VALUE_DAY, "amount": "1", "unit": "万元", "note": "首期维保费"}
        )
        progress.record_spending(owner, project, spending)
        db.session.commit()
        name = project.name
        db.session.remove()
    return name


@pytest.mark.e2e
def test_monitoring_explained_submitted_and_marked_for_rectification(
    live_server, browser, screenshots, behind_project, scheduler_poll
):
    from playwright.sync_api import expect

    def shot(session: Session, name: str) -> None:
        session.shot(f"m{name}")

    # 1. Finance runs the mid-year monitoring from the overview page.
    finance = Session(browser, live_server, live_server.finance, screenshots)
    page = finance.page
    page.locator("#nav").get_by_role("link", name="双监控").click()
    expect(page.locator("h1")).to_contain_text("双监控")
    page.fill("#as_of", AS_OF)
    page.click("#run-monitoring")
    # The page only queues the run; the scheduler runs it and the progress page shows the result.
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("#job-message")).to_contain_text("双监控已完成", timeout=30_000)
    expect(page.locator("#job-state")).to_have_text("已完成")
    shot(finance, "00_finance_job_done")
    page.click("#job-result-link")
    table = page.locator("#monitoring-projects")
    expect(table.locator("tbody tr")).to_have_count(18)
    expect(page.locator("#period")).to_have_value(AS_OF)
    expect(page.locator("#dept-chart canvas")).to_have_count(1)
    expect(page.locator("#light-chart canvas")).to_have_count(1)
    # Chart tooltips must not need inline styles (the CSP refuses them): hover both charts.
    for chart in ("#dept-chart", "#light-chart"):
        box = page.locator(chart).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(400)
    row = table.locator("tbody tr", has=page.get_by_role("link", name=behind_project, exact=True))
    expect(row).to_be_visible()
    expect(row).to_have_class(re.compile(r"\brow-red\b"))
    expect(row.locator("td").nth(4)).to_have_text("1.00%")  # 执行率: 1 of 100 万元
    shot(finance, "01_finance_overview")

    # 2. The owner opens the project's form and first tries to submit without explaining.
    owner = Session(browser, live_server, live_server.owner, screenshots)
    page = owner.page
    page.locator("#nav").get_by_role("link", name="双监控").click()
    page.locator("#monitoring-projects").get_by_role("link", name=behind_project, exact=True).click()
    expect(page.locator("#form-state")).to_have_text("草稿")
    form_url = page.url
    assert form_url.endswith(f"/{AS_OF}"), form_url
    shot(owner, "02_owner_form")

    page.fill("#expected_completion", "预计下半年完成全部检查")
    page.click("#submit-form")
    error = page.locator("#form-error")
    expect(error).to_contain_text("红灯指标须填写")
    expect(page.locator("#expected_completion")).to_have_value("预计下半年完成全部检查")  # kept
    expect(page.locator("#form-state")).to_have_text("草稿")
    shot(owner, "03_owner_refused")

    # 3. The owner explains the budget and every row that asks for it, then submits.
    page.fill("#budget_explanation", "维保合同 7 月签订，费用下半年集中支付")
    rows = page.locator("#monitoring-rows tbody tr").filter(has=page.locator("input[type=checkbox]"))
    n = rows.count()
    assert n >= 1
    for i in range(n):
        r = rows.nth(i)
        r.locator("input[type=checkbox][value=其他]").check()
        r.locator("textarea[name$='-analysis']").fill("维保合同签订较晚，检查次数滞后")
        r.locator("select[name$='-likelihood']").select_option("确定能")
        r.locator("input[name$='-measure']").fill("下半年每月检查两次")
    shot(owner, "04_owner_filled")
    page.click("#submit-form")
    expect(page.locator(".alert-success")).to_contain_text("监控表已提交部门审核")
    expect(page.locator("#form-state")).to_have_text("已提交")
    expect(page.locator("#form-error")).to_have_count(0)
    expect(page.locator("#expected_completion")).to_have_value("预计下半年完成全部检查")
    expect(page.locator("#monitoring-rows")).to_contain_text("下半年每月检查两次")
    expect(page.locator("#submit-form")).to_have_count(0)  # read-only once submitted
    shot(owner, "05_owner_submitted")

    # 4. Finance marks the form 需整改 with a requirement.
    page = finance.page
    page.goto(form_url)
    expect(page.locator("#form-state")).to_have_text("已提交")
    page.check("#needs_rectification")
    page.fill("textarea[name=rectification_requirements]", REQUIREMENT)
    page.click("#save-disposition")
    expect(page.locator(".alert-success")).to_contain_text("已保存处理意见")
    expect(page.locator("#needs_rectification")).to_be_checked()
    expect(page.locator("textarea[name=rectification_requirements]")).to_have_value(REQUIREMENT)
    shot(finance, "06_finance_disposition")
    page.goto("/monitoring/?period=" + AS_OF)
    row = page.locator("#monitoring-projects tbody tr", has=page.get_by_role("link", name=behind_project, exact=True))
    expect(row).to_contain_text("需整改")
    expect(row).to_contain_text("已提交")
    shot(finance, "07_finance_overview_after")
    finance.close()

    # The owner sees the requirement on the form and a message.
    page = owner.page
    page.reload()
    expect(page.locator("#needs-rectification")).to_have_text("是")
    expect(page.get_by_text(f"整改要求：{REQUIREMENT}")).to_be_visible()
    shot(owner, "08_owner_rectification")
    expect(page.locator("#unread-count")).to_be_visible()
    page.locator("#nav").get_by_role("link", name=re.compile("消息")).click()
    message = page.locator("#notifications").get_by_role("link", name=re.compile(re.escape(REQUIREMENT)))
    expect(message).to_be_visible()
    expect(message).to_contain_text(behind_project)
    shot(owner, "09_owner_messages")
    message.click()
    expect(page).to_have_url(form_url)
    owner.close()
