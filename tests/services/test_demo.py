"""The quickstart demo activity: budgets, spending, values and review of the year 2023.

The first half is what the mid-year 双监控 (as of 6-30) sees; the second half carries the
year to the 绩效自评.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

AS_OF = date(2023, 6, 30)
YEAR_END = date(2023, 12, 31)


def quickstart(app):
    result = app.test_cli_runner().invoke(args=["quickstart", "--no-migrate"])
    assert result.exit_code == 0, result.output
    return result.output


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def demo_projects(db):
    from tracker.models import BudgetYear, Department, Project

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    year = db.session.scalar(select(BudgetYear.id).where(BudgetYear.year == 2023))  # the demo also has 2024
    return db.session.scalars(
        select(Project).where(Project.department_id == dept.id, Project.year_id == year).order_by(Project.position)
    ).all()


def snapshot(db):
    from tracker.models import AuditLog, Expenditure, ProgressEntry, Submission, WorkflowEvent

    return {
        model.__name__: count(db, model) for model in (ProgressEntry, Expenditure, Submission, WorkflowEvent, AuditLog)
    }


def test_quickstart_loads_a_living_year(app, db):
    from tracker.models import Expenditure, ProgressEntry, Submission, User, WorkflowEvent

    output = quickstart(app)
    assert "演示填报数据：2023 年全年，18 个项目预算" in output
    projects = demo_projects(db)
    assert len(projects) == 18
    assert sum(p.initial_budget for p in projects) == Decimal("3898.22")
    assert all(p.initial_budget > 0 for p in projects)
    assert 1 <= sum(p.adjusted_budget is not None for p in projects) <= 3

    owner = db.session.scalar(select(User).where(User.username == "owner430"))
    assert count(db, Expenditure, Expenditure.spent_on <= AS_OF) >= 18 * 3
    assert count(db, Expenditure, Expenditure.spent_on > AS_OF) >= 18 * 3
    assert count(db, Expenditure, Expenditure.created_by_id == owner.id) == count(db, Expenditure)
    assert {e.input_unit for e in db.session.scalars(select(Expenditure))} == {"元", "万元"}
    assert all(date(2023, 1, 1) <= e.spent_on <= YEAR_END for e in db.session.scalars(select(Expenditure)))
    assert count(db, ProgressEntry, ProgressEntry.as_of <= AS_OF) >= 150
    assert count(db, ProgressEntry, ProgressEntry.as_of > AS_OF) >= 150
    with_values = select(func.count(func.distinct(ProgressEntry.indicator_id)))
    by_mid_year = db.session.scalar(with_values.where(ProgressEntry.as_of <= AS_OF))
    assert 184 * 0.7 < by_mid_year < 184  # most, not all: some stay 未填报 at mid-year
    assert db.session.scalar(with_values) > by_mid_year  # the surveys and the rest are in by the year end
    correction = db.session.scalar(select(ProgressEntry).where(ProgressEntry.supersedes_id.is_not(None)))
    assert correction is not None and correction.note and correction.as_of <= AS_OF

    # Spending: most projects spend 85–100% of the budget, a few less, none more.
    rates = [_spent(p, YEAR_END) / p.budget for p in projects]
    assert all(rate <= 1 for rate in rates)
    assert sum(rate >= Decimal("0.85") for rate in rates) >= 14
    assert min(rates) < Decimal("0.7")

    # 1–5月 approved for most projects, 6月 waiting at the reviewer or at finance for some.
    approved = Counter(
        s.project_id
        for s in db.session.scalars(select(Submission).where(Submission.state == "approved"))
        if s.period_key <= "2023-05"
    )
    assert sum(n == 5 for n in approved.values()) >= 12
    june = Counter(s.state for s in db.session.scalars(select(Submission).where(Submission.period_key == "2023-06")))
    assert june["submitted"] >= 2 and june["dept_approved"] >= 2 and june["approved"] == 0
    # 7–11月 approved for most projects, 12月 waiting for some.
    later = Counter(
        s.project_id
        for s in db.session.scalars(select(Submission).where(Submission.state == "approved"))
        if "2023-07" <= s.period_key <= "2023-11"
    )
    assert sum(n == 5 for n in later.values()) >= 14
    december = Counter(
        s.state for s in db.session.scalars(select(Submission).where(Submission.period_key == "2023-12"))
    )
    assert december["submitted"] >= 2 and december["dept_approved"] >= 2 and december["approved"] == 0
    returned = db.session.scalars(select(Submission).where(Submission.state == "returned")).all()
    assert len(returned) == 1
    assert returned[0].period_key == "2023-05" and returned[0].last_comment
    assert (
        db.session.scalar(
            select(WorkflowEvent).where(
                WorkflowEvent.submission_id == returned[0].id, WorkflowEvent.to_state == "returned"
            )
        ).comment
        == returned[0].last_comment
    )

    before = snapshot(db)
    budgets = [(p.initial_budget, p.adjusted_budget) for p in projects]
    output = quickstart(app)
    assert "已存在，未重复生成" in output
    db.session.expire_all()
    assert snapshot(db) == before
    assert [(p.initial_budget, p.adjusted_budget) for p in demo_projects(db)] == budgets


def test_demo_activity_only_flushes(db, seeded, make_user):
    from tracker.models import Department, Expenditure, ProgressEntry
    from tracker_demo import load_demo_activity

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    make_user("owner", dept, username="owner430")
    make_user("reviewer", dept, username="reviewer430")
    make_user("finance", username="finance")
    lines = []
    counts = load_demo_activity(echo=lines.append)
    assert counts["entries"] > 0 and counts["expenditures"] > 0 and counts["submissions"]["returned"] == 1
    later = counts["second_half"]
    assert 0 < later["entries"] < counts["entries"] and 0 < later["expenditures"] < counts["expenditures"]
    assert 0 < later["submissions"] < sum(counts["submissions"].values())
    assert lines and lines[-1].startswith("演示填报数据：")
    db.session.rollback()
    assert count(db, ProgressEntry) == 0 and count(db, Expenditure) == 0


def lights_as_of(project, as_of: date) -> tuple[str, list[tuple[str, str]]]:
    """(budget light, [(indicator, light)]) of a project at the monitoring as-of date."""
    from tracker.domain.monitoring import budget_light, indicator_light, time_progress
    from tracker.domain.progress import completions, latest_tier, year_to_date
    from tracker.services.progress import project_progress

    progress = project_progress(project, project.indicators)
    tp = time_progress(as_of, project.year.year)
    budget = project.budget
    spent = _spent(project, as_of)  # as the monitoring service does: spending dated ≤ as_of
    rows = []
    for row in progress.rows:
        target = row.indicator.target
        readings = [r for r in row.readings if r.as_of <= as_of]
        cumulative = row.indicator.accumulation == "cumulative"
        current = year_to_date(readings, cumulative=cumulative)
        completed_on = None
        if target.kind == "deadline":
            done = completions(readings)
            completed_on = {m: d for m, d in done.items() if m} if target.monthly_day else done.get(None)
        extra = {}
        if target.kind == "within_budget":
            current, extra = spent, {"budget": budget}
        light = indicator_light(
            target,
            current,
            time_progress=tp,
            cumulative=cumulative,
            tier=latest_tier(readings),
            completed_on=completed_on,
            as_of=as_of,
            budget_year=project.year.year,
            **extra,
        )
        rows.append((row.indicator.level3, light))
    return budget_light(spent / budget if budget else None, tp), rows


def _current_spending(project):
    from tracker.extensions import db
    from tracker.models import Expenditure
    from tracker.services.progress import current_entries_query

    return db.session.scalars(current_entries_query(Expenditure).where(Expenditure.project_id == project.id)).all()


def test_mid_year_monitoring_shows_a_mix_of_lights(app, db):
    from tracker.domain.monitoring import project_light
    from tracker.models import MonitoringSnapshot
    from tracker.services import monitoring

    quickstart(app)
    indicator_lights: Counter = Counter()
    budget_lights: Counter = Counter()
    project_lights: Counter = Counter()
    by_project = {}
    print()
    for project in demo_projects(db):
        budget, rows = lights_as_of(project, AS_OF)
        lights = [light for _, light in rows]
        indicator_lights.update(lights)
        budget_lights[budget] += 1
        by_project[project.id] = project_light([*lights, budget])
        project_lights[by_project[project.id]] += 1
        flagged = "、".join(f"{name}={light}" for name, light in rows if light in ("red", "yellow", "blue"))
        print(
            f"{project.position:>2} {project.name[:16]:<16} 预算 {project.budget:>8.2f} 执行率 "
            f"{_spent(project, AS_OF) / project.budget:6.1%} {budget:<6} {dict(Counter(lights))} {flagged}"
        )
    print("indicator lights:", dict(indicator_lights))
    print("budget lights:", dict(budget_lights))
    print("project lights:", dict(project_lights))

    assert {"red", "yellow", "green"} <= set(indicator_lights)
    assert indicator_lights["green"] > indicator_lights["yellow"] > indicator_lights["red"] > 0
    assert indicator_lights["grey"] >= 5
    assert indicator_lights["blue"] <= 2
    assert budget_lights["red"] >= 1 and budget_lights["green"] >= 1
    assert budget_lights["green"] > budget_lights["yellow"] + budget_lights["red"]
    assert {"red", "yellow", "green"} <= set(project_lights)
    # Exactly the mid-year picture the first half was written for: nothing dated after 6-30
    # (the second half) may change it.
    assert indicator_lights == Counter(green=141, grey=31, yellow=8, red=3, blue=1)
    assert budget_lights == Counter(green=13, yellow=3, red=2)
    assert project_lights == Counter(green=9, yellow=6, red=3)

    # The monitoring service (entries and spending dated ≤ as_of) sees the same.
    monitoring.run(AS_OF)
    snapshots = db.session.scalars(select(MonitoringSnapshot).where(MonitoringSnapshot.as_of == AS_OF)).all()
    assert {s.project_id: s.project_light for s in snapshots} == by_project


def _spent(project, as_of: date) -> Decimal:
    return sum((e.amount for e in _current_spending(project) if e.spent_on <= as_of), Decimal(0))


def test_year_end_self_evaluation_spreads_the_grades(app, db):
    from tracker.services import evaluation

    quickstart(app)
    counts = evaluation.open_forms(2023)
    db.session.commit()
    assert counts["opened"] == 18
    forms = evaluation.summary_all(2023)
    print()
    for form in forms:
        short = [
            f"{row.indicator.level3}={row.score}/{row.weight}"
            for row in sorted(form.rows, key=lambda r: r.position)
            if row.score < row.weight
        ]
        print(
            f"{form.project.position:>2} {form.project.name[:16]:<16} {form.total_score:>6} {form.grade} "
            f"执行率 {form.spent / form.budget:6.1%} {'、'.join(short)}"
        )
    grades = Counter(form.grade for form in forms)
    average = sum(form.total_score for form in forms) / len(forms)
    print("grades:", dict(grades), "average:", round(average, 2))

    assert not [row.problem for form in forms for row in form.rows if row.problem]  # every row has its year-end value
    assert len(grades) >= 2
    assert grades["优"] + grades["良"] > len(forms) / 2
    assert 1 <= grades["中"] + grades["差"] <= 2
    assert average >= 80
    weakest = min(forms, key=lambda form: form.total_score)
    assert "消防" in weakest.project.name
