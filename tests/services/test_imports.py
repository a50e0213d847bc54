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
        "产出指标",
        "数量指标",
        "保障办公区正常运转个数",
        "7个",
        "根据工作职责",
    )
    assert (row.target_kind, row.target_op, row.target_value, row.target_unit) == (
        "quantitative",
        "=",
        Decimal("7"),
        "个",
    )
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
    progress.record_value(
        owner, with_value, progress_forms.parse_value_form(with_value, {"as_of": "2023-03-31", "value": "57917.17"})
    )
    db.session.commit()
    text = SEED_FILE.read_text(encoding="utf-8")
    start = text.index("\t\n\t数量指标\n\t租赁办公区占地面积")
    end = text.index("\t\n\t质量指标\n\t租金拨付率")
    dropped = text[:start] + text[end:]
    start = dropped.index("\t\n\t质量指标\n\t租金拨付率")
    end = dropped.index("\t\n\t时效指标\n\t租金拨付时间")
    dropped = dropped[:start] + dropped[end:]
    plan, _source = _import(dropped, db)
    summary = "\n".join(plan.summary_lines())
    assert "租赁办公区占地面积" in summary and "保留未删除" in summary
    assert "删除指标“质量指标/租金拨付率（100%）”" in summary
    assert db.session.get(Indicator, with_value.id) is not None
    assert db.session.scalar(select(func.count(Indicator.id))) == 183


# ---------------------------------------------------------------------------- many files at once


