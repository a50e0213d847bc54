"""The demo's 2024 year (derived from the seed, imported through the real importer) and its
one approved target adjustment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select


def test_quickstart_has_two_years_and_an_adjustment(app, db):
    from tracker.models import BudgetYear, Indicator, Project
    from tracker.models.adjustments import TargetAdjustment
    from tracker.services.adjustments import history, target_in_force

    result = app.test_cli_runner().invoke(args=["quickstart", "--no-migrate"])
    assert result.exit_code == 0, result.output
    assert "2024 年演示文件（由 2023 年种子文件派生）：18 个项目" in result.output
    assert "与上年对应：17 个项目、175 个指标" in result.output  # 184 − the 9 rows of the dropped project
    assert "演示目标调整：2024 年“每年检查空调工作状态的次数”≥15次 → ≥16次" in result.output
    assert list(db.session.scalars(select(BudgetYear.year).order_by(BudgetYear.year))) == [2023, 2024]
    current = db.session.scalar(select(BudgetYear).where(BudgetYear.is_current.is_(True)))
    assert current.year == 2023  # the year with the demo activity stays current
    y2024 = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2024))
    assert db.session.scalar(select(func.count(Project.id)).where(Project.year_id == y2024.id)) == 18
    linked = db.session.scalar(
        select(func.count(Project.id)).where(Project.year_id == y2024.id, Project.previous_project_id.is_not(None))
    )
    assert linked == 17
    adj = db.session.scalar(select(TargetAdjustment))
    assert adj.applied
    ind = db.session.get(Indicator, adj.indicator_id)
    assert [v.target_raw for v in history(ind)] == ["≥15次", "≥16次"]
    assert target_in_force(ind, date(2024, 6, 30)).raw == "≥15次"
    assert target_in_force(ind, date(2024, 7, 1)).raw == "≥16次"
    # idempotent
    again = app.test_cli_runner().invoke(args=["quickstart", "--no-migrate"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count(TargetAdjustment.id))) == 1
    assert db.session.scalar(select(func.count(Project.id)).where(Project.year_id == y2024.id)) == 18
