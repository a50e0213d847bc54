"""Pages of year over year (§4) and target adjustments (§3): previous-year columns, the
department comparison, the proposal → review → history flow, scope, CSRF, reopening a year."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import SEED_FILE


@pytest.fixture
def as_user(client, login):
    """Log in as another user (logging the current one out first)."""

    def do(user):
        client.post("/logout")
        return login(user)

    return do


@pytest.fixture
def world(db, seeded, make_user, make_department):
    from tracker.importers import parse_file
    from tracker.models import Department, EvaluationForm, EvaluationRow, Project, Submission
    from tracker.services.imports import apply_import, plan_import
    from tracker_demo.years import next_year_text

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    p2023 = db.session.scalar(select(Project).where(Project.name == "2023年度机关用房租赁费用项目"))
    form = EvaluationForm(
        project_id=p2023.id,
        year=2023,
        budget=Decimal("100"),
        spent=Decimal("90"),
        total_score=Decimal("88"),
        grade="良",
    )
    ind = p2023.indicators[0]
    form.rows.append(
        EvaluationRow(
            indicator_id=ind.id,
            position=1,
            weight=Decimal("10"),
            actual_value=Decimal("7"),
            target_raw=ind.target_raw,
            score=Decimal("9.5"),
            deduction=Decimal(0),
        )
    )
    db.session.add_all([form, Submission(project_id=p2023.id, kind="evaluation", period_key="2023", state="approved")])
    data = next_year_text(SEED_FILE.read_text(encoding="utf-8")).encode("utf-8")
    apply_import(plan_import(parse_file("2024.txt", data), year=2024, filename="2024.txt", data=data))
    other = make_department("县水利局", "520")
    bureau = make_department("财政局", "999", finance=True)
    db.session.commit()
    p2024 = db.session.scalar(select(Project).where(Project.previous_project_id == p2023.id))
    ac = db.session.scalar(
        select(Project).where(Project.year_id == p2024.year_id, Project.name.like("第三行政办公区%"))
    )
    return {
        "dept": dept,
        "other": other,
        "p2023": p2023,
        "p2024": p2024,
        "ac_project": ac,
        "ac_indicator": next(i for i in ac.indicators if i.level3 == "每年检查空调工作状态的次数"),
        "owner": make_user("owner", dept),
        "reviewer": make_user("reviewer", dept),
        "finance": make_user("finance", bureau),
        "admin": make_user("admin", bureau),
        "other_owner": make_user("owner", other),
    }


def test_project_page_shows_last_year(client, as_user, world):
    as_user(world["owner"])
    html = client.get(f"/projects/{world['p2024'].id}").get_data(as_text=True)
    assert "2023 年目标" in html and "2023 年实际" in html and "2023 年得分" in html
    assert "自评 88 分（良）" in html
    row = re.search(r'<tr id="indicator-\d+">.*?</tr>', html, re.S).group(0)
    assert "7个" in row and "9.5/10" in row
    # a project without last year (2023 itself) has no such columns
    assert "2022 年目标" not in client.get(f"/projects/{world['p2023'].id}").get_data(as_text=True)


def test_compare_page_scope_and_chart(client, as_user, world):
    as_user(world["owner"])
    resp = client.get("/years/compare")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and world["dept"].name in html
    chart = json.loads(re.search(r"data-chart='([^']*)'", html).group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert chart["years"] == ["2023", "2024"] and chart["score"] == [88.0, None] and chart["execution"] == [90.0, None]
    assert "years.js" in html and "echarts.init" not in html  # drawn by the static file
    assert client.get(f"/years/compare?department={world['other'].id}").status_code == 404
    as_user(world["finance"])
    assert client.get(f"/years/compare?department={world['other'].id}").status_code == 200


def _propose(client, world, raw="≥16次"):
    ind = world["ac_indicator"]
    return client.post(
        f"/projects/{world['ac_project'].id}/adjustments/new",
        data={
            "kind": "target",
            "indicator_id": ind.id,
            "new_target_raw": raw,
            "reason": "新增机组",
            "effective_from": "2024-07-01",
        },
    )


def test_adjustment_flow_and_history(client, as_user, world, db):
    from tracker.models.adjustments import TargetAdjustment

    project, ind = world["ac_project"], world["ac_indicator"]
    as_user(world["owner"])
    assert client.get(f"/projects/{project.id}/adjustments/new?indicator={ind.id}").status_code == 200
    bad = _propose(client, world, raw="≥15次")  # the same as now
    assert bad.status_code == 400 and "相同" in bad.get_data(as_text=True)
    resp = _propose(client, world)
    assert resp.status_code == 302
    adj = db.session.scalar(select(TargetAdjustment))
    url = f"/projects/{project.id}/adjustments/{adj.id}"
    assert "已提交" in client.get(url).get_data(as_text=True)
    as_user(world["reviewer"])
    client.post(url, data={"action": "dept_return", "comment": "请附合同"})
    assert "已退回" in client.get(url).get_data(as_text=True)
    as_user(world["owner"])
    client.post(url, data={"action": "submit"})
    as_user(world["reviewer"])
    client.post(url, data={"action": "dept_approve"})
    as_user(world["finance"])
    assert client.post(url, data={"action": "approve"}).status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "已生效" in html
    hist = client.get(f"/projects/{project.id}/indicators/{ind.id}/targets").get_data(as_text=True)
    table = re.search(r'<table[^>]*id="target-history".*?</table>', hist, re.S).group(0)
    assert table.index("≥15次") < table.index("≥16次") and "2024-07-01" in table and "新增机组" in table
    assert "目标调整" in client.get("/adjustments/").get_data(as_text=True)
    page = client.get(f"/projects/{project.id}/indicators/{ind.id}").get_data(as_text=True)
    inline = re.search(r'id="target-history-inline">(.*?)</div>', page, re.S).group(1)
    assert "2024-01-01 起 ≥15次" in inline and "2024-07-01 起 ≥16次" in inline


def test_owner_of_another_department_sees_nothing(client, as_user, world, db):
    project, ind = world["ac_project"], world["ac_indicator"]
    as_user(world["owner"])
    _propose(client, world)
    from tracker.models.adjustments import TargetAdjustment

    adj = db.session.scalar(select(TargetAdjustment))
    as_user(world["other_owner"])
    for url in (
        f"/projects/{project.id}/adjustments/{adj.id}",
        f"/projects/{project.id}/indicators/{ind.id}/targets",
        f"/projects/{project.id}/adjustments",
        f"/projects/{project.id}/adjustments/new",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/projects/{project.id}/adjustments/{adj.id}", data={"action": "withdraw"}).status_code == 404
    assert "新增机组" not in client.get("/adjustments/").get_data(as_text=True)
    # the finance bureau proposes nothing
    as_user(world["finance"])
    assert client.get(f"/projects/{project.id}/adjustments/new").status_code == 403


def test_adjustment_posts_need_csrf(client, app, as_user, world, db):
    from tracker.models.adjustments import TargetAdjustment

    as_user(world["owner"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _propose(client, world).status_code == 400
        assert db.session.scalar(select(TargetAdjustment.id)) is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    _propose(client, world)
    adj = db.session.scalar(select(TargetAdjustment))
    as_user(world["reviewer"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        url = f"/projects/{world['ac_project'].id}/adjustments/{adj.id}"
        assert client.post(url, data={"action": "dept_approve"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    from tracker.services import adjustments

    assert adjustments.state_of(adj) == "submitted"


def test_admin_reopens_year_only_with_reason(client, as_user, world, db):
    from tracker.models import AuditLog, BudgetYear

    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2023))
    as_user(world["admin"])
    client.post(f"/admin/years/{year.id}/closed", data={"closed": "1"})
    db.session.refresh(year)
    assert year.is_closed
    assert "重新开放原因" in client.get("/admin/years").get_data(as_text=True)
    resp = client.post(f"/admin/years/{year.id}/closed", data={"closed": "0", "reason": "  "}, follow_redirects=True)
    assert "须填写原因" in resp.get_data(as_text=True)
    db.session.refresh(year)
    assert year.is_closed
    client.post(f"/admin/years/{year.id}/closed", data={"closed": "0", "reason": "补录12月支出"})
    db.session.refresh(year)
    assert not year.is_closed
    assert "补录12月支出" in db.session.scalar(select(AuditLog.summary).where(AuditLog.action == "year_reopened"))


def test_import_preview_says_how_much_matches_last_year(client, login, seeded, make_user, db):
    import io

    from tracker.models import Project
    from tracker_demo.years import next_year_text

    login(make_user("finance"))
    data = next_year_text(SEED_FILE.read_text(encoding="utf-8")).encode("utf-8")
    response = client.post(
        "/imports/",
        data={"file": (io.BytesIO(data), "2024.txt"), "year": "2024", "department_id": "0"},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"与上年对应：17 个项目、\d+ 个指标（2023 年）", html)
    assert (
        db.session.scalar(select(Project.id).where(Project.previous_project_id.is_not(None))) is None
    )  # preview writes nothing


def test_bad_proposal_input_gets_chinese_messages(client, as_user, world, db):
    from tracker.models.adjustments import TargetAdjustment

    as_user(world["owner"])
    url = f"/projects/{world['ac_project'].id}/adjustments/new"
    resp = client.post(
        url,
        data={
            "kind": "project",
            "project_name": "食堂",
            "project_budget": "三十万",
            "reason": "x",
            "effective_from": "2024/13/45",
            "indicator_id": "abc",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "日期格式应为 年-月-日" in html and "请输入数字（万元）" in html and "请选择本项目的一个指标" in html
    assert "Not a valid" not in html
    resp = client.post(
        url, data={"kind": "project", "project_name": "食堂", "reason": " ", "effective_from": "2024-07-01"}
    )
    assert resp.status_code == 400 and "请填写调整原因" in resp.get_data(as_text=True)
    assert db.session.scalar(select(TargetAdjustment.id)) is None
