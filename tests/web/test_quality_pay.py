"""Pages of the target-quality review and of the payment import: scope, export, CSRF."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "payments_2023_430.csv"


@pytest.fixture
def world(db, seeded, make_user, make_department):
    from tracker.models import BudgetYear, Department, Indicator, Project

    seed = db.session.scalar(select(Department).where(Department.code == "430"))
    other = make_department("县水利局", "520")
    year = db.session.scalar(select(BudgetYear))
    foreign = Project(department_id=other.id, year_id=year.id, name='=HYPERLINK("http://x","水库")', position=1)
    db.session.add(foreign)
    db.session.flush()
    db.session.add(
        Indicator(
            project_id=foreign.id,
            position=1,
            level1="产出指标",
            level2="数量指标",
            level3="维修水库数",
            target_raw="逐步推进",
            target_kind="qualitative",
        )
    )
    db.session.commit()
    return {
        "seed": seed,
        "other": other,
        "foreign": foreign.id,
        "own": db.session.scalar(select(Project.id).where(Project.department_id == seed.id).limit(1)),
        "owner": make_user("owner", seed),
        "reviewer": make_user("reviewer", seed),
        "finance": make_user("finance"),
        "admin": make_user("admin"),
    }


def test_finance_sees_the_county_with_chart_data_and_no_inline_script(client, login, world):
    login(world["finance"])
    page = client.get("/quality/?year=2023")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "县水利局" in html and "平乡县机关后勤服务中心" in html
    chart = json.loads(
        re.search(r"id=\"quality-avg-chart\"[^>]*data-chart='([^']*)'", html).group(1).replace("&#34;", '"')
    )
    assert len(chart["departments"]) == 2 and sum(n for _, n in chart["grades"]) == 19
    inline = lambda text: len(re.findall(r"<script(?![^>]*src=)[^>]*>", text))  # noqa: E731
    base_page = client.get("/projects/").get_data(as_text=True)
    assert inline(html) == inline(base_page)  # this page adds no inline script of its own
    assert "quality.js" in html
    assert "onchange" not in html[html.index("quality-filter") : html.index("quality-projects")]


def test_sorting_and_filters(client, login, world):
    login(world["finance"])
    html = client.get("/quality/?year=2023&sort=severity").get_data(as_text=True)
    table = html[html.index('id="quality-projects"') :]
    assert table.index("HYPERLINK") < table.index("节能办节能运转费项目")  # the error comes first
    only_hints = client.get("/quality/?year=2023&severity=提示").get_data(as_text=True)
    rows = only_hints[only_hints.index('id="quality-projects"') :].count("/quality/project/")
    assert rows == 1
    dept = client.get(f"/quality/?year=2023&department={world['other'].id}").get_data(as_text=True)
    assert dept[dept.index('id="quality-projects"') :].count("/quality/project/") == 1


def test_pages(client, login, world, monkeypatch):
    import tracker.quality

    monkeypatch.setattr(tracker.quality, "PAGE_SIZE", 5)
    login(world["finance"])
    first = client.get("/quality/?year=2023&sort=name").get_data(as_text=True)
    last = client.get("/quality/?year=2023&sort=name&page=4").get_data(as_text=True)
    ids = lambda html: re.findall(r"/quality/project/(\d+)", html[html.index('id="quality-projects"') :])  # noqa: E731
    assert len(ids(first)) == 5 and len(ids(last)) == 4 and not set(ids(first)) & set(ids(last))
    assert "page=4" in first


def test_owner_sees_own_department_only(client, login, world):
    login(world["owner"])
    html = client.get("/quality/?year=2023").get_data(as_text=True)
    assert "县水利局" not in html and "HYPERLINK" not in html
    # Asking for the other department gives nothing of it.
    html = client.get(f"/quality/?year=2023&department={world['other'].id}").get_data(as_text=True)
    assert "HYPERLINK" not in html
    assert client.get(f"/quality/project/{world['foreign']}").status_code == 404
    assert client.get(f"/quality/project/{world['own']}").status_code == 200
    book = load_workbook(io.BytesIO(client.get(f"/quality/export.xlsx?department={world['other'].id}").data))
    assert book["项目"].max_row == 1  # header only


def test_export_writes_text_never_formulas(client, login, world):
    login(world["finance"])
    response = client.get("/quality/export.xlsx?year=2023&sort=severity")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["部门汇总", "项目", "问题明细", "审核规则"]
    projects = book["项目"]
    first = [c.value for c in projects[2]]
    assert first[1] == '=HYPERLINK("http://x","水库")' and projects["B2"].data_type == "s"
    assert projects.max_row == 20
    details = book["问题明细"]
    messages = [row[5] for row in details.iter_rows(min_row=2, values_only=True)]
    assert any("逐步推进" in m for m in messages)
    assert all(cell.data_type != "f" for row in details.iter_rows() for cell in row)


def test_project_page_lists_reasons(client, login, world):
    from tracker.extensions import db
    from tracker.models import Project

    pid = db.session.scalar(select(Project.id).where(Project.name == "节能办节能运转费项目"))
    login(world["reviewer"])
    html = client.get(f"/quality/project/{pid}").get_data(as_text=True)
    assert "三级指标名称与指标值相同" in html and "财预〔2015〕88号" in html
    assert "节能意识有明显提高" in html


def test_settings_admin_only_and_effective(client, app, login, world):
    login(world["finance"])
    assert client.get("/quality/settings").status_code == 403
    client.post("/logout")
    login(world["admin"])
    assert client.get("/quality/settings").status_code == 200
    from tracker.domain import quality as rules

    enabled = [r.code for r in rules.RULES if r.code != "vague_wording"]
    bad = client.post(
        "/quality/settings", data={"submitted": "1", "enabled": enabled, "threshold_satisfaction_low": "百分之九十"}
    )
    assert bad.status_code == 400 and "0–100" in bad.get_data(as_text=True)
    ok = client.post(
        "/quality/settings",
        data={
            "submitted": "1",
            "enabled": enabled,
            "threshold_satisfaction_low": "96",
            "threshold_quantified_share": "50",
        },
    )
    assert ok.status_code == 302
    html = client.get("/quality/?year=2023&rule=satisfaction_low").get_data(as_text=True)
    assert "低于 96%" in html
    assert "明显提升”含" not in client.get("/quality/?year=2023").get_data(as_text=True)
    # An empty post changes nothing.
    assert client.post("/quality/settings", data={}).status_code == 400
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/quality/settings", data={"submitted": "1"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _count():
    from tracker.extensions import db
    from tracker.models import Expenditure

    return db.session.scalar(select(func.count()).select_from(Expenditure))


def _upload(client, data: bytes, name: str = SAMPLE.name):
    return client.post("/payments/", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_payment_preview_confirm_and_reimport(client, login, world):
    login(world["reviewer"])
    preview = _upload(client, SAMPLE.read_bytes())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert re.search(r'id="count-matched">5<', html) and re.search(r'id="count-unmatched">2<', html)
    token = re.search(r'name="token" value="([0-9a-f]{64})"', html).group(1)
    before = _count()
    done = client.post("/payments/confirm", data={"token": token, "filename": SAMPLE.name})
    assert done.status_code == 302
    assert _count() == before + 5
    page = client.get("/payments/").get_data(as_text=True)
    assert "已导入 5 笔支出" in page and SAMPLE.name in page
    again = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    assert re.search(r'id="count-matched">0<', again) and re.search(r'id="count-duplicate">5<', again)
    token = re.search(r'name="token" value="([0-9a-f]{64})"', again).group(1)
    client.post("/payments/confirm", data={"token": token, "filename": SAMPLE.name})
    assert _count() == before + 5
    # The spending page of a matched project shows the imported amount.
    from tracker.extensions import db
    from tracker.models import Expenditure

    row = db.session.scalar(select(Expenditure).where(Expenditure.client_token.like("pay:%")).order_by(Expenditure.id))
    assert row.amount == Decimal("12.5") and row.input_unit == "元" and "一季度办公用房租金" in row.note


def test_payment_bad_file_and_roles(client, login, world):
    login(world["finance"])
    bad = _upload(client, "支付日期,项目名称,金额\n2023-03-01,劳务费,abc\n".encode(), "bad.csv")
    assert bad.status_code == 400
    assert "第 2 行“金额”列的金额“abc”不是数字" in bad.get_data(as_text=True)
    assert client.post("/payments/", data={}).status_code == 400
    assert client.post("/payments/confirm", data={"token": "../../etc", "filename": "x"}).status_code == 302
    client.post("/logout")
    login(world["owner"])
    assert client.get("/payments/").status_code == 403
    assert _upload(client, SAMPLE.read_bytes()).status_code == 403


def test_payment_reviewer_of_another_department_matches_nothing_of_ours(client, login, world, make_user):
    login(make_user("reviewer", world["other"]))
    html = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    assert re.search(r'id="count-matched">0<', html) and re.search(r'id="count-unmatched">7<', html)


def test_payment_posts_need_csrf(client, app, login, world):
    login(world["reviewer"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _upload(client, SAMPLE.read_bytes()).status_code == 400
        assert client.post("/payments/confirm", data={"token": "0" * 64, "filename": "x.csv"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _count() == 0
