"""Tables copied from a web page or from Excel and pasted as text.

Rows are tab-separated (Excel, browsers) or pipe-separated (`a | b` and markdown
`| a | b |` with a `|---|` line). Excel quotes a cell that holds line breaks ("…"); browsers
leave the cells of a merged (rowspan) label/一级/二级 out of the following rows, so a short row is
re-aligned by content (grid.align_by_content): where the 一级/二级 names and the target are.
Several projects may follow one another, each introduced by a title line.
"""

from __future__ import annotations

import re

from tracker.importers.base import ImportFormatError, ParsedDocument
from tracker.importers.tables import finish, scan_grid

_SEPARATOR = re.compile(r"^:?-{2,}:?$")


def _split_tsv(text: str) -> tuple[list[list[str]], list[int]]:
    """Tab-separated rows; a field starting with '"' and closed by '"' before a tab/line end
    is Excel-quoted (may hold line breaks, "" is a quote). Returns rows and their first lines."""
    rows: list[list[str]] = []
    lines: list[int] = []
    row: list[str] = []
    field: list[str] = []
    line = row_line = 1
    at_start = True
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if at_start and ch == '"':
            j, buf, closed = i + 1, [], False
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    closed = j + 1 == n or text[j + 1] in "\t\n"
                    break
                buf.append(text[j])
                j += 1
            if closed:
                value = "".join(buf)
                field = [value]
                line += value.count("\n")
                i = j + 1
                at_start = False
                continue
        if ch == "\t":
            row.append("".join(field))
            field, at_start = [], True
        elif ch == "\n":
            row.append("".join(field))
            rows.append(row)
            lines.append(row_line)
            row, field, at_start = [], [], True
            line += 1
            row_line = line
        else:
            field.append(ch)
            at_start = False
        i += 1
    if field or row:
        row.append("".join(field))
        rows.append(row)
        lines.append(row_line)
    return rows, lines


def _split_pipes(text: str) -> tuple[list[list[str]], list[int]]:
    rows: list[list[str]] = []
    lines: list[int] = []
    for n, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if "|" not in stripped:
            rows.append([stripped])
            lines.append(n)
            continue
        s = stripped.replace("\\|", "\x00")
        if s.startswith("|"):
            s = s[1:]
        if s.endswith("|"):
            s = s[:-1]
        cells = [c.strip().replace("\x00", "|") for c in s.split("|")]
        if all(_SEPARATOR.match(c) or not c for c in cells) and any(cells):
            continue  # markdown |---|---| line
        rows.append(cells)
        lines.append(n)
    return rows, lines


def split_rows(text: str) -> tuple[list[list[str]], list[int], str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    content = [line for line in text.split("\n") if line.strip()]
    pipes = sum(1 for line in content if line.count("|") >= 2)
    tabs = sum(1 for line in content if "\t" in line.strip("\t "))
    mode = "pipe" if pipes > tabs else "tab"
    rows, lines = _split_pipes(text) if mode == "pipe" else _split_tsv(text)
    for row in rows:  # trailing empty cells (a trailing TAB or "|  |") mean nothing
        while len(row) > 1 and not row[-1].strip():
            row.pop()
    return rows, lines, mode


def looks_pasted(text: str) -> bool:
    """Rows of several tab/pipe-separated cells rather than the seed's one cell per line."""
    rows_with_cells = 0
    seed_cells = 0
    for line in text.replace("\r", "\n").split("\n"):
        inner = line.strip("\t ")
        if "\t" in inner or line.count("|") >= 2:
            rows_with_cells += 1
        elif line.startswith("\t") and inner:
            seed_cells += 1
    return rows_with_cells >= 3 and rows_with_cells > seed_cells


def parse_pasted(text: str, *, source_name: str = "") -> ParsedDocument:
    """Parse tables pasted as text (tab or pipe separated), one or several projects."""
    if text is None or not text.strip():
        raise ImportFormatError("粘贴的内容为空")
    rows, lines, _mode = split_rows(text)
    doc = ParsedDocument(source_format="pasted")
    where = "粘贴内容" if not source_name else f"“{source_name}”"
    blocks = scan_grid(rows, lambda r: f"{where}第{lines[r]}行", row_number=lambda r: lines[r])
    return finish(blocks, doc, source_label=source_name or "粘贴内容")


__all__ = ["looks_pasted", "parse_pasted", "split_rows"]
