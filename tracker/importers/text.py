"""The text rendering of a published 部门预算 document (the seed's layout).

Layout (Word rendered to text):
- a table cell is a line that begins with a TAB; trailing TABs are noise;
- a line without the leading TAB continues the cell above (a paragraph break inside the
  cell): indicator cells are joined directly, goal text keeps its line breaks;
- blank lines between rows, and even inside a row, mean nothing;
- a merged 一级/二级 cell appears as an empty cell ("\\t" alone) on the following rows;
- "[bookmark: _Toc…]" prefixes headings.

The parser is cell-oriented: after the header row (一级指标 | 二级指标 | … found by name) it
takes rows of as many cells as the header has, and checks at every row boundary that the
next cells look like the start of a row (a 一级 name or an empty merged cell, then a 二级
name). A row that does not fit is reported with its project, row and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tracker.importers.base import ImportFormatError, ParsedDocument
from tracker.importers.levels import is_strict_level2, normalize_level1, normalize_level2
from tracker.importers.tables import (
    LEVEL1,
    LEVEL2,
    Block,
    Columns,
    RawRow,
    classify_header,
    clean_goal,
    detect_columns,
    finish,
    fold,
    goal_label_kind,
    inline_goal,
    inline_name,
    is_ignored_header,
    is_meta_label,
    is_name_label,
    is_whole_department,
    join_lines,
    parse_heading,
    project_place,
)

# ---------------------------------------------------------------------------- decoding

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Word's "Unicode text") or GB18030/GBK.

    Binary data (NUL bytes, undecodable bytes, control characters) is rejected.
    """
    if not data or not data.strip(b" \t\r\n\x00"):
        raise ImportFormatError("文件为空")
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    f"文件以 {encoding} 标记开头，但内容无法按该编码读取（第{exc.start}字节）"
                ) from None
            break
    if text is None:
        if b"\x00" in data:
            raise ImportFormatError("这不是文本文件（含有二进制内容），请上传 .docx、.xlsx 或 .txt 文件")
        for encoding in ("utf-8", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFormatError("无法识别文件编码：文本文件应为 UTF-8 或 GB18030（GBK）编码；也可能不是文本文件")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 200):
        raise ImportFormatError("这不是文本文件（含有大量控制字符），请上传 .docx、.xlsx 或 .txt 文件")
    if not text.strip():
        raise ImportFormatError("文件为空")
    return text


# ---------------------------------------------------------------------------- tokens

_BOOKMARK = re.compile(r"^\s*(?:\[bookmark:[^\]]*\]\s*)+")
_SECTION = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")


@dataclass
class Tok:
    kind: str  # "cell" or "text"
    parts: list[str]
    line: int  # 1-based line of the first part
    heading: bool = False  # text that starts a section or a project; never a continuation

    @property
    def text(self) -> str:
        """Cell text, lines joined directly (a line break in a cell is a wrap)."""
        return join_lines(self.parts)

    @property
    def goal_text(self) -> str:
        return clean_goal("\n".join(self.parts))


def _is_heading_text(text: str, bookmarked: bool) -> bool:
    stripped = text.strip(" \t\u3000\xa0")
    return bookmarked or parse_heading(stripped) is not None or bool(_SECTION.match(stripped))


def tokenize(text: str) -> list[Tok]:
    text = text.lstrip("\ufeff")
    for ch in ("\r\n", "\r", "\f", "\v", "\u2028", "\u2029"):
        text = text.replace(ch, "\n")
    toks: list[Tok] = []
    blank = True
    for n, line in enumerate(text.split("\n"), start=1):
        bookmarked = False
        if "[bookmark:" in line[:40]:
            m = _BOOKMARK.match(line.lstrip("\t"))
            if m:
                rest = line.lstrip("\t")[m.end() :]
                line = ("\t" + rest) if line.startswith("\t") else rest
                bookmarked = not line.startswith("\t")
        if line.startswith("\t"):
            toks.append(Tok("cell", [line[1:]], n))
            blank = False
            continue
        if not line.strip(" \t\u3000\xa0"):
            blank = True
            continue
        heading = _is_heading_text(line, bookmarked)
        prev = toks[-1] if toks else None
        if prev is not None and prev.kind == "cell" and not blank and not heading:
            prev.parts.append(line)  # a paragraph break inside the cell
        else:
            toks.append(Tok("text", [line.strip(" \t\u3000\xa0")], n, heading=heading))
        blank = False
    return toks


# ---------------------------------------------------------------------------- projects


