"""PDF documents with a text layer (部门预算公开 is mostly published as PDF).

Read with pdfplumber (pure Python on pdfminer.six: no Java as tabula needs, no Ghostscript /
OpenCV as camelot needs — the county server stays a plain Python install):

1. Ruled tables: every page's tables are found from their ruling lines. A merged cell comes
   back as one cell plus None for the positions it covers; each None gets the text of the
   cell that covers it (as Word shows a merged cell, and as the .xlsx importer fills merged
   ranges); line wraps inside a cell are joined. A table at the top of page n+1 with the same
   number of columns and no header row (after the rows that repeat the top of the table, as
   Word's "repeat header row" prints them) continues the last table of page n (page numbers
   and running heads/footers — lines repeated at the top or bottom of pages — are dropped); a
   row cut by the page break (its 三级 cell empty on the new page) is put back together.
   Text lines outside the tables (the "…绩效目标表" title above each table, 部门名称…) are kept
   in reading order: those above a table become one-cell rows at the top of its grid, and
   the grids go to the shared grid parser (tables.parse_grids) through ONE adapter (_parse_grid).
2. No ruled table at all: the text, extracted keeping the layout (cells separated by runs of
   spaces), else plain (one cell per line), goes to the shared line parser (tables.parse_lines,
   adapter _parse_lines).
3. No text at all: a scan — a Chinese message asking for the original or a text PDF. Pages
   without text in an otherwise readable PDF are listed as skipped.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace

from tracker.importers.base import ImportFormatError, ParsedDocument, SkippedItem
from tracker.importers.limits import DEFAULT_LIMITS, ImportLimits, check_deadline, check_pages, quoted

SCANNED_MESSAGE = "PDF 中没有可识别的文字（可能是扫描件或图片），无法读取表格：请上传 Word/Excel 原件或文字版 PDF"
# page numbers and running heads that sit between the two parts of a table split by a page
_PAGE_NUMBER = re.compile(r"^[-—－\s]*(?:第\s*)?\d+\s*(?:页)?(?:\s*/\s*(?:共\s*)?\d+\s*页?)?[-—－\s]*$")
_CODE_NAME = re.compile(r"^[\[【(（]?([0-9]{2,12})[\]】)）]?\s*[-－_ ]?\s*([^\d\s].*)$")
# a line inside a cell that starts a new item (kept on its own line); any other break is a wrap
_ITEM_START = re.compile(r"^(?:\d+[、.．)）]|[（(]\d+[)）]|[一二三四五六七八九十]+、|[①-⑳]|目标\d)")


@dataclass
class _Item:
    """One thing on a page in reading order: a text line or a table."""

    page: int
    top: float
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    table_no: int = 0
    last_page: int = 0  # a table joined across pages: the page it ends on

    def __post_init__(self) -> None:
        self.last_page = self.last_page or self.page

    @property
    def is_table(self) -> bool:
        return bool(self.rows)


# ---------------------------------------------------------------------------- adapters


def _parse_grid(
    grids: list[list[list[str]]], names: list[str], doc: ParsedDocument, source_name: str
) -> ParsedDocument:
    """The one call into the shared grid parser (tables.parse_grids)."""
    from tracker.importers.tables import parse_grids

    return parse_grids(grids, doc, source_name=source_name, source_format="pdf", table_names=names)


def _parse_lines(lines: list[str], doc: ParsedDocument, source_name: str) -> ParsedDocument:
    """The one call into the shared line parser (tables.parse_lines: runs of spaces, one cell
    per line …), for a PDF without ruled tables."""
    from tracker.importers.tables import parse_lines

    return parse_lines(lines, doc, source_name=source_name, source_format="pdf")


# ---------------------------------------------------------------------------- reading


def _open(data: bytes, name: str):
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages  # reads the page tree
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        kind = type(inner).__name__
        if "Password" in kind or "Encrypt" in kind:
            raise ImportFormatError(
                f"PDF 文件{quoted(name)}已加密（设置了打开密码），无法读取：请上传未加密的文件或 Word/Excel 原件"
            ) from None
        raise ImportFormatError(
            f"PDF 文件{quoted(name)}已损坏或不完整，无法打开（{kind}）：请重新导出或下载后再导入"
        ) from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        raise ImportFormatError(
            f"PDF 文件{quoted(name)}已损坏或不完整，无法打开（{type(exc).__name__}）：请重新导出或下载后再导入"
        ) from None
    return pdf, pages


def _unwrap(text: str | None) -> str:
    """A PDF cell's text with the line wraps of its rendering joined ("年度绩效\n目标" →
    "年度绩效目标"); a line that starts a numbered item keeps its own line (goals)."""
    if not text:
        return ""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and not _ITEM_START.match(line):
            sep = (
                " "
                if out[-1][-1:].isascii() and out[-1][-1:].isalnum() and line[0].isascii() and line[0].isalnum()
                else ""
            )
            out[-1] += sep + line
        else:
            out.append(line)
    return "\n".join(out)


def _fill_merged(table) -> list[list[str]]:
    """Rows of a pdfplumber table with every None (covered by a merged cell) given the text of
    the cell that covers it."""
    texts = [[_unwrap(t) for t in row] for row in table.extract()]
    rows = table.rows
    cells = list(table.cells)
    xs = sorted({c[0] for c in cells})
    right = table.bbox[2]
    by_bbox: dict[tuple, str] = {}
    for r, row in enumerate(rows):
        for c, bbox in enumerate(row.cells):
            if bbox is not None:
                by_bbox[tuple(bbox)] = texts[r][c] or ""
    grid: list[list[str]] = []
    for r, row in enumerate(rows):
        out: list[str] = []
        for c, bbox in enumerate(row.cells):
            if bbox is not None:
                out.append(texts[r][c] or "")
                continue
            x0 = xs[c] if c < len(xs) else right
            x1 = xs[c + 1] if c + 1 < len(xs) else right
            cx, cy = (x0 + x1) / 2, (row.bbox[1] + row.bbox[3]) / 2
            cover = next(
                (b for b in by_bbox if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]),
                None,
            )
            out.append(by_bbox[cover] if cover is not None else "")
        grid.append(out)
    return grid


def _page_items(page, page_no: int, first_table_no: int) -> tuple[list[_Item], int]:
    tables = [t for t in page.find_tables() if t.rows and len(t.rows[0].cells) >= 2]
    items: list[_Item] = []
    outside = page
    for k, t in enumerate(tables):
        check_deadline(f"第{page_no}页")
        items.append(_Item(page_no, t.bbox[1], rows=_fill_merged(t), table_no=first_table_no + k))
        try:
            outside = outside.outside_bbox(t.bbox)
        except ValueError:
            pass
    for line in outside.extract_text_lines():
        text = line["text"].strip()
        if text:
            items.append(_Item(page_no, line["top"], text=text))
    items.sort(key=lambda i: i.top)
    return items, first_table_no + len(tables)


def _running_texts(pages: list[list[_Item]]) -> set[str]:
    """Running heads and footers: a first or last line of a page repeated word for word on
    at least two pages and on at least a third of the pages that have text."""
    counts: dict[str, int] = {}
    with_text = 0
    for items in pages:
        texts = [i for i in items if not i.is_table]
        if not texts:
            continue
        with_text += 1
        for key in {_running_key(texts[0].text), _running_key(texts[-1].text)}:
            counts[key] = counts.get(key, 0) + 1
    return {k for k, n in counts.items() if n >= 2 and n * 3 >= with_text and k}


def _running_key(text: str) -> str:
    """The same text on several pages (a title such as "3、…绩效目标表" never is)."""
    from tracker.importers.tables import parse_heading

    return "" if parse_heading(text) is not None else re.sub(r"\s+", "", text)


def _is_running_text(item: _Item, running: set[str] | frozenset = frozenset()) -> bool:
    return not item.is_table and (bool(_PAGE_NUMBER.match(item.text)) or _running_key(item.text) in running)


def _repeated_rows(prev: _Item, table: _Item) -> int:
    """How many leading rows of table repeat the leading rows of prev (Word's "repeat as
    header row at the top of each page": the header, sometimes the title/goal rows too)."""
    n = 0
    while n < min(4, len(prev.rows), len(table.rows) - 1) and prev.rows[n] == table.rows[n]:
        n += 1
    return n


def _continues(prev: _Item, table: _Item, between: list[_Item], running: set[str]) -> int | None:
    """table (first thing on its page) continues prev (last table of the page before): the
    number of repeated rows to drop from it, or None when it is a table of its own."""
    from tracker.importers.tables import detect_columns

    if table.page != prev.last_page + 1 or any(not _is_running_text(i, running) for i in between):
        return None
    if not any(detect_columns(r) is not None for r in prev.rows):
        # a table that had no header yet: only its title/goal rows fitted at the bottom of the
        # page before (such a part may have fewer columns: one spanning cell per row)
        return 0
    if max(len(r) for r in table.rows) != max(len(r) for r in prev.rows):
        return None
    skip = _repeated_rows(prev, table)
    return skip if detect_columns(table.rows[skip]) is None else None


def _row_tail(prev: _Item, row: list[str]) -> bool:
    """row (the first of a table's part on the next page) is the rest of prev's last row, cut
    by the page break (Word's "allow row to break across pages"): its 三级 cell is empty where
    the last row's is filled, and it carries some text."""
    from tracker.importers.tables import LEVEL3, detect_columns

    columns = next((c for c in map(detect_columns, prev.rows[:6]) if c is not None), None)
    if columns is None or not any(c.strip() for c in row):
        return False
    return not columns.get(row, LEVEL3).strip() and bool(columns.get(prev.rows[-1], LEVEL3).strip())


def _append_part(prev: _Item, rows: list[list[str]]) -> None:
    if rows and _row_tail(prev, rows[0]):
        last = prev.rows[-1]
        prev.rows[-1] = [a + b if b and b != a else a for a, b in zip(last, rows[0], strict=False)]
        rows = rows[1:]
    prev.rows.extend(rows)


def _join_pages(pages: list[list[_Item]], running: set[str]) -> list[_Item]:
    """Reading order of the whole document, with tables split by a page break joined."""
    out: list[_Item] = []
    for items in pages:
        first_table = next((k for k, i in enumerate(items) if i.is_table), None)
        last_table = next((k for k in range(len(out) - 1, -1, -1) if out[k].is_table), None)
        if first_table is not None and last_table is not None:
            between = out[last_table + 1 :] + items[:first_table]
            skip = _continues(out[last_table], items[first_table], between, running)
            if skip is not None:
                _append_part(out[last_table], items[first_table].rows[skip:])
                out[last_table].last_page = items[first_table].page
                del out[last_table + 1 :]
                items = items[first_table + 1 :]
        out.extend(items)
    return out


def _grids(items: list[_Item], running: set[str]) -> tuple[list[list[list[str]]], list[str], list[str]]:
    """(one grid per table, the table names for messages, the seed-style text rendering for the
    department/budget lookup). The text lines above a table (its "…绩效目标表" title, a
    项目名称 or 绩效目标 line) are one-cell rows at the top of its grid."""
    grids: list[list[list[str]]] = []
    names: list[str] = []
    lines: list[str] = []
    above: list[list[str]] = []
    for item in items:
        if item.is_table:
            width = max(len(r) for r in item.rows)
            grids.append(above + [row + [""] * (width - len(row)) for row in item.rows])
            pages = f"第{item.page}页" if item.last_page == item.page else f"第{item.page}–{item.last_page}页"
            names.append(f"{pages}的表格（上方文字 {len(above)} 行）" if above else f"{pages}的表格")
            above = []
            for row in item.rows:
                seen: list[str] = []
                for c in row:
                    if c and c not in seen:
                        seen.append(c)
                lines.extend("\t" + c.replace("\n", "") for c in seen)
                lines.append("")
        elif not _is_running_text(item, running):
            above.append([item.text])
            lines.append(item.text)
    return grids, names, lines


def _meta(lines: list[str], doc: ParsedDocument) -> None:
    """Department, year and budget figures, read as from a .docx's text."""
    from tracker.importers.text import extract_budget, extract_department, extract_overall_goal, tokenize

    toks = tokenize("\n".join(lines))
    extract_department(toks, doc)
    extract_budget(toks, doc)
    extract_overall_goal(toks, doc)
    m = _CODE_NAME.match(doc.department_name or "")
    if m and not doc.department_code:
        doc.department_code, doc.department_name = m.group(1), m.group(2).strip()
    if doc.year is None:
        m = re.search(r"(20\d\d)\s*年(?:度)?(?:部门)?(?:单位)?预算", "\n".join(lines[:80]))
        if m:
            doc.year = int(m.group(1))


def _text_only(pages, name: str, doc: ParsedDocument) -> ParsedDocument:
    """No ruled table: the text keeping the layout (cells separated by runs of spaces), else the
    plain text (one cell per line), through the shared line parser."""
    plain: list[str] = []
    layout: list[str] = []
    for k, page in enumerate(pages, start=1):
        check_deadline(f"第{k}页")
        plain.extend((page.extract_text() or "").split("\n"))
        layout.extend((page.extract_text(layout=True) or "").split("\n"))
        page.close()
    _meta(plain, doc)
    results: list[ParsedDocument] = []
    errors: list[ImportFormatError] = []
    for lines in (layout, plain):  # read both ways, keep the reading that finds more
        attempt = replace(doc, projects=[], warnings=list(doc.warnings), skipped=list(doc.skipped))
        try:
            results.append(
                _parse_lines([ln for ln in lines if not _PAGE_NUMBER.match(ln.strip() or "x")], attempt, name)
            )
        except ImportFormatError as exc:
            errors.append(exc)
    if not results:
        raise errors[0]
    return max(results, key=lambda d: (d.indicator_count - len(d.skipped), -len(d.warnings)))


def parse_pdf(data: bytes, *, source_name: str = "", limits: ImportLimits = DEFAULT_LIMITS) -> ParsedDocument:
    """Parse a PDF with a text layer: ruled tables first, else the text."""
    pdf, pages = _open(data, source_name)
    with pdf:
        check_pages(source_name, len(pages), limits)
        if not pages:
            raise ImportFormatError(f"PDF 文件{quoted(source_name)}没有任何页面，可能已损坏")
        doc = ParsedDocument(source_format="pdf")
        per_page: list[list[_Item]] = []
        text_pages = 0
        table_no = 1
        for k, page in enumerate(pages, start=1):
            check_deadline(f"第{k}页")
            items, table_no = _page_items(page, k, table_no) if page.chars else ([], table_no)
            if any(i.is_table or not _PAGE_NUMBER.match(i.text) for i in items):
                text_pages += 1
            elif page.images:  # only a picture (and perhaps a page number): a scanned page
                doc.skipped.append(
                    SkippedItem(
                        reason="该页只有图片、没有文字（可能是扫描页），未读取", file=source_name, table=f"第{k}页"
                    )
                )
            per_page.append(items)
            page.close()  # drop the page's parsed objects: memory stays flat on long documents
        if text_pages == 0:
            raise ImportFormatError(f"文件{quoted(source_name)}：{SCANNED_MESSAGE}")
        running = _running_texts(per_page)
        items = _join_pages(per_page, running)
        if not any(i.is_table for i in items):
            return _text_only(pages, source_name, doc)
        grids, names, lines = _grids(items, running)
        _meta(lines, doc)
        return _parse_grid(grids, names, doc, source_name)


__all__ = ["SCANNED_MESSAGE", "parse_pdf"]
