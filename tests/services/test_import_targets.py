"""Targets through the importer: the operator and unit written in the 三级 name or in separate
columns reach the stored indicator and the self-evaluation row (DOMAIN.md §3.6)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

TABLE = "\n".join(
    [
        "1、造林项目绩效目标表",
        " | ".join(["一级指标", "二级指标", "三级指标", "指标值"]),
        "产出指标 | 质量指标 | 苗木成活率（≥**%） | 85",
        "产出指标 | 成本指标 | 项目总投入（万元） | 6070",
        "产出指标 | 数量指标 | 实施营造林总面积（亩） | 80000",
        "产出指标 | 时效指标 | 验收时间 | 6月前",
        "效益指标 | 社会效益指标 | 安全事故 | 0起",
        "满意度指标 | 服务对象满意度指标 | 群众满意度（≥**%） | 明显提升",
    ]
)


def _import(db, department, text=TABLE):
    from tracker.importers import parse_file
    from tracker.services.imports import apply_import, plan_import

    data = text.encode("utf-8")
    plan = plan_import(parse_file("t.txt", data), year=2023, filename="t.txt", data=data, department=department)
    apply_import(plan)
    db.session.commit()
    return plan


def _targets(db):
    from tracker.models import Indicator

    return {
        i.level3: (i.target_kind, i.target_op, i.target_value, i.target_unit, i.target_implicit_op, i.deadline_month)
        for i in db.session.scalars(select(Indicator))
    }


def test_hints_from_the_name_reach_the_indicator(db, make_department):
    plan = _import(db, make_department())
    assert _targets(db) == {
        "苗木成活率（≥**%）": ("quantitative", "≥", Decimal("85"), "%", False, None),
        "项目总投入（万元）": ("quantitative", "≤", Decimal("6070"), "万元", True, None),
        "实施营造林总面积（亩）": ("quantitative", "=", Decimal("80000"), "亩", True, None),
        "验收时间": ("deadline", None, None, "", False, 5),
        "安全事故": ("quantitative", "=", Decimal("0"), "起", True, None),
        "群众满意度（≥**%）": ("qualitative", None, None, "", False, None),
    }
    # the preview sees the reading of "6月前"
    (project,) = plan.projects
    deadline = next(ip.target for ip in project.indicators if ip.parsed.level3 == "验收时间")
    assert "6月1日之前" in deadline.describe()


def test_the_evaluation_row_keeps_the_hinted_target(db, make_department):
    from tracker.models import EvaluationRow
    from tracker.services.evaluation import open_forms

    _import(db, make_department())
    assert open_forms(2023)["opened"] == 1
    db.session.commit()
    rows = {r.indicator.level3: r for r in db.session.scalars(select(EvaluationRow))}
    target = rows["苗木成活率（≥**%）"].target
    assert (target.op, target.value, target.unit) == ("≥", Decimal("85"), "%")
    cost = rows["项目总投入（万元）"].target
    assert (cost.op, cost.unit, cost.implicit_op) == ("≤", "万元", True)
    # 0起 with one accident scores nothing
    from tracker.domain.scoring import score_indicator

    assert score_indicator(rows["安全事故"].target, Decimal(1), Decimal(10)) == Decimal("0.00")


def test_split_columns_reach_the_indicator(db, make_department):
    text = "\n".join(
        [
            "1、护林项目绩效目标表",
            " | ".join(["一级指标", "二级指标", "三级指标", "计算符号", "目标值", "度量单位"]),
            "产出指标 | 数量指标 | 保障在职职工人数 | ═ | 116 | 人",
            "产出指标 | 质量指标 | 工资发放准确性 | ≧ | 95 | 百分比",
            "产出指标 | 成本指标 | 补助标准 | ≤ | 2300 | 元/人*月",
            "满意度指标 | 服务对象满意度指标 | 满意度 | 定性 | 较高 | ",
        ]
    )
    _import(db, make_department(), text)
    got = _targets(db)
    assert got["保障在职职工人数"][:4] == ("quantitative", "=", Decimal("116"), "人")
    assert got["工资发放准确性"][:4] == ("quantitative", "≥", Decimal("95"), "%")
    assert got["补助标准"][:4] == ("quantitative", "≤", Decimal("2300"), "元/人·月")
    assert got["满意度"][0] == "qualitative"
