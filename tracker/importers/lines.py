"""Text lines → one grid, for renderings without a grid of their own (PDF text layer, text copied
from a web page, a text file that is not in the seed's layout).

Per line: cells separated by tabs, by pipes (markdown), or by runs of 2+ spaces (PDF-to-text);
a line without such separators is one cell (a trailing " |" is dropped). Lines of several cells
are rows as they are; a short row is re-aligned later by content (grid.align_by_content).

One cell per line: when consecutive one-cell lines form a header (一级指标, 二级指标, 三级指标,
指标值 …), the following one-cell lines are cut into rows by that header (cut_cells): a 一级 name
starts a row, a 二级 name starts a row (unless it follows its 一级), other cells fill the columns
from 三级 on, a target-looking cell jumps to the 指标值 column, and a full row ends the row.
Blank lines mean nothing. The grid then goes through the same scanner as every other table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.importers.grid import END_OF_TABLE, looks_like_target, non_indicator_reason
from tracker.importers.levels import is_strict_level2, normalize_level1, normalize_level2
from tracker.importers.tables import (
    DESCRIPTION,
    LEVEL1,
    LEVEL2,
    LEVEL3,
    TARGET,
    Columns,
    classify_header,
    detect_columns,
    goal_label_kind,
    inline_goal,
    inline_name,
    is_block_label,
    is_ignored_header,
    is_name_label,
    parse_heading,
)

_SPACES = re.compile(r"[ \u3000\xa0]{2,}|\u3000")
_MARKDOWN_RULE = re.compile(r"^:?-{2,}:?$")


def split_line(line: str) -> list[str]:
    """The cells of one line (see the module docstring)."""
    text = line.replace("\ufeff", "").rstrip("\r\n")
    inner = text.strip(" \t\u3000\xa0")
    if not inner:
        return [""] if text.strip("\t") and text.strip(" \t") == "" and " " in text else []
    if "\t" in inner:
        cells = [c.strip(" \u3000\xa0") for c in inner.split("\t")]
    elif inner.count("|") >= 2:
        cells = [c.strip() for c in inner.strip("|").split("|")]
        if all(_MARKDOWN_RULE.match(c) or not c for c in cells):
            return []
    else:
        inner = re.sub(r"\s*\|$", "", inner)
        cells = [c.strip() for c in _SPACES.split(inner)]
    while len(cells) > 1 and not cells[-1]:
        cells.pop()
    return cells


def _is_header_cell(text: str) -> bool:
    return classify_header(text) is not None or is_ignored_header(text)


def _header_at(lines: Sequence[list[str]], i: int) -> tuple[Columns, list[str], int] | None:
    """A header written one cell per line starting at line i: (columns, cells, next line)."""
    cells: list[str] = []
    j = i
    while j < len(lines):
        if not lines[j] or lines[j] == [""]:
            j += 1
            continue
        if len(lines[j]) != 1 or not _is_header_cell(lines[j][0]):
            break
        cells.append(lines[j][0])
        j += 1
    if len(cells) < 3:
        return None
    columns = detect_columns(cells)
    return (columns, cells, j) if columns is not None else None


def _ends_table(text: str) -> bool:
    """A one-cell line after which the indicator rows are over."""
    return bool(
        parse_heading(text)
        or is_name_label(text)
        or inline_name(text)
        or inline_goal(text)
        or goal_label_kind(text)
        or non_indicator_reason([text])
    )


class _Cutter:
    """Cuts a stream of one-cell lines into rows of the header's width."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.width = columns.width
        self.l1 = columns.index.get(LEVEL1)
        self.l2 = columns.index.get(LEVEL2)
        self.l3 = columns.index[LEVEL3]
        self.target = columns.index.get(TARGET)
        self.rows: list[tuple[list[str], int]] = []
        self.row: list[str] = [""] * self.width
        self.line = 0
        self.p = columns.first_level
        self.explicit = False  # empty cells are written (a lone "|" or " "): rows start at 一级
        self.last = -1  # the column of the last cell placed

    def flush(self) -> None:
        if any(self.row):
            self.rows.append((self.row, self.line))
        self.row = [""] * self.width
        self.p = self.columns.first_level if self.explicit else self.l3

    def put(self, col: int, text: str, line: int) -> None:
        if not any(self.row):
            self.line = line
        self.row[col] = text
        self.last = col
        self.p = col + 1
        if self.p >= self.width:
            self.flush()

    def add(self, text: str, line: int, after: str = "") -> None:
        """Place one cell; after is the next cell's text (成本指标 is a 一级 only before a 二级)."""
        filled = any(self.row[self.l3 :])
        if not text:
            if self.p < self.width:
                self.put(self.p, "", line)
            return
        if _is_wrapped_suffix(text) and self.last >= 0 and self.row[self.last]:
            self.row[self.last] += text  # "经济效益" / "指标": a name wrapped over two lines
            return
        if is_block_label(text):
            return  # the 绩效指标 label cell, repeated
        if self.ends_row(text):
            self.flush()
        if self.l1 is not None and normalize_level1(text) and not self._cost_as_level2(text, after):
            self.flush()
            self.put(self.l1, text, line)
        elif self.l2 is not None and (is_strict_level2(text) or (normalize_level2(text) and self.p == self.l2)):
            if filled or (self.row[self.l2] and self.p != self.l2):
                self.flush()
            self.put(self.l2, text, line)
        else:
            if self.p < self.l3:
                self.p = self.l3
            if self.target is not None and self.l3 < self.p < self.target and looks_like_target(text):
                fields = {f for f, i in self.columns.index.items() if self.p <= i < self.target}
                if fields <= {DESCRIPTION}:
                    self.p = self.target  # an empty column (描述) left out before the target
            self.put(self.p, text, line)

    def _cost_as_level2(self, text: str, after: str) -> bool:
        """成本指标, 满意度指标 (both a 一级 and a 二级 name) are a 二级 unless a 二级 name follows."""
        if self.l2 is None or normalize_level2(text) is None:
            return False
        return not (normalize_level2(after) is not None and not (self.p == self.l2 and self.row[self.l1 or 0]))

    def ends_row(self, text: str) -> bool:
        """A text where a trailing free column (偏差原因, 备注) would be: the next row's 三级."""
        if self.target is None or self.p <= self.target or self.p >= self.width or not self.row[self.target]:
            return False
        if normalize_level1(text) or normalize_level2(text):
            return False
        field = next((f for f, i in self.columns.index.items() if i == self.p), None)
        return field is None and not re.fullmatch(r"[-+\d.%％/]+", text)


