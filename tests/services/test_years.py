"""Year over year (issue 12 §4): name matching, links at import, last year's values, the
department summary, reopening an archived year with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import SEED_FILE
from tracker.domain.matching import match_indicators, match_projects, normalize


def test_normalize_folds_width_space_brackets_and_year():
    assert normalize("乡村振兴项目（运转项目）") == normalize("乡村振兴项目")
    assert normalize("公车购置及运行ＣＧ") == normalize("公车购置及运行CG")
    assert normalize("机关 日常\u3000运行") == normalize("机关日常运行")
    assert normalize("2023年度机关用房租赁费用项目") == normalize("2024年度机关用房租赁费用项目")
    assert normalize("（运转项目）") == "运转项目"  # a name that is only a bracket keeps its content
    assert normalize("办公楼维修") != normalize("办公楼改造")


def test_match_projects_once_each():
    prev = [(10, "A项目（运转项目）"), (11, "B项目")]
    assert match_projects(["B 项目", "A项目", "C项目", "A项目"], prev) == {0: 11, 1: 10}


def test_match_indicators_full_key_then_level3_alone():
    prev = [
        (1, "产出指标", "数量指标", "次数"),
        (2, "产出指标", "质量指标", "合格率"),
        (3, "效益指标", "社会效益指标", "次数"),
    ]
    rows = [
        ("效益指标", "社会效益指标", "次数"),
        ("产出指标", "时效指标", "合格率"),
        ("产出指标", "数量指标", "次数"),
        ("x", "y", "新指标"),
    ]
    # full keys first (row 0 → 3, row 2 → 1), then 三级 alone for row 1 → 2; row 3 unmatched
    assert match_indicators(rows, prev) == {0: 3, 2: 1, 1: 2}


def _import_2024(db):
    from tracker.importers import parse_file
    from tracker.services.imports import apply_import, plan_import
    from tracker_demo.years import next_year_text

    data = next_year_text(SEED_FILE.read_text(encoding="utf-8")).encode("utf-8")
    plan = plan_import(parse_file("2024.txt", data), year=2024, filename="2024.txt", data=data)
    apply_import(plan)
    db.session.commit()
    return plan


def test_next_year_import_links_projects_and_indicators(seeded, db):
    from tracker.models import BudgetYear, Indicator, Project

    dropped = db.session.scalar(select(Project).where(Project.name == "落实重新安置军队退役人员待遇"))
    dropped_rows = len(dropped.indicators)
    plan = _import_2024(db)
    # 18 projects in 2024: 17 carried over (one dropped), 1 new (机关食堂); every indicator of
    # the 17 matches (the new project reuses the dropped one's rows but is another project).
    assert dropped_rows > 0
    assert plan.previous_matches == (17, 184 - dropped_rows)
    assert any(line.startswith("与上年对应：17 个项目、") for line in plan.summary_lines())
    y2024 = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2024))
    projects = db.session.scalars(select(Project).where(Project.year_id == y2024.id)).all()
    assert len(projects) == 18
    rent = next(p for p in projects if p.name == "2024年度机关用房租赁费用项目")
    prev = db.session.get(Project, rent.previous_project_id)
    assert prev.name == "2023年度机关用房租赁费用项目" and prev.year.year == 2023
    new = next(p for p in projects if p.name == "机关食堂运营保障项目")
    assert new.previous_project_id is None
    assert all(i.previous_indicator_id is None for i in new.indicators)
    # every linked indicator points into the linked project, with the same 三级 name
    linked = db.session.scalars(select(Indicator).where(Indicator.previous_indicator_id.is_not(None))).all()
    assert len(linked) == plan.previous_matches[1]
    for ind in linked:
        prev_ind = db.session.get(Indicator, ind.previous_indicator_id)
        assert prev_ind.project_id == ind.project.previous_project_id
        assert normalize(prev_ind.level3) == normalize(ind.level3)
    # the changed targets are this year's, last year's kept
    ac = next(i for i in linked if i.level3 == "每年检查空调工作状态的次数")
    assert (ac.target_raw, db.session.get(Indicator, ac.previous_indicator_id).target_raw) == ("≥15次", "≥12次")


def test_other_department_is_not_matched(seeded, db):
    """Projects match within the same department only."""
    from tracker.importers import parse_file
    from tracker.services.imports import plan_import

    text = (
        SEED_FILE.read_text(encoding="utf-8")
        .replace("2023", "2024")
        .replace("430平乡县机关后勤服务中心", "431平乡县另一个单位")
    )
    data = text.encode("utf-8")
    plan = plan_import(parse_file("other.txt", data), year=2024, filename="other.txt", data=data)
    assert plan.previous_matches == (0, 0)


def _approve_2023_evaluation(db, project):
    """An approved 2023 self-evaluation of one project with a known actual and score."""
    from tracker.models import EvaluationForm, EvaluationRow, Submission

    form = EvaluationForm(
        project_id=project.id,
        year=2023,
        budget=Decimal("100"),
        spent=Decimal("95"),
        total_score=Decimal("92.5"),
        grade="优",
    )
    db.session.add(form)
    ind = project.indicators[0]
    form.rows.append(
        EvaluationRow(
            indicator_id=ind.id,
            position=1,
            weight=Decimal("10"),
            actual_value=Decimal("7"),
            target_raw=ind.target_raw,
            score=Decimal("10"),
            deduction=Decimal(0),
        )
    )
    db.session.add(Submission(project_id=project.id, kind="evaluation", period_key="2023", state="approved"))
    db.session.commit()
    return ind


def test_previous_values_only_from_approved_evaluation(seeded, db):
    from tracker.models import BudgetYear, Project, Submission
    from tracker.services.years import previous_values

    p2023 = db.session.scalar(select(Project).where(Project.name == "2023年度机关用房租赁费用项目"))
    ind2023 = _approve_2023_evaluation(db, p2023)
    _import_2024(db)
    y2024 = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2024))
    p2024 = db.session.scalar(
        select(Project).where(Project.year_id == y2024.id, Project.previous_project_id == p2023.id)
    )
    values, form, prev = previous_values(p2024)
    ind2024 = next(i for i in p2024.indicators if i.previous_indicator_id == ind2023.id)
    pv = values[ind2024.id]
    assert (pv.year, pv.target_raw, pv.actual, pv.score) == (2023, "7个", "7", Decimal("10"))
    assert form.total_score == Decimal("92.5") and prev.id == p2023.id
    # not approved any more → no actual, no score (only the target)
    sub = db.session.scalar(select(Submission).where(Submission.project_id == p2023.id))
    sub.state = "dept_approved"
    db.session.commit()
    values, form, _ = previous_values(p2024)
    assert form is None and values[ind2024.id].actual == "" and values[ind2024.id].score is None


def test_department_years_summary(seeded, db):
    from tracker.models import Department, Project
    from tracker.services.years import chart_data, department_years

    p2023 = db.session.scalar(select(Project).where(Project.name == "2023年度机关用房租赁费用项目"))
    _approve_2023_evaluation(db, p2023)
    _import_2024(db)
    dept = db.session.scalar(select(Department))
    rows = department_years(dept)
    assert [r.year for r in rows] == [2023, 2024]
    y23, y24 = rows
    assert (y23.projects, y23.indicators, y23.forms) == (18, 184, 1)
    assert y23.execution_rate == Decimal("95.00") and y23.average_score == Decimal("92.50") and y23.grade == "优"
    assert (y23.rows_scored, y23.rows_met) == (1, 1)
    assert y23.department_budget == Decimal("4131.67")
    assert y24.projects == 18 and y24.forms == 0 and y24.execution_rate is None
    data = chart_data(rows)
    assert data["years"] == ["2023", "2024"] and data["score"] == [92.5, None]


def test_reopen_year_needs_reason_and_is_audited(db):
    from tracker.domain import DomainError
    from tracker.models import AuditLog, BudgetYear
    from tracker.services import accounts
    from tracker.services.years import ReasonRequired, reopen_year

    year = accounts.get_or_create_year(2023)
    accounts.set_year_closed(year, True, acting=None)
    db.session.commit()
    with pytest.raises(ReasonRequired):
        reopen_year(year, reason="   ", acting=None)
    assert year.is_closed
    reopen_year(year, reason="补录 12 月支出", acting=None)
    db.session.commit()
    assert not db.session.get(BudgetYear, year.id).is_closed
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "year_reopened"))
    assert "补录 12 月支出" in log.summary
    with pytest.raises(DomainError):
        reopen_year(year, reason="again", acting=None)


def test_quality_below_last_year_uses_the_links(seeded, db):
    """2024年度机关用房租赁费用项目 is 2023年度… renamed: only the stored link finds last
    year's approved actual for the 目标偏低 rule."""
    from tracker.models import BudgetYear, EvaluationForm, EvaluationRow, Project, Submission
    from tracker.services.quality import review

    p2023 = db.session.scalar(select(Project).where(Project.name == "2023年度机关用房租赁费用项目"))
    sat = next(i for i in p2023.indicators if i.level3 == "受益群体满意度")
    assert sat.target_raw == "≥90%"
    form = EvaluationForm(project_id=p2023.id, year=2023, total_score=Decimal(90), grade="优")
    form.rows.append(
        EvaluationRow(
            indicator_id=sat.id,
            position=1,
            weight=Decimal(10),
            actual_value=Decimal(97),
            target_raw=sat.target_raw,
            score=Decimal(10),
            deduction=Decimal(0),
        )
    )
    db.session.add_all([form, Submission(project_id=p2023.id, kind="evaluation", period_key="2023", state="approved")])
    db.session.commit()
    _import_2024(db)
    y2024 = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2024))
    p2024 = db.session.scalar(
        select(Project).where(Project.year_id == y2024.id, Project.previous_project_id == p2023.id)
    )
    report = review(None, 2024, project_ids=[p2024.id])
    codes = [(f.code, f.indicator_name) for f in report.projects[0].findings]
    assert ("below_last_year", "受益群体满意度") in codes
