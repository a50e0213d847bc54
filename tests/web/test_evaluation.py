"""绩效自评: forms from the record, scoring rules on the page, weights, submit rules, review,
locks, score history, live preview, outputs, scope, and the scheduler's opening day."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.edge import run_daily
from tracker.progress import forms as progress_forms


@pytest.fixture
def dept(db, seeded):
    from tracker.models import Department

    return db.session.scalar(select(Department).where(Department.code == "430"))


@pytest.fixture
def setup(db, dept, make_user):
    """One project with a budget, spending and values, then the forms opened."""
    from tracker.models import Indicator
    from tracker.services import evaluation, progress

    owner = make_user("owner", dept)
    ind = db.session.scalars(select(Indicator).where(Indicator.target_raw == "≥12次")).first()
    project = ind.project
    project.initial_budget = Decimal("12")
    progress.record_value(owner, ind, progress_forms.parse_value_form(ind, {"as_of": "2023-06-30", "value": "6"}))
    progress.record_spending(
        owner,
        project,
        progress_forms.parse_spending_form(project, {"spent_on": "2023-10-01", "amount": "9", "unit": "万元"}),
    )
    counts = evaluation.open_forms(2023)
    db.session.commit()
    assert counts == {"opened": 18, "existing": 0}
    return {"owner": owner, "indicator": ind, "project": project, "url": f"/evaluation/{project.id}/2023"}


def _form(db, project):
    from tracker.models import EvaluationForm

    db.session.expire_all()
    return db.session.scalar(select(EvaluationForm).where(EvaluationForm.project_id == project.id))


def _post_data(form, **overrides):
    from tracker.services.evaluation import level1_weights

    data = {"version": form.version, "goal_actual": "", "execution_explanation": ""}
    for name, w in level1_weights(form).items():
        data[f"level1-{name}"] = str(w)
    for row in form.rows:
        p = f"row-{row.id}-"
        data[p + "weight"] = str(row.weight)
        if row.actual_value is not None:
            data[p + "actual"] = str(row.actual_value)
        if row.tier:
            data[p + "tier"] = row.tier
            data[p + "tier_score"] = str(row.tier_score)
    data.update(overrides)
    return data


def test_forms_are_prefilled_and_scored(db, setup):
    from tracker.models import EvaluationForm, ScoreChange, Submission
    from tracker.services import evaluation

    form = _form(db, setup["project"])
    row = next(r for r in form.rows if r.indicator_id == setup["indicator"].id)
    assert row.actual_value == Decimal("6")  # the year's record, summed
    assert row.weight == Decimal("7.14")  # 产出 50 points over its 7 indicators (the last takes the cents)
    assert row.score == Decimal("3.57")  # 7.14 × 6 / 12
    assert form.spent == Decimal("9") and form.execution_score == Decimal("7.50")  # 10 × 9 / 12
    assert sum(r.weight for r in form.rows) == Decimal(90)
    assert form.total_score == sum((r.score for r in form.rows), Decimal(0)) + form.execution_score
    assert form.grade in ("优", "良", "中", "差")
    assert db.session.scalar(select(func.count(Submission.id)).where(Submission.kind == "evaluation")) == 18
    assert db.session.scalar(select(func.count(ScoreChange.id))) == 18
    assert evaluation.open_forms(2023) == {"opened": 0, "existing": 18}  # never twice
    assert db.session.scalar(select(func.count(EvaluationForm.id))) == 18


def test_tier_score_outside_range_is_refused(client, db, setup, login):
    login(setup["owner"])
    form = _form(db, setup["project"])
    row = next(r for r in form.rows if r.indicator.target_kind == "qualitative")
    data = _post_data(form, **{f"row-{row.id}-tier": "部分达成", f"row-{row.id}-tier_score": str(row.weight)})
    response = client.post(setup["url"], data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“部分达成”的得分应在" in html and "之间" in html


def test_weights_that_do_not_add_up_are_refused(client, db, setup, login):
    login(setup["owner"])
    form = _form(db, setup["project"])
    response = client.post(setup["url"], data=_post_data(form, **{"level1-产出指标": "45"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "相差" in html


def test_submit_needs_explanations_then_review_locks(client, db, setup, login, make_user, dept):
    from tracker.services import evaluation
    from tracker.services.progress import LockedError

    login(setup["owner"])
    form = _form(db, setup["project"])
    response = client.post(setup["url"], data=_post_data(form, action="submit"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "须填写偏差原因分析及改进措施" in html and "预算执行率低于 90%" in html and "实际完成情况" in html
    assert "缺少实际完成值" in html  # rows without a value cannot be scored yet
    data = _post_data(
        form, action="submit", goal_actual="全年保障了空调和电梯正常运行", execution_explanation="维保尾款次年支付"
    )
    for row in form.rows:
        p = f"row-{row.id}-"
        if row.indicator.target_kind == "quantitative" and row.actual_value is None:
            data[p + "actual"] = "0"
        elif row.indicator.target_kind in ("qualitative", "deadline") and not row.tier:
            data[p + "tier"], data[p + "tier_score"] = "未达成", "0"
        data[p + "explanation"] = "下半年检查次数不足，明年按月检查"
    response = client.post(setup["url"], data=data)
    assert response.status_code == 302
    assert evaluation.submission_of(_form(db, setup["project"])).state == "submitted"
    client.post("/logout")
    login(make_user("reviewer", dept))
    client.post(setup["url"] + "/review", data={"action": "dept_approve"})
    client.post("/logout")
    finance = login(make_user("finance"))
    client.post(setup["url"] + "/review", data={"action": "approve"})
    form = _form(db, setup["project"])
    assert evaluation.submission_of(form).state == "approved"
    with pytest.raises(LockedError):
        evaluation.save(setup["owner"], form, evaluation.EvaluationEdit(), expected_version=None)
    assert finance.role == "finance"


def _approve_period(db, project, day):
    from tracker.domain.periods import period_for
    from tracker.models import Submission

    db.session.add(Submission(project_id=project.id, kind="progress", period_key=period_for(day).key, state="approved"))
    db.session.commit()


def test_late_correction_rescores_and_keeps_history(client, db, setup, login):
    from tracker.services import progress

    login(setup["owner"])
    before = _form(db, setup["project"]).total_score
    ind = setup["indicator"]
    progress.record_value(
        setup["owner"], ind, progress_forms.parse_value_form(ind, {"as_of": "2023-12-31", "value": "6"})
    )
    db.session.commit()
    _approve_period(db, setup["project"], date(2023, 6, 30))
    _approve_period(db, setup["project"], date(2023, 10, 1))
    _approve_period(db, setup["project"], date(2023, 12, 31))
    assert client.post(setup["url"], data={"action": "refresh"}).status_code == 302
    form = _form(db, setup["project"])
    assert form.total_score > before
    last = form.history[-1]
    assert (last.before, last.after, last.reason) == (before, form.total_score, "按已审定的填报记录重新取数")
    assert last.actor_id == setup["owner"].id


def test_stale_form_is_shown_and_refresh_takes_only_approved_data(client, db, setup, login, make_user):
    """Issue 10, daily use 5: a draft entry is not data; an approved change is shown until taken in."""
    from tracker.services import progress

    ind = setup["indicator"]
    _approve_period(db, setup["project"], date(2023, 6, 30))
    _approve_period(db, setup["project"], date(2023, 10, 1))
    login(make_user("finance"))
    assert "stale-data" not in client.get(setup["url"]).get_data(as_text=True)
    # a draft (unapproved) December value: not shown as a change, not taken by 重新取数
    progress.record_value(
        setup["owner"], ind, progress_forms.parse_value_form(ind, {"as_of": "2023-12-31", "value": "6"})
    )
    db.session.commit()
    assert "stale-data" not in client.get(setup["url"]).get_data(as_text=True)
    client.post("/logout")
    login(setup["owner"])
    before = {r.indicator_id: r.actual_value for r in _form(db, setup["project"]).rows}
    assert client.post(setup["url"], data={"action": "refresh"}).status_code == 302
    assert {r.indicator_id: r.actual_value for r in _form(db, setup["project"]).rows} == before
    # once December is approved, finance sees that the form is stale, with the change
    _approve_period(db, setup["project"], date(2023, 12, 31))
    client.post("/logout")
    login(make_user("finance"))
    html = client.get(setup["url"]).get_data(as_text=True)
    assert "stale-data" in html and f"“{ind.level3}”完成值 6.00 → 12.00" in html
    client.post("/logout")
    login(setup["owner"])
    client.post(setup["url"], data={"action": "refresh"})
    row = next(r for r in _form(db, setup["project"]).rows if r.indicator_id == ind.id)
    assert row.actual_value == Decimal("12")
    assert "stale-data" not in client.get(setup["url"]).get_data(as_text=True)


def test_live_preview_scores_without_saving(client, db, setup, login):
    login(setup["owner"])
    form = _form(db, setup["project"])
    row = next(r for r in form.rows if r.indicator_id == setup["indicator"].id)
    response = client.post(setup["url"] + "/preview", data=_post_data(form, **{f"row-{row.id}-actual": "12"}))
    result = json.loads(response.get_data(as_text=True))
    assert result["rows"][str(row.id)] == f"{row.weight:.2f}"  # 12 of ≥12次: full marks
    assert Decimal(result["total"]) > form.total_score
    assert _form(db, setup["project"]).total_score == form.total_score  # nothing saved


def test_outputs_and_scope(client, db, setup, login, make_user, make_department):
    login(setup["owner"])
    html = client.get(setup["url"] + "/print").get_data(as_text=True)
    assert "项目支出绩效自评表" in html and "产出指标（50分）" in html and "自评等级" in html
    assert client.get(setup["url"] + "/export.xlsx").data[:2] == b"PK"
    assert client.get("/evaluation/summary.xlsx?year=2023").data[:2] == b"PK"
    page = client.get("/evaluation/?year=2023").get_data(as_text=True)
    assert "avg-chart" in page and "grade-chart" in page and setup["project"].name in page
    client.post("/logout")
    login(make_user("owner", make_department("县水利局", "520")))
    for suffix in ("", "/print", "/export.xlsx"):
        assert client.get(setup["url"] + suffix).status_code == 404
    assert setup["project"].name not in client.get("/evaluation/?year=2023").get_data(as_text=True)


def test_scheduler_opens_forms_after_year_end(db, dept):
    from tracker.models import EvaluationForm
    from tracker.services import jobs

    assert jobs.due_evaluation_years(date(2024, 1, 4)) == []
    runs = run_daily(date(2024, 1, 5))
    assert [r.status for r in runs if r.job == "evaluation_open"] == ["succeeded"]
    assert db.session.scalar(select(func.count(EvaluationForm.id))) == 18
    assert jobs.due_evaluation_years(date(2024, 1, 6)) == []


def test_reimport_of_a_changed_target_does_not_touch_open_forms(db, setup):
    from tests.conftest import SEED_FILE
    from tracker.importers import parse_file
    from tracker.services import evaluation
    from tracker.services.imports import apply_import, plan_import

    form = _form(db, setup["project"])
    row = next(r for r in form.rows if r.indicator_id == setup["indicator"].id)
    before = (row.target_raw, row.score, form.total_score)
    text = SEED_FILE.read_text(encoding="utf-8").replace("\t≥12次\n", "\t≥24次\n", 1)
    data = text.encode("utf-8")
    apply_import(plan_import(parse_file("v2.txt", data), year=2023, filename="v2.txt", data=data))
    db.session.commit()
    assert setup["indicator"].target_raw == "≥24次"  # the indicator follows the new document
    form = _form(db, setup["project"])
    evaluation.rescore(form)
    row = next(r for r in form.rows if r.indicator_id == setup["indicator"].id)
    assert (row.target_raw, row.score, form.total_score) == before  # the form keeps its own target
