"""The target-quality review (绩效目标质量审核) as an .xlsx: a department summary sheet, a
project sheet and a findings sheet (one finding a row, with the rule and its guidance).

Written with openpyxl's write-only workbook (constant memory for a county's 2,500 projects).
Every text that comes from a user or a document is written as a text cell, never as a
formula: a project named “=HYPERLINK(…)” stays that text in Excel.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from tracker.domain import quality as rules

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _text(ws, value: str, *, bold: bool = False, wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=str(value or ""))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    if bold:
        cell.font = _BOLD
    if wrap:
        cell.alignment = _WRAP
    return cell


def _number(ws, value) -> WriteOnlyCell:
    return WriteOnlyCell(ws, value=value)


def _sheet(wb: Workbook, title: str, header: list[str], widths: list[int]):
    ws = wb.create_sheet(title)
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "A2"
    ws.append([_text(ws, h, bold=True) for h in header])
    return ws


def quality_workbook(report, projects=None) -> bytes:
    """``report`` is a services.quality.Report; ``projects`` the rows to list (filtered and
    sorted as on the page), all of the report's by default."""
    projects = report.projects if projects is None else projects
    wb = Workbook(write_only=True)

    ws = _sheet(
        wb, "部门汇总", ["部门", "项目数", "指标数", "平均得分", "错误", "警告", "提示"], [30, 8, 8, 10, 8, 8, 8]
    )
    for d in report.departments:
        ws.append(
            [_text(ws, d.name), _number(ws, d.projects), _number(ws, d.indicators), _number(ws, d.average)]
            + [_number(ws, d.counts[s]) for s in rules.SEVERITIES]
        )

    ws = _sheet(
        wb,
        "项目",
        ["部门", "项目", "指标数", "得分", "等级", "错误", "警告", "提示", "问题"],
        [24, 40, 8, 8, 6, 6, 6, 6, 80],
    )
    for p in projects:
        ws.append(
            [
                _text(ws, p.department_name),
                _text(ws, p.name),
                _number(ws, p.indicator_count),
                _number(ws, p.score),
                _text(ws, p.grade),
            ]
            + [_number(ws, p.counts[s]) for s in rules.SEVERITIES]
            + [_text(ws, "\n".join(f"[{f.severity}] {f.title}：{f.message}" for f in p.findings), wrap=True)]
        )

    ws = _sheet(
        wb, "问题明细", ["部门", "项目", "级别", "规则", "三级指标", "说明", "依据"], [24, 36, 6, 24, 30, 60, 60]
    )
    for p in projects:
        for f in p.findings:
            ws.append(
                [
                    _text(ws, p.department_name),
                    _text(ws, p.name),
                    _text(ws, f.severity),
                    _text(ws, f.title),
                    _text(ws, f.indicator_name),
                    _text(ws, f.message, wrap=True),
                    _text(ws, f.guidance, wrap=True),
                ]
            )

    ws = _sheet(wb, "审核规则", ["代码", "规则", "级别", "启用", "阈值", "依据"], [20, 30, 6, 6, 8, 80])
    for r in rules.RULES:
        threshold = report.settings.threshold(r.code) if r.threshold is not None else None
        ws.append(
            [
                _text(ws, r.code),
                _text(ws, r.title),
                _text(ws, r.severity),
                _text(ws, "是" if report.settings.enabled(r.code) else "否"),
                _number(ws, threshold) if threshold is not None else _text(ws, ""),
                _text(ws, r.guidance, wrap=True),
            ]
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def quality_filename(year: int, department_name: str | None = None) -> str:
    scope = f"_{department_name}" if department_name else ""
    return f"绩效目标质量审核{scope}_{year}年度.xlsx"
