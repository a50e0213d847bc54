"""项目支出绩效自评表 as a print-ready .xlsx (DOMAIN.md §5).

``evaluation_workbook(form)`` lays out one EvaluationForm in the published shape (one
sheet, A4 portrait fitted to the page width, the indicator header repeated on every
printed page); ``summary_workbook(year, rows)`` lists a year's forms, one project a row.

The sheet machinery (fonts, borders, row heights, print setup) is monitoring_xlsx's.
Amounts, rates and scores stay Decimal up to the cell and are shown with a number format;
an indicator's values are text with their unit, as on the paper form.

Cell map of the form (8 columns A-H; ``INDICATOR_HEADER_ROW`` = 12):

    1   A:H  项目支出绩效自评表
    2   A:H  （2023年度）
    3   A:B 项目名称  C:H name
    4   A:B 主管部门  C:D department  E 实施单位  F:H department
    5-9 A 项目资金（万元） (merged A5:A9); row 5 headers C-H 年初预算数 | 全年预算数(A) |
        全年执行数(B) | 分值 | 执行率(B/A) | 得分; rows 6-9 B 年度资金总额 / 其中：财政拨款 /
        上年结转资金 / 其他资金
    10-11 A 年度总体目标 (merged); B:E 预期目标 / goal, F:H 实际完成情况 / goal_actual
    12  A-H indicator header (repeated when printed)
    13… per 一级: a heading row A:H "产出指标（50分）", then its indicator rows
        (一级 in A and 二级 in B merged over consecutive equal rows)
    then  A:E 总分 | F 分值 total | G total_score | H;  A:E 自评等级 | F:H grade
    then notes without border: consistency warnings, 预算执行情况说明, the grade bands,
        and the signature line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from tracker.domain import scoring
from tracker.domain.targets import KIND_DEADLINE, KIND_QUALITATIVE, KIND_WITHIN_BUDGET, format_decimal
from tracker.exporters.cells import StreamSheet
from tracker.exporters.monitoring_xlsx import (
    _LINE_HEIGHT,
    CENTER,
    LABEL_FONT,
    LEFT,
    MONEY_FORMAT,
    NOTE_FONT,
    RATE_FORMAT,
    RIGHT,
    SUBTITLE_FONT,
    TITLE_FONT,
    XLSX_MIMETYPE,
    _print_setup,
    _runs,
    _safe_filename,
    _save,
    _Sheet,
)
from tracker.services.evaluation import level1_weights, warnings

__all__ = [
    "XLSX_MIMETYPE",
    "evaluation_filename",
    "evaluation_workbook",
    "summary_filename",
    "summary_workbook",
]

TITLE = "项目支出绩效自评表"
SUMMARY_TITLE = "项目支出绩效自评汇总表"

SCORE_FORMAT = "0.00"

FORM_WIDTHS = (11, 15, 22, 14, 14, 8, 9, 30)
FUNDS_HEADER_ROW = 5
FUNDS_HEADERS = ("年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分")
FUNDS_ROWS = ("年度资金总额", "其中：财政拨款", "上年结转资金", "其他资金")
GOAL_ROW = FUNDS_HEADER_ROW + len(FUNDS_ROWS) + 1  # 10
INDICATOR_HEADER_ROW = GOAL_ROW + 2  # 12
FIRST_INDICATOR_ROW = INDICATOR_HEADER_ROW + 1
INDICATOR_HEADERS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)
HEADING_FILL = PatternFill("solid", fgColor="F2F2F2")
DASH = "—"

SUMMARY_HEADER_ROW = 3
SUMMARY_FIRST_ROW = SUMMARY_HEADER_ROW + 1
SUMMARY_COLUMNS = (
    ("序号", 6),
    ("主管部门", 20),
    ("项目名称", 34),
    ("全年预算数（万元）", 13),
    ("全年执行数（万元）", 13),
    ("执行率", 10),
    ("得分", 9),
    ("等级", 7),
    ("表单状态", 11),
    ("预警", 36),
)
GRADES = (*tuple(label for _, label in scoring.DEFAULT_GRADE_BANDS), scoring.DEFAULT_LOWEST_GRADE)


# ---------------------------------------------------------------------------- texts


def _points(value: Decimal | None) -> str:
    return format_decimal(value) if value is not None else ""


def _department(form) -> str:
    department = form.project.department
    return department.name if department is not None else ""


def _rate(budget, spent) -> Decimal | None:
    if budget is None:
        return None
    try:
        return scoring.execution_rate(budget, spent or Decimal(0))
    except scoring.ScoringError:
        return None


def actual_text(row, form) -> str:
    """实际完成值 as printed: the value with its unit; for tiers the tier and what happened."""
    target = row.target  # the target as it stood when the form opened
    kind = target.kind
    if kind in (KIND_QUALITATIVE, KIND_DEADLINE):
        parts = [row.tier or ""]
        if row.actual_text and row.actual_text != row.tier:
            parts.append(f"（{row.actual_text}）" if row.tier else row.actual_text)
        return "".join(parts)
    if kind == KIND_WITHIN_BUDGET:
        value = row.actual_value if row.actual_value is not None else form.spent
        return f"{format_decimal(value)}{target.unit or '万元'}" if value is not None else ""
    if row.actual_value is not None:
        return f"{format_decimal(row.actual_value)}{target.unit or ''}"
    return row.actual_text or ""


def remarks_text(row) -> str:
    """偏差原因分析及改进措施: the owner's text, the overshoot flag, a deduction and why,
    and why the row could not be scored."""
    parts = [(row.explanation or "").strip()]
    if row.overshoot:
        parts.append(scoring.OVERSHOOT_TEXT)
    if row.deduction:
        reason = (row.deduction_reason or "").strip()
        parts.append(f"扣 {format_decimal(row.deduction)} 分" + (f"：{reason}" if reason else ""))
    if row.problem:
        parts.append(f"未能计分：{row.problem}")
    return "\n".join(part for part in parts if part)


def _heading(level1: str, weight: Decimal | None) -> str:
    return f"{level1}（{format_decimal(weight)}分）" if weight is not None else level1


def _groups(rows: Sequence) -> list[tuple[str, list]]:
    """Rows grouped by 一级 in order of first appearance, each group in row order."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.indicator.level1, []).append(row)
    return list(groups.items())


