"""Web pages saved as .html (a 部门预算公开 page, or Word's "save as web page").

Tables are turned into grids with rowspan/colspan cells repeated (as Word shows merged
cells), then the shared grid logic of tables.py applies; a heading paragraph just before a
table names its project. Department, year, budget and overall goal come from a rendering in
the seed's text layout, by the text importer's rules.
"""

from __future__ import annotations

import re

from tracker.importers.base import ImportFormatError, ParsedDocument
from tracker.importers.tables import Block, finish, parse_heading, scan_grid

_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "li", "dt", "dd", "pre", "blockquote", "div"}
_WS = re.compile(r"[ \t\r\n\f\v\xa0]+")
_BREAK = "\x00"  # a line break of the page source: nothing between two Chinese characters
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}]) *{_BREAK}[ {_BREAK}]*(?=[{_CJK}])")


def _collapse(text: str) -> str:
    return _WS.sub(lambda m: _BREAK if "\n" in m.group() or "\r" in m.group() else " ", text)


_MAX_SPAN = 200


def looks_like_html(text: str) -> bool:
    """A web page (starts with a tag) that holds at least one table."""
    return text.lstrip("\ufeff \t\r\n").startswith("<") and "<table" in text.lower()


def _text(el) -> str:
    """Text as a browser shows it: whitespace collapsed, <br> and block ends as line breaks."""
    parts: list[str] = []

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("script", "style"):
            if node.tail:
                parts.append(_collapse(node.tail))
            return
        if tag == "br":
            parts.append("\n")
        elif node.text:
            parts.append(_collapse(node.text))
        for child in node:
            walk(child)
        if tag in _BLOCK_TAGS or tag == "tr":
            parts.append("\n")
        if node.tail and node is not el:
            parts.append(_collapse(node.tail))

    walk(el)
    joined = _CJK_BREAK.sub("", "".join(parts)).replace(_BREAK, " ")
    lines = [re.sub(" {2,}", " ", line).strip() for line in joined.split("\n")]
    return "\n".join(line for line in lines if line)


def _span(cell, name: str) -> int:
    try:
        return max(1, min(_MAX_SPAN, int(cell.get(name, "1") or "1")))
    except ValueError:
        return 1


def _rows_of(table) -> list:
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if isinstance(c.tag, str) and c.tag == "tr")
    return rows


def table_grid(table) -> list[list[str]]:
    """The table as a rectangle, a rowspan/colspan cell's text in every position it covers."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(_rows_of(table)):
        row: list[str] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            text = _text(cell)
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dc in range(colspan):
                row.append(text)
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = text
            c += colspan
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([""] * (width - len(row)))
    return grid


def parse_html(text: str, *, source_name: str = "") -> ParsedDocument:
    """Parse an HTML page holding 绩效目标表 tables."""
    from lxml import etree
    from lxml import html as lxml_html

    from tracker.importers.text import extract_budget, extract_department, extract_overall_goal, tokenize

    if not text or not text.strip():
        raise ImportFormatError("文件为空")
    try:
        root = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text))
    except (etree.ParserError, ValueError):
        raise ImportFormatError("网页文件无法读取") from None

    blocks: list[Block] = []
    lines: list[str] = []
    state = {"pending": None, "tables": 0}

    def table(el) -> None:
        state["tables"] += 1
        no = state["tables"]
        for tr in _rows_of(el):  # the seed's layout: one line per cell, for the document facts
            lines.extend("\t" + _text(c) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th"))
            lines.append("")
        grid = table_grid(el)
        blocks.extend(
            scan_grid(grid, lambda r: f"第{no}个表格第{r + 1}行", heading=state["pending"], table=f"第{no}个表格")
        )
        state["pending"] = None
        for inner in el.iter("table"):
            if inner is not el and _outer_table(inner) is el:
                table(inner)

    def walk(el) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "table":
                table(child)
            elif tag in ("script", "style", "head"):
                continue
            elif tag in _BLOCK_TAGS and not any(True for _ in child.iter("table")):
                content = _text(child)
                for line in content.split("\n"):
                    lines.append(line)
                    heading = parse_heading(line)
                    if heading is not None:
                        state["pending"] = heading.name or None
            else:
                walk(child)

    walk(root)
    doc = ParsedDocument(source_format="html")
    toks = tokenize("\n".join(lines))
    extract_department(toks, doc)
    extract_budget(toks, doc)
    extract_overall_goal(toks, doc)
    return finish(blocks, doc, source_label=source_name)


def _outer_table(el):
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


__all__ = ["looks_like_html", "parse_html", "table_grid"]
