"""项目支出绩效目标执行监控表 and its summary exported as .xlsx, read back with openpyxl."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

AS_OF = date(2023, 6, 30)


@pytest.fixture
def snapshots(db, seeded, make_user):
    """The 2023-06-30 run over the seed: two projects with budgets, one with spending."""
    from tracker.models import Expenditure, MonitoringSnapshot, Project
    from tracker.services import monitoring

    projects = db.session.scalars(select(Project).order_by(Project.department_id, Project.position)).all()
    first, second = projects[0], projects[1]
    first.initial_budget = Decimal("100")
    first.adjusted_budget = Decimal("120")
    second.initial_budget = Decimal("50")
    owner = make_user("owner", first.department)
    db.session.add(
        Expenditure(
            project_id=first.id,
            spent_on=date(2023, 5, 31),
            period_key="2023-05",
            amount=Decimal("30"),
            input_amount=Decimal("30"),
            input_unit="万元",
            created_by_id=owner.id,
        )
    )
    db.session.commit()
    monitoring.run(AS_OF)
    db.session.commit()
    return db.session.scalars(
        select(MonitoringSnapshot)
        .join(Project)
        .where(MonitoringSnapshot.period_key == AS_OF.isoformat())
        .order_by(Project.department_id, Project.position)
    ).all()


def reopen(data: bytes):
    assert data[:2] == b"PK"
    return load_workbook(BytesIO(data)).active


def test_monitoring_form_layout(db, snapshots):
    from tracker.domain.monitoring import LIGHT_LABELS
    from tracker.exporters.monitoring_xlsx import (
        FIRST_INDICATOR_ROW,
        INDICATOR_HEADER_ROW,
        TITLE,
        monitoring_filename,
        monitoring_workbook,
    )

    snapshot = snapshots[0]
    rows = snapshot.rows
    assert len(rows) >= 3
    rows[0].reasons = ["经费保障", "人员保障"]
    rows[0].analysis = "资金未及时到位"
    rows[0].likelihood = "有可能"
    rows[0].measure = "加快资金拨付"
    snapshot.expected_completion = "预计全年可完成目标"
    snapshot.needs_rectification = True
    snapshot.rectification_requirements = "9月底前完成整改"
    db.session.commit()

    ws = reopen(monitoring_workbook(snapshot))

    assert ws["A1"].value == TITLE
    assert ws["A2"].value == "（2023年1-6月）"
    department = snapshot.project.department.name
    assert (ws["A3"].value, ws["C3"].value) == ("项目名称", snapshot.project.name)
    assert (ws["C4"].value, ws["F4"].value, ws["G4"].value) == (department, "实施单位", department)
    assert ws["C5"].value == datetime(2023, 6, 30)
    assert (ws["F5"].value, ws["G5"].value, ws["G5"].number_format) == ("序时进度", 0.5, "0.00%")

    # Funds: 年初 100, 调整后 120, 执行 30 → 25%, forecast 60, r = 25% / 50% → red
    assert [ws.cell(6, c).value for c in (3, 4, 5, 6, 7, 9)] == [
        "年初预算数",
        "调整后预算数",
        "截至期末执行数",
        "执行率",
        "全年预计执行数",
        "预算执行预警",
    ]
    assert [ws.cell(7, c).value for c in (3, 4, 5, 6, 7)] == [100, 120, 30, 0.25, 60]
    assert ws["C7"].number_format == "#,##0.00"
    assert ws["F7"].number_format == "0.00%"
    assert ws["I7"].value == LIGHT_LABELS[snapshot.budget_light] == "红"
    assert (ws["C8"].value, ws["G8"].value) == ("年度总体目标", "全年预计完成情况")
    assert ws["C9"].value == (snapshot.annual_goal or None)
    assert ws["G9"].value == "预计全年可完成目标"

    # Indicator table: one row per MonitoringRow, in order
    assert ws.cell(INDICATOR_HEADER_ROW, 1).value == "一级指标"
    assert ws.cell(INDICATOR_HEADER_ROW, 3).value == "三级指标"
    end = FIRST_INDICATOR_ROW + len(rows)
    assert [ws.cell(r, 3).value for r in range(FIRST_INDICATOR_ROW, end)] == [row.level3 for row in rows]
    assert [ws.cell(r, 4).value or "" for r in range(FIRST_INDICATOR_ROW, end)] == [row.target_raw for row in rows]
    assert [ws.cell(r, 7).value for r in range(FIRST_INDICATOR_ROW, end)] == [LIGHT_LABELS[row.light] for row in rows]
    assert ws.cell(end, 1).value == "是否需要整改"
    first = FIRST_INDICATOR_ROW
    assert ws.cell(first, 8).value == "经费保障、人员保障\n资金未及时到位"
    assert (ws.cell(first, 9).value, ws.cell(first, 10).value) == ("有可能", "加快资金拨付")
    assert (ws.cell(end, 3).value, ws.cell(end + 1, 3).value) == ("是", "9月底前完成整改")

    # 一级指标 merged over consecutive equal values, each range inside the table
    level1_merges = [m for m in ws.merged_cells.ranges if m.min_col == m.max_col == 1 and m.min_row >= first]
    assert level1_merges
    for merged in level1_merges:
        assert merged.max_row < end
        assert len({rows[r - first].level1 for r in range(merged.min_row, merged.max_row + 1)}) == 1
        assert ws.cell(merged.min_row, 1).value == rows[merged.min_row - first].level1
    assert any(m.min_col == m.max_col == 2 and m.min_row >= first for m in ws.merged_cells.ranges)

    # Print-ready
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${INDICATOR_HEADER_ROW}:${INDICATOR_HEADER_ROW}"
    assert ws["C3"].border.left.style == "thin"
    assert monitoring_filename(snapshot).endswith("_2023年1-6月.xlsx")


def test_form_values_and_forecast_override(db, snapshots):
    from tracker.exporters.monitoring_xlsx import FIRST_INDICATOR_ROW, monitoring_workbook

    snapshot = next(s for s in snapshots if s.rows)
    row = snapshot.rows[0]
    row.current_value = Decimal("12.500000")
    row.target_unit = "人"
    row.forecast = Decimal("25")
    row.forecast_override = Decimal("30")
    row.forecast_reason = "下半年集中培训"
    db.session.commit()

    ws = reopen(monitoring_workbook(snapshot))
    assert ws.cell(FIRST_INDICATOR_ROW, 5).value == "12.5人"
    assert ws.cell(FIRST_INDICATOR_ROW, 6).value == "30人"
    assert "下半年集中培训" in ws.cell(FIRST_INDICATOR_ROW, 10).value


def test_summary_has_one_row_per_project(db, snapshots):
    from tracker.exporters.monitoring_xlsx import SUMMARY_FIRST_ROW, SUMMARY_TITLE, monitoring_summary_workbook

    assert len(snapshots) == 18
    states = {snapshots[0].project_id: "已提交"}
    ws = reopen(monitoring_summary_workbook(snapshots, states))

    assert ws["A1"].value == SUMMARY_TITLE
    assert ws["A2"].value == "（2023年1-6月）"
    headers = [cell.value for cell in ws[SUMMARY_FIRST_ROW - 1]]
    assert headers[:3] == ["序号", "主管部门", "项目名称"]
    assert headers[-1] == "表单状态"
    data = [row for row in ws.iter_rows(min_row=SUMMARY_FIRST_ROW, values_only=True) if isinstance(row[0], int)]
    assert len(data) == 18
    assert [row[2] for row in data] == [s.project.name for s in snapshots]
    first = data[0]
    assert first[1] == snapshots[0].project.department.name
    assert first[3:7] == (120, 30, 0.25, 0.5)
    assert first[7] == "红"
    assert first[-1] == "已提交"
    assert data[1][-1] is None
    assert sum(row[9] for row in data) == sum(r.light == "red" for s in snapshots for r in s.rows)

    # Without states there is no 表单状态 column
    ws = reopen(monitoring_summary_workbook(snapshots))
    assert "表单状态" not in [cell.value for cell in ws[SUMMARY_FIRST_ROW - 1]]


def test_an_indicator_that_cannot_be_judged_does_not_stop_the_run(db, seeded):
    """A target left without an operator by a user override cannot get a light: it is grey
    with the reason, and every other project still gets its snapshot."""
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import func, select

    from tracker.models import Indicator, MonitoringRow, MonitoringSnapshot, ProgressEntry, User
    from tracker.services import monitoring

    ind = db.session.scalars(select(Indicator).where(Indicator.target_kind == "quantitative")).first()
    ind.target_value = None  # an impossible stored target
    user = User(
        username="x",
        display_name="x",
        password_hash="!",
        role="owner",
        department_id=ind.project.department_id,
        session_token="t",
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(
        ProgressEntry(
            indicator_id=ind.id,
            project_id=ind.project_id,
            as_of=date(2023, 5, 31),
            period_key="2023-05",
            value=Decimal(3),
            created_by_id=user.id,
        )
    )
    db.session.commit()
    counts = monitoring.run(date(2023, 6, 30))
    db.session.commit()
    assert counts["projects"] == 18
    assert db.session.scalar(select(func.count(MonitoringSnapshot.id))) == 18
    row = db.session.scalar(select(MonitoringRow).where(MonitoringRow.indicator_id == ind.id))
    assert row.light == "grey" and row.current_text.startswith("无法判断")
