"""Target-quality review over stored projects: the seed, last year's actuals, settings, scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, select

from tracker.domain import quality as rules
from tracker.services import quality


def test_seed_review(db, seeded):
    report = quality.review(None, 2023)
    assert len(report.projects) == 18
    assert sum(p.indicator_count for p in report.projects) == 184
    counts = report.rule_counts()
    # What the published seed document gets: its dimensions are complete and its
    # 满意度 targets are ≥90–95 %, but 17 targets say only which way (明显提升, 有所提高 …).
    assert counts["vague_wording"] == 17
    assert counts["name_equals_target"] == 2
    assert counts["unmeasurable"] == 1
    assert counts["duplicate"] == 1
    for code in ("output_quantity", "benefit_missing", "cost_missing", "satisfaction_low", "quantified_share"):
        assert counts[code] == 0
    worst = min(report.projects, key=lambda p: p.score)
    assert worst.name == "节能办节能运转费项目"
    # The import itself recorded the review for the importer.
    from tracker.models import SourceDocument

    source = db.session.scalar(select(SourceDocument))
    assert "目标质量审核：18 个项目中 13 个有问题" in source.change_summary


def test_review_reads_with_a_fixed_number_of_queries(db, seeded):
    from tracker.extensions import db as _db

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        quality.review(None, 2023)
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 4  # settings, projects, indicators, last year's actuals


def _last_year(db, seeded, *, state: str, actual: str):
    """A 2022 copy of one seed project with an approved self-evaluation actual."""
    from tracker.models import BudgetYear, EvaluationForm, EvaluationRow, Indicator, Project, Submission

    this = db.session.scalar(select(Project).where(Project.name == "劳务费"))
    target = next(i for i in this.indicators if i.target_kind == "quantitative" and i.target_op in ("≥", "="))
    y2022 = BudgetYear(year=2022)
    db.session.add(y2022)
    db.session.flush()
    old = Project(department_id=this.department_id, year_id=y2022.id, name=" 劳务费", position=1)
    db.session.add(old)
    db.session.flush()
    old_ind = Indicator(
        project_id=old.id,
        position=1,
        level1=target.level1,
        level2=target.level2,
        level3=target.level3,
        target_raw=target.target_raw,
        target_kind="quantitative",
        target_op=target.target_op,
        target_value=target.target_value,
        target_unit=target.target_unit,
    )
    db.session.add(old_ind)
    db.session.flush()
    form = EvaluationForm(project_id=old.id, year=2022)
    db.session.add(form)
    db.session.flush()
    db.session.add(
        EvaluationRow(
            form_id=form.id,
            indicator_id=old_ind.id,
            position=1,
            weight=Decimal(10),
            actual_value=target.target_value + Decimal(actual),
        )
    )
    db.session.add(Submission(project_id=old.id, kind="evaluation", period_key="2022", state=state))
    db.session.commit()
    return target


@pytest.mark.parametrize(
    ("state", "delta", "flagged"), [("approved", "5", True), ("approved", "0", False), ("submitted", "5", False)]
)
def test_target_below_last_years_approved_actual(db, seeded, state, delta, flagged):
    target = _last_year(db, seeded, state=state, actual=delta)
    report = quality.review(None, 2023)
    project = next(p for p in report.projects if p.name == "劳务费")
    found = [f for f in project.findings if f.code == "below_last_year"]
    assert bool(found) is flagged
    if flagged:
        assert found[0].indicator_id == target.id and "2022 年实际已达" in found[0].message


def test_settings_change_the_review(db, seeded, make_user):
    admin = make_user("admin")
    finance = make_user("finance")
    with pytest.raises(quality.QualitySettingError):
        quality.save_settings(finance, enabled=set(), thresholds={})
    for bad in ("101", "abc", "-1"):
        with pytest.raises(quality.QualitySettingError, match="0–100"):
            quality.save_settings(admin, enabled={r.code for r in rules.RULES}, thresholds={"satisfaction_low": bad})
    enabled = {r.code for r in rules.RULES} - {"vague_wording"}
    quality.save_settings(admin, enabled=enabled, thresholds={"satisfaction_low": "96%"})
    db.session.commit()
    counts = quality.review(None, 2023).rule_counts()
    assert counts["vague_wording"] == 0
    assert counts["satisfaction_low"] == 31  # every seed 满意度 target is 90 or 95 %
    from tracker.models import AuditLog

    assert db.session.scalar(select(AuditLog).where(AuditLog.summary == "修改目标质量审核规则")) is not None


def test_scope_and_filters(db, seeded, make_user, make_department):
    from tracker.models import BudgetYear, Department, Project

    other = make_department("县水利局", "520")
    year = db.session.scalar(select(BudgetYear))
    db.session.add(Project(department_id=other.id, year_id=year.id, name="水库维修项目", position=1))
    db.session.commit()
    seed = db.session.scalar(select(Department).where(Department.code == "430"))
    owner = make_user("owner", other)
    mine = quality.review(owner, 2023)
    assert [p.name for p in mine.projects] == ["水库维修项目"]
    assert mine.projects[0].worst == rules.ERROR  # no indicators at all
    everything = quality.review(make_user("finance"), 2023)
    assert len(everything.projects) == 19
    assert len(quality.review(make_user("finance"), 2023, department_id=seed.id).projects) == 18
    by_severity = quality.filtered(everything, sort="severity")
    assert by_severity[0].name == "水库维修项目"
    hints = quality.filtered(everything, severity=rules.HINT)
    assert [p.name for p in hints] == ["机关集中办公区水电暖费用项目（运转项目）"]
    assert all(
        any(f.code == "vague_wording" for f in p.findings) for p in quality.filtered(everything, rule="vague_wording")
    )
    scores = [p.score for p in quality.filtered(everything, sort="score")]
    assert scores == sorted(scores)
    chart = everything.chart()
    assert set(chart["departments"]) == {"县水利局", seed.name} and sum(n for _, n in chart["grades"]) == 19
