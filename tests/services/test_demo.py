"""The quickstart demo activity: budgets, spending, values and review of the first half of 2023."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

AS_OF = date(2023, 6, 30)


def quickstart(app):
    result = app.test_cli_runner().invoke(args=["quickstart", "--no-migrate"])
    assert result.exit_code == 0, result.output
    return result.output


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def demo_projects(db):
    from tracker.models import Department, Project

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    return db.session.scalars(
        select(Project).where(Project.department_id == dept.id).order_by(Project.position)
    ).all()


def snapshot(db):
    from tracker.models import AuditLog, Expenditure, ProgressEntry, Submission, WorkflowEvent

    return {
        model.__name__: count(db, model)
        for model in (ProgressEntry, Expenditure, Submission, WorkflowEvent, AuditLog)
    }


def test_quickstart_loads_a_living_first_half_year(app, db):
    from tracker.models import Expenditure, ProgressEntry, Submission, User, WorkflowEvent

    output = quickstart(app)
    assert "演示填报数据：18 个项目预算" in output
    projects = demo_projects(db)
    assert len(projects) == 18
    assert sum(p.initial_budget for p in projects) == Decimal("3898.22")
    assert all(p.initial_budget > 0 for p in projects)
    assert 1 <= sum(p.adjusted_budget is not None for p in projects) <= 3

    owner = db.session.scalar(select(User).where(User.username == "owner430"))
    assert count(db, Expenditure) >= 18 * 3
    assert count(db, Expenditure, Expenditure.created_by_id == owner.id) == count(db, Expenditure)
    assert {e.input_unit for e in db.session.scalars(select(Expenditure))} == {"元", "万元"}
    assert all(e.spent_on <= AS_OF for e in db.session.scalars(select(Expenditure)))
    assert count(db, ProgressEntry) >= 150
    indicators_with_values = db.session.scalar(select(func.count(func.distinct(ProgressEntry.indicator_id))))
    assert 184 * 0.7 < indicators_with_values < 184  # most, not all: some stay 未填报
    correction = db.session.scalar(select(ProgressEntry).where(ProgressEntry.supersedes_id.is_not(None)))
    assert correction is not None and correction.note

    # 1–5月 approved for most projects, 6月 waiting at the reviewer or at finance for some.
    approved = Counter(
        s.project_id
        for s in db.session.scalars(select(Submission).where(Submission.state == "approved"))
        if s.period_key <= "2023-05"
    )
    assert sum(n == 5 for n in approved.values()) >= 12
    june = Counter(s.state for s in db.session.scalars(select(Submission).where(Submission.period_key == "2023-06")))
    assert june["submitted"] >= 2 and june["dept_approved"] >= 2 and june["approved"] == 0
    returned = db.session.scalars(select(Submission).where(Submission.state == "returned")).all()
    assert len(returned) == 1
    assert returned[0].last_comment
    assert db.session.scalar(
        select(WorkflowEvent).where(WorkflowEvent.submission_id == returned[0].id, WorkflowEvent.to_state == "returned")
    ).comment == returned[0].last_comment

    before = snapshot(db)
    budgets = [(p.initial_budget, p.adjusted_budget) for p in projects]
    output = quickstart(app)
    assert "已存在，未重复生成" in output
    db.session.expire_all()
    assert snapshot(db) == before
    assert [(p.initial_budget, p.adjusted_budget) for p in demo_projects(db)] == budgets


def test_demo_activity_only_flushes(db, seeded, make_user):
    from tracker.demo import load_demo_activity
    from tracker.models import Department, Expenditure, ProgressEntry

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    make_user("owner", dept, username="owner430")
    make_user("reviewer", dept, username="reviewer430")
    make_user("finance", username="finance")
    lines = []
    counts = load_demo_activity(echo=lines.append)
    assert counts["entries"] > 0 and counts["expenditures"] > 0 and counts["submissions"]["returned"] == 1
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
    spent = sum(
        (e.amount for e in _current_spending(project) if e.spent_on <= as_of), Decimal(0)
    )
    assert spent == progress.spent  # nothing was spent after the as-of date
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

    quickstart(app)
    indicator_lights: Counter = Counter()
    budget_lights: Counter = Counter()
    project_lights: Counter = Counter()
    print()
    for project in demo_projects(db):
        budget, rows = lights_as_of(project, AS_OF)
        lights = [light for _, light in rows]
        indicator_lights.update(lights)
        budget_lights[budget] += 1
        project_lights[project_light([*lights, budget])] += 1
        flagged = "、".join(f"{name}={light}" for name, light in rows if light in ("red", "yellow", "blue"))
        print(
            f"{project.position:>2} {project.name[:16]:<16} 预算 {project.budget:>8.2f} 执行率 "
            f"{_spent(project) / project.budget:6.1%} {budget:<6} {dict(Counter(lights))} {flagged}"
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


def _spent(project) -> Decimal:
    return sum((e.amount for e in _current_spending(project)), Decimal(0))

