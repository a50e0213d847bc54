"""Word (.docx) documents laid out as the official 项目绩效目标表.

Each project is a heading paragraph "N、<项目名称>绩效目标表" (or a title row / 项目名称 row
inside the table) and a table: a 绩效目标 row (often merged across the columns), the header
row 一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据 (found by name, any
order, optional columns, Sichuan-style split columns), then indicator rows with vertically
merged 一级/二级 cells.

python-docx repeats a merged cell's text in every row and column it spans; files written by
other tools sometimes leave those cells empty instead. Both are handled by the shared grid
logic in tables.py. The department, year, budget totals and overall goal are read from a
text rendering of the whole document in the seed's layout, by the text importer's rules.
"""

from __future__ import annotations

import io
import zipfile

from tracker.importers.base import ImportFormatError, ParsedDocument
from tracker.importers.tables import (
    Block,
    RawRow,
    _looks_like_indicator,
    distinct,
    finish,
    parse_heading,
    scan_grid,
)


def _open(data: bytes):
    try:
        from docx import Document
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise ImportFormatError("服务器未安装 python-docx，无法读取 .docx 文件") from exc
    try:
        return Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFormatError(f"Word 文件无法打开，可能已损坏或不是 .docx 格式（{type(exc).__name__}）") from None
    except Exception as exc:  # lxml errors and the like: a damaged file
        raise ImportFormatError(f"Word 文件内容无法读取，可能已损坏（{type(exc).__name__}）") from None


def _row_texts(row) -> list[str]:
    """One text per layout column: merged cells repeated, missing leading/trailing columns empty."""
    cells = [""] * int(getattr(row, "grid_cols_before", 0) or 0)
    cells += [c.text for c in row.cells]
    cells += [""] * int(getattr(row, "grid_cols_after", 0) or 0)
    return cells


def _render_row(row, table) -> list[str]:
    """The seed's text rendering of a row: one line per cell, a merged continuation empty."""
    from docx.table import _Cell

    lines: list[str] = ["\t"] * int(getattr(row, "grid_cols_before", 0) or 0)
    for tc in row._tr.tc_lst:
        lines.append("\t" if tc.vMerge == "continue" else "\t" + _Cell(tc, table).text)
    return lines


class _Reader:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.table_no = 0
        self.pending: str | None = None  # project name from the heading paragraph above
        self.heading_since_table = False
        self.last: Block | None = None

    def paragraph(self, text: str) -> None:
        text = text.strip("\t ")
        self.lines.append(text)
        heading = parse_heading(text)
        if heading is not None:
            self.pending = heading.name or None
            self.heading_since_table = True

    def table(self, table) -> None:
        self.table_no += 1
        no = self.table_no
        grid = [_row_texts(r) for r in table.rows]
        for r in table.rows:
            self.lines.extend(_render_row(r, table))
            self.lines.append("")
        self.lines.append("")

        blocks = scan_grid(grid, lambda r: f"第{no}个表格第{r + 1}行", heading=self.pending)
        if not any(b.columns is not None for b in blocks) and self._continues(grid):
            assert self.last is not None
            self.last.rows.extend(
                RawRow(cells=row, place=f"第{no}个表格第{r + 1}行") for r, row in enumerate(grid) if distinct(row)
            )
        else:
            self.blocks.extend(blocks)
            with_columns = [b for b in blocks if b.columns is not None]
            if with_columns:
                self.last = with_columns[-1]
        self.pending = None
        self.heading_since_table = False

        seen: set[int] = set()
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                for inner in cell.tables:
                    self.table(inner)

    def _continues(self, grid: list[list[str]]) -> bool:
        """A table with no header right after a project table: the same table split by a page."""
        if self.last is None or self.last.columns is None or self.heading_since_table:
            return False
        rows = [row for row in grid if distinct(row)]
        if not rows:
            return False
        columns = self.last.columns
        return all(len(row) == columns.width for row in rows) and _looks_like_indicator(rows[0], columns)


def parse_docx(data: bytes, *, source_name: str = "") -> ParsedDocument:
    """Parse a .docx document with one 绩效目标表 table per project."""
    if not data:
        raise ImportFormatError("文件为空")
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from tracker.importers.text import extract_budget, extract_department, extract_overall_goal, tokenize

    document = _open(data)
    reader = _Reader()
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            reader.paragraph(item.text)
        elif isinstance(item, Table):
            reader.table(item)

    doc = ParsedDocument(source_format="docx")
    toks = tokenize("\n".join(reader.lines))
    extract_department(toks, doc)
    extract_budget(toks, doc)
    extract_overall_goal(toks, doc)
    return finish(reader.blocks, doc, source_label=source_name)


__all__ = ["parse_docx"]
