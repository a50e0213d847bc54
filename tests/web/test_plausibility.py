"""Far-off values and double entries ask for confirmation before saving (issue 10, daily use 3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select


@pytest.fixture
def dept(db, seeded):
    from tracker.models import Department

    return db.session.scalar(select(Department).where(Department.code == "430"))


def _cost_indicator(db):
    from tracker.models import Indicator

    for ind in db.session.scalars(select(Indicator).order_by(Indicator.id)):
        t = ind.target
        if t.kind == "quantitative" and t.unit.startswith("万元") and t.value and t.value < 100:
            return ind
    raise AssertionError("no 万元 indicator in the seed")


def _count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def test_yuan_typed_against_a_wan_target_is_warned_then_saved_on_confirmation(client, dept, make_user, login, db):
    from tracker.models import ProgressEntry

    login(make_user("owner", dept))
    ind = _cost_indicator(db)
    url = f"/projects/{ind.project_id}/indicators/{ind.id}"
    big = str(ind.target.value * 10000)
    response = client.post(url, data={"as_of": "2023-03-31", "value": big})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "可能把“元”当成了“万元”" in html and 'name="confirm_plausible"' in html
    assert f'value="{big}"' in html  # the input is kept
    assert _count(db, ProgressEntry) == 0
    response = client.post(url, data={"as_of": "2023-03-31", "value": big, "confirm_plausible": "1"})
    assert response.status_code == 302
    assert _count(db, ProgressEntry) == 1
    # a second value for the same date asks again
    response = client.post(url, data={"as_of": "2023-03-31", "value": str(ind.target.value)})
    assert "已有完成值" in response.get_data(as_text=True) and _count(db, ProgressEntry) == 1


def test_an_ordinary_value_saves_at_once(client, dept, make_user, login, db):
    from tracker.models import ProgressEntry

    login(make_user("owner", dept))
    ind = _cost_indicator(db)
    response = client.post(
        f"/projects/{ind.project_id}/indicators/{ind.id}", data={"as_of": "2023-03-31", "value": str(ind.target.value)}
    )
    assert response.status_code == 302 and _count(db, ProgressEntry) == 1


def test_payment_over_the_budget_is_warned(client, dept, make_user, login, db):
    from tracker.models import Expenditure, Project

    login(make_user("owner", dept))
    project = db.session.scalars(select(Project).order_by(Project.id)).first()
    project.initial_budget = Decimal("12")
    db.session.commit()
    url = f"/projects/{project.id}/spending"
    response = client.post(url, data={"spent_on": "2023-03-01", "amount": "120000", "unit": "万元"})
    assert "可能把“元”当成了“万元”" in response.get_data(as_text=True) and _count(db, Expenditure) == 0
    assert client.post(url, data={"spent_on": "2023-03-01", "amount": "3", "unit": "万元"}).status_code == 302
    response = client.post(url, data={"spent_on": "2023-03-01", "amount": "3", "unit": "万元"})
    assert "重复登记" in response.get_data(as_text=True) and _count(db, Expenditure) == 1
    assert (
        client.post(
            url, data={"spent_on": "2023-03-01", "amount": "3", "unit": "万元", "confirm_plausible": "1"}
        ).status_code
        == 302
    )
    assert _count(db, Expenditure) == 2
