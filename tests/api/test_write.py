"""Writes go through the pages' service functions: same validation, locks, archived years,
audit rows; JSON errors in Chinese with field names; nothing half-written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.api.conftest import record_spending, record_value


def _json(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def owner_api(api_as, api_world):
    return api_as(api_world["users"]["owner"])


def test_create_entry_converts_and_audits(owner_api, api_world, db):
    from tracker.models import AuditLog, ProgressEntry

    ind = api_world["quantitative"]
    body = _json(
        owner_api.post(
            "/api/v1/entries", json={"indicator_id": ind.id, "as_of": "2023-03-31", "value": "7", "note": "接口填报"}
        ),
        201,
    )
    assert body["indicator_id"] == ind.id and body["value"] == "7" and body["is_current"] is True
    assert body["note"] == "接口填报" and body["created_by"]["id"] == api_world["users"]["owner"].id
    row = db.session.get(ProgressEntry, body["id"])
    assert row.period_key == "2023-03" and row.created_by_id == api_world["users"]["owner"].id
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "progress_entry", AuditLog.entity_id == row.id))
    assert audit.action == "record_value" and audit.actor_id == api_world["users"]["owner"].id
    assert audit.project_id == ind.project_id


def test_reviewer_may_write_and_json_numbers_are_accepted(api_as, api_world):
    api = api_as(api_world["users"]["reviewer"])
    ind = api_world["quantitative"]
    body = _json(api.post("/api/v1/entries", json={"indicator_id": ind.id, "as_of": "2023-03-31", "value": 2.5}), 201)
    assert body["value"] == "2.5"


@pytest.mark.parametrize(
    "payload, field, words",
    [
        ({"value": "5"}, "as_of", "必填"),
        ({"as_of": "2023-13-01", "value": "5"}, "as_of", "不是有效日期"),
        ({"as_of": "2022-12-31", "value": "5"}, "as_of", "不在 2023 预算年度内"),
        ({"as_of": "2023-03-31", "value": "-1"}, "value", "不能为负数"),
        ({"as_of": "2023-03-31"}, "value", "请填写实际完成值"),
        ({"as_of": "2023-03-31", "value": "5", "colour": "red"}, "colour", "不认识的字段"),
        ({"as_of": "2023-03-31", "value": True}, "value", "应为数字或文本"),
        ({"as_of": "2023-03-31", "value": "5", "note": "a\x00b"}, "note", "控制字符"),
    ],
)
def test_entry_validation_errors_name_the_field(owner_api, api_world, db, payload, field, words):
    from tracker.models import AuditLog, ProgressEntry

    body = _json(owner_api.post("/api/v1/entries", json={"indicator_id": api_world["quantitative"].id, **payload}), 422)
    assert field in body["errors"], body
    assert words in body["errors"][field] and words in body["message"]
    assert _count(db, ProgressEntry) == 0 and _count(db, AuditLog) == 1  # the token's creation only


def test_qualitative_needs_tier_and_note(owner_api, api_world):
    body = _json(
        owner_api.post("/api/v1/entries", json={"indicator_id": api_world["qualitative"].id, "as_of": "2023-03-31"}),
        422,
    )
    assert set(body["errors"]) == {"tier", "note"}
    ok = owner_api.post(
        "/api/v1/entries",
        json={"indicator_id": api_world["qualitative"].id, "as_of": "2023-03-31", "tier": "达成", "note": "已完成"},
    )
    assert _json(ok, 201)["tier"] == "达成"


def test_bad_json_is_400(owner_api):
    response = owner_api.client.post(
        "/api/v1/entries", data="{not json", content_type="application/json", headers=owner_api._headers()
    )
    body = _json(response, 400)
    assert "JSON" in body["message"]
    assert _json(owner_api.post("/api/v1/entries", json=[1, 2]), 422)["errors"]


def test_locked_period_is_409_and_writes_nothing(owner_api, api_world, db):
    from tracker.models import ProgressEntry, Submission

    ind = api_world["quantitative"]
    db.session.add(Submission(project_id=ind.project_id, kind="progress", period_key="2023-03", state="submitted"))
    db.session.commit()
    body = _json(
        owner_api.post("/api/v1/entries", json={"indicator_id": ind.id, "as_of": "2023-03-15", "value": "1"}), 409
    )
    assert "锁定" in body["message"]
    assert _count(db, ProgressEntry) == 0
    _json(owner_api.post("/api/v1/entries", json={"indicator_id": ind.id, "as_of": "2023-04-15", "value": "1"}), 201)


def test_archived_year_is_409(owner_api, api_world, db):
    from tracker.models import Expenditure

    api_world["year"].is_closed = True
    db.session.commit()
    body = _json(
        owner_api.post(
            "/api/v1/spending",
            json={"project_id": api_world["own_project"].id, "spent_on": "2023-03-01", "amount": "10"},
        ),
        409,
    )
    assert "归档" in body["message"]
    assert _count(db, Expenditure) == 0


def test_finance_and_admin_are_read_only(api_as, api_world, db):
    from tracker.models import ProgressEntry

    for role in ("finance", "admin"):
        api = api_as(api_world["users"][role])
        body = _json(
            api.post(
                "/api/v1/entries",
                json={"indicator_id": api_world["quantitative"].id, "as_of": "2023-03-31", "value": "1"},
            ),
            403,
        )
        assert "角色" in body["message"]
    assert _count(db, ProgressEntry) == 0


def test_owner_cannot_write_another_departments_project_by_guessing_ids(owner_api, api_world, db):
    from tracker.models import Expenditure, ProgressEntry

    other_owner = api_world["users"]["other_owner"]
    foreign_entry = record_value(other_owner, api_world["foreign_indicator"], date(2023, 3, 31), "1")
    foreign_spend = record_spending(other_owner, api_world["foreign_project"], date(2023, 3, 1), "100")
    db.session.commit()
    before = (_count(db, ProgressEntry), _count(db, Expenditure))
    attempts = [
        ("/api/v1/entries", {"indicator_id": api_world["foreign_indicator"].id, "as_of": "2023-03-31", "value": "1"}),
        (f"/api/v1/entries/{foreign_entry.id}/correct", {"as_of": "2023-03-31", "value": "2"}),
        (f"/api/v1/entries/{foreign_entry.id}/void", {"reason": "x"}),
        ("/api/v1/spending", {"project_id": api_world["foreign_project"].id, "spent_on": "2023-03-01", "amount": "1"}),
        (f"/api/v1/spending/{foreign_spend.id}/correct", {"spent_on": "2023-03-01", "amount": "2"}),
        (f"/api/v1/spending/{foreign_spend.id}/void", {"reason": "x"}),
        ("/api/v1/entries", {"indicator_id": 987654321, "as_of": "2023-03-31", "value": "1"}),
    ]
    for url, payload in attempts:
        assert _json(owner_api.post(url, json=payload), 404)["message"] == "对象不存在或您无权查看。", url
    assert (_count(db, ProgressEntry), _count(db, Expenditure)) == before


def test_correct_and_void_entry_keep_history(owner_api, api_world, db):
    from tracker.models import AuditLog

    ind = api_world["quantitative"]
    first = _json(
        owner_api.post("/api/v1/entries", json={"indicator_id": ind.id, "as_of": "2023-03-31", "value": "1"}), 201
    )
    second = _json(
        owner_api.post(f"/api/v1/entries/{first['id']}/correct", json={"as_of": "2023-03-31", "value": "3"}), 201
    )
    assert second["supersedes_id"] == first["id"] and second["value"] == "3"
    again = _json(
        owner_api.post(f"/api/v1/entries/{first['id']}/correct", json={"as_of": "2023-03-31", "value": "4"}), 409
    )
    assert "已被更正" in again["message"]
    assert "reason" in _json(owner_api.post(f"/api/v1/entries/{second['id']}/void", json={}), 422)["errors"]
    assert (
        "撤销记录须说明原因"
        in _json(owner_api.post(f"/api/v1/entries/{second['id']}/void", json={"reason": " "}), 422)["errors"]["reason"]
    )
    void = _json(owner_api.post(f"/api/v1/entries/{second['id']}/void", json={"reason": "录错了"}), 201)
    assert void["is_void"] is True and void["is_current"] is False and void["supersedes_id"] == second["id"]
    history = _json(owner_api.get(f"/api/v1/entries?indicator_id={ind.id}"), 200)["items"]
    assert [e["id"] for e in history] == [first["id"], second["id"], void["id"]]
    assert [e["superseded_by_id"] for e in history] == [second["id"], void["id"], None]
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "progress_entry").order_by(AuditLog.id)
    ).all()
    assert actions == ["record_value", "correct_value", "void_value"]


def test_spending_create_correct_void(owner_api, api_world, db):
    from tracker.models import AuditLog

    project = api_world["own_project"]
    row = _json(
        owner_api.post(
            "/api/v1/spending",
            json={"project_id": project.id, "spent_on": "2023-03-01", "amount": "1200", "note": "办公用品"},
        ),
        201,
    )
    assert row["amount"] == "0.12" and row["input_amount"] == "1200" and row["input_unit"] == "元"
    wan = _json(
        owner_api.post(
            "/api/v1/spending",
            json={"project_id": project.id, "spent_on": "2023-03-02", "amount": "0.5", "unit": "万元"},
        ),
        201,
    )
    assert wan["amount"] == "0.5"
    fixed = _json(
        owner_api.post(f"/api/v1/spending/{row['id']}/correct", json={"spent_on": "2023-03-01", "amount": "1500元"}),
        201,
    )
    assert fixed["supersedes_id"] == row["id"] and fixed["amount"] == "0.15"
    void = _json(owner_api.post(f"/api/v1/spending/{wan['id']}/void", json={"reason": "重复"}), 201)
    assert void["is_void"] is True and void["amount"] == "0"
    projects = _json(owner_api.get("/api/v1/projects?per_page=200"), 200)["items"]
    assert next(p for p in projects if p["id"] == project.id)["spent"] == "0.15"
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "expenditure")) == 4


@pytest.mark.parametrize(
    "payload, field, words",
    [
        ({"spent_on": "2023-03-01", "amount": "0"}, "amount", "应大于 0"),
        ({"spent_on": "2023-03-01", "amount": "5", "unit": "美元"}, "amount", "只能是“元”或“万元”"),
        ({"spent_on": "2023-03-01"}, "amount", "必填"),
        ({"spent_on": "明天", "amount": "5"}, "spent_on", "不是有效日期"),
        ({"spent_on": "2099-01-01", "amount": "5"}, "spent_on", "不在 2023 预算年度内"),
    ],
)
def test_spending_validation(owner_api, api_world, db, payload, field, words):
    from tracker.models import Expenditure

    body = _json(owner_api.post("/api/v1/spending", json={"project_id": api_world["own_project"].id, **payload}), 422)
    assert words in body["errors"][field], body
    assert _count(db, Expenditure) == 0


def test_client_token_saves_once(owner_api, api_world, db):
    from tracker.models import Expenditure

    payload = {
        "project_id": api_world["own_project"].id,
        "spent_on": "2023-03-01",
        "amount": "100",
        "client_token": "abc-123",
    }
    first = _json(owner_api.post("/api/v1/spending", json=payload), 201)
    again = _json(owner_api.post("/api/v1/spending", json=payload), 200)
    assert again["id"] == first["id"]
    assert _count(db, Expenditure) == 1


def test_client_token_of_another_user_is_409(api_as, api_world, db):
    payload = {
        "project_id": api_world["own_project"].id,
        "spent_on": "2023-03-01",
        "amount": "100",
        "client_token": "shared",
    }
    _json(api_as(api_world["users"]["owner"]).post("/api/v1/spending", json=payload), 201)
    body = _json(api_as(api_world["users"]["reviewer"]).post("/api/v1/spending", json=payload), 409)
    assert "client_token" in body["errors"]


def test_guessed_id_with_a_bad_body_is_404_not_422(owner_api, api_world, db):
    """The object in the URL is checked before the body, so errors do not reveal that it exists."""
    other_owner = api_world["users"]["other_owner"]
    foreign_entry = record_value(other_owner, api_world["foreign_indicator"], date(2023, 3, 31), "1")
    foreign_spend = record_spending(other_owner, api_world["foreign_project"], date(2023, 3, 1), "100")
    db.session.commit()
    for url in (
        f"/api/v1/entries/{foreign_entry.id}/correct",
        f"/api/v1/entries/{foreign_entry.id}/void",
        f"/api/v1/spending/{foreign_spend.id}/correct",
        f"/api/v1/spending/{foreign_spend.id}/void",
    ):
        assert owner_api.post(url, json={"bogus": 1}).status_code == 404, url


def test_implausible_spending_needs_confirmation_as_on_the_page(owner_api, api_world, db):
    from tracker.models import Expenditure

    project = api_world["own_project"]
    project.initial_budget = __import__("decimal").Decimal("1")  # 1 万元
    db.session.commit()
    payload = {"project_id": project.id, "spent_on": "2023-03-01", "amount": "50000"}  # 5 万元: over budget
    body = _json(owner_api.post("/api/v1/spending", json=payload), 422)
    assert "confirm_plausible" in body["errors"] and body["warnings"]
    assert {w["code"] for w in body["warnings"]} >= {"over_budget"}
    assert "未保存" in body["message"]
    assert _count(db, Expenditure) == 0
    saved = _json(owner_api.post("/api/v1/spending", json={**payload, "confirm_plausible": True}), 201)
    assert saved["amount"] == "5"


def test_implausible_value_needs_confirmation(owner_api, api_world, db):
    from tracker.models import ProgressEntry

    ind = api_world["quantitative"]
    far = format(ind.target_value * 100000 + 1000000, "f")
    payload = {"indicator_id": ind.id, "as_of": "2023-03-31", "value": far}
    body = _json(owner_api.post("/api/v1/entries", json=payload), 422)
    assert body["warnings"] and "confirm_plausible" in body["errors"]
    assert _count(db, ProgressEntry) == 0
    _json(owner_api.post("/api/v1/entries", json={**payload, "confirm_plausible": True}), 201)
    assert _count(db, ProgressEntry) == 1
