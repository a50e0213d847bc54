"""Read endpoints: content, filters, pagination, department scope and bounded query counts."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from tests.api.conftest import record_spending, record_value


def _json(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


@contextmanager
def count_queries(db):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def owner_api(api_as, api_world):
    return api_as(api_world["users"]["owner"])


@pytest.fixture
def finance_api(api_as, api_world):
    return api_as(api_world["users"]["finance"])


def test_me_and_years(owner_api, api_world):
    me = _json(owner_api.get("/api/v1/me"))
    assert me["department"]["name"] == api_world["seed_dept"].name
    years = _json(owner_api.get("/api/v1/years"))
    assert [y["year"] for y in years["items"]] == [2023]


def test_departments_are_scoped(owner_api, finance_api, api_world):
    own = _json(owner_api.get("/api/v1/departments"))
    assert [d["id"] for d in own["items"]] == [api_world["seed_dept"].id]
    everything = _json(finance_api.get("/api/v1/departments?per_page=200"))
    ids = {d["id"] for d in everything["items"]}
    assert {api_world["seed_dept"].id, api_world["other_dept"].id} <= ids


def test_projects_with_budget_spent_and_rate(owner_api, api_world, db):
    project = api_world["own_project"]
    owner = api_world["users"]["owner"]
    project.initial_budget = Decimal("10")
    project.adjusted_budget = Decimal("8")
    db.session.commit()
    record_spending(owner, project, date(2023, 3, 1), "12000")  # 1.2 万元
    row = record_spending(owner, project, date(2023, 4, 1), "8000")
    from tracker.services import progress

    progress.record_spending(owner, project, None, supersedes=row, void_reason="重复登记")  # voided: not counted
    db.session.commit()
    body = _json(owner_api.get("/api/v1/projects?per_page=200"))
    assert body["total"] == api_world["project_count"] == 18
    item = next(p for p in body["items"] if p["id"] == project.id)
    assert item["initial_budget"] == "10" and item["adjusted_budget"] == "8" and item["budget"] == "8"
    assert item["spent"] == "1.2"
    assert item["execution_rate"] == "0.15"
    assert item["indicator_count"] == len(project.indicators) > 0
    assert item["year"] == 2023 and item["department_name"] == api_world["seed_dept"].name
    assert api_world["foreign_project"].id not in {p["id"] for p in body["items"]}


def test_projects_filters_and_pagination(owner_api, finance_api, api_world):
    page = _json(owner_api.get("/api/v1/projects?per_page=5&page=2"))
    assert len(page["items"]) == 5 and page["total"] == 18 and page["pages"] == 4 and page["page"] == 2
    last = _json(owner_api.get("/api/v1/projects?per_page=5&page=4"))
    assert len(last["items"]) == 3
    assert _json(owner_api.get("/api/v1/projects?year=2022"))["total"] == 0
    # an owner filtering by another department sees nothing of it
    assert _json(owner_api.get(f"/api/v1/projects?department_id={api_world['other_dept'].id}"))["total"] == 0
    other = _json(finance_api.get(f"/api/v1/projects?department_id={api_world['other_dept'].id}"))
    assert [p["id"] for p in other["items"]] == [api_world["foreign_project"].id]
    assert _json(finance_api.get("/api/v1/projects?q=水库"))["total"] == 1


@pytest.mark.parametrize(
    "query, field",
    [("per_page=500", "per_page"), ("page=0", "page"), ("year=abc", "year"), ("kind=数量", "kind")],
)
def test_bad_query_arguments_are_422_in_chinese(owner_api, api_world, query, field):
    body = _json(owner_api.get(f"/api/v1/indicators?{query}"), 422)
    assert field in body["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["errors"][field])


def test_project_detail_and_indicators_with_parsed_targets(owner_api, api_world):
    project = api_world["own_project"]
    detail = _json(owner_api.get(f"/api/v1/projects/{project.id}"))
    assert [i["id"] for i in detail["indicators"]] == [i.id for i in project.indicators]
    q = api_world["quantitative"]
    item = _json(owner_api.get(f"/api/v1/indicators/{q.id}"))
    target = item["target"]
    assert target["kind"] == "quantitative" and target["raw"] == q.target_raw
    assert target["op"] == q.target.op and target["unit"] == q.target_unit
    assert Decimal(target["value"]) == q.target_value and target["deadline"] is None
    assert item["level3"] == q.level3
    listed = _json(owner_api.get(f"/api/v1/indicators?project_id={q.project_id}&kind=quantitative&per_page=200"))
    assert q.id in {i["id"] for i in listed["items"]}
    assert {i["target"]["kind"] for i in listed["items"]} == {"quantitative"}
    everything = _json(owner_api.get("/api/v1/indicators?per_page=200"))
    assert everything["total"] == 184


def test_deadline_target_has_due_date(owner_api, api_world):
    ind = api_world["deadline"]
    if ind is None:
        pytest.skip("the seed has no deadline target")
    target = _json(owner_api.get(f"/api/v1/indicators/{ind.id}"))["target"]
    assert target["kind"] == "deadline"
    expected = ind.target.due_date(2023)
    assert target["deadline"]["due_date"] == (expected.isoformat() if expected else None)
    assert target["deadline"]["month"] == ind.target.month


def test_entries_with_history(owner_api, api_world, db):
    from tracker.services import progress

    owner = api_world["users"]["owner"]
    ind = api_world["quantitative"]
    first = record_value(owner, ind, date(2023, 3, 31), "1")
    db.session.commit()
    from tracker.api.write import parse_value_form

    data = parse_value_form(ind, {"as_of": "2023-03-31", "value": "2"})
    second = progress.record_value(owner, ind, data, supersedes=first)
    db.session.commit()
    other = record_value(owner, ind, date(2023, 4, 30), "3")
    db.session.commit()
    void = progress.void_value(owner, other, "填错了")
    db.session.commit()
    body = _json(owner_api.get(f"/api/v1/entries?indicator_id={ind.id}"))
    by_id = {e["id"]: e for e in body["items"]}
    assert set(by_id) == {first.id, second.id, other.id, void.id}
    assert by_id[first.id]["superseded_by_id"] == second.id and by_id[first.id]["is_current"] is False
    assert by_id[second.id]["supersedes_id"] == first.id and by_id[second.id]["is_current"] is True
    assert by_id[second.id]["value"] == "2" and by_id[second.id]["unit"] == ind.target_unit
    assert by_id[void.id]["is_void"] is True and by_id[other.id]["superseded_by_id"] == void.id
    assert by_id[second.id]["created_by"]["id"] == owner.id
    current = _json(owner_api.get(f"/api/v1/entries?indicator_id={ind.id}&current=true"))
    assert [e["id"] for e in current["items"]] == [second.id]
    ranged = _json(owner_api.get("/api/v1/entries?as_of_from=2023-04-01&as_of_to=2023-04-30"))
    assert {e["id"] for e in ranged["items"]} == {other.id, void.id}
    one = _json(owner_api.get(f"/api/v1/entries/{first.id}"))
    assert one["superseded_by_id"] == second.id


def test_spending_list_and_row(owner_api, api_world, db):
    owner = api_world["users"]["owner"]
    project = api_world["own_project"]
    row = record_spending(owner, project, date(2023, 5, 6), "2.5", unit="万元")
    db.session.commit()
    body = _json(owner_api.get(f"/api/v1/spending?project_id={project.id}"))
    assert [r["id"] for r in body["items"]] == [row.id]
    item = body["items"][0]
    assert item["amount"] == "2.5" and item["input_unit"] == "万元" and item["is_current"] is True
    assert _json(owner_api.get(f"/api/v1/spending/{row.id}"))["spent_on"] == "2023-05-06"


@pytest.fixture
def monitored(api_world, db):
    from tracker.services import evaluation, monitoring

    owner = api_world["users"]["owner"]
    api_world["own_project"].initial_budget = Decimal("10")
    db.session.commit()
    record_spending(owner, api_world["own_project"], date(2023, 3, 1), "1", unit="万元")
    db.session.commit()
    monitoring.run(date(2023, 6, 30))
    evaluation.open_forms(2023)
    db.session.commit()
    return api_world


def test_monitoring_snapshots_and_rows_with_lights(owner_api, finance_api, monitored, db):
    from tracker.models import MonitoringSnapshot

    project = monitored["own_project"]
    body = _json(owner_api.get("/api/v1/monitoring/snapshots?period_key=2023-06-30&per_page=200"))
    assert body["total"] == 18
    item = next(x for x in body["items"] if x["project_id"] == project.id)
    snap = db.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.project_id == project.id))
    assert item["budget_light"] == snap.budget_light and item["project_light"] == snap.project_light
    assert item["budget_light_label"] in "红黄绿蓝灰" and item["spent"] == "1" and item["state"] == "draft"
    assert item["execution_rate"] == "0.1"
    detail = _json(owner_api.get(f"/api/v1/monitoring/snapshots/{snap.id}"))
    assert len(detail["rows"]) == len(snap.rows) > 0
    assert {r["light"] for r in detail["rows"]} <= {"red", "yellow", "green", "blue", "grey"}
    assert detail["rows"][0]["level3"] == snap.rows[0].level3
    lights = _json(owner_api.get(f"/api/v1/monitoring/snapshots?light={snap.project_light}&per_page=200"))
    assert snap.id in {x["id"] for x in lights["items"]}
    assert _json(finance_api.get("/api/v1/monitoring/snapshots?per_page=200"))["total"] == 19


def test_evaluation_forms_with_scores_and_grade(owner_api, monitored, db):
    from tracker.models import EvaluationForm

    project = monitored["own_project"]
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.project_id == project.id))
    form.total_score = Decimal("86.50")
    form.grade = "良"
    db.session.commit()
    body = _json(owner_api.get("/api/v1/evaluations?year=2023&per_page=200"))
    assert body["total"] == 18
    item = next(x for x in body["items"] if x["id"] == form.id)
    assert item["total_score"] == "86.5" and item["grade"] == "良" and item["year"] == 2023
    assert _json(owner_api.get("/api/v1/evaluations?grade=良"))["total"] == 1
    detail = _json(owner_api.get(f"/api/v1/evaluations/{form.id}"))
    assert len(detail["rows"]) == len(form.rows) > 0
    assert detail["rows"][0]["level3"] == form.rows[0].indicator.level3
    assert "weight" in detail["rows"][0] and "score" in detail["rows"][0]


def test_owner_cannot_read_another_departments_objects_by_id(api_as, api_world, monitored, db):
    from tracker.models import EvaluationForm, MonitoringSnapshot

    foreign = api_world["foreign_project"]
    other_owner = api_world["users"]["other_owner"]
    entry = record_value(other_owner, api_world["foreign_indicator"], date(2023, 3, 31), "1")
    spend = record_spending(other_owner, foreign, date(2023, 3, 1), "100")
    db.session.commit()
    snap = db.session.scalar(select(MonitoringSnapshot.id).where(MonitoringSnapshot.project_id == foreign.id))
    form = db.session.scalar(select(EvaluationForm.id).where(EvaluationForm.project_id == foreign.id))
    urls = [
        f"/api/v1/projects/{foreign.id}",
        f"/api/v1/indicators/{api_world['foreign_indicator'].id}",
        f"/api/v1/entries/{entry.id}",
        f"/api/v1/spending/{spend.id}",
        f"/api/v1/monitoring/snapshots/{snap}",
        f"/api/v1/evaluations/{form}",
        "/api/v1/projects/99999999999999999999",
    ]
    for role in ("owner", "reviewer"):
        api = api_as(api_world["users"][role])
        for url in urls:
            body = _json(api.get(url), 404)
            assert body["message"] == "对象不存在或您无权查看。", url
        for url in ("/api/v1/entries", "/api/v1/spending", "/api/v1/monitoring/snapshots", "/api/v1/evaluations"):
            items = _json(api.get(url + f"?project_id={foreign.id}"))["items"]
            assert items == [], url
    finance = api_as(api_world["users"]["finance"])
    for url in urls[:-1]:
        assert finance.get(url).status_code == 200, url


LISTS = [
    "/api/v1/projects",
    "/api/v1/indicators",
    "/api/v1/entries",
    "/api/v1/spending",
    "/api/v1/monitoring/snapshots",
    "/api/v1/evaluations",
    "/api/v1/departments",
]


def test_list_query_counts_do_not_grow_with_the_page(finance_api, monitored, db):
    """Each list issues the same number of queries for 2 items as for 18+ (no N+1)."""
    owner = monitored["users"]["owner"]
    projects = db.session.scalars(
        select(monitored["own_project"].__class__).where(
            monitored["own_project"].__class__.department_id == monitored["seed_dept"].id
        )
    ).all()
    for p in projects:
        record_spending(owner, p, date(2023, 2, 1), "100")
        ind = next((i for i in p.indicators if i.target_kind == "quantitative"), None)
        if ind is not None:
            record_value(owner, ind, date(2023, 2, 28), "1")
    db.session.commit()
    _json(finance_api.get("/api/v1/me"))  # the token's last-use stamp is written once a minute
    for url in LISTS:
        counts = []
        for per_page in (2, 50):
            db.session.expire_all()
            with count_queries(db) as statements:
                body = _json(finance_api.get(f"{url}?per_page={per_page}"))
            counts.append(len(statements))
            if per_page == 50:
                assert len(body["items"]) > 2, url
        print(f"{url}: {counts[0]} queries for 2 items, {counts[1]} for a page of 50")
        assert counts[0] == counts[1], (url, counts)
        assert counts[1] <= 10, (url, counts)