def _zip(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def _pdf(department="[301001]示例县农业农村局", n=12):
    from tests.importers.pdf_builder import build_pdf, indicator_rows

    return build_pdf([("农机购置补贴项目", "完成农机补贴发放。", indicator_rows(n))], department=department, year=2023)


def test_batch_good_and_bad_file_each_its_own_unit(db):
    from tracker.models import SourceDocument
    from tracker.services.imports import BatchFile, import_batch

    seed = SEED_FILE.read_bytes()
    items = [
        BatchFile("坏.txt", "这是一份会议通知，没有任何表格。".encode()),
        BatchFile("seed.txt", seed),
        BatchFile("截断.txt", seed[: len(seed) // 2]),  # fails after the good one: must not undo it
        BatchFile("农业.pdf", _pdf()),
    ]
    calls = []
    outcomes = import_batch(items, year=2023, progress=lambda *a: calls.append(a))
    db.session.commit()
    assert [o.status for o in outcomes] == ["refused", "imported", "refused", "imported"]
    assert "坏.txt" in outcomes[0].reason or "没有找到" in outcomes[0].reason
    assert (outcomes[1].projects, outcomes[1].indicators) == (18, 184)
    assert (outcomes[3].department_code, outcomes[3].department, outcomes[3].indicators) == (
        "301001",
        "示例县农业农村局",
        12,
    )
    assert _counts(db) == (2, 19, 196)
    assert db.session.scalar(select(func.count(SourceDocument.id))) == 2
    assert [c[0] for c in calls] == ["解析"] * 4 + ["写入"] * 4 and calls[-1][1:3] == (4, 4)

    # again: unchanged, nothing written
    again = import_batch(items[1:2] + items[3:], year=2023)
    db.session.commit()
    assert [o.status for o in again] == ["unchanged", "unchanged"]
    assert db.session.scalar(select(func.count(SourceDocument.id))) == 2 and _counts(db) == (2, 19, 196)


def test_failure_while_writing_rolls_back_only_that_file(db, monkeypatch):
    from tracker.domain import DomainError
    from tracker.services import imports
    from tracker.services.imports import BatchFile, import_batch

    real = imports.apply_import

    def failing(plan, **kw):
        real(plan, **kw)  # writes, then fails: the savepoint must undo this file's rows
        if plan.filename == "农业.pdf":
            raise DomainError("写入中途失败")
        return

    monkeypatch.setattr(imports, "apply_import", failing)
    outcomes = import_batch([BatchFile("农业.pdf", _pdf()), BatchFile("seed.txt", SEED_FILE.read_bytes())], year=2023)
    db.session.commit()
    assert [o.status for o in outcomes] == ["refused", "imported"]
    assert outcomes[0].reason == "写入中途失败"
    assert _counts(db) == (1, 18, 184)


def test_zip_is_expanded_with_gbk_names_and_unsupported_members_refused(db):
    import zipfile

    from tracker.services.imports import expand_uploads, import_batch

    data = _zip(
        {"县/平乡.txt": SEED_FILE.read_bytes(), "县/说明.png": b"\x89PNG", "__MACOSX/._x": b"", "县/农业.pdf": _pdf()}
    )
    items = expand_uploads([("全县.zip", data)])
    assert [(i.name, bool(i.error)) for i in items] == [
        ("全县.zip/县/平乡.txt", False),
        ("全县.zip/县/说明.png", True),
        ("全县.zip/县/农业.pdf", False),
    ]
    outcomes = import_batch(items, year=2023, dry_run=True)
    assert [o.status for o in outcomes] == ["imported", "refused", "imported"]
    assert _counts(db) == (0, 0, 0)  # dry run
    # names written by Chinese Windows tools: GBK bytes without the UTF-8 flag
    info = zipfile.ZipInfo("x")
    info.filename = "农业.txt".encode("gbk").decode("cp437")
    info.flag_bits = 0
    from tracker.services.imports import _zip_name

    assert _zip_name(info) == "农业.txt"


def test_zip_bomb_in_batch_is_refused_as_one_file(db):
    from tests.importers.test_limits import xlsx_bomb
    from tracker.services.imports import BatchFile, expand_uploads, import_batch

    items = expand_uploads([("bomb.xlsx", xlsx_bomb(2_000_000)), ("seed.txt", SEED_FILE.read_bytes())])
    outcomes = import_batch(items, year=2023)
    db.session.commit()
    assert [o.status for o in outcomes] == ["refused", "imported"]
    assert "解压后超过" in outcomes[0].reason
    assert isinstance(items[0], BatchFile)


def test_department_from_document_or_chosen(db):
    from tracker.models import Department
    from tracker.services.imports import BatchFile, NewDepartment, import_batch

    nameless = _pdf(department=None)
    outcomes = import_batch([BatchFile("无部门.pdf", nameless)], year=2023, dry_run=True)
    assert outcomes[0].status == "ask" and outcomes[0].department == ""
    outcomes = import_batch([BatchFile("无部门.pdf", nameless)], year=2023)
    assert outcomes[0].status == "refused" and "请选择要导入到的部门" in outcomes[0].reason
    assert _counts(db) == (0, 0, 0)

    outcomes = import_batch(
        [BatchFile("无部门.pdf", nameless)], year=2023, departments={"无部门.pdf": NewDepartment("示例县水利局", "302")}
    )
    db.session.commit()
    assert outcomes[0].status == "imported"
    dept = db.session.scalar(select(Department))
    assert (dept.code, dept.name) == ("302", "示例县水利局")
    # chosen existing department: the same file is then unchanged
    outcomes = import_batch([BatchFile("无部门.pdf", nameless)], year=2023, departments={"无部门.pdf": dept})
    assert outcomes[0].status == "unchanged"
    # the document's own department wins when it names one: a new department from the file
    outcomes = import_batch([BatchFile("农业.pdf", _pdf())], year=2023)
    db.session.commit()
    assert outcomes[0].department == "示例县农业农村局" and _counts(db)[0] == 2


def test_skipped_items_reach_the_outcome_and_summary(db):
    from tracker.importers import parse_file
    from tracker.importers.base import SkippedItem
    from tracker.services.imports import outcome_of, plan_import

    data = SEED_FILE.read_bytes()
    doc = parse_file("seed.txt", data)
    doc.skipped.append(
        SkippedItem(reason="不是指标行（填表人）", text="填表人：张三", file="seed.txt", table="第1张表", row=30)
    )
    plan = plan_import(doc, year=2023, filename="seed.txt", data=data)
    assert "  “seed.txt”，第1张表，第30行：不是指标行（填表人）“填表人：张三”" in plan.summary_lines()
    outcome = outcome_of("seed.txt", plan)
    assert outcome.skipped == [
        {"place": "“seed.txt”，第1张表，第30行", "reason": "不是指标行（填表人）", "text": "填表人：张三"}
    ]


def test_cli_imports_a_folder_file_by_file(app, db, tmp_path):
    folder = tmp_path / "全县"
    folder.mkdir()
    (folder / "a_平乡.txt").write_bytes(SEED_FILE.read_bytes())
    (folder / "b_坏.txt").write_text("没有表格", encoding="utf-8")
    (folder / "c_农业.pdf").write_bytes(_pdf())
    (folder / "d_notes.md").write_text("ignored")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-doc", str(folder), "--year", "2023", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "[解析 1/3] a_平乡.txt" in result.output and "[预览 3/3] c_农业.pdf" in result.output
    assert "试运行" in result.output and _counts(db) == (0, 0, 0)
    result = runner.invoke(args=["import-doc", str(folder), "--year", "2023"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("已导入（新增）：a_平乡.txt") and "18 个项目，184 条指标" in line for line in lines)
    assert any(line.startswith("拒绝：b_坏.txt") for line in lines)
    assert "共 3 个文件：已导入（新增） 2，拒绝 1" in result.output
    assert _counts(db) == (2, 19, 196)
    result = runner.invoke(args=["import-doc", str(folder), "--year", "2023"])
    assert "无变化 2" in result.output and _counts(db) == (2, 19, 196)


def test_cli_department_option_is_for_files_without_one(app, db, tmp_path):
    from tracker.models import Department

    db.session.add(Department(code="302", name="示例县水利局"))
    db.session.commit()
    nameless = tmp_path / "无部门.pdf"
    nameless.write_bytes(_pdf(department=None))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-doc", str(nameless), "--year", "2023"])
    assert result.exit_code == 1 and "--department" in result.output and _counts(db) == (1, 0, 0)
    (tmp_path / "农业.pdf").write_bytes(_pdf())
    result = runner.invoke(args=["import-doc", str(tmp_path), "--year", "2023", "--department", "302"])
    assert result.exit_code == 0, result.output
    assert "302示例县水利局，1 个项目" in result.output  # the nameless file
    assert "301001示例县农业农村局，1 个项目" in result.output  # its own department, not the option's
    assert _counts(db) == (2, 2, 24)
