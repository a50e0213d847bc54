"""Spending from the payment system: reading, matching, duplicates, re-import, scope, atomicity."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker.services import payments
from tracker.services.payments import DUPLICATE, MATCHED, UNMATCHED, PaymentAccessError, PaymentFileError

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "payments_2023_430.csv"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def world(db, seeded, make_user, make_department):
    from tracker.models import BudgetYear, Department, Project

    seed = db.session.scalar(select(Department).where(Department.code == "430"))
    other = make_department("县水利局", "520")
    year = db.session.scalar(select(BudgetYear))
    foreign = Project(department_id=other.id, year_id=year.id, name="劳务费", position=1)  # same name as a seed project
    water = Project(department_id=other.id, year_id=year.id, name="水库维修项目", position=2)
    db.session.add_all([foreign, water])
    db.session.commit()
    return {
        "finance": make_user("finance"),
        "reviewer": make_user("reviewer", seed),
        "owner": make_user("owner", seed),
        "other_reviewer": make_user("reviewer", other),
        "seed": seed,
        "other": other,
    }


def _count():
    from tracker.extensions import db
    from tracker.models import Expenditure

    return db.session.scalar(select(func.count()).select_from(Expenditure))


def test_sample_file_for_the_seed(db, world):
    plan = payments.plan_payments(world["reviewer"], SAMPLE.name, SAMPLE.read_bytes())
    assert plan.unit == "元" and plan.header_line == 3
    assert len(plan.rows) == 7  # the 合计 line is not a payment
    by_line = {r.line: r for r in plan.rows}
    assert [(r.line, r.how) for r in plan.matched] == [
        (4, "name"),
        (5, "normalized"),
        (6, "name"),
        (7, "name"),
        (8, "normalized"),
    ]
    assert by_line[5].project_name == "机关集中办公区水电暖费用项目（运转项目）"
    assert by_line[4].amount == Decimal("12.5")  # 125,000.00 元 → 万元
    assert by_line[5].amount == Decimal("8.642050")
    assert {r.line for r in plan.of(UNMATCHED)} == {9, 10}
    assert "没有编码为“430001239999999999”或名称为“县城区道路亮化工程”的项目" in by_line[9].reason
    assert "没有名称为“机关食堂改造项目”的项目" in by_line[10].reason
    record = payments.apply_payments(world["reviewer"], plan)
    db.session.commit()
    assert record.added_count == 5 and record.unmatched_count == 2
    assert record.added_amount == Decimal("36.045130")

    again = payments.plan_payments(world["reviewer"], SAMPLE.name, SAMPLE.read_bytes())
    assert again.matched == []
    assert len(again.of(DUPLICATE)) == 5
    assert all("已从支付系统导入过" in r.reason for r in again.of(DUPLICATE))
    # The codes were learned: this time rows match by code.
    assert all(r.how == "code" for r in again.of(DUPLICATE))
    before = _count()
    payments.apply_payments(world["reviewer"], again)
    db.session.commit()
    assert _count() == before


def test_code_match_after_learning_even_when_the_name_changes(db, world):
    head = "支付日期,项目编码,项目名称,金额（万元）,用途"
    first = csv_bytes(head, "2023-03-01,P-001,劳务费,1.5,三月劳务")
    payments.apply_payments(world["reviewer"], payments.plan_payments(world["reviewer"], "a.csv", first))
    second = csv_bytes(head, "2023-04-01,P-001,劳务派遣费用（改名）,2,四月劳务")
    plan = payments.plan_payments(world["reviewer"], "b.csv", second)
    assert plan.unit == "万元"
    assert [(r.how, r.project_name, r.amount) for r in plan.matched] == [("code", "劳务费", Decimal("2"))]


def test_duplicates_of_typed_spending_and_within_the_file(db, world):
    from tracker.models import Expenditure, Project

    project = db.session.scalar(
        select(Project).where(Project.name == "劳务费", Project.department_id == world["seed"].id)
    )
    db.session.add(
        Expenditure(
            project_id=project.id,
            spent_on=date(2023, 5, 6),
            period_key="2023-05",
            amount=Decimal("4.5"),
            input_amount=Decimal("4.5"),
            input_unit="万元",
            note="4月劳务派遣费用",
            created_by_id=world["owner"].id,
        )
    )
    db.session.commit()
    data = csv_bytes(
        "日期,项目名称,支付金额,摘要",
        "2023-05-06,劳务费,45000,4月劳务派遣费用",  # typed already
        "2023-05-07,劳务费,100,办公用品",
        "2023-05-07,劳务费,100,办公用品",  # same line twice
        "2023-05-08,劳务费,100,办公用品",
    )
    plan = payments.plan_payments(world["reviewer"], "p.csv", data)
    assert [(r.line, r.status) for r in plan.rows] == [(2, DUPLICATE), (3, MATCHED), (4, DUPLICATE), (5, MATCHED)]
    assert "已登记过相同项目" in plan.rows[0].reason
    assert "第 3 行" in plan.rows[2].reason


def test_scope_reviewer_sees_own_department_finance_sees_ambiguity(db, world):
    data = csv_bytes("支付日期,项目名称,金额,摘要", "2023-03-01,劳务费,10,x", "2023-03-01,水库维修项目,10,y")
    mine = payments.plan_payments(world["reviewer"], "p.csv", data)
    assert [r.status for r in mine.rows] == [MATCHED, UNMATCHED]
    assert "仅在本部门" in mine.rows[1].reason
    theirs = payments.plan_payments(world["other_reviewer"], "p.csv", data)
    assert [r.department_name for r in theirs.matched] == ["县水利局", "县水利局"]
    county = payments.plan_payments(world["finance"], "p.csv", data)
    assert county.rows[0].status == UNMATCHED and "多个部门" in county.rows[0].reason
    assert county.rows[1].status == MATCHED
    with pytest.raises(PaymentAccessError):
        payments.plan_payments(world["owner"], "p.csv", data)


def test_locked_period_and_other_year_are_not_imported(db, world):
    from tracker.models import Project, Submission

    project = db.session.scalar(
        select(Project).where(Project.name == "劳务费", Project.department_id == world["seed"].id)
    )
    db.session.add(Submission(project_id=project.id, kind="progress", period_key="2023-03", state="submitted"))
    db.session.commit()
    data = csv_bytes(
        "支付日期,项目名称,金额,摘要", "2023-03-09,劳务费,10,x", "2024-01-09,劳务费,10,y", "2023-04-09,劳务费,10,z"
    )
    plan = payments.plan_payments(world["reviewer"], "p.csv", data)
    assert [r.status for r in plan.rows] == [UNMATCHED, UNMATCHED, MATCHED]
    assert "锁定" in plan.rows[0].reason
    assert "2024 年度没有" in plan.rows[1].reason


def test_xlsx_with_dates_numbers_and_gbk_csv(db, world):
    from datetime import datetime

    data = xlsx_bytes(
        [
            ["某县国库集中支付明细表"],
            [],
            ["序号", "支付日期", "预算项目编码", "预算项目名称", "支付金额（元）", "资金用途"],
            [1, datetime(2023, 6, 1), "X1", "劳务费", 1234.5, "六月劳务"],
            [2, "2023年6月2日", None, "劳务费", "2,000", "六月劳务2"],
            [None, "合计", None, None, 3234.5, None],
        ]
    )
    plan = payments.plan_payments(world["reviewer"], "pay.xlsx", data)
    assert [(r.spent_on, r.amount) for r in plan.matched] == [
        (date(2023, 6, 1), Decimal("0.12345")),
        (date(2023, 6, 2), Decimal("0.2")),
    ]
    gbk = csv_bytes("支付日期,项目名称,金额,摘要", "2023/6/3,劳务费,88,办公", encoding="gb18030")
    assert payments.plan_payments(world["reviewer"], "gbk.csv", gbk).matched[0].summary == "办公"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (csv_bytes("甲,乙,丙", "1,2,3"), "没有找到表头"),
        (csv_bytes("支付日期,项目名称,金额", "2023-13-45,劳务费,10"), "第 2 行“支付日期”列的日期“2023-13-45”无法识别"),
        (
            csv_bytes("支付日期,项目名称,金额", "2023-03-01,劳务费,10", "2023-03-02,劳务费,十元"),
            "第 3 行“金额”列的金额“十元”不是数字",
        ),
        (csv_bytes("支付日期,项目名称,金额", "2023-03-01,劳务费,-10"), "第 2 行“金额”列为负数"),
        (csv_bytes("支付日期,项目名称,金额", "2023-03-01,劳务费,"), "第 2 行“金额”列为空"),
        (csv_bytes("支付日期,项目名称,金额"), "没有支付记录"),
        (csv_bytes("支付日期,项目名称,金额", "2023-03-01,劳务费,1e40"), "过大"),
        (b"", "空文件"),
        (
            csv_bytes("支付日期,项目名称,金额,摘要", "2023-03-01,劳务费,10," + "长" * 1990),
            "第 2 行“摘要”过长（1990 字）",
        ),
        (b"PK\x03\x04garbage", "不是有效的 Excel"),
    ],
)
def test_bad_files_are_refused_in_chinese_with_the_place(db, world, data, message):
    name = "x.xlsx" if data.startswith(b"PK") else "x.csv"
    with pytest.raises(PaymentFileError) as err:
        payments.plan_payments(world["reviewer"], name, data)
    assert message in str(err.value)


def test_unknown_format(db, world):
    with pytest.raises(PaymentFileError, match="格式不支持"):
        payments.plan_payments(world["reviewer"], "x.pdf", b"%PDF")


def test_nothing_half_written_when_a_row_fails(db, world, monkeypatch):
    """A failure while writing (here: the reviewer's scope re-checked) leaves nothing behind."""
    from tracker.extensions import db as _db
    from tracker.models import Project

    data = csv_bytes("支付日期,项目名称,金额,摘要", "2023-03-01,水库维修项目,10,x", "2023-03-02,劳务费,20,y")
    plan = payments.plan_payments(world["finance"], "p.csv", data)
    assert [r.status for r in plan.rows] == [MATCHED, UNMATCHED]  # 劳务费 is ambiguous for finance
    # Hand the plan to the other department's reviewer with the second row pointing at the seed's project:
    # the first row is added, the second refused, and the rollback at the edge leaves nothing.
    seed_project = _db.session.scalar(
        select(Project).where(Project.name == "劳务费", Project.department_id == world["seed"].id)
    )
    plan.rows[1].status, plan.rows[1].project_id = MATCHED, seed_project.id
    before = _count()
    with pytest.raises(PaymentAccessError):
        payments.apply_payments(world["other_reviewer"], plan)
    _db.session.rollback()
    assert _count() == before
