"""API fixtures: the seed department (with the seed's 18 projects) and a second department
with one project, users of every role, and a helper that calls the API with a token."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select


class ApiClient:
    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self):
        return {"Authorization": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self._headers(), **kwargs)

    def post(self, url, json=None, **kwargs):
        return self.client.post(url, headers=self._headers(), json=json, **kwargs)


@pytest.fixture
def token_for(db):
    from tracker.services import api_tokens

    def make(user, name: str = "测试令牌", days: int | None = 90) -> str:
        new = api_tokens.create(user, name, days)
        db.session.commit()
        return new.secret

    return make


@pytest.fixture
def api_as(app, token_for):
    def make(user) -> ApiClient:
        return ApiClient(app.test_client(), token_for(user) if user is not None else None)

    return make


@pytest.fixture
def api_world(db, seeded, make_user, make_department):
    from tracker.models import BudgetYear, Department, Indicator, Project

    seed_dept = db.session.scalar(select(Department).where(Department.code == "430"))
    other = make_department("县水利局", "520")
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2023))
    foreign = Project(
        department_id=other.id, year_id=year.id, name="水库维修项目", position=1, initial_budget=Decimal("100")
    )
    db.session.add(foreign)
    db.session.flush()
    foreign_indicator = Indicator(
        project_id=foreign.id,
        position=1,
        level1="产出指标",
        level2="数量指标",
        level3="维修水库数",
        target_raw="3座",
        target_kind="quantitative",
        target_op="=",
        target_value=Decimal("3"),
        target_unit="座",
    )
    db.session.add(foreign_indicator)
    db.session.commit()
    users = {
        "owner": make_user("owner", seed_dept),
        "reviewer": make_user("reviewer", seed_dept),
        "finance": make_user("finance"),
        "admin": make_user("admin"),
        "other_owner": make_user("owner", other),
    }
    projects = db.session.scalars(
        select(Project).where(Project.department_id == seed_dept.id).order_by(Project.position, Project.id)
    ).all()
    own = projects[0]
    quantitative = next(i for p in projects for i in p.indicators if i.target_kind == "quantitative" and i.target_unit)
    qualitative = next(i for p in projects for i in p.indicators if i.target_kind == "qualitative")
    deadline = next((i for p in projects for i in p.indicators if i.target_kind == "deadline"), None)
    return {
        "users": users,
        "seed_dept": seed_dept,
        "other_dept": other,
        "year": year,
        "own_project": own,
        "foreign_project": foreign,
        "foreign_indicator": foreign_indicator,
        "quantitative": quantitative,
        "qualitative": qualitative,
        "deadline": deadline,
        "project_count": len(projects),
    }


def record_value(user, indicator, as_of: date, value: str):
    """A value recorded through the service, as the page would (for read tests)."""
    from tracker.api.write import parse_value_form
    from tracker.services import progress

    data = parse_value_form(indicator, {"as_of": as_of.isoformat(), "value": value})
    return progress.record_value(user, indicator, data)


def record_spending(user, project, spent_on: date, amount: str, unit: str = "元"):
    from tracker.api.write import parse_spending_form
    from tracker.services import progress

    data = parse_spending_form(project, {"spent_on": spent_on.isoformat(), "amount": amount, "unit": unit})
    return progress.record_spending(user, project, data)