class _Parser:
    def __init__(self, toks: list[Tok], doc: ParsedDocument) -> None:
        self.toks = toks
        self.doc = doc
        self.blocks: list[Block] = []
        self.skipped: list[str] = []  # titles with no table under them (a table of contents)

    # -- helpers

    def place(self, tok: Tok) -> str:
        return f"文本第{tok.line}行"

    def project_where(self, block: Block) -> str:
        return project_place(self.order(), block.name or "（未命名）")

    def order(self) -> int:
        """The number the next project will have (部门整体 tables are not projects)."""
        return 1 + sum(1 for b in self.blocks if not (b.name and is_whole_department(b.name)))

    def title_of(self, tok: Tok):
        if tok.kind == "text":
            return parse_heading(tok.parts[0])
        return parse_heading(tok.text)

    def run(self) -> list[Block]:
        i = 0
        numbers: list[str | None] = []
        while i < len(self.toks):
            tok = self.toks[i]
            title = self.title_of(tok)
            if title is not None:
                block = Block(name=title.name or None, place=self.place(tok), started_by="heading")
                i = self.project(block, i + 1)
                if block.columns is not None:
                    numbers.append(title.number)
                continue
            if (tok.kind == "cell" and is_name_label(tok.text)) or inline_name(tok.parts[0]):
                block = Block(place=self.place(tok), started_by="label")
                i = self.project(block, i)
                continue
            i += 1
        if self.skipped:
            shown = "、".join(self.skipped[:3]) + ("等" if len(self.skipped) > 3 else "")
            self.doc.warnings.append(f"{len(self.skipped)}个项目标题下没有表格（可能是目录），已跳过：{shown}")
        digits = [int(n) for n in numbers if n and n.isdigit()]
        if len(digits) == len(numbers) and digits and digits != list(range(digits[0], digits[0] + len(digits))):
            self.doc.warnings.append("项目标题的编号不连续：" + "、".join(str(d) for d in digits))
        return self.blocks

    # -- one project: title, goal, header, rows

    def project(self, block: Block, i: int) -> int:  # noqa: C901 - the seed layout state machine (title, goal, header, rows), kept strict on purpose
        toks = self.toks
        goal_kind: str | None = None
        saw_cell = False
        while i < len(toks):
            tok = toks[i]
            if tok.kind == "text":
                if tok.heading:
                    break
                inline = inline_name(tok.parts[0])
                goal_inline = inline_goal(tok.parts[0])
                if inline and block.started_by == "label" and block.name:
                    break  # the next project's 项目名称 while this one had no table
                if inline:
                    block.name = inline
                elif goal_inline:
                    goal_kind = goal_inline[0]
                    (block.annual_goal if goal_kind == "annual" else block.long_goal).append(goal_inline[1])
                elif goal_kind:
                    (block.annual_goal if goal_kind == "annual" else block.long_goal).append(tok.parts[0])
                i += 1
                continue
            text = tok.text
            header = self.header_at(i)
            if header is not None:
                columns, width = header
                block.columns = columns
                block.header_place = self.place(tok)
                return self.rows(block, i + width)
            title = self.title_of(tok)
            if title is not None:
                if saw_cell or (block.name and title.name and title.name != block.name):
                    break  # another project's title row, and this one had no table
                block.name = block.name or title.name or None
                i += 1
                continue
            inline = inline_name(text)
            if inline:
                if block.started_by == "label" and block.name:
                    break
                block.name = inline
                saw_cell = True
                i += 1
                continue
            goal_inline = inline_goal(text)
            if goal_inline:
                goal_kind, first_line = goal_inline
                (block.annual_goal if goal_kind == "annual" else block.long_goal).append(
                    clean_goal("\n".join([first_line, *tok.parts[1:]]))
                )
                saw_cell = True
                i += 1
                continue
            if is_name_label(text):
                name = self.next_cell_text(i)
                if name and not goal_label_kind(name):
                    if block.started_by == "label" and block.name:
                        break
                    block.name = name
                    i += 2
                    saw_cell = True
                    continue
            kind = goal_label_kind(text)
            if kind:
                goal_kind = kind
            elif is_meta_label(text):
                goal_kind = None  # 主管部门, 资金… after the goal: the goal is over
            elif goal_kind and text:
                (block.annual_goal if goal_kind == "annual" else block.long_goal).append(tok.goal_text)
            saw_cell = True
            i += 1

        # no header row: a heading in a table of contents, a 项目名称 in another table, or a cut
        if block.started_by == "label" or (block.name and is_whole_department(block.name)):
            return i
        where = self.project_where(block)
        if not saw_cell and not block.annual_goal:
            if block.name is None and i < len(toks):
                return i  # a generic title (项目支出绩效目标表) over the projects' own titles
            if i >= len(toks):
                raise ImportFormatError(f"{where}（{block.place}）：文件在项目标题之后就结束了，文件可能不完整")
            self.skipped.append(f"“{block.name or '（未命名）'}”（{block.place}）")
            return i
        if i >= len(toks):
            raise ImportFormatError(
                f"{where}（{block.place}）：文件在指标表头之前就结束了（没有找到一级指标、二级指标、三级指标、"
                "指标值表头），文件可能不完整"
            )
        raise ImportFormatError(
            f"{where}（{block.place}）：没有找到指标表头（一级指标、二级指标、三级指标、指标值……），"
            f"在{self.place(toks[i])}之前"
        )

    def next_cell_text(self, i: int) -> str:
        if i + 1 < len(self.toks) and self.toks[i + 1].kind == "cell":
            return self.toks[i + 1].text
        return ""

    def header_at(self, i: int) -> tuple[Columns, int] | None:
        """The header row starting at token i: consecutive cells that are column names."""
        cells: list[str] = []
        j = i
        while j < len(self.toks) and self.toks[j].kind == "cell":
            text = self.toks[j].text
            if classify_header(text) is None and not is_ignored_header(text):
                break
            cells.append(text)
            j += 1
        if len(cells) < 3:
            return None
        columns = detect_columns(cells)
        if columns is None:
            return None
        return columns, len(cells)

    def cells_ahead(self, i: int, count: int) -> list[str | None]:
        """The next count cell texts from token i (None past the end of the table)."""
        out: list[str | None] = []
        j = i
        while len(out) < count:
            if j >= len(self.toks) or (self.toks[j].kind == "text" and self.toks[j].heading):
                out.append(None)
                continue
            if self.toks[j].kind == "cell":
                out.append(self.toks[j].text)
            j += 1
        return out

    def starts_row(self, ahead: list[str | None], columns: Columns, first: bool, strict: bool = False) -> bool:
        o1 = columns.index.get(LEVEL1)
        o2 = columns.index.get(LEVEL2)
        c1 = ahead[o1] if o1 is not None else ""
        c2 = ahead[o2] if o2 is not None else ""
        if c1 is None or c2 is None:
            return False
        l1_ok = c1 == "" or normalize_level1(c1) is not None
        if strict:
            return l1_ok and is_strict_level2(c2)
        if not l1_ok:
            return False
        if c2 and normalize_level2(c2) is not None:
            return True
        if c1 and not c2:
            return True  # a new 一级 with an empty 二级: aligned; the row check reports it
        return c1 == "" and c2 == "" and not first

    def rows(self, block: Block, i: int) -> int:
        toks = self.toks
        columns = block.columns
        assert columns is not None
        width = columns.width
        where = self.project_where(block)
        row: list[Tok] = []
        starts: list[int] = []  # token index where each row starts
        rows: list[list[Tok]] = []
        while i < len(toks):
            tok = toks[i]
            if tok.kind == "text":
                if tok.heading:
                    break
                if row:
                    # text after a blank line in the middle of a row: still that cell's text
                    row[-1].parts.append(tok.parts[0])
                    self.doc.warnings.append(
                        f"{where}第{len(rows) + 1}行（{self.place(tok)}）：空行之后的文字已接在上一个单元格后"
                    )
                    i += 1
                    continue
                break  # prose after the table
            if not row:
                if rows and (self.title_of(tok) is not None or is_name_label(tok.text) or goal_label_kind(tok.text)):
                    break  # the next project's table, without a heading line
                ahead = self.cells_ahead(i, width)
                if not self.starts_row(ahead, columns, first=not rows) and self.misfit(
                    block, where, rows, starts, i, ahead
                ):
                    break
                starts.append(i)
            row.append(tok)
            if len(row) == width:
                rows.append(row)
                row = []
            i += 1
        if row:
            k = len(rows) + 1
            missing = "、".join(columns.label(f) for f in columns.fields[len(row) :])
            ended = "文件在此处结束" if i >= len(toks) else f"表格在{self.place(toks[i])}中断"
            raise ImportFormatError(
                f"{where}第{k}行（{self.place(row[0])}）：这一行只有{len(row)}个单元格，应为{width}个"
                f"（缺少{missing}），{ended}，文件可能被截断"
            )
        block.rows = [RawRow(cells=[t.text for t in r], place=self.place(r[0])) for r in rows]
        self.blocks.append(block)
        return i

    def misfit(
        self, block: Block, where: str, rows: list[list[Tok]], starts: list[int], i: int, ahead: list[str | None]
    ) -> bool:
        """A row boundary where the cells do not start a row: raise, or return True (table over)."""
        columns = block.columns
        assert columns is not None
        width = columns.width
        k = len(rows) + 1
        o1 = columns.index.get(LEVEL1)
        o2 = columns.index.get(LEVEL2)
        c1 = (ahead[o1] if o1 is not None else "") or ""
        c2 = (ahead[o2] if o2 is not None else "") or ""
        tok = self.toks[i]
        here = f"{where}第{k}行（{self.place(tok)}）"
        names = "、".join(columns.label(f) for f in columns.fields)
        not_l1 = f"“{columns.label(LEVEL1)}”的“{c1}”不是一级指标名称（应为产出指标、效益指标、满意度指标或成本指标）"
        not_l2 = f"“{columns.label(LEVEL2)}”的“{c2}”不是二级指标名称"
        if not rows:
            if c1 and normalize_level1(c1) is None and o1 is not None:
                raise ImportFormatError(f"{here}：{not_l1}")
            if c2:
                raise ImportFormatError(f"{here}：{not_l2}")
            raise ImportFormatError(f"{here}：表头之后的单元格不是指标行（应以一级指标、二级指标开头）")

        prev_start = starts[-1]
        prev_here = f"{where}第{k - 1}行（{self.place(self.toks[prev_start])}）"

        def wrong_count(j: int) -> ImportFormatError:
            count = self._cells_between(prev_start, j)
            word = "只有" if count < width else "有"
            return ImportFormatError(
                f"{prev_here}：这一行{word}{count}个单元格，应为{width}个（{names}），单元格可能缺失或多余"
            )

        # the previous row was short: the next row clearly starts before this point
        before = self._strict_start(prev_start + 1, i, columns)
        if before is not None:
            raise wrong_count(before)
        l1_ok = c1 == "" or normalize_level1(c1) is not None
        if c1 and l1_ok:
            raise ImportFormatError(f"{here}：{not_l2}")  # a 一级 name: the row surely starts here
        if l1_ok and c2:
            # an empty merged cell, then an unknown name: this row's 二级, unless the rows are shifted
            next_row = self._nth_cell(i, width)
            if next_row is None or self.starts_row(self.cells_ahead(next_row, width), columns, first=False):
                raise ImportFormatError(f"{here}：{not_l2}")
            later = self._strict_start(i + 1, self._nth_cell(i, width + 1) or len(self.toks), columns)
            if later is not None:
                raise wrong_count(later)
            raise ImportFormatError(f"{here}：{not_l2}，或这一行的单元格错位")
        if c2 and normalize_level2(c2) is not None:
            raise ImportFormatError(f"{here}：{not_l1}")
        later = self._strict_start(i + 1, self._nth_cell(i, 2 * width) or len(self.toks), columns)
        if later is not None:
            raise wrong_count(later)
        if self._vocabulary_ahead(i, 3 * width):
            # the table goes on, but its rows cannot be lined up: never drop rows silently
            raise ImportFormatError(
                f"{here}：这里应是一行指标的开始（一级指标或合并后的空单元格，然后是二级指标），"
                f"实际是“{c1}”“{c2}”，单元格缺失或错位"
                "（合并单元格在文本中应显示为空单元格）"
            )
        self.doc.warnings.append(
            f"{where}：指标表在{self.place(tok)}之前结束，之后的单元格（“{tok.text[:20]}”……）不属于指标表，已忽略"
        )
        return True

    def _vocabulary_ahead(self, i: int, count: int) -> bool:
        """Whether a 一级 or full 二级 name appears among the next count cells."""
        for text in self.cells_ahead(i, count):
            if text is None:
                return False
            if text and (normalize_level1(text) is not None or is_strict_level2(text)):
                return True
        return False

    def _nth_cell(self, i: int, n: int) -> int | None:
        """Token index of the n-th cell after token i (i itself is the 0th), within the table."""
        seen = -1
        j = i
        while j < len(self.toks):
            tok = self.toks[j]
            if tok.kind == "text" and tok.heading:
                return None
            if tok.kind == "cell":
                seen += 1
                if seen == n:
                    return j
            j += 1
        return None

    def _strict_start(self, a: int, b: int, columns: Columns) -> int | None:
        """The first token in [a, b) where a row clearly starts (一级 or empty, then a full 二级 name)."""
        for j in range(a, min(b, len(self.toks))):
            tok = self.toks[j]
            if tok.kind == "text" and tok.heading:
                return None
            if tok.kind == "cell" and self.starts_row(self.cells_ahead(j, columns.width), columns, False, strict=True):
                return j
        return None

    def _cells_between(self, a: int, b: int) -> int:
        return sum(1 for t in self.toks[a:b] if t.kind == "cell")


