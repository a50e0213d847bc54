"""Importing the seed into the database: exact counts, idempotence, updates, all-or-nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import SEED_FILE
from tracker.progress import forms as progress_forms


def _counts(db):
    from tracker.models import Department, Indicator, Project

    return (
        db.session.scalar(select(func.count(Department.id))),
        db.session.scalar(select(func.count(Project.id))),
        db.session.scalar(select(func.count(Indicator.id))),
    )


def _import(text: str, db, *, year=2023, name="seed.txt"):
    from tracker.importers import parse_file
    from tracker.services.imports import apply_import, plan_import

    data = text.encode("utf-8")
    plan = plan_import(parse_file(name, data), year=year, filename=name, data=data)
    source = apply_import(plan)
    db.session.commit()
    return plan, source


def test_seed_imports_exactly(seeded, db):
    from tracker.models import Department, DepartmentBudget, Indicator, Project

    assert _counts(db) == (1, 18, 184)
    dept = db.session.scalar(select(Department))
    assert (dept.code, dept.name) == ("430", "平乡县机关后勤服务中心")
    budget = db.session.scalar(select(DepartmentBudget))
    assert budget.total == Decimal("4131.67")
    assert budget.basic == Decimal("233.45")
    assert budget.project == Decimal("3898.22")
    assert budget.year.year == 2023

    projects = db.session.scalars(select(Project).order_by(Project.position)).all()
    assert projects[0].name == "2023年度机关用房租赁费用项目"
    assert projects[-1].name == "综合事务管理项目"
    assert [p.position for p in projects] == list(range(1, 19))
    assert all("绩效目标表" not in p.name for p in projects)
    assert projects[0].goal.startswith("1.保障机关单位的正常办公")

    first = projects[0].indicators
    assert [i.level3 for i in first[:2]] == ["保障办公区个数", "租赁办公区占地面积"]
    row = first[0]
    assert (row.level1, row.level2, row.description, row.target_raw, row.basis) == (
        "产出指标", "数量指标", "保障办公区正常运转个数", "7个", "根据工作职责"
    )
    assert (row.target_kind, row.target_op, row.target_value, row.target_unit) == ("quantitative", "=", Decimal("7"), "个")
    cost = next(i for i in first if i.level2 == "成本指标")
    assert (cost.target_op, cost.target_value, cost.target_unit) == ("≤", Decimal("426"), "元")
    deadline = next(i for i in first if i.level2 == "时效指标")
    assert (deadline.target_kind, deadline.deadline_month) == ("deadline", 11)
    joined = db.session.scalar(select(Indicator).where(Indicator.basis.contains("维修维护清单以及保险单")))
    assert joined is not None and "年度预算，维修维护清单以及保险单" in joined.basis
    # Every indicator has its order within its project, without gaps.
    for project in projects:
        assert [i.position for i in project.indicators] == list(range(1, len(project.indicators) + 1))


def test_importing_again_changes_nothing(seeded, db):
    from tracker.models import SourceDocument

    before = _counts(db)
    plan, source = _import(SEED_FILE.read_text(encoding="utf-8"), db)
    assert source is None
    assert not plan.has_changes
    assert plan.count("unchanged") == 18 and plan.indicator_count("unchanged") == 184
    assert _counts(db) == before
    assert db.session.scalar(select(func.count(SourceDocument.id))) == 1


def test_changed_version_updates_in_place(seeded, db):
    from tracker.models import Indicator, Project

    ids_before = set(db.session.scalars(select(Indicator.id)))
    area = db.session.scalar(select(Indicator).where(Indicator.level3 == "租赁办公区占地面积"))
    assert area.accumulation == "level"
    area.accumulation = "cumulative"  # a user's choice, which an updated import must keep
    db.session.commit()
    text = SEED_FILE.read_text(encoding="utf-8")
    # Raise one target and rewrite one basis; ids must survive.
    assert text.count("\t57917.17平方米") == 1
    changed = text.replace("\t57917.17平方米", "\t60000平方米").replace("\t根据租赁合同\n", "\t根据新租赁合同\n", 1)
    plan, source = _import(changed, db)
    assert source is not None
    assert plan.count("changed") == 1 and plan.indicator_count("changed") == 1
    summary = "\n".join(plan.summary_lines())
    assert "57917.17平方米 → 60000平方米" in summary
    assert "根据租赁合同 → 根据新租赁合同" in summary
    assert set(db.session.scalars(select(Indicator.id))) == ids_before
    row = db.session.scalar(select(Indicator).where(Indicator.level3 == "租赁办公区占地面积"))
    assert (row.target_raw, row.target_value, row.basis) == ("60000平方米", Decimal("60000"), "根据新租赁合同")
    assert row.accumulation == "cumulative"
    assert _counts(db) == (1, 18, 184)
    assert db.session.scalar(select(func.count(Project.id))) == 18


def test_wrong_year_is_refused(db):
    from tracker.domain import DomainError

    with pytest.raises(DomainError, match="2023"):
        _import(SEED_FILE.read_text(encoding="utf-8"), db, year=2024)
    assert _counts(db) == (0, 0, 0)


def test_truncated_file_writes_nothing(db):
    from tracker.domain import DomainError

    text = SEED_FILE.read_text(encoding="utf-8")
    cut = text[: text.index("7、机关集中办公区水电暖费用项目") + 600]
    with pytest.raises(DomainError) as excinfo:
        _import(cut, db)
    assert "7" in str(excinfo.value)
    assert _counts(db) == (0, 0, 0)


def test_cli_dry_run_writes_nothing_and_import_writes(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-doc", str(SEED_FILE), "--year", "2023", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "18" in result.output and "184" in result.output and "试运行" in result.output
    assert _counts(db) == (0, 0, 0)
    result = runner.invoke(args=["import-doc", str(SEED_FILE), "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert _counts(db) == (1, 18, 184)
    result = runner.invoke(args=["import-doc", str(SEED_FILE), "--year", "2023"])
    assert "无变化" in result.output
    assert _counts(db) == (1, 18, 184)


def test_cli_bad_file_fails_in_chinese(app, db, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00")
    result = app.test_cli_runner().invoke(args=["import-doc", str(bad), "--year", "2023"])
    assert result.exit_code == 1
    assert "错误" in result.output and "未写入" in result.output
    assert _counts(db) == (0, 0, 0)


def test_quickstart_demo_is_idempotent(app, db):
    from tracker.models import User

    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["quickstart", "--no-migrate"])
        assert result.exit_code == 0, result.output
    assert "owner430" in result.output and "Admin2023" in result.output
    # the seed department and the finance bureau; 2023 (the seed) and 2024 (derived from it,
    # one project dropped and one added) of 18 projects and 184 indicators each
    assert _counts(db) == (2, 36, 368)
    roles = sorted(db.session.scalars(select(User.role)))
    assert roles == ["admin", "finance", "owner", "reviewer"]


def test_removed_indicator_with_records_is_kept(seeded, db, make_user):
    """A new version drops two rows; the one with a recorded value stays, the other goes."""
    from tracker.models import Department, Indicator
    from tracker.services import progress

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    owner = make_user("owner", dept)
    with_value = db.session.scalar(select(Indicator).where(Indicator.level3 == "租赁办公区占地面积"))
    progress.record_value(owner, with_value, progress_forms.parse_value_form(with_value, {"as_of": "2023-03-31", "value": "57917.17"}))
    db.session.commit()
    text = SEED_FILE.read_text(encoding="utf-8")
    start = text.index("\t\n\t数量指标\n\t租赁办公区占地面积")
    end = text.index("\t\n\t质量指标\n\t租金拨付率")
    dropped = text[:start] + text[end:]
    start = dropped.index("\t\n\t质量指标\n\t租金拨付率")
    end = dropped.index("\t\n\t时效指标\n\t租金拨付时间")
    dropped = dropped[:start] + dropped[end:]
    plan, source = _import(dropped, db)
    summary = "\n".join(plan.summary_lines())
    assert "租赁办公区占地面积" in summary and "保留未删除" in summary
    assert "删除指标“质量指标/租金拨付率（100%）”" in summary
    assert db.session.get(Indicator, with_value.id) is not None
    assert db.session.scalar(select(func.count(Indicator.id))) == 183
