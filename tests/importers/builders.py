"""Write .docx / .xlsx / pasted text FROM a ParsedDocument, for round-trip tests.

The files are laid out the way real ones are: a heading per project, a 绩效目标 row merged
across the table, the header row, and REAL merged cells (python-docx cell.merge, openpyxl
merged ranges) in the 一级/二级 columns — or, with merged=False, the merged cells left empty
as some tools do.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from tracker.importers.base import ParsedDocument, ParsedIndicator

ROOT = Path(__file__).resolve().parents[2]
SEED_CANDIDATES = (
    ROOT / "tests" / "fixtures" / "seed_2023_430.txt",
    ROOT / "sample_data" / "seed_2023_430.txt",
    Path("/work/shared/seed/000_f15a093580d40dad.txt"),
)

HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
SPLIT_HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向性"]


def seed_path() -> Path:
    for path in SEED_CANDIDATES:
        if path.exists():
            return path
    raise FileNotFoundError("seed_2023_430.txt not found in " + ", ".join(map(str, SEED_CANDIDATES)))


def seed_bytes() -> bytes:
    return seed_path().read_bytes()


def seed_text() -> str:
    return seed_bytes().decode("utf-8")


def cells(ind: ParsedIndicator) -> list[str]:
    return [ind.level1, ind.level2, ind.level3, ind.description, ind.target_raw, ind.basis]


_SPLIT = re.compile(r"^(≥|≤|>|<|=)?([0-9]+(?:\.[0-9]+)?)([^0-9前底内日]*)$")


def split_target(raw: str, *, explicit_equal: bool = True) -> tuple[str, str, str]:
    """ "≥95%" → ("≥", "95", "%"); "7个" → ("=", "7", "个"); "11月底前" → ("定性", "11月底前", "")."""
    m = _SPLIT.match(raw)
    if not m:
        return "定性", raw, ""
    op = m.group(1) or ("=" if explicit_equal else "")
    return op, m.group(2), m.group(3)


def split_expected(raw: str, *, explicit_equal: bool = True) -> str:
    """What a split-column table built by split_target must import as target_raw."""
    op, value, unit = split_target(raw, explicit_equal=explicit_equal)
    return value + unit if op == "定性" else op + value + unit


def runs(values: list[str]) -> list[tuple[int, int]]:
    """(start, end) index ranges of equal consecutive values."""
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i - 1))
            start = i
    return out


def _group_runs(inds: list[ParsedIndicator]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    l1 = runs([i.level1 for i in inds])
    l2 = runs([f"{i.level1}/{i.level2}" for i in inds])
    return l1, l2


def _rows(inds: list[ParsedIndicator], split: bool) -> list[list[str]]:
    if not split:
        return [cells(i) for i in inds]
    out = []
    for n, i in enumerate(inds):
        op, value, unit = split_target(i.target_raw)
        out.append(
            [i.level1, i.level2, i.level3, op, value, unit, str(10 + n % 3), "反向" if op in "≤<" and op else "正向"]
        )
    return out


# ---------------------------------------------------------------------------- docx


def build_docx(
    doc: ParsedDocument,
    *,
    merged: bool = True,
    title_in_table: bool = False,
    split: bool = False,
    meta: bool = True,
) -> bytes:
    from docx import Document

    d = Document()
    if meta:
        _docx_meta(d, doc)
    header = SPLIT_HEADER if split else HEADER
    width = len(header)
    for p in doc.projects:
        title = f"{p.order}、{p.name}绩效目标表"
        top = 0
        rows = _rows(p.indicators, split)
        n_rows = 2 + len(rows) + (1 if title_in_table else 0)
        if not title_in_table:
            d.add_paragraph(title)
        t = d.add_table(rows=n_rows, cols=width)
        trs = t.rows  # table.cell() rebuilds the whole grid on every call: go by rows

        def cell(r: int, c: int, trs=trs):
            return trs[r].cells[c]

        if title_in_table:
            cell(0, 0).merge(cell(0, width - 1)).text = title
            top = 1
        cell(top, 0).text = "绩效目标"
        cell(top, 1).merge(cell(top, width - 1)).text = p.goal
        for c, name in enumerate(header):
            cell(top + 1, c).text = name
        first = top + 2
        for r, row in enumerate(rows):
            row_cells = trs[first + r].cells
            for c in range(2, width):
                row_cells[c].text = row[c]
        l1_runs, l2_runs = _group_runs(p.indicators)
        for col, group in ((0, l1_runs), (1, l2_runs)):
            for a, b in group:
                value = rows[a][col]
                if merged and b > a:
                    cell(first + a, col).merge(cell(first + b, col)).text = value
                elif merged:
                    cell(first + a, col).text = value
                else:
                    # the "empty cell" style: 一级 only on the first row, 二级 on every row
                    for r in range(a, b + 1):
                        if col == 1 or r == a:
                            cell(first + r, col).text = value
        d.add_paragraph("")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _docx_meta(d, doc: ParsedDocument) -> None:
    b = doc.budget
    d.add_paragraph(f"第一部分  {doc.department_name}{doc.year}年部门预算信息公开情况说明")
    d.add_paragraph("部门预算支出总表")
    t = d.add_table(rows=3, cols=5)
    for c, v in enumerate([f"{doc.department_code}{doc.department_name}", f"预算年度：{doc.year}", "单位：万元"]):
        t.cell(0, c).text = v
    for c, v in enumerate(["序号", "功能分类科目", "合计", "基本支出", "项目支出"]):
        t.cell(1, c).text = v
    for c, v in enumerate(["1", "合计", str(b["total"]), str(b["basic"]), str(b["project"])]):
        t.cell(2, c).text = v
    d.add_paragraph(
        f"2023年部门支出预算为{b['total']}万元，其中基本支出{b['basic']}万元，包括人员经费{b['personnel']}万元和"
        f"日常公用经费{b['public']}万元；项目支出{b['project']}万元。"
    )
    d.add_paragraph(f"我部门财政拨款“三公”经费预算安排{b['three_public']}万元。")
    d.add_paragraph(f"安排政府采购预算{b['procurement']}万元。")
    d.add_paragraph("（一）总体绩效目标")
    d.add_paragraph(doc.overall_goal)
    d.add_paragraph("（二）分项绩效目标")


# ---------------------------------------------------------------------------- xlsx


def build_xlsx(
    doc: ParsedDocument,
    *,
    layout: str = "sheets",
    merged: bool = True,
    split: bool = False,
    name_cell: bool = False,
) -> bytes:
    """layout="sheets": one sheet per project (named after it); "single": all blocks in one sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    header = SPLIT_HEADER if split else HEADER
    width = len(header)
    row = 1
    for k, p in enumerate(doc.projects):
        if layout == "sheets":
            if k > 0:
                ws = wb.create_sheet()
            ws.title = f"{p.order}"[:31]
            row = 1
        if name_cell:
            ws.cell(row, 1, "项目名称")
            ws.cell(row, 2, p.name)
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
        else:
            ws.cell(row, 1, f"{p.order}、{p.name}绩效目标表")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
        ws.cell(row, 1, "年度绩效目标")
        ws.cell(row, 2, p.goal)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
        row += 1
        for c, name in enumerate(header, start=1):
            ws.cell(row, c, name)
        row += 1
        rows = _rows(p.indicators, split)
        for r, values in enumerate(rows):
            for c in range(2, width):
                value: object = values[c]
                if split and c == 4 and re.fullmatch(r"\d+", str(value)):
                    value = int(str(value))  # a number cell, as exports have
                ws.cell(row + r, c + 1, value)
        l1_runs, l2_runs = _group_runs(p.indicators)
        for col, group in ((0, l1_runs), (1, l2_runs)):
            for a, b in group:
                ws.cell(row + a, col + 1, rows[a][col])
                if b > a:
                    if merged:
                        ws.merge_cells(start_row=row + a, start_column=col + 1, end_row=row + b, end_column=col + 1)
                    elif col == 1:
                        for r in range(a + 1, b + 1):
                            ws.cell(row + r, col + 1, rows[r][col])
        row += len(rows) + 2
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------- pasted