def _wraps(text: str, after: str) -> bool:
    """Whether a 一级/二级 name was wrapped over two lines: text + after is the name."""
    joined = text + after
    if _is_wrapped_suffix(after):
        return bool(normalize_level1(joined) or normalize_level2(joined))
    if normalize_level1(text) or normalize_level2(text):
        return False
    return bool(normalize_level1(joined) or is_strict_level2(joined))


def _is_wrapped_suffix(text: str) -> bool:
    return re.sub(r"[(（].*$", "", text.strip()) == "指标"


def cut_cells(lines: Sequence[list[str]], start: int, columns: Columns) -> tuple[list[tuple[list[str], int]], int]:
    """Rows cut from the one-cell lines from start on; returns (rows with line numbers, next line)."""
    cutter = _Cutter(columns)
    end = start
    while end < len(lines) and (not lines[end] or len(lines[end]) == 1):
        end += 1
    cutter.explicit = any(c == [""] for c in lines[start:end])
    cutter.p = columns.first_level
    j = start
    while j < len(lines):
        cells = lines[j]
        if not cells:
            j += 1
            continue
        if len(cells) != 1 or _ends_table(cells[0]) or _header_at(lines, j) is not None:
            break
        text = cells[0]
        nxt = next((k for k in range(j + 1, len(lines)) if lines[k]), None)
        if nxt is not None and len(lines[nxt]) == 1 and _wraps(text, lines[nxt][0]):
            text, j = text + lines[nxt][0], nxt  # "可持续影响" / "指标", "服务对象" / "满意度指标"
        after = next((c[0] for c in lines[j + 1 :] if c), "")
        cutter.add(text, j + 1, after)
        j += 1
    cutter.flush()
    return cutter.rows, j


def grid_from_lines(lines: Sequence[str]) -> tuple[list[list[str]], list[int]]:
    """All lines as one grid (rows of cells) and the 1-based line number of each row.

    When no header is found that way, every word (text between spaces) is taken as a cell of a
    one-cell-per-line stream: a table flattened into lines with single spaces between its cells
    (web page or .docx text) is then cut by the header and the vocabulary like any other.
    """
    split = [split_line(line) for line in lines]
    rows, numbers = _grid(split, list(range(1, len(split) + 1)))
    if any(detect_columns(r) is not None for r in rows):
        return rows, numbers
    words: list[list[str]] = []
    where: list[int] = []
    for n, line in enumerate(lines, start=1):
        for word in _words(line):
            words.append([word])
            where.append(n)
    flat_rows, flat_numbers = _grid(words, where)
    if any(detect_columns(r) is not None for r in flat_rows):
        return flat_rows, flat_numbers
    glued: list[list[str]] = []
    glued_where: list[int] = []
    for n, line in enumerate(lines, start=1):
        for word in cut_glued(line):
            glued.append([word])
            glued_where.append(n)
    glued_rows, glued_numbers = _grid(glued, glued_where)
    if _targets_found(glued_rows):
        return glued_rows, glued_numbers
    return rows, numbers


