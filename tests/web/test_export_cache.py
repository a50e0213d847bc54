"""County summaries are written once per content (tracker/exporters/cache.py): the same rows
give the kept workbook without writing it again; any change to a value, a name or a form's
state gives a new one; the scope and the department filter give their own."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from tests.web.test_finance_pages import AS_OF, _county

MONITORING = f"/monitoring/summary.xlsx?period={AS_OF}"
EVALUATION = "/evaluation/summary.xlsx?year=2023"


@pytest.fixture
def finance(db, make_user):
    return make_user("finance")


@pytest.fixture
def writes(monkeypatch):
    """How many times each summary was actually written."""
    from tracker.exporters import evaluation_xlsx, monitoring_xlsx

    counts = {"monitoring": 0, "evaluation": 0}
    real_monitoring, real_evaluation = monitoring_xlsx.write_monitoring_summary, evaluation_xlsx.write_summary

    def monitoring(*args, **kwargs):
        counts["monitoring"] += 1
        return real_monitoring(*args, **kwargs)

    def evaluation(*args, **kwargs):
        counts["evaluation"] += 1
        return real_evaluation(*args, **kwargs)

    monkeypatch.setattr(monitoring_xlsx, "write_monitoring_summary", monitoring)
    monkeypatch.setattr(evaluation_xlsx, "write_summary", evaluation)
    return counts


def _cells(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_same_rows_serve_the_kept_workbook_and_changes_write_a_new_one(app, client, db, finance, login, writes):
    from tracker.models import Department, Submission

    login(finance)
    depts = _county(db, departments=2, projects=3, indicators=1)
    first = client.get(MONITORING)
    assert first.status_code == 200 and writes["monitoring"] == 1
    again = client.get(MONITORING)
    assert again.data == first.data and writes["monitoring"] == 1  # kept: not written again
    # a form's state changes → a new workbook that shows it
    submission = db.session.scalar(select(Submission).where(Submission.kind == "monitoring").limit(1))
    before = submission.state
    submission.state = "approved" if before != "approved" else "returned"
    db.session.commit()
    changed = client.get(MONITORING)
    assert writes["monitoring"] == 2 and changed.data != first.data
    assert _cells(changed.data) != _cells(first.data)
    # a renamed department → a new workbook with the new name
    db.session.get(Department, depts[0].id).name = "县第0局（更名）"
    db.session.commit()
    renamed = client.get(MONITORING)
    assert writes["monitoring"] == 3
    assert any("县第0局（更名）" in str(cell) for row in _cells(renamed.data) for cell in row)
    # the department filter is its own table
    client.get(f"{MONITORING}&department={depts[1].id}")
    assert writes["monitoring"] == 4
    # 自评 summary likewise
    one = client.get(EVALUATION)
    two = client.get(EVALUATION)
    assert one.data == two.data and writes["evaluation"] == 1
    # and the kept files are the newest few only
    from pathlib import Path

    kept = list(Path(app.config["EXPORT_CACHE_DIR"]).glob("*.xlsx"))
    assert 0 < len(kept) <= app.config["EXPORT_CACHE_FILES"]


def test_another_department_never_gets_the_county_workbook(client, db, finance, login, make_user, writes):
    """The digest covers the rows the user may see: an owner's export holds only their own
    department even after finance exported the whole county."""
    depts = _county(db, departments=2, projects=2, indicators=1)
    login(finance)
    county = _cells(client.get(MONITORING).data)
    client.post("/logout", data={})
    owner = make_user("owner", depts[1])
    login(owner)
    own = _cells(client.get(MONITORING).data)
    names = {str(cell) for row in own for cell in row}
    assert depts[1].name in names and depts[0].name not in names
    assert own != county and writes["monitoring"] == 2


def test_an_unusable_cache_directory_still_serves_the_workbook(app, client, db, finance, login, monkeypatch, tmp_path):
    login(finance)
    _county(db, departments=1, projects=2, indicators=1)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")  # a file where the directory should be: even root cannot use it
    monkeypatch.setitem(app.config, "EXPORT_CACHE_DIR", str(blocker / "cache"))
    response = client.get(MONITORING)
    assert response.status_code == 200 and _cells(response.data)[0][0]
