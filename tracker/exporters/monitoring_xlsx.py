"""项目支出绩效目标执行监控表 as a print-ready .xlsx (DOMAIN.md §4).

``monitoring_workbook(snapshot)`` lays out one project's form in the official shape (one
sheet, A4 landscape, fitted to the page width, the indicator header repeated on every
printed page); ``monitoring_summary_workbook(snapshots)`` lists a run, one project a row.

Amounts and rates stay Decimal up to the cell (openpyxl stores a Decimal as a number) and
are shown with a number format: 2 decimals for 万元, 0.00% for rates. An indicator's
values are text with their unit ("1200人", "2023-05-31 完成"), as on the paper form:
rows differ in unit and many values are not numbers at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from math import ceil
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from tracker.domain.monitoring import LIGHT_LABELS, LIGHT_MEANINGS, LIGHTS, RED, YELLOW
from tracker.domain.targets import KIND_WITHIN_BUDGET, format_decimal
from tracker.exporters.cells import StreamSheet, set_text
from tracker.services.monitoring import period_label, reasons_of

TITLE = "项目支出绩效目标执行监控表"
SUMMARY_TITLE = "项目支出绩效目标执行监控汇总表"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

# Layout of the form (1-based rows): title, period, header block (3-5), funds (6-7),
# goals (8-9), the indicator table from INDICATOR_HEADER_ROW, then the disposition.
INDICATOR_HEADER_ROW = 10
FIRST_INDICATOR_ROW = INDICATOR_HEADER_ROW + 1
INDICATOR_HEADERS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "截至期末完成值",
    "全年预计完成值",
    "预警",
    "偏差原因分析",
    "完成目标可能性",
    "纠偏措施／备注",
)
FORM_WIDTHS = (10, 13, 24, 13, 13, 13, 7, 24, 11, 22)
FUNDS_HEADERS = (
    "年初预算数",
    "调整后预算数",
    "截至期末执行数",
    "执行率",
    "全年预计执行数",
    "预算执行预警",
    "执行偏差说明",
)

SUMMARY_HEADER_ROW = 3
SUMMARY_FIRST_ROW = SUMMARY_HEADER_ROW + 1
SUMMARY_COLUMNS = (
    ("序号", 6),
    ("主管部门", 20),
    ("项目名称", 34),
    ("预算数（万元）", 13),
    ("截至期末执行数（万元）", 13),
    ("执行率", 10),
    ("序时进度", 10),
    ("预算执行预警", 9),
    ("项目综合预警", 9),
    ("红灯指标数", 8),
    ("黄灯指标数", 8),
    ("是否需要整改", 8),
)
STATE_COLUMN = ("表单状态", 11)

TITLE_FONT = Font(name="宋体", size=18, bold=True)
SUBTITLE_FONT = Font(name="仿宋", size=12)
LABEL_FONT = Font(name="宋体", size=10, bold=True)
BODY_FONT = Font(name="宋体", size=10)
NOTE_FONT = Font(name="仿宋", size=9)

CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
_THIN = Side(style="thin", color="000000")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
LIGHT_FILLS = {
    light: PatternFill("solid", fgColor=color)
    for light, color in {
        "red": "FFC7CE",
        "yellow": "FFEB9C",
        "green": "C6EFCE",
        "blue": "BDD7EE",
        "grey": "D9D9D9",
    }.items()
}

_LINE_HEIGHT = 13.5  # points per line of 10pt text
_MIN_HEIGHT = 20.0


# ---------------------------------------------------------------------------- helpers


def _text_px(text: str, size: float) -> float:
    """Width of a line in pixels: a CJK character is one em, other characters half of one."""
    em = size * 4 / 3
    return sum(em if unicodedata.east_asian_width(ch) in "WF" else em / 2 for ch in text)


def _lines(text: str, width: float, size: float = 10) -> int:
    """Lines that ``text`` wraps to in a cell ``width`` columns wide (a column unit is 7px
    plus 5px of padding, as Excel counts with its default font)."""
    room = max((width * 7 + 5 - 6) * 0.95, 1)
    return sum(max(1, ceil(_text_px(part, size) / room)) for part in text.split("\n"))


class _Sheet:
    """A worksheet written cell by cell; row heights follow the wrapped text they hold
    (Excel does not grow a row for the text of a merged cell)."""

    def __init__(self, ws: Worksheet, widths: Iterable[float]):
        self.ws = ws
        self.widths = tuple(widths)
        self.heights: dict[int, float] = {}
        for index, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width

    def put(
        self,
        row: int,
        col: int,
        value=None,
        *,
        to_col: int | None = None,
        to_row: int | None = None,
        font: Font = BODY_FONT,
        align: Alignment = LEFT,
        number_format: str | None = None,
        fill: PatternFill | None = None,
        border: bool = True,
        line_height: float = _LINE_HEIGHT,
    ):
        last_col = to_col or col
        last_row = to_row or row
        cell = self.ws.cell(row=row, column=col)
        set_text(cell, value)  # user text never becomes a formula
        cell.font = font
        cell.alignment = align
        if number_format:
            cell.number_format = number_format
        if fill is not None:
            cell.fill = fill
        if last_col != col or last_row != row:
            self.ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
        if border:
            for r in range(row, last_row + 1):
                for c in range(col, last_col + 1):
                    self.ws.cell(row=r, column=c).border = BOX
        if isinstance(value, str) and value and last_row == row:
            width = sum(self.widths[col - 1 : last_col])
            self.fit(row, _lines(value, width, font.size or 10) * line_height + 6)
        return cell

    def label(self, row: int, col: int, text: str, **kwargs):
        kwargs.setdefault("align", CENTER)
        return self.put(row, col, text, font=LABEL_FONT, **kwargs)

    def light(self, row: int, col: int, light: str | None, **kwargs):
        return self.put(
            row, col, LIGHT_LABELS.get(light or "", ""), align=CENTER, fill=LIGHT_FILLS.get(light or ""), **kwargs
        )

    def fit(self, row: int, height: float) -> None:
        self.heights[row] = max(self.heights.get(row, _MIN_HEIGHT), height)

    def finish(self) -> None:
        for row, height in self.heights.items():
            self.ws.row_dimensions[row].height = round(height, 1)


def _print_setup(ws: Worksheet, *, last_row: int, last_col: int, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    ws.sheet_view.showGridLines = False


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _with_unit(value, unit: str) -> str:
    return f"{format_decimal(value)}{unit}"


def _unit_of(row) -> str:
    if row.target_unit:
        return row.target_unit
    indicator = row.indicator
    return "万元" if indicator is not None and indicator.target_kind == KIND_WITHIN_BUDGET else ""


def current_text(row) -> str:
    """截至期末完成值 of a monitoring row as printed."""
    if row.current_value is not None:
        return _with_unit(row.current_value, _unit_of(row))
    return row.current_text or ""


def forecast_text(row) -> str:
    """全年预计完成值: the owner's override, else the system's forecast, else the owner's text."""
    value = row.forecast_override if row.forecast_override is not None else row.forecast
    if value is not None:
        return _with_unit(value, _unit_of(row))
    return row.forecast_text or ""


