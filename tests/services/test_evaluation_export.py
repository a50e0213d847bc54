"""项目支出绩效自评表 and its summary exported as .xlsx, read back with openpyxl."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select


@pytest.fixture
def forms(db, seeded):
    """The 2023 forms over the seed, opened after the first project got a budget of 100万元."""
    from tracker.models import EvaluationForm, Project
    from tracker.services import evaluation

    project = db.session.scalars(select(Project).order_by(Project.department_id, Project.position)).first()
    project.initial_budget = Decimal("100")
    db.session.commit()
    evaluation.open_forms(2023)
    db.session.commit()
    return db.session.scalars(
        select(EvaluationForm)
        .join(Project)
        .where(EvaluationForm.year == 2023)
        .order_by(Project.department_id, Project.position)
    ).all()


def reopen(data: bytes):
    assert data[:2] == b"PK"
    return load_workbook(BytesIO(data)).active


def test_evaluation_form_layout(db, forms):
    from tracker.exporters.evaluation_xlsx import (
        FIRST_INDICATOR_ROW,
        INDICATOR_HEADER_ROW,
        TITLE,
        evaluation_filename,
        evaluation_workbook,
    )
    from tracker.services.evaluation import level1_weights

    form = forms[0]
    assert form.budget == Decimal("100")
    form.goal_actual = "全年目标基本完成"
    form.rows[0].explanation = "资金到位较晚"
    form.rows[0].deduction = Decimal("1")
    form.rows[0].deduction_reason = "数据不实"
    form.rows[0].overshoot = True
    db.session.commit()

    ws = reopen(evaluation_workbook(form))

    assert ws["A1"].value == TITLE
    assert ws["A2"].value == "（2023年度）"
    assert ws["A3"].value == "项目名称" and ws["C3"].value == form.project.name
    assert ws["C4"].value == form.project.department.name == ws["F4"].value
    # Funds block: 年度资金总额 row
    assert ws["B6"].value == "年度资金总额"
    assert ws["C6"].value == 100 and ws["D6"].value == 100
    assert ws["F6"].value == 10
    assert ws["B7"].value == "其中：财政拨款" and ws["D7"].value == 100
    assert ws["F11"].value == "全年目标基本完成"

    header = [ws.cell(row=INDICATOR_HEADER_ROW, column=c).value for c in range(1, 9)]
    assert header[0] == "一级指标" and header[-1] == "偏差原因分析及改进措施"
    assert ws.print_title_rows == f"${INDICATOR_HEADER_ROW}:${INDICATOR_HEADER_ROW}"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1

    weights = level1_weights(form)
    assert weights.get("产出指标") == Decimal(50)
    headings, indicator_rows = [], []
    r = FIRST_INDICATOR_ROW
    while ws.cell(row=r, column=1).value != "总分":
        a, c = ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value
        if c is None and a is not None and "（" in a:
            headings.append(a)
        else:
            indicator_rows.append(r)
        r += 1
    assert headings[0] == "产出指标（50分）"
    assert len(headings) == len(weights)
    assert len(indicator_rows) == len(form.rows)
    assert ws.cell(row=r, column=7).value == pytest.approx(float(form.total_score))
    assert ws.cell(row=r + 1, column=1).value == "自评等级"
    assert ws.cell(row=r + 1, column=6).value == form.grade

    remarks = ws.cell(row=indicator_rows[0], column=8).value
    assert remarks.splitlines()[:3] == ["资金到位较晚", "超额较多，需说明原因", "扣 1 分：数据不实"]

    merged = [str(m) for m in ws.merged_cells.ranges]
    assert "A1:H1" in merged and "A5:A9" in merged
    # 一级 merged over its rows, 二级 over runs of equal rows
    assert any(m.startswith(f"A{indicator_rows[0]}:A") for m in merged)
    assert any(m.startswith("B") and int(m.split(":")[0][1:]) > INDICATOR_HEADER_ROW for m in merged)

    assert evaluation_filename(form) == f"项目支出绩效自评表_{form.project.name}_2023年度.xlsx".replace(" ", "_")


def test_evaluation_summary(db, forms):
    from tracker.exporters.evaluation_xlsx import SUMMARY_FIRST_ROW, SUMMARY_TITLE, summary_filename, summary_workbook
    from tracker.services.evaluation import warnings

    assert len(forms) == 18
    data = [(form, "草稿", [w.message for w in warnings(form)]) for form in forms]
    ws = reopen(summary_workbook(2023, data))

    assert ws["A1"].value == SUMMARY_TITLE
    assert ws["J3"].value == "预警"
    assert [ws.cell(row=SUMMARY_FIRST_ROW + i, column=1).value for i in range(18)] == list(range(1, 19))
    assert ws.cell(row=SUMMARY_FIRST_ROW, column=3).value == forms[0].project.name
    assert ws.cell(row=SUMMARY_FIRST_ROW, column=4).value == 100
    assert ws.cell(row=SUMMARY_FIRST_ROW, column=9).value == "草稿"
    footer = ws.cell(row=SUMMARY_FIRST_ROW + 18, column=1).value
    assert footer.startswith("共 18 个项目") and "平均得分" in footer
    assert summary_filename(2023) == "项目支出绩效自评汇总表_2023年度.xlsx"