def evaluation_filename(form) -> str:
    """项目支出绩效自评表_<项目>_2023年度.xlsx"""
    return f"{TITLE}_{_safe_filename(form.project.name)}_{form.year}年度.xlsx"


def summary_filename(year: int) -> str:
    return f"{SUMMARY_TITLE}_{year}年度.xlsx"


# ---------------------------------------------------------------------------- the form


def _funds(s: _Sheet, form) -> None:
    top, last_row = FUNDS_HEADER_ROW, FUNDS_HEADER_ROW + len(FUNDS_ROWS)
    s.label(top, 1, "项目资金\n（万元）", to_row=last_row)
    s.label(top, 2, "")
    for col, header in enumerate(FUNDS_HEADERS, start=3):
        s.label(top, col, header)
    s.fit(top, 2 * _LINE_HEIGHT + 6)

    def money(row: int, col: int, value) -> None:
        s.put(row, col, value, number_format=MONEY_FORMAT, align=RIGHT)

    r = top + 1
    s.label(r, 2, FUNDS_ROWS[0])
    money(r, 3, form.initial_budget)
    money(r, 4, form.budget)
    money(r, 5, form.spent)
    s.put(r, 6, form.execution_weight, number_format=SCORE_FORMAT, align=CENTER)
    s.put(r, 7, _rate(form.budget, form.spent), number_format=RATE_FORMAT, align=RIGHT)
    s.put(r, 8, form.execution_score, number_format=SCORE_FORMAT, align=CENTER)

    # The sources: only 全年预算数 is recorded per source. When 财政拨款 is the only source
    # (the whole budget, nothing carried over or from elsewhere) its row repeats the total.
    sole_fiscal = (
        form.fiscal_share is not None
        and form.fiscal_share == form.budget
        and not form.carryover
        and not form.other_funds
    )
    for offset, (label, amount) in enumerate(
        ((FUNDS_ROWS[1], form.fiscal_share), (FUNDS_ROWS[2], form.carryover), (FUNDS_ROWS[3], form.other_funds)),
        start=2,
    ):
        row = top + offset
        s.label(row, 2, label)
        fiscal_total = sole_fiscal and offset == 2
        money(row, 3, form.initial_budget if fiscal_total else None)
        money(row, 4, amount)
        money(row, 5, form.spent if fiscal_total else None)
        s.put(row, 6, DASH, align=CENTER)
        s.put(row, 7, _rate(amount, form.spent) if fiscal_total else None, number_format=RATE_FORMAT, align=RIGHT)
        s.put(row, 8, DASH, align=CENTER)