def reasons_text(row) -> str:
    """偏差原因分析: the categories (joined with 、), then the analysis on its own line."""
    parts = ["、".join(reasons_of(row)), (row.analysis or "").strip()]
    return "\n".join(part for part in parts if part)


def remarks_text(row) -> str:
    """纠偏措施／备注: the measure, and why the forecast was changed when it was."""
    parts = [(row.measure or "").strip()]
    if row.forecast_override is not None and row.forecast_override != row.forecast and row.forecast_reason:
        parts.append(f"全年预计完成值调整原因：{row.forecast_reason.strip()}")
    return "\n".join(part for part in parts if part)


def _runs(keys: list) -> list[tuple[int, int]]:
    """(first, last) index pairs of runs of equal consecutive keys longer than one."""
    runs = []
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            if index - 1 > start:
                runs.append((start, index - 1))
            start = index
    return runs


def _safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:80]


def monitoring_filename(snapshot) -> str:
    """项目支出绩效目标执行监控表_<项目>_2023年1-6月.xlsx"""
    return f"{TITLE}_{_safe_filename(snapshot.project.name)}_{period_label(snapshot.as_of)}.xlsx"


def summary_filename(as_of: date) -> str:
    return f"{SUMMARY_TITLE}_{period_label(as_of)}.xlsx"


# ---------------------------------------------------------------------------- the form