def _targets_found(rows: Sequence[list[str]]) -> bool:
    """Cutting run-together text is a guess: it is taken only when a header is found and most
    indicator rows after it came out with a target (else the file is refused, not misread)."""
    columns = next((c for r in rows if (c := detect_columns(r)) is not None), None)
    if columns is None or TARGET not in columns.index:
        return False
    data = [r for r in rows if len(r) == columns.width and columns.get(r, LEVEL3).strip()]
    with_target = [r for r in data if columns.get(r, TARGET).strip()]
    return bool(data) and len(with_target) >= 0.8 * len(data)


_SCORE = re.compile(r"^[（(]\d+(?:\.\d+)?分?[)）]")
_TARGET_TAIL = re.compile(
    r"(?:[≥≤<>=＞＜≧≦═＝]|大于等于|小于等于|不低于|不少于|不高于|不超过)[^≥≤<>=＞＜≧≦═＝]*$"
    r"|(?<![\d.])\d+(?:\.\d+)?\s*(?:%|％|‰)$"
)


def cut_glued(line: str) -> list[str]:
    """The cells of a line whose cells run together ("产出指标数量指标改造覆盖率100%"): cut at
    every header name and 一级/二级 name of the vocabulary (longest match, with a score such as
    "(70分)"), and a text between them at the start of a target (an operator, or a percentage at
    its end). Other texts stay whole."""
    from tracker.importers.levels import written_names
    from tracker.importers.tables import header_words

    text = re.sub(r"\s+", "", line)
    words = (*header_words(), *written_names())
    out: list[str] = []
    pending = ""
    i = 0
    while i < len(text):
        w = next((w for w in words if text.startswith(w, i)), None)
        if w is None:
            pending += text[i]
            i += 1
            continue
        score = _SCORE.match(text, i + len(w))
        if score:
            w += score.group()
        out.extend(_name_and_target(pending))
        out.append(w)
        pending = ""
        i += len(w)
    out.extend(_name_and_target(pending))
    return out


def _name_and_target(text: str) -> list[str]:
    if not text:
        return []
    m = _TARGET_TAIL.search(text)
    if m and m.start() > 0:
        return [text[: m.start()], text[m.start() :]]
    return [text]


def _words(line: str) -> list[str]:
    """The words of a line; a bracket opened in one word closes in a later one: "( ≥**个 )" is one."""
    out: list[str] = []
    depth = 0
    for word in re.split(r"[ \t\u3000\xa0]+", line.strip(" \t\u3000\xa0\r")):
        if not word or word == "|":
            continue
        if depth > 0 and out:
            out[-1] += word
        else:
            out.append(word)
        depth = max(0, depth + word.count("(") + word.count("（") - word.count(")") - word.count("）"))
    return out


def _grid(split: Sequence[list[str]], line_of: Sequence[int]) -> tuple[list[list[str]], list[int]]:
    rows: list[list[str]] = []
    numbers: list[int] = []
    i = 0
    while i < len(split):
        cells = split[i]
        if not cells:
            i += 1
            continue
        header = _header_at(split, i) if len(cells) == 1 else None
        if header is not None:
            columns, header_cells, j = header
            rows.append(header_cells)
            numbers.append(line_of[i])
            cut, i = cut_cells(split, j, columns)
            for row, k in cut:
                rows.append(row)
                numbers.append(line_of[k - 1])
            if i < len(split) and len(split[i]) > 1:
                rows.append([END_OF_TABLE])  # rows of several cells after a one-cell table: not its rows
                numbers.append(line_of[i])
            continue
        rows.append(cells)
        numbers.append(line_of[i])
        i += 1
    return rows, numbers


def looks_like_lines_table(text: str) -> bool:
    """Whether a text holds an indicator header in any line layout."""
    rows, _ = grid_from_lines(text.split("\n"))
    return any(detect_columns(r) is not None for r in rows)


__all__ = ["cut_cells", "grid_from_lines", "looks_like_lines_table", "split_line"]