def build_pasted(doc: ParsedDocument, *, style: str = "tsv") -> str:
    """style: "tsv" (Excel copy: merged cells empty), "browser" (merged cells left out),
    "markdown" (| a | b | with a --- row)."""
    lines: list[str] = []
    for p in doc.projects:
        lines.append(f"{p.order}、{p.name}绩效目标表")
        goal = p.goal.replace("\n", " ")
        rows = [cells(i) for i in p.indicators]
        prev1 = prev2 = None
        if style == "markdown":
            lines.append("| 绩效目标 | " + goal + " |  |  |  |  |")
            lines.append("| " + " | ".join(HEADER) + " |")
            lines.append("|" + "---|" * len(HEADER))
        else:
            lines.append("绩效目标\t" + goal)
            lines.append("\t".join(HEADER))
        for row in rows:
            key2 = (row[0], row[1])
            if style == "markdown":
                shown = [row[0] if row[0] != prev1 else "", *row[1:]]
                lines.append("| " + " | ".join(shown) + " |")
            elif style == "browser":
                shown = ([row[0]] if row[0] != prev1 else []) + ([row[1]] if key2 != prev2 or row[0] != prev1 else [])
                lines.append("\t".join(shown + row[2:]))
            else:
                lines.append("\t".join([row[0] if row[0] != prev1 else "", *row[1:]]))
            prev1, prev2 = row[0], key2
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- seed-layout text