# ---------------------------------------------------------------------------- document facts

_AMOUNT = r"([0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)\s*万元"
_PROSE = {
    "total": [
        rf"支出预算(?:总额)?(?:为|是|共计|合计)?\s*{_AMOUNT}",
        rf"预算收支(?:总额|安排)?(?:为|共计)?\s*{_AMOUNT}",
        rf"收支总?预算(?:总额)?(?:为|共计|合计)?\s*{_AMOUNT}",
    ],
    "basic": [rf"基本支出(?:为|是|共计|合计)?\s*{_AMOUNT}"],
    "project": [rf"项目支出(?:为|是|共计|合计)?\s*{_AMOUNT}"],
    "personnel": [rf"人员经费(?:为|是|共计|合计)?\s*{_AMOUNT}"],
    "public": [rf"公用经费(?:为|是|共计|合计)?\s*{_AMOUNT}"],
    "procurement": [rf"政府采购预算(?:总额)?(?:为|是|共计|合计)?\s*{_AMOUNT}"],
    "three_public": [rf"三公[”\"]?经费(?:预算)?(?:安排|共计|合计|总额|为|是)*\s*{_AMOUNT}"],
}
# table title → {budget key: column name}
_TABLES = [
    (lambda t: "支出总表" in t and "收支" not in t, {"total": "合计", "basic": "基本支出", "project": "项目支出"}),
    (lambda t: "收支总表" in t and "财政拨款" not in t, {"total": "合计"}),
    (lambda t: "基本支出" in t and "表" in t, {"personnel": "人员经费", "public": "公用经费"}),
    (lambda t: "三公" in t and "表" in t, {"three_public": "合计"}),
]
_PREFER_PROSE = ("personnel", "public", "procurement", "three_public")
_VALUE_COLUMNS = {
    "合计",
    "基本支出",
    "项目支出",
    "经营支出",
    "上解上级支出",
    "对附属单位补助支出",
    "人员经费",
    "公用经费",
}
_NUMBER = re.compile(r"^-?[0-9][0-9,]*(?:\.[0-9]+)?$")


