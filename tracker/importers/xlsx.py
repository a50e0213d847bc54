"""Excel workbooks exported by budget systems (.xlsx; .xls only when xlrd is installed).

Either one sheet per project or one sheet holding several project blocks: a title row
"…绩效目标表" or a 项目名称 cell, a 绩效目标 / 年度目标 cell, the header row, indicator rows.
Merged cells hold their value only in the top-left cell; every merged range is filled with
that value first (as Word shows it), then the shared grid logic of tables.py applies.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

from tracker.importers.base import ImportFormatError, ParsedDocument
from tracker.importers.tables import Block, finish, fold, scan_grid

# a run of this many empty rows ends a sheet (styled but empty rows reach 1048576 in exports)
_EMPTY_RUN = 500
_GENERIC_SHEET = re.compile(r"^(?:sheet|工作表|表)\s*\d*$|绩效目标表?$|^\d+$", re.IGNORECASE)


def _number_text(value: float | int | Decimal, number_format: str = "") -> str:
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return str(value)
    percent = "%" in (number_format or "")
    if percent:
        d *= 100
    text = format(d.normalize(), "f")
    return text + ("%" if percent else "")


def cell_text(value: object, number_format: str = "") -> str:
    """A cell value as the text a person sees (95 not 95.0; 0.95 with format 0% → 95%)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value, number_format)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value.year}年{value.month}月{value.day}日"
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value).replace("_x000D_", "").replace("\r\n", "\n")


def _sheet_grid(ws) -> list[list[str]]:
    grid: list[list[str]] = []
    empty = 0
    for row in ws.iter_rows():
        texts = [cell_text(c.value, getattr(c, "number_format", "") or "") for c in row]
        if any(t.strip() for t in texts):
            empty = 0
        else:
            empty += 1
            if empty > _EMPTY_RUN:
                break
        grid.append(texts)
    while grid and not any(t.strip() for t in grid[-1]):
        grid.pop()
    for rng in ws.merged_cells.ranges:
        r0, c0 = rng.min_row - 1, rng.min_col - 1
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(rng.max_row, len(grid))):
            row = grid[r]
            if len(row) < rng.max_col:
                row.extend([""] * (rng.max_col - len(row)))
            for c in range(c0, rng.max_col):
                row[c] = value
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([""] * (width - len(row)))
    return grid


def parse_sheets(
    sheets: list[tuple[str, list[list[str]]]], *, source_format: str, source_name: str = ""
) -> ParsedDocument:
    """Shared by .xlsx and .xls: (sheet title, grid) pairs → ParsedDocument."""
    doc = ParsedDocument(source_format=source_format)
    blocks: list[Block] = []
    for title, grid in sheets:
        found = scan_grid(grid, lambda r, title=title: f"工作表“{title}”第{r + 1}行", table=f"工作表“{title}”")
        unnamed = [b for b in found if b.columns is not None and not b.name]
        if len(unnamed) == 1 and not _GENERIC_SHEET.search(title.strip()):
            unnamed[0].name = title.strip()
        blocks.extend(found)
        _meta(grid, doc)
    return finish(blocks, doc, source_label=source_name)


_YEAR = re.compile(r"预算年度[:：]?(\d{4})|^(\d{4})年度?(?:部门)?(?:预算)?(?:项目)?(?:支出)?绩效目标")
_DEPT_LABEL = re.compile(r"^(?:部门|单位|预算单位|主管部门|部门\(单位\))(?:名称)?(?:及代码)?[:：]?$")
_DEPT_INLINE = re.compile(r"^(?:部门|单位|预算单位)(?:名称)?[:：](.+)$")
_CODE_NAME = re.compile(r"^\[?([0-9]{2,12})\]?\s*[-－_ ]?\s*([^\d\s].*)$")


def _set_department(doc: ParsedDocument, text: str) -> None:
    text = text.strip()
    if not text or doc.department_name:
        return
    m = _CODE_NAME.match(text)
    if m:
        doc.department_code = m.group(1)
        doc.department_name = m.group(2).strip()
    else:
        doc.department_name = text


def _meta(grid: list[list[str]], doc: ParsedDocument) -> None:
    """Year and department from the cells, when the export has them."""
    for row in grid[:400]:
        for k, cell in enumerate(row):
            folded = fold(cell)
            if not folded:
                continue
            if doc.year is None:
                m = _YEAR.search(folded)
                if m:
                    doc.year = int(m.group(1) or m.group(2))
            if doc.department_name is None:
                m = _DEPT_INLINE.match(folded)
                if m:
                    _set_department(doc, m.group(1))
                elif _DEPT_LABEL.match(folded):
                    value = next((c for c in row[k + 1 :] if c.strip() and c.strip() != cell.strip()), "")
                    _set_department(doc, value)


def parse_xlsx(data: bytes, *, source_name: str = "") -> ParsedDocument:
    """Parse an .xlsx workbook of 绩效目标表 (one sheet per project or several blocks per sheet)."""
    if not data:
        raise ImportFormatError("文件为空")
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise ImportFormatError("服务器未安装 openpyxl，无法读取 .xlsx 文件") from exc
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFormatError(f"Excel 文件无法打开，可能已损坏或不是 .xlsx 格式（{type(exc).__name__}）") from None
    except Exception as exc:  # damaged XML inside the archive
        raise ImportFormatError(f"Excel 文件内容无法读取，可能已损坏（{type(exc).__name__}）") from None
    sheets = []
    for ws in wb.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue
        sheets.append((ws.title, _sheet_grid(ws)))
    return parse_sheets(sheets, source_format="xlsx", source_name=source_name)


XLS_MESSAGE = "旧版 Excel（.xls）文件无法直接读取：请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（.xlsx）后再导入"


def parse_xls(data: bytes, *, source_name: str = "") -> ParsedDocument:
    """Old binary .xls: read with xlrd when it is installed, else ask for .xlsx."""
    try:
        import xlrd  # type: ignore[import-not-found]
    except ImportError:
        raise ImportFormatError(XLS_MESSAGE) from None
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as exc:  # xlrd raises its own error types
        raise ImportFormatError(f"{XLS_MESSAGE}（读取失败：{type(exc).__name__}）") from None
    sheets = []
    for sheet in book.sheets():
        grid = [
            [cell_text(v) if not isinstance(v, str) else v for v in sheet.row_values(r)] for r in range(sheet.nrows)
        ]
        for r0, r1, c0, c1 in getattr(sheet, "merged_cells", []) or []:
            if r0 >= len(grid):
                continue
            value = grid[r0][c0] if c0 < len(grid[r0]) else ""
            for r in range(r0, min(r1, len(grid))):
                for c in range(c0, min(c1, len(grid[r]))):
                    grid[r][c] = value
        sheets.append((sheet.name, grid))
    return parse_sheets(sheets, source_format="xls", source_name=source_name)


__all__ = ["XLS_MESSAGE", "cell_text", "parse_sheets", "parse_xls", "parse_xlsx"]