def build_text(doc: ParsedDocument, *, l2_empty: bool = False) -> str:
    """The seed's text layout: one cell per line after a TAB, merged 一级 cells empty.

    l2_empty: also leave a repeated 二级 cell empty (a rendering of a merged 二级 column).
    """
    lines = ["第二部分  预算项目绩效目标"]
    for p in doc.projects:
        lines.append(f"{p.order}、{p.name}绩效目标表")
        lines.append("\t绩效目标")
        goal = p.goal.split("\n")
        lines.append("\t" + goal[0])
        lines.extend(goal[1:])
        lines += ["", " "]
        lines += ["\t" + h for h in HEADER]
        lines.append("")
        prev: ParsedIndicator | None = None
        for i in p.indicators:
            row = cells(i)
            same1 = prev is not None and prev.level1 == i.level1
            if same1:
                row[0] = ""
            if l2_empty and same1 and prev is not None and prev.level2 == i.level2:
                row[1] = ""
            lines += ["\t" + c for c in row]
            lines.append("")
            prev = i
        lines += ["", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- free-form grids


def docx_from_items(items: list, merges: dict[int, list[tuple[int, int, int, int]]] | None = None) -> bytes:
    """items: str → paragraph, list of rows → table. merges: table number (0-based) →
    (r0, c0, r1, c1) ranges merged with python-docx (the top-left text is kept)."""
    from docx import Document

    d = Document()
    n = 0
    for item in items:
        if isinstance(item, str):
            d.add_paragraph(item)
            continue
        width = max(len(r) for r in item)
        t = d.add_table(rows=len(item), cols=width)
        trs = t.rows
        for r, row in enumerate(item):
            row_cells = trs[r].cells
            for c, value in enumerate(row):
                if value:
                    row_cells[c].text = value
        for r0, c0, r1, c1 in (merges or {}).get(n, []):
            value = item[r0][c0]
            t.cell(r0, c0).merge(t.cell(r1, c1)).text = value
        n += 1
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def xlsx_from_sheets(
    sheets: list[tuple[str, list[list[object]]]],
    merges: dict[str, list[str]] | None = None,
    formats: dict[str, dict[str, str]] | None = None,
    hidden: tuple[str, ...] = (),
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    ws.cell(r, c, value)
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
        for ref, fmt in (formats or {}).get(title, {}).items():
            ws[ref].number_format = fmt
        if title in hidden:
            ws.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_html(doc: ParsedDocument) -> str:
    """A web page: a heading per project, a table with rowspan 一级/二级 cells and a colspan goal."""
    from html import escape

    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>绩效目标</title></head><body>"]
    for p in doc.projects:
        out.append(f"<h3>{p.order}、{escape(p.name)}绩效目标表</h3>")
        out.append("<table border='1'><tbody>")
        goal = "<br>".join(escape(line) for line in p.goal.split("\n"))
        out.append(f"<tr><td>绩效目标</td><td colspan='5'>\n  {goal}\n</td></tr>")
        out.append("<tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>")
        rows = [cells(i) for i in p.indicators]
        l1_runs, l2_runs = _group_runs(p.indicators)
        starts1 = {a: b - a + 1 for a, b in l1_runs}
        starts2 = {a: b - a + 1 for a, b in l2_runs}
        for r, row in enumerate(rows):
            tds = []
            if r in starts1:
                tds.append(f"<td rowspan='{starts1[r]}'>{escape(row[0])}</td>")
            if r in starts2:
                tds.append(f"<td rowspan='{starts2[r]}'>{escape(row[1])}</td>")
            tds += [f"<td>{escape(v)}</td>" for v in row[2:]]
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out)