def _goal(s: _Sheet, form) -> None:
    r = GOAL_ROW
    last = len(FORM_WIDTHS)
    s.label(r, 1, "年度总体目标", to_row=r + 1)
    s.label(r, 2, "预期目标", to_col=5)
    s.label(r, 6, "实际完成情况", to_col=last)
    s.put(r + 1, 2, form.project.goal or "", to_col=5)
    s.put(r + 1, 6, form.goal_actual or "", to_col=last)
    s.fit(r + 1, 40)


def _indicators(s: _Sheet, form) -> int:
    """The indicator table; returns the first row after it."""
    ws = s.ws
    last = len(FORM_WIDTHS)
    for col, header in enumerate(INDICATOR_HEADERS, start=1):
        s.label(INDICATOR_HEADER_ROW, col, header)
    s.fit(INDICATOR_HEADER_ROW, 2 * _LINE_HEIGHT + 6)
    weights = level1_weights(form)
    r = FIRST_INDICATOR_ROW
    for level1, rows in _groups(form.rows):
        s.label(r, 1, _heading(level1, weights.get(level1)), to_col=last, align=LEFT, fill=HEADING_FILL)
        r += 1
        first = r
        for row in rows:
            indicator = row.indicator
            s.put(r, 1, indicator.level1, align=CENTER)
            s.put(r, 2, indicator.level2, align=CENTER)
            s.put(r, 3, indicator.level3)
            s.put(r, 4, row.target_raw or "", align=CENTER)
            s.put(r, 5, actual_text(row, form), align=CENTER)
            s.put(r, 6, row.weight, number_format=SCORE_FORMAT, align=CENTER)
            s.put(r, 7, row.score, number_format=SCORE_FORMAT, align=CENTER)
            s.put(r, 8, remarks_text(row))
            r += 1
        for start, end in _runs([row.indicator.level2 for row in rows]):
            ws.merge_cells(start_row=first + start, start_column=2, end_row=first + end, end_column=2)
        if len(rows) > 1:
            ws.merge_cells(start_row=first, start_column=1, end_row=first + len(rows) - 1, end_column=1)
    return r