def _decimal(text: str) -> Decimal | None:
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).replace(",", "").replace("，", "").strip()
    if not _NUMBER.match(folded):
        return None
    try:
        return Decimal(folded)
    except InvalidOperation:  # pragma: no cover
        return None


def _budget_from_tables(toks: list[Tok]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind != "text":
            i += 1
            continue
        title = fold(tok.parts[0])
        j = i + 1
        cells: list[str] = []
        while j < len(toks) and toks[j].kind == "cell":
            cells.append(fold(toks[j].text))
            j += 1
        for matches, wanted in _TABLES:
            if not matches(title) or not cells:
                continue
            label = next(
                (k for k, c in enumerate(cells[:-1]) if c == "合计" and _decimal(cells[k + 1]) is not None), None
            )
            if label is None:
                continue
            names = [c for c in cells[:label] if c in _VALUE_COLUMNS]
            values = cells[label + 1 : label + 1 + len(names)]
            for key, column in wanted.items():
                if key in found or column not in names:
                    continue
                k = names.index(column)
                if k < len(values):
                    value = _decimal(values[k]) if values[k] else Decimal("0")
                    if value is not None:
                        found[key] = value
            break
        i = j
    return found


def _budget_from_prose(text: str) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for key, patterns in _PROSE.items():
        for pattern in patterns:
            m = re.search(pattern, text)
            if m:
                value = _decimal(m.group(1))
                if value is not None:
                    found[key] = value
                    break
    return found


def extract_budget(toks: list[Tok], doc: ParsedDocument) -> None:
    prose_text = "\n".join(t.parts[0] for t in toks if t.kind == "text")
    tables = _budget_from_tables(toks)
    prose = _budget_from_prose(prose_text)
    for key in ("total", "basic", "project", "personnel", "public", "procurement", "three_public"):
        first, second = (prose, tables) if key in _PREFER_PROSE else (tables, prose)
        value = first.get(key, second.get(key))
        if value is None:
            continue
        doc.budget[key] = value
        if key in first and key in second and first[key] != second[key]:
            doc.warnings.append(
                f"预算数“{_BUDGET_LABELS[key]}”在表格与说明文字中不一致（{tables.get(key)} 与 {prose.get(key)}），已取 {value}"
            )


_BUDGET_LABELS = {
    "total": "支出合计",
    "basic": "基本支出",
    "project": "项目支出",
    "personnel": "人员经费",
    "public": "公用经费",
    "procurement": "政府采购",
    "three_public": "“三公”经费",
}

_YEAR_CELL = re.compile(r"^预算年度[:：]\s*(\d{4})")
_CODE_NAME = re.compile(r"^([0-9]{2,12})\s*([^\d\s].{1,60})$")
_NAME_LABEL = re.compile(r"^(?:部门|单位|预算单位|编制单位|部门\(单位\))(?:名称)?[:：]\s*(\S.{1,60})$")
_MONEY_UNIT = re.compile(r"^(?:万元|元|千元|亿元)")
_PROSE_NAME = re.compile(r"^(?:第[一二三四五六七八九十]+部分\s*)?(\S{2,60}?)(\d{4})年度?部门预算")
_PROSE_NAME_AFTER_YEAR = re.compile(r"^(?:第[一二三四五六七八九十]+部分\s*)?(\d{4})年度?(?!部门)(\S{2,40}?)部门预算")


def extract_department(toks: list[Tok], doc: ParsedDocument) -> None:
    for k, tok in enumerate(toks):
        if tok.kind != "cell":
            continue
        m = _YEAR_CELL.match(fold(tok.text))
        if not m:
            continue
        doc.year = doc.year or int(m.group(1))
        if k > 0 and toks[k - 1].kind == "cell":
            cm = _CODE_NAME.match(toks[k - 1].text.strip())
            if cm and not doc.department_name:
                doc.department_code = cm.group(1)
                doc.department_name = cm.group(2).strip()
        if doc.department_name:
            break
    for tok in toks:
        if doc.department_name and doc.year:
            break
        text = tok.text.strip() if tok.kind == "cell" else tok.parts[0]
        m = _NAME_LABEL.match(fold(text))
        if m and not doc.department_name and not _MONEY_UNIT.match(m.group(1)):
            doc.department_name = m.group(1)
            continue
        if tok.kind == "text":
            pm = _PROSE_NAME.match(text)
            if pm:
                doc.department_name = doc.department_name or pm.group(1)
                doc.year = doc.year or int(pm.group(2))
                continue
            pm = _PROSE_NAME_AFTER_YEAR.match(text)
            if pm:
                doc.year = doc.year or int(pm.group(1))
                doc.department_name = doc.department_name or pm.group(2)


_OVERALL = re.compile(
    r"^(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[、.．])?"
    r"(?:部门)?(?:年度)?(?:整体|总体)绩效目标[:：]?$"
)


def extract_overall_goal(toks: list[Tok], doc: ParsedDocument) -> None:
    for k, tok in enumerate(toks):
        if tok.kind != "text" or not _OVERALL.match(fold(tok.parts[0])):
            continue
        lines: list[str] = []
        for nxt in toks[k + 1 :]:
            if nxt.kind != "text" or nxt.heading or _OVERALL.match(fold(nxt.parts[0])):
                break
            lines.append(nxt.parts[0])
        if lines:
            doc.overall_goal = clean_goal("\n".join(lines))
            return


# ---------------------------------------------------------------------------- entry point


def parse_tokens(toks: list[Tok], doc: ParsedDocument, *, source_name: str = "") -> ParsedDocument:
    blocks = _Parser(toks, doc).run()
    # the seed's layout is unambiguous: a table that cannot be read means a damaged file
    return finish(blocks, doc, source_label=source_name, strict=True)


def parse_text(text: str, *, source_name: str = "") -> ParsedDocument:
    """Parse the text rendering of a 部门预算 document with its 项目绩效目标表."""
    if text is None or not text.strip():
        raise ImportFormatError("文件为空")
    toks = tokenize(text)
    doc = ParsedDocument(source_format="text")
    extract_department(toks, doc)
    extract_budget(toks, doc)
    extract_overall_goal(toks, doc)
    return parse_tokens(toks, doc, source_name=source_name)


__all__ = [
    "Tok",
    "decode_text",
    "extract_budget",
    "extract_department",
    "extract_overall_goal",
    "parse_text",
    "tokenize",
]
