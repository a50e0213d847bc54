"""Target-quality review and payment import in a real browser: finance sees the county chart
drawn (canvas, no JS error) and filters; the department's reviewer previews the sample payment
file, confirms it, and importing it again adds nothing. Screenshots prefixed ``q``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.test_review_flow import Session

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "payments_2023_430.csv"


@pytest.mark.e2e
def test_quality_report_and_payment_import(live_server, browser, screenshots):
    from playwright.sync_api import expect

    finance = Session(browser, live_server, live_server.finance, screenshots)
    page = finance.page
    page.goto("/quality/?year=2023")
    for chart in ("#quality-avg-chart", "#quality-grade-chart", "#quality-rule-chart"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
    expect(page.locator("#quality-projects tbody tr")).to_have_count(18)
    finance.shot("q1_quality_county")
    page.select_option("#f-sev", "提示")
    page.locator("#quality-filter button[type=submit]").click()
    expect(page.locator("#quality-projects tbody tr")).to_have_count(1)
    page.locator("#quality-projects a").first.click()
    expect(page.locator("#quality-findings")).to_contain_text("重复指标")
    finance.shot("q2_quality_project")
    finance.close()

    reviewer = Session(browser, live_server, live_server.reviewer, screenshots)
    page = reviewer.page
    for attempt in (1, 2):
        page.goto("/payments/")
        page.set_input_files("#file", str(SAMPLE))
        page.locator("#payment-upload button[type=submit]").click()
        expect(page.locator("#payment-rows")).to_be_visible()
        if attempt == 1:
            expect(page.locator("#count-matched")).to_have_text("5")
            reviewer.shot("q3_payments_preview")
            page.locator("#confirm-payments").click()
            expect(page.locator(".alert-success")).to_contain_text("已导入 5 笔支出")
            reviewer.shot("q4_payments_done")
        else:
            expect(page.locator("#count-matched")).to_have_text("0")
            expect(page.locator("#count-duplicate")).to_have_text("5")
            expect(page.locator("#confirm-payments")).to_be_disabled()
    assert re.search(r"/payments/", page.url)
    reviewer.close()
