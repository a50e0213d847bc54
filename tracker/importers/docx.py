"""Word (.docx) documents laid out as the official 项目绩效目标表.

Each project is a heading paragraph "N、<项目名称>绩效目标表" (or a title row / 项目名称 row
inside the table) and a table: a 绩效目标 row (often merged across the columns), the header
row 一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据 (found by name, any
order, optional columns, Sichuan-style split columns), then indicator rows with vertically
merged 一级/二级 cells.

The WordprocessingML is read directly (lxml, no entity resolution): a cell spanning several
columns (gridSpan) or continuing a vertical merge (vMerge) repeats the text of the cell it
belongs to, the way python-docx shows it; files whose merged cells are simply left empty are
handled by the shared grid logic in tables.py, which fills 一级/二级 down. The department,
year, budget totals and overall goal are read from a rendering of the whole document in the
seed's text layout, by the text importer's rules.
"""

from __future__ import annotations

import io
import zipfile

from tracker.importers.base import ImportFormatError, ParsedDocument
from tracker.importers.tables import Block, RawRow, distinct, finish, looks_like_indicator, parse_heading, scan_grid

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (W + n for n in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
_MAX_XML = 200 * 1024 * 1024


def _read_document_xml(data: bytes):
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > _MAX_XML:
                raise ImportFormatError("Word 文件过大，无法导入")
            xml = zf.read(info)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportFormatError(f"Word 文件无法打开，可能已损坏或不是 .docx 格式（{type(exc).__name__}）") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        raise ImportFormatError("Word 文件内容无法读取，可能已损坏（document.xml 不是有效的 XML）") from None
    body = root.find(W + "body")
    if body is None:
        raise ImportFormatError("Word 文件内容无法读取：没有正文")
    return body


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_TAGS = {
    W + "t": None,
    W + "tab": "\t",
    W + "ptab": "\t",
    W + "br": "\n",
    W + "cr": "\n",
    W + "noBreakHyphen": "-",
}


def _paragraph_text(p) -> str:
    """The text of a paragraph as Word shows it (deleted text, field codes and the fallback
    copy of drawing text left out)."""
    parts: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag == _MC_FALLBACK:
                continue
            if tag in _TEXT_TAGS:
                replacement = _TEXT_TAGS[tag]
                parts.append((child.text or "") if replacement is None else replacement)
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _blocks(parent):
    """Paragraphs and tables in order, looking through content controls (w:sdt)."""
    for child in parent:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def _children(parent, tag: str):
    """Children with the given tag, looking through content controls (w:sdt)."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)


def _cell_text(tc) -> str:
    return "\n".join(_paragraph_text(p) for p in _blocks(tc) if p.tag == _P)


def _int_attr(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return int(found.get(W + "val", default))
    except (TypeError, ValueError):
        return default


def _table_grid(tbl) -> tuple[list[list[str]], list[list[str]], list]:
    """(grid with merged cells repeated, the seed-style rendering lines, nested tables)."""
    grid: list[list[str]] = []
    rendering: list[list[str]] = []
    nested: list = []
    above: dict[int, str] = {}  # grid column → text of the cell in the row above
    for tr in _children(tbl, _TR):
        row: list[str] = []
        lines: list[str] = []
        before = _int_attr(tr, f"{W}trPr/{W}gridBefore", 0)
        row.extend([""] * before)
        lines.extend(["\t"] * before)
        for tc in _children(tr, _TC):
            span = max(1, _int_attr(tc, f"{W}tcPr/{W}gridSpan", 1))
            vmerge = tc.find(f"{W}tcPr/{W}vMerge")
            col = len(row)
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue":
                text = above.get(col, "")
                lines.append("\t")
            else:
                text = _cell_text(tc)
                lines.append("\t" + text)
            nested.extend(tc.findall(_TBL))
            row.extend([text] * span)
        row.extend([""] * _int_attr(tr, f"{W}trPr/{W}gridAfter", 0))
        above = dict(enumerate(row))
        grid.append(row)
        rendering.append(lines)
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([""] * (width - len(row)))
    return grid, rendering, nested


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

    def table(self, tbl) -> None:
        self.table_no += 1
        no = self.table_no
        grid, rendering, nested = _table_grid(tbl)
        for lines in rendering:
            self.lines.extend(lines)
            self.lines.append("")
        self.lines.append("")

        blocks = scan_grid(grid, lambda r: f"第{no}个表格第{r + 1}行", heading=self.pending, table=f"第{no}个表格")
        if not any(b.columns is not None for b in blocks) and self._continues(grid):
            assert self.last is not None
            self.last.rows.extend(
                RawRow(cells=row, place=f"第{no}个表格第{r + 1}行", row=r + 1, table=f"第{no}个表格")
                for r, row in enumerate(grid)
                if distinct(row)
            )
        else:
            self.blocks.extend(blocks)
            with_columns = [b for b in blocks if b.columns is not None]
            if with_columns:
                self.last = with_columns[-1]
        self.pending = None
        self.heading_since_table = False
        for inner in nested:
            self.table(inner)

    def _continues(self, grid: list[list[str]]) -> bool:
        """A table with no header right after a project table: the same table split by a page."""
        if self.last is None or self.last.columns is None or self.heading_since_table:
            return False
        rows = [row for row in grid if distinct(row)]
        if not rows:
            return False
        columns = self.last.columns
        return all(len(row) == columns.width for row in rows) and looks_like_indicator(rows[0], columns)


def parse_docx(data: bytes, *, source_name: str = "") -> ParsedDocument:
    """Parse a .docx document with one 绩效目标表 table per project."""
    if not data:
        raise ImportFormatError("文件为空")
    from tracker.importers.text import extract_budget, extract_department, extract_overall_goal, tokenize

    body = _read_document_xml(data)
    reader = _Reader()
    for el in _blocks(body):
        if el.tag == _P:
            reader.paragraph(_paragraph_text(el))
        else:
            reader.table(el)

    doc = ParsedDocument(source_format="docx")
    toks = tokenize("\n".join(reader.lines))
    extract_department(toks, doc)
    extract_budget(toks, doc)
    extract_overall_goal(toks, doc)
    return finish(reader.blocks, doc, source_label=source_name)


__all__ = ["parse_docx"]
