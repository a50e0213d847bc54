"""The demo year 2023 scored end to end: scheduler → forms → review → outputs."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tracker.edge import run_daily
from tracker.evaluation.forms import parse_evaluation_form


def test_demo_year_scored_end_to_end(app, db):
    from tracker.exporters.evaluation_xlsx import evaluation_workbook, summary_workbook
    from tracker.models import EvaluationForm, User
    from tracker.services import evaluation, review

    result = app.test_cli_runner().invoke(args=["quickstart", "--no-migrate"])
    assert result.exit_code == 0, result.output
    runs = {r.job: r.status for r in run_daily(date(2024, 1, 5))}
    assert runs["evaluation_open"] == "succeeded" and runs["monitoring"] == "succeeded"
    forms = evaluation.summary_all(2023)
    assert len(forms) == 18
    assert all(f.grade in ("优", "良", "中", "差") and 0 <= f.total_score <= 100 for f in forms)

    users = {u.username: u for u in db.session.scalars(select(User))}
    form = next(f for f in forms if f.project.name.startswith("后勤保障经费"))
    data = {"version": form.version, "goal_actual": "全年后勤保障到位", "execution_explanation": "部分采购于次年初结算"}
    for name, w in evaluation.level1_weights(form).items():
        data[f"level1-{name}"] = str(w)
    for row in form.rows:
        p = f"row-{row.id}-"
        data[p + "weight"] = str(row.weight)
        kind = row.indicator.target_kind
        if kind == "quantitative":
            data[p + "actual"] = str(row.actual_value if row.actual_value is not None else 0)
        elif kind in ("qualitative", "deadline"):
            data[p + "tier"] = row.tier or "达成"
            data[p + "tier_score"] = str(row.tier_score if row.tier else row.weight)
        data[p + "explanation"] = "上半年数据为主，下半年按计划推进"
    evaluation.save(users["owner430"], form, parse_evaluation_form(form, data), expected_version=form.version)
    evaluation.check_complete(form)
    for username, action in (("owner430", "submit"), ("reviewer430", "dept_approve"), ("finance", "approve")):
        review.act(users[username], form.project, "2023", action, kind="evaluation")
    db.session.commit()
    assert evaluation.submission_of(form).state == "approved"

    sheet = load_workbook(BytesIO(evaluation_workbook(form))).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "项目支出绩效自评表" in values and form.project.name in values and form.grade in values
    rows = [(f, "已审定" if f.id == form.id else "草稿", []) for f in db.session.scalars(select(EvaluationForm))]
    assert load_workbook(BytesIO(summary_workbook(2023, rows))).active.max_row >= 18 + 3