def evaluation_workbook(form) -> bytes:
    """The .xlsx of one EvaluationForm (项目支出绩效自评表)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效自评表"
    wb.properties.title = f"{TITLE}（{form.project.name}）"
    s = _Sheet(ws, FORM_WIDTHS)
    last = len(FORM_WIDTHS)
    department = _department(form)

    s.put(1, 1, TITLE, to_col=last, font=TITLE_FONT, align=CENTER, border=False)
    s.fit(1, 32)
    s.put(2, 1, f"（{form.year}年度）", to_col=last, font=SUBTITLE_FONT, align=CENTER, border=False)
    s.fit(2, 22)

    s.label(3, 1, "项目名称", to_col=2)
    s.put(3, 3, form.project.name, to_col=last)
    s.label(4, 1, "主管部门", to_col=2)
    s.put(4, 3, department, to_col=4)
    s.label(4, 5, "实施单位")
    s.put(4, 6, department, to_col=last)

    _funds(s, form)
    _goal(s, form)
    r = _indicators(s, form)

    total_weight = sum((row.weight or Decimal(0) for row in form.rows), Decimal(0)) + (
        form.execution_weight or Decimal(0)
    )
    s.label(r, 1, "总分", to_col=5)
    s.put(r, 6, total_weight, number_format=SCORE_FORMAT, align=CENTER)
    s.put(r, 7, form.total_score, number_format=SCORE_FORMAT, align=CENTER, font=LABEL_FONT)
    s.put(r, 8, None)
    s.label(r + 1, 1, "自评等级", to_col=5)
    s.put(r + 1, 6, form.grade or "", to_col=last, align=CENTER, font=LABEL_FONT)
    s.fit(r, 24)
    s.fit(r + 1, 24)

    notes = []
    messages = [w.message for w in warnings(form)]
    if messages:
        notes.append("预警：" + "；".join(messages) + "。")
    if form.execution_explanation:
        notes.append(f"预算执行情况说明：{form.execution_explanation.strip()}")
    bands = "，".join(f"≥{format_decimal(low)} 分为{label}" for low, label in scoring.DEFAULT_GRADE_BANDS)
    notes.append(
        f"注：总分 = 各指标得分 + 预算执行率得分（分值 × 执行率，最高为分值）；自评等级：{bands}，"
        f"其余为{scoring.DEFAULT_LOWEST_GRADE}。"
    )
    r += 2
    for note in notes:
        s.put(r, 1, note, to_col=last, font=NOTE_FONT, border=False, line_height=12)
        r += 1
    signature = "单位负责人：" + "\u3000" * 6 + "填报人：" + "\u3000" * 6 + "联系电话：" + "\u3000" * 6 + "填报日期："
    s.put(r, 1, signature, to_col=last, border=False)
    s.fit(r, 28)

    s.finish()
    _print_setup(ws, last_row=r, last_col=last, title_rows=f"{INDICATOR_HEADER_ROW}:{INDICATOR_HEADER_ROW}")
    ws.page_setup.orientation = "portrait"
    return _save(wb)


# ---------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class SummaryRow:
    """One form of the 汇总表, as read by one streaming query (no ORM objects)."""

    department: str
    project: str
    budget: Decimal | None
    spent: Decimal | None
    total_score: Decimal | None
    grade: str | None
    state: str
    warnings: Sequence[str] = ()


def write_summary(year: int, rows: Iterable[SummaryRow]) -> IO[bytes]:
    """The 汇总表 written row by row as the rows come (write-only mode, named styles);
    returns a temporary file holding the workbook."""
    last = len(SUMMARY_COLUMNS)
    sheet = StreamSheet(SUMMARY_TITLE, "自评汇总", [width for _, width in SUMMARY_COLUMNS])
    sheet.merged(SUMMARY_TITLE, "t_title", last_col=last, height=32)
    sheet.merged(f"（{year}年度）", "t_subtitle", last_col=last, height=22)
    sheet.append([(header, "t_label") for header, _ in SUMMARY_COLUMNS], height=2 * _LINE_HEIGHT + 6)

    counts = dict.fromkeys(GRADES, 0)
    total, scored = Decimal(0), 0
    index = 0
    for index, row in enumerate(rows, start=1):
        if row.grade:
            counts[row.grade] = counts.get(row.grade, 0) + 1
        if row.total_score is not None:
            total += Decimal(row.total_score)
            scored += 1
        sheet.append(
            [
                (index, "t_center"),
                (row.department, "t_text"),
                (row.project, "t_text"),
                (row.budget, "t_money"),
                (row.spent, "t_money"),
                (_rate(row.budget, row.spent), "t_rate"),
                (row.total_score, "t_score"),
                (row.grade or "", "t_center"),
                (row.state or "", "t_center"),
                ("；".join(row.warnings or ()), "t_text"),
            ]
        )

    end = SUMMARY_FIRST_ROW + index - 1
    tally = "、".join(f"{grade} {n} 个" for grade, n in counts.items() if n)
    footer = f"共 {index} 个项目"
    if tally:
        footer += f"（自评等级：{tally}）"
    if scored:
        footer += f"，平均得分 {scoring.round_score(total / scored):.2f} 分"
    last_row = sheet.merged(footer + "。", "t_note", last_col=last, height=20)
    sheet.finish(
        header_row=SUMMARY_HEADER_ROW,
        first_row=SUMMARY_FIRST_ROW,
        last_data_row=end,
        last_row=last_row,
        filter_rows=index > 0,
    )
    return sheet.save()


def summary_workbook(year: int, rows: Iterable[tuple]) -> bytes:
    """One row per (form, state label, warning messages), in the order given (汇总表), as
    bytes. The pages export through :func:`write_summary` fed by one streaming query."""
    data = (
        SummaryRow(
            _department(form),
            form.project.name,
            form.budget,
            form.spent,
            form.total_score,
            form.grade,
            state or "",
            tuple(messages or ()),
        )
        for form, state, messages in rows
    )
    with write_summary(year, data) as out:
        return out.read()
