"""Recording through the pages: evidence, field errors, CSRF, scoped downloads, query counts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def dept(db, seeded):
    from tracker.models import Department

    return db.session.scalar(select(Department).where(Department.code == "430"))


def _indicator(db, raw):
    from tracker.models import Indicator

    return db.session.scalars(select(Indicator).where(Indicator.target_raw == raw).order_by(Indicator.id)).first()


def test_owner_records_value_with_evidence(client, dept, make_user, make_department, login, db, app):
    from tracker.models import Evidence, ProgressEntry

    owner = login(make_user("owner", dept))
    ind = _indicator(db, "≥12次")
    url = f"/projects/{ind.project_id}/indicators/{ind.id}"
    response = client.post(
        url,
        data={"as_of": "2023-03-31", "value": "3", "note": "一季度检查", "files": (io.BytesIO(PDF), "检查记录.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(ProgressEntry))
    assert entry.value == Decimal("3") and entry.created_by_id == owner.id
    ev = db.session.scalar(select(Evidence))
    html = client.get(url).get_data(as_text=True)
    assert "检查记录.pdf" in html and "一季度检查" in html
    download = client.get(f"/evidence/{ev.id}")
    assert download.status_code == 200 and download.data == PDF
    # Another department's owner cannot fetch it, by page or by guessed URL.
    client.post("/logout")
    login(make_user("owner", make_department("县水利局", "520")))
    assert client.get(f"/evidence/{ev.id}").status_code == 404
    assert client.get(url).status_code == 404


def test_bad_input_is_shown_next_to_the_field_and_kept(client, dept, make_user, login, db):
    from tracker.models import ProgressEntry

    login(make_user("owner", dept))
    ind = _indicator(db, "≥12次")
    response = client.post(
        f"/projects/{ind.project_id}/indicators/{ind.id}", data={"as_of": "2023-03-31", "value": "十二次"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="error-value"' in html and "不是有效的数值" in html
    assert 'value="十二次"' in html  # the user's input is not lost
    assert db.session.scalar(select(func.count(ProgressEntry.id))) == 0


def test_disguised_file_is_refused_and_nothing_saved(client, dept, make_user, login, db):
    from tracker.models import Evidence, ProgressEntry

    login(make_user("owner", dept))
    ind = _indicator(db, "≥12次")
    response = client.post(
        f"/projects/{ind.project_id}/indicators/{ind.id}",
        data={"as_of": "2023-03-31", "value": "3", "files": (io.BytesIO(b"MZ\x90\x00" + bytes(64)), "报告.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "已拒绝" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProgressEntry.id))) == 0
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_csrf_is_required_on_progress_posts(app, client, dept, make_user, login, db):
    login(make_user("owner", dept))
    ind = _indicator(db, "≥12次")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url, data in [
            (f"/projects/{ind.project_id}/indicators/{ind.id}", {"as_of": "2023-03-31", "value": "3"}),
            (f"/projects/{ind.project_id}/spending", {"spent_on": "2023-03-31", "amount": "3"}),
            (f"/projects/{ind.project_id}/review/2023-03", {"action": "submit"}),
        ]:
            assert client.post(url, data=data).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_review_through_pages(client, dept, make_user, login, db):
    ind = _indicator(db, "≥12次")
    owner = make_user("owner", dept)
    reviewer = make_user("reviewer", dept)
    login(owner)
    client.post(f"/projects/{ind.project_id}/indicators/{ind.id}", data={"as_of": "2023-03-31", "value": "3"})
    client.post(f"/projects/{ind.project_id}/review/2023-03", data={"action": "submit"})
    client.post("/logout")
    login(reviewer)
    assert "等待我审核" in client.get("/todo").get_data(as_text=True)
    response = client.post(
        f"/projects/{ind.project_id}/review/2023-03", data={"action": "dept_return"}, follow_redirects=True
    )
    assert "必须填写" in response.get_data(as_text=True)
    client.post(f"/projects/{ind.project_id}/review/2023-03", data={"action": "dept_approve"})
    html = client.get(f"/projects/{ind.project_id}/review").get_data(as_text=True)
    assert "部门已审核" in html


def test_spending_page_and_budget_edit(client, dept, make_user, login, db):
    from tracker.models import Project

    project = _indicator(db, "≥12次").project
    login(make_user("finance"))
    response = client.post(
        f"/projects/{project.id}/budget",
        data={"initial_budget": "12", "adjusted_budget": "", "reason": "年初批复", "version": project.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).initial_budget == Decimal("12")
    client.post("/logout")
    login(make_user("owner", dept))
    client.post(f"/projects/{project.id}/spending", data={"spent_on": "2023-02-01", "amount": "30000", "unit": "元"})
    html = client.get(f"/projects/{project.id}/spending").get_data(as_text=True)
    assert 'id="spent">3.00<' in html and 'id="rate">25.00%<' in html
    assert "execution-chart" in html
    page = client.get(f"/projects/{project.id}")  # the project page with a budget and spending
    assert page.status_code == 200 and "执行率 25.00%" in page.get_data(as_text=True)


def _count_queries(app, db, client, url) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def _add_entries(db, project, user, per_indicator: int):
    from tracker.models import ProgressEntry

    start = date(2023, 1, 1)
    rows = []
    for ind in project.indicators:
        for i in range(per_indicator):
            day = start + timedelta(days=i % 360)
            rows.append(
                ProgressEntry(
                    indicator_id=ind.id,
                    project_id=project.id,
                    as_of=day,
                    period_key=f"2023-{day.month:02d}",
                    value=Decimal(1) if ind.target_kind == "quantitative" else None,
                    tier="达成" if ind.target_kind in ("qualitative", "within_budget") else None,
                    completed_on=day if ind.target_kind == "deadline" else None,
                    for_month=day.month if ind.deadline_monthly_day else None,
                    created_by_id=user.id,
                )
            )
    db.session.add_all(rows)
    db.session.commit()


def test_query_count_does_not_grow_with_entries(app, client, dept, make_user, login, db):
    """Project page, indicator page, spending and review pages: the same number of queries
    for 10 and for 200 entries per indicator."""
    owner = login(make_user("owner", dept))
    project = _indicator(db, "≥12次").project
    ind = project.indicators[0]
    urls = [
        f"/projects/{project.id}",
        f"/projects/{project.id}/indicators/{ind.id}",
        f"/projects/{project.id}/spending",
        f"/projects/{project.id}/review",
        "/todo",
    ]
    _add_entries(db, project, owner, 10)
    small = {url: _count_queries(app, db, client, url) for url in urls}
    _add_entries(db, project, owner, 190)
    large = {url: _count_queries(app, db, client, url) for url in urls}
    print("queries per page (10 vs 200 entries per indicator):", {u: (small[u], large[u]) for u in urls})
    assert small == large
    assert max(large.values()) <= 25


def test_second_correction_of_the_same_entry_gets_a_conflict_and_keeps_input(app, dept, make_user, db):
    from tests.conftest import TEST_PASSWORD
    from tracker.models import ProgressEntry

    ind = _indicator(db, "≥12次")
    url = f"/projects/{ind.project_id}/indicators/{ind.id}"
    first, second = make_user("owner", dept), make_user("reviewer", dept)
    clients = []
    for user in (first, second):
        c = app.test_client()
        c.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
        clients.append(c)
    clients[0].post(url, data={"as_of": "2023-03-31", "value": "3"})
    entry = db.session.scalar(select(ProgressEntry))
    # Both open the correction form of the same entry; the reviewer saves first.
    assert (
        clients[1].post(url, data={"as_of": "2023-03-31", "value": "4", "supersedes_id": entry.id}).status_code == 302
    )
    response = clients[0].post(
        url, data={"as_of": "2023-03-31", "value": "5", "note": "按台账更正", "supersedes_id": entry.id}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "已被更正" in html and "4 次" in html  # says what the other person saved
    assert 'value="5"' in html and "按台账更正" in html  # and keeps this person's input
    assert db.session.scalar(select(func.count(ProgressEntry.id))) == 2


def test_a_form_posted_twice_saves_once(client, dept, make_user, login, db):
    from tracker.models import Expenditure, ProgressEntry

    login(make_user("owner", dept))
    ind = _indicator(db, "≥12次")
    page = client.get(f"/projects/{ind.project_id}/indicators/{ind.id}").get_data(as_text=True)
    token = page.split('name="client_token" value="')[1].split('"')[0]
    data = {"as_of": "2023-03-31", "value": "3", "client_token": token}
    assert client.post(f"/projects/{ind.project_id}/indicators/{ind.id}", data=data).status_code == 302
    again = client.post(f"/projects/{ind.project_id}/indicators/{ind.id}", data=data, follow_redirects=True)
    assert "重复提交已忽略" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProgressEntry.id))) == 1
    spend = {"spent_on": "2023-03-03", "amount": "1234", "unit": "元", "client_token": "t-" + token}
    for _ in range(2):
        client.post(f"/projects/{ind.project_id}/spending", data=spend)
    assert db.session.scalar(select(func.count(Expenditure.id))) == 1