def monitoring_workbook(snapshot) -> bytes:
    """The .xlsx of one MonitoringSnapshot (项目支出绩效目标执行监控表)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效监控表"
    wb.properties.title = f"{TITLE}（{snapshot.project.name}）"
    s = _Sheet(ws, FORM_WIDTHS)
    last = len(FORM_WIDTHS)
    project = snapshot.project
    department = project.department.name if project.department is not None else ""

    s.put(1, 1, TITLE, to_col=last, font=TITLE_FONT, align=CENTER, border=False)
    s.fit(1, 32)
    s.put(2, 1, f"（{period_label(snapshot.as_of)}）", to_col=last, font=SUBTITLE_FONT, align=CENTER, border=False)
    s.fit(2, 22)

    # Header block
    s.label(3, 1, "项目名称", to_col=2)
    s.put(3, 3, project.name, to_col=8)
    s.label(3, 9, "综合预警")
    s.light(3, 10, snapshot.project_light)
    s.label(4, 1, "主管部门", to_col=2)
    s.put(4, 3, department, to_col=5)
    s.label(4, 6, "实施单位")
    s.put(4, 7, department, to_col=last)
    s.label(5, 1, "监控截止日期", to_col=2)
    s.put(5, 3, snapshot.as_of, to_col=5, number_format=DATE_FORMAT)
    s.label(5, 6, "序时进度")
    s.put(5, 7, snapshot.time_progress, to_col=last, number_format=RATE_FORMAT, align=LEFT)

    # Funds (万元)
    s.label(6, 1, "预算执行情况\n（单位：万元）", to_col=2, to_row=7)
    funds_cols = ((3, 3), (4, 4), (5, 5), (6, 6), (7, 8), (9, 9), (10, 10))
    for (first, to), header in zip(funds_cols, FUNDS_HEADERS, strict=True):
        s.label(6, first, header, to_col=to)
    s.fit(6, 2 * _LINE_HEIGHT + 6)
    s.put(7, 3, snapshot.initial_budget, number_format=MONEY_FORMAT, align=RIGHT)
    s.put(7, 4, snapshot.adjusted_budget, number_format=MONEY_FORMAT, align=RIGHT)
    s.put(7, 5, snapshot.spent, number_format=MONEY_FORMAT, align=RIGHT)
    s.put(7, 6, snapshot.execution_rate, number_format=RATE_FORMAT, align=RIGHT)
    s.put(7, 7, snapshot.forecast_spent, to_col=8, number_format=MONEY_FORMAT, align=RIGHT)
    s.light(7, 9, snapshot.budget_light)
    s.put(7, 10, snapshot.budget_explanation or "")
    s.fit(7, 24)

    # Goals
    s.label(8, 1, "总体目标", to_col=2, to_row=9)
    s.label(8, 3, "年度总体目标", to_col=6)
    s.label(8, 7, "全年预计完成情况", to_col=last)
    s.put(9, 3, snapshot.annual_goal or "", to_col=6)
    s.put(9, 7, snapshot.expected_completion or "", to_col=last)
    s.fit(9, 40)

    # Indicators
    for col, header in enumerate(INDICATOR_HEADERS, start=1):
        s.label(INDICATOR_HEADER_ROW, col, header)
    s.fit(INDICATOR_HEADER_ROW, 2 * _LINE_HEIGHT + 6)
    rows = list(snapshot.rows)
    for offset, row in enumerate(rows):
        r = FIRST_INDICATOR_ROW + offset
        s.put(r, 1, row.level1, align=CENTER)
        s.put(r, 2, row.level2, align=CENTER)
        s.put(r, 3, row.level3)
        s.put(r, 4, row.target_raw or "", align=CENTER)
        s.put(r, 5, current_text(row), align=CENTER)
        s.put(r, 6, forecast_text(row), align=CENTER)
        s.light(r, 7, row.light)
        s.put(r, 8, reasons_text(row))
        s.put(r, 9, row.likelihood or "", align=CENTER)
        s.put(r, 10, remarks_text(row))
    for first, end in _runs([row.level1 for row in rows]):
        ws.merge_cells(
            start_row=FIRST_INDICATOR_ROW + first, start_column=1, end_row=FIRST_INDICATOR_ROW + end, end_column=1
        )
    for first, end in _runs([(row.level1, row.level2) for row in rows]):
        ws.merge_cells(
            start_row=FIRST_INDICATOR_ROW + first, start_column=2, end_row=FIRST_INDICATOR_ROW + end, end_column=2
        )

    # Finance bureau's disposition and the owner's result
    r = FIRST_INDICATOR_ROW + len(rows)
    s.label(r, 1, "是否需要整改", to_col=2)
    s.put(r, 3, "是" if snapshot.needs_rectification else "否", to_col=last)
    s.label(r + 1, 1, "整改要求", to_col=2)
    s.put(r + 1, 3, snapshot.rectification_requirements or "", to_col=last)
    s.label(r + 2, 1, "整改结果", to_col=2)
    s.put(r + 2, 3, snapshot.rectification_result or "", to_col=last)
    for extra in range(3):
        s.fit(r + extra, 24)

    legend = "；".join(f"{LIGHT_LABELS[light]}灯：{LIGHT_MEANINGS[light]}" for light in LIGHTS)
    note = (
        f"注：1. 预警 —— {legend}。\n"
        "2. 序时进度 = 截至期末已过月数 ÷ 12；执行率 = 截至期末执行数 ÷ 预算数（有调整时为调整后预算数）。"
    )
    s.put(r + 3, 1, note, to_col=last, font=NOTE_FONT, border=False, line_height=12)
    signature = "单位负责人：" + "\u3000" * 8 + "填报人：" + "\u3000" * 8 + "联系电话：" + "\u3000" * 8 + "填报日期："
    s.put(r + 4, 1, signature, to_col=last, border=False)
    s.fit(r + 4, 28)

    s.finish()
    _print_setup(ws, last_row=r + 4, last_col=last, title_rows=f"{INDICATOR_HEADER_ROW}:{INDICATOR_HEADER_ROW}")
    return _save(wb)


# ---------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class SummaryRow:
    """One project of the 汇总表, as read by one streaming query (no ORM objects)."""

    department: str
    project: str
    budget: Decimal | None
    spent: Decimal | None
    execution_rate: Decimal | None
    time_progress: Decimal | None
    budget_light: str
    project_light: str
    red: int
    yellow: int
    needs_rectification: bool
    state: str | None = None  # the form's state label, when the table has that column


def write_monitoring_summary(rows: Iterable[SummaryRow], *, periods: Iterable[date], with_states: bool) -> IO[bytes]:
    """The 汇总表 written row by row as the rows come (write-only mode, named styles);
    returns a temporary file holding the workbook."""
    columns = SUMMARY_COLUMNS + ((STATE_COLUMN,) if with_states else ())
    last = len(columns)
    sheet = StreamSheet(SUMMARY_TITLE, "监控汇总", [width for _, width in columns])
    periods = sorted(set(periods))
    sheet.merged(SUMMARY_TITLE, "t_title", last_col=last, height=32)
    sheet.merged(
        f"（{'、'.join(period_label(p) for p in periods)}）" if periods else "", "t_subtitle", last_col=last, height=22
    )
    sheet.append([(header, "t_label") for header, _ in columns], height=2 * _LINE_HEIGHT + 6)

    counts = dict.fromkeys(LIGHTS, 0)
    index = 0
    for index, row in enumerate(rows, start=1):
        counts[row.project_light] = counts.get(row.project_light, 0) + 1
        cells = [
            (index, "t_center"),
            (row.department, "t_text"),
            (row.project, "t_text"),
            (row.budget, "t_money"),
            (row.spent, "t_money"),
            (row.execution_rate, "t_rate"),
            (row.time_progress, "t_rate"),
            (
                LIGHT_LABELS.get(row.budget_light, ""),
                f"t_light_{row.budget_light}" if row.budget_light in LIGHTS else "t_center",
            ),
            (
                LIGHT_LABELS.get(row.project_light, ""),
                f"t_light_{row.project_light}" if row.project_light in LIGHTS else "t_center",
            ),
            (int(row.red or 0), "t_center"),
            (int(row.yellow or 0), "t_center"),
            ("是" if row.needs_rectification else "否", "t_center"),
        ]
        if with_states:
            cells.append((row.state or None, "t_center"))
        sheet.append(cells)

    end = SUMMARY_FIRST_ROW + index - 1
    tally = "、".join(f"{LIGHT_LABELS[light]}灯 {n} 个" for light, n in counts.items() if n)
    note = f"共 {index} 个项目" + (f"（项目综合预警：{tally}）" if tally else "") + "。"
    footer = sheet.merged(note, "t_note", last_col=last, height=_MIN_HEIGHT)
    sheet.finish(
        header_row=SUMMARY_HEADER_ROW,
        first_row=SUMMARY_FIRST_ROW,
        last_data_row=end,
        last_row=footer,
        filter_rows=index > 0,
    )
    return sheet.save()


def monitoring_summary_workbook(snapshots: Iterable, states: Mapping[int, str] | None = None) -> bytes:
    """One row per snapshot, in the order given (汇总表), as bytes.

    ``states`` maps a project id to its form's state label (e.g. "已提交"); with it the
    table gets a 表单状态 column. The pages export through :func:`write_monitoring_summary`
    with rows read by one streaming query; this form takes loaded snapshots.
    """
    snapshots = list(snapshots)
    rows = (
        SummaryRow(
            department=s.project.department.name if s.project.department is not None else "",
            project=s.project.name,
            budget=s.budget,
            spent=s.spent,
            execution_rate=s.execution_rate,
            time_progress=s.time_progress,
            budget_light=s.budget_light,
            project_light=s.project_light,
            red=sum(r.light == RED for r in s.rows),
            yellow=sum(r.light == YELLOW for r in s.rows),
            needs_rectification=s.needs_rectification,
            state=states.get(s.project_id) if states is not None else None,
        )
        for s in snapshots
    )
    with write_monitoring_summary(rows, periods=[s.as_of for s in snapshots], with_states=states is not None) as out:
        return out.read()
