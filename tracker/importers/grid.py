"""Reading one table (a grid of cell texts) into project blocks: the row grammar.

Used by every importer through tables.scan_grid: .docx, .xlsx, saved web pages, pasted
tables, text renderings (lines.py) and PDF tables. A row is classified in turn as a second
header row, an indicator row, a header row, a title, a 项目名称 row, a goal row, or some other
row of the table; rows inside a table that are no indicators (合计, 填表人, budget codes, notes)
are listed in Block.skipped with their place.

Rows shorter than the header (merged cells left out by a browser copy or a text rendering:
a label cell such as 绩效指标 spanning the block, merged 一级/二级 on the left, merged 分值 on the
right) are re-aligned by content — where the 一级/二级 names and the target-looking cell are —
never by assuming the row starts at column 0 (align_by_content).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tracker.importers.base import SkippedItem
from tracker.importers.levels import is_strict_level2, normalize_level1, normalize_level2
from tracker.importers.tables import (
    ACTUAL,
    LEVEL1,
    LEVEL2,
    LEVEL3,
    LONG_TARGET,
    PROJECT,
    TARGET,
    Block,
    Columns,
    RawRow,
    classify_header,
    detect_columns,
    distinct,
    fold,
    goal_label_kind,
    header_groups,
    inline_goal,
    inline_name,
    is_block_label,
    is_ignored_header,
    is_label_row,
    is_meta_label,
    is_name_label,
    is_note_row,
    looks_like_indicator,
    parse_heading,
    refine_columns,
)

# ---------------------------------------------------------------------------- row kinds

_SIGNATURE = re.compile(
    r"^(?:填表人|填报人|联系人|联系电话|电话|审核人|复核人|负责人|单位负责人|财务负责人|分管领导|主要负责人|"
    r"填报日期|填表日期|制表人|制表日期|经办人|单位盖章|单位\(盖章\)|盖章|日期)"
)
_CODE = re.compile(
    r"^\[?\d{5,}\]?$|^\[?\d{3,}\]?[-－]?[\u4e00-\u9fff]{2,}.*(?:支出|经费|资金|部门|政府|局|款|项)$"
    r"|科目编码|功能分类|经济分类|项目编码|项目代码|预算编码|科目代码"
)
_WEB = re.compile(
    r"扫一扫|打印本页|关闭窗口|手机打开|^附件[:：]?$|^【?(?:打印|关闭)】?$|审核意见|初审意见|盖章|签字|签章"
)
_NOTE = re.compile(
    r"^(?:注|备注|说明|填报说明|填表说明|附注)\s*(?:\d|[一二三四五六七八九十]|[:：、.．]|$)|^其他需?要?说明的?(?:问题|事项)"
)
_TOTAL = ("合计", "总计", "小计", "总分", "合计分值", "得分合计", "总得分")


def non_indicator_reason(values: Sequence[str]) -> str | None:
    """Why a row inside an indicator table is not an indicator, or None when it may be one."""
    first = fold(values[0]) if values else ""
    if not first:
        return None
    if first in _TOTAL or any(fold(v) in _TOTAL for v in values[:3]):
        return "不是指标行（合计行）"
    if _SIGNATURE.match(first) or any(_SIGNATURE.match(fold(v)) and len(fold(v)) <= 12 for v in values[1:]):
        return "不是指标行（签名、联系人或日期）"
    if _NOTE.match(first):
        return "不是指标行（表格下方的说明）"
    if _CODE.search(first) and len(values) <= 4:
        return "不是指标行（预算编码）"
    if any(_WEB.search(fold(v)) for v in values[:3]):
        return "不是指标行（审核意见、盖章或网页文字）"
    return None


# ---------------------------------------------------------------------------- alignment

_TARGET_LIKE = re.compile(
    r"^(?:[≥≤<>=＞＜≧≦═＝]|大于|小于|不低于|不少于|不高于|不超过|达到|≥|≤)"
    r"|^[-+]?\d+(?:\.\d+)?\s*(?:%|％|‰|[^\d\s]{0,4})$"
    r"|^(?:是|否|好|较好|优|良|合格|达标|完成|满意|提高|降低|明显|显著|有效)"
)


def looks_like_target(text: str) -> bool:
    t = fold(text)
    return bool(t) and len(t) <= 20 and bool(_TARGET_LIKE.search(t))


def _max_lead(columns: Columns) -> int:
    """How many cells may be missing on the left: the label column(s) and merged 一级/二级 only."""
    leftable = {columns.index[f] for f in (LEVEL1, LEVEL2) if f in columns.index} | set(range(columns.first_level))
    lead = 0
    while lead in leftable:
        lead += 1
    return lead


def _fit(cells: Sequence[str], lead: int, columns: Columns) -> int | None:
    """How well the cells fit the header when placed from column lead (None: impossible)."""
    width = columns.width
    first = columns.first_level
    if lead > _max_lead(columns) or lead + len(cells) > width:
        return None
    score = 0

    def at(name: str) -> str:
        i = columns.index.get(name)
        return (cells[i - lead] if i is not None and 0 <= i - lead < len(cells) else "").strip()

    c1, c2, c3, target = at(LEVEL1), at(LEVEL2), at(LEVEL3), at(TARGET)
    if LEVEL1 in columns.index and c1:
        score += 4 if normalize_level1(c1) else -4
    if LEVEL2 in columns.index and c2:
        score += 4 if is_strict_level2(c2) else (1 if normalize_level2(c2) else -3)
    if c3 and (normalize_level1(c3) or is_strict_level2(c3)):
        score -= 4
    if target and looks_like_target(target):
        score += 1
    for c in range(lead, min(first, lead + len(cells))):
        text = cells[c - lead].strip()
        if text and (normalize_level1(text) or is_strict_level2(text)):
            score -= 3  # a 一级/二级 name left of the 一级 column
        elif text and c < len(columns.header) and is_block_label(columns.header[c]) and not is_block_label(text):
            score -= 2
    return score


def align_by_content(row: list[str], columns: Columns) -> tuple[list[str], str | None]:
    """A row of the header's width; the second value is a problem (the row cannot be lined up).

    Cells missing on the left are merged cells (label, 一级, 二级) the rendering left out; cells
    missing on the right are empty. Of the placements that fit, the one whose 一级/二级/指标值
    columns hold such texts wins; on a tie, the one that fits exactly, then the leftmost.
    """
    width = columns.width
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    cells = list(row[:end])  # empty cells at the end mean nothing: the row is as long as its content
    if len(cells) > width:
        return cells[:width], f"有{len(cells)}个单元格，多于表头的{width}列，多出的内容已忽略"
    # a row that begins with an empty cell kept its merged cells (as empty cells): it starts at column 0
    top = min(width - len(cells), _max_lead(columns))
    leads = range(1) if cells and not cells[0].strip() else range(top + 1)
    scored = [(s, lead) for lead in leads if (s := _fit(cells, lead, columns)) is not None]
    if not scored:
        return cells + [""] * (width - len(cells)), None
    best = max(scored, key=lambda sl: (sl[0], sl[1] == width - len(cells), -sl[1]))
    if best[0] < 0:
        first = next((c for c in cells if c.strip()), "")
        return cells, (
            f"这一行有{len(cells)}个单元格，表头有{width}列，第一个单元格“{first[:20]}”既不是一级指标也不是二级指标，"
            "无法确定缺少哪一列"
        )
    lead = best[1]
    out = [""] * lead + cells
    return out + [""] * (width - len(out)), None


# ---------------------------------------------------------------------------- scanner

# a one-cell row a source may put where it knows a table ends (lines.py: a one-cell-per-line
# table followed by rows of several cells, e.g. a page footer)
END_OF_TABLE = "\x00表格结束"


def _goal_column_label(text: str) -> str | None:
    """In a 自评表 goal row: 预期目标 → "annual" (the goal), 实际完成情况 → "skip"."""
    if fold(text) in ("预期目标", "年度目标", "目标", "绩效目标", "年初目标"):
        return "annual"
    kind = classify_header(text)
    if kind == ACTUAL:
        return "skip"
    if kind in (TARGET, LONG_TARGET):
        return "annual" if kind == TARGET else "long"
    return None


def _needs_alignment(row: Sequence[str], columns: Columns) -> bool:
    """A row of another width, or one whose 一级/二级 columns hold something else (shifted, with
    empty cells padded at the end)."""
    if len(row) != columns.width:
        return True
    c1 = columns.get(row, LEVEL1).strip()
    c2 = columns.get(row, LEVEL2).strip()
    return bool(c1 and not normalize_level1(c1)) or bool(c2 and not normalize_level2(c2))


def _name_label_at(values: list[str], *, in_table: bool) -> int | None:
    """Where the 项目名称 label is: the first cell; before a table also a later cell of a row of
    flattened cells ("公开14表 | 项目名称 | XX项目 | 主管部门 | …")."""
    last = 1 if in_table else min(len(values), 4)
    for k in range(last):
        if is_name_label(values[k]) or inline_name(values[k]):
            return k
    return None


def _is_level_name(text: str) -> bool:
    return normalize_level1(text) is not None or normalize_level2(text) is not None


class GridScanner:
    """One table's rows → Blocks (see the module docstring for the order of the checks)."""

    def __init__(
        self,
        place_of_row: Callable[[int], str],
        *,
        heading: str | None = None,
        align_row: Callable[[list[str], Columns, str], list[str]] | None = None,
        table: str = "",
        row_number: Callable[[int], int] | None = None,
    ) -> None:
        self.place_of_row = place_of_row
        self.heading = heading
        self.align_row = align_row
        self.table = table
        self.row_number = row_number or (lambda r: r + 1)
        self.blocks: list[Block] = []
        self.cur: Block | None = None
        self.goal_columns: dict[int, str] = {}
        self.awaiting_goal: str | None = None
        self.awaiting_name = False
        self.last_header_row = -2
        self.prev_row: list[str] = []
        self.pending_empty: list[int] = []
        self.closed = False  # the current table has ended (END_OF_TABLE)
        self.misfits: dict[int, str] = {}  # rows that cannot be lined up with the header: why

    # -- entry

    def scan(self, rows: Sequence[Sequence[str | None]]) -> list[Block]:
        for r, raw in enumerate(rows):
            row = [c if isinstance(c, str) else ("" if c is None else str(c)) for c in raw]
            values = distinct(row)
            if not values:
                if self.in_table:
                    self.pending_empty.append(r)
                continue
            if values == [END_OF_TABLE]:
                self.closed = True
                continue
            self.row(r, row, values)
            self.prev_row = row
        if self.heading is not None:
            for b in self.blocks:
                if not b.name:
                    b.name = self.heading
                    break
        return self.blocks

    @property
    def in_table(self) -> bool:
        return self.cur is not None and self.cur.columns is not None and not self.closed

    def new_block(self, started_by: str, r: int) -> Block:
        self.closed = False
        self.cur = Block(place=self.place_of_row(r), started_by=started_by, table=self.table)
        self.blocks.append(self.cur)
        self.awaiting_goal = None
        self.awaiting_name = False
        self.goal_columns = {}
        self.pending_empty = []
        return self.cur

    def raw(self, r: int, row: list[str]) -> RawRow:
        return RawRow(cells=row, place=self.place_of_row(r), row=self.row_number(r), table=self.table)

    def skip(self, r: int, reason: str, values: Sequence[str]) -> None:
        assert self.cur is not None
        text = " | ".join(values)[:80]
        self.cur.skipped.append(SkippedItem(reason=reason, text=text, table=self.table, row=self.row_number(r)))

    def row(self, r: int, row: list[str], values: list[str]) -> None:
        for handler in (
            self.second_header,
            self.table_row,
            self.header,
            self.title,
            self.name_row,
            self.goal_row,
            self.other_table_row,
            self.awaited,
        ):
            if handler(r, row, values):
                return
        # other rows before the header (主管部门, 资金…) carry nothing we import

    # -- handlers: each returns True when the row is taken

    def second_header(self, r: int, row: list[str], values: list[str]) -> bool:
        cur = self.cur
        if cur is None or cur.columns is None or cur.rows or r != self.last_header_row + 1:
            return False
        trimmed = list(row)
        while trimmed and not trimmed[-1].strip():
            trimmed.pop()
        refined = refine_columns(cur.columns, row) if len(trimmed) >= cur.columns.first_level + 2 else None
        if refined is None:
            if not all(classify_header(v) or is_ignored_header(v) for v in values):
                return False
            # a second header row under a spanned column, without the cells to its left (a browser
            # copy): it cannot be placed; the first row's columns stay
        else:
            cur.columns = refined
        self.last_header_row = r
        return True

    def table_row(self, r: int, row: list[str], values: list[str]) -> bool:
        """An indicator row, a note or another non-indicator row inside the table."""
        cur = self.cur
        if cur is None or cur.columns is None or not self.in_table:
            return False
        columns = cur.columns
        if len(values) == 1 and not is_label_row(values) and not _is_level_name(values[0]):
            # one text across the row, or a single cell: a note, or the wrapped end of a cell above
            reason = non_indicator_reason(values) or "不是指标行（只有一个单元格：说明文字或上一行的续行）"
            if is_note_row(row, values, columns):
                cur.notes.append(f"{self.place_of_row(r)}：表格中的说明“{values[0][:30]}”不是指标行，已忽略")
            self.skip(r, reason, values)
            return True
        if _needs_alignment(row, columns) and not is_label_row(values):
            content = len(row) - next((k for k, c in enumerate(reversed(row)) if c.strip()), 0)
            if content < columns.content_width:
                cur.short_rows += 1
                cur.short_width = max(cur.short_width, content)
            row = self.align(r, row, columns)
            if r in self.misfits:
                return False  # a title / header / label row, or listed by other_table_row
        if is_note_row(row, values, columns):
            cur.notes.append(f"{self.place_of_row(r)}：表格中的说明“{values[0][:30]}”不是指标行，已忽略")
            self.skip(r, "不是指标行（表格中的说明）", values)
            return True
        if looks_like_indicator(row, columns) and not non_indicator_reason(values):
            self.take(r, row, columns)
            return True
        return False

    def align(self, r: int, row: list[str], columns: Columns) -> list[str]:
        if self.align_row is not None:
            return self.align_row(row, columns, self.place_of_row(r))
        aligned, problem = align_by_content(row, columns)
        if problem and len(row) == columns.width and len(aligned) != columns.width:
            return row  # a full row that fits no better elsewhere: build_indicators names the bad cell
        if problem and len(aligned) == columns.width:
            assert self.cur is not None
            self.cur.notes.append(f"{self.place_of_row(r)}：{problem}")  # cells cut off on the right
        elif problem:
            self.misfits[r] = problem
        return aligned

    def take(self, r: int, row: list[str], columns: Columns) -> None:
        """Add an indicator row; a 项目名称 column starts a new project where its value changes."""
        cur = self.cur
        assert cur is not None
        if PROJECT in columns.index:
            name = columns.get(row, PROJECT).strip()
            if name and cur.name and name != cur.name and cur.rows:
                cur = self.new_block("column", r)
                cur.columns = columns
                cur.header_place = self.blocks[-2].header_place
            if name:
                cur.name = name
        for e in self.pending_empty:
            if cur.rows:
                self.skip(e, "空行", [""])
        self.pending_empty = []
        cur.rows.append(self.raw(r, row))

    def header(self, r: int, row: list[str], values: list[str]) -> bool:
        groups = header_groups(self.prev_row, len(row)) if self.prev_row else None
        columns = detect_columns(row, groups)
        if columns is None:
            return False
        cur = self.cur
        if cur is not None and cur.columns is not None and cur.columns.index == columns.index:
            return True  # the header repeated after a page break: keep the first one
        if cur is None or (cur.columns is not None and cur.rows):
            cur = self.new_block("header", r)
        cur.columns = columns
        cur.header_place = self.place_of_row(r)
        self.last_header_row = r
        self.awaiting_goal = None
        self.awaiting_name = False
        return True

    def title(self, r: int, row: list[str], values: list[str]) -> bool:
        heading = parse_heading(values[0]) if len(values) == 1 else None
        if heading is None:
            return False
        generic_under_title = (
            not heading.name and self.cur is not None and self.cur.started_by == "title" and self.cur.columns is None
        )
        if (self.cur is None or self.cur.has_content) and not generic_under_title:
            self.new_block("title", r)
        assert self.cur is not None
        self.cur.name = heading.name or self.cur.name
        return True

    def name_row(self, r: int, row: list[str], values: list[str]) -> bool:
        k = _name_label_at(values, in_table=self.in_table)
        if k is None:
            return False
        inline = inline_name(values[k])
        value = inline or next((v for v in values[k + 1 :] if not is_name_label(v) and not is_meta_label(v)), "")
        cur = self.cur
        if cur is None or cur.columns is not None or (cur.started_by == "label" and cur.name):
            cur = self.new_block("label", r)
        if value:
            cur.name = value
        else:
            self.awaiting_name = True  # the name is on the next line (one cell per line)
        return True

    def goal_row(self, r: int, row: list[str], values: list[str]) -> bool:
        if self.awaiting_goal and self.goal_columns:
            return self.awaited(r, row, values)  # the texts under a row of goal labels
        goal_inline = inline_goal(values[0])
        if goal_inline is not None:
            cur = self.goal_block(r)
            kind, text0 = goal_inline
            (cur.annual_goal if kind == "annual" else cur.long_goal).extend([text0, *values[1:]])
            self.awaiting_goal = None
            return True
        kinds = [goal_label_kind(v) for v in values]
        if kinds[0] is None:
            return False
        cur = self.goal_block(r)
        if all(k or _goal_column_label(v) for k, v in zip(kinds, values, strict=True)):
            # labels only (年度目标 | 中长期目标; 年度总体目标 | 预期目标 | 实际完成情况):
            # the texts are in the next row, under the labels
            self.goal_columns = {}
            for i, c in enumerate(row):
                kind = goal_label_kind(c) or _goal_column_label(c)
                if kind and kind != "skip" and c.strip():
                    self.goal_columns[i] = kind
            if any(_goal_column_label(v) == "annual" for v in values[1:]):
                for i, c in enumerate(row):  # the 年度总体目标 label itself holds no text below
                    if goal_label_kind(c):
                        self.goal_columns.pop(i, None)
            self.awaiting_goal = kinds[0]
            return True
        text = [v for v, k in zip(values, kinds, strict=True) if k is None]
        (cur.annual_goal if kinds[0] == "annual" else cur.long_goal).extend(text)
        self.awaiting_goal = None
        return True

    def goal_block(self, r: int) -> Block:
        if self.cur is None or self.cur.columns is not None:
            return self.new_block("goal", r)
        return self.cur

    def other_table_row(self, r: int, row: list[str], values: list[str]) -> bool:
        """A row inside the table that is no indicator: listed, or left to build_indicators."""
        cur = self.cur
        if cur is None or cur.columns is None or not self.in_table:
            return False
        reason = non_indicator_reason(values) or self.misfits.get(r)
        if reason:
            self.skip(r, reason, values)
        else:
            row = self.align(r, row, cur.columns) if _needs_alignment(row, cur.columns) else row
            self.take(r, row, cur.columns)
        return True

    def awaited(self, r: int, row: list[str], values: list[str]) -> bool:
        cur = self.cur
        if cur is None:
            return False
        if self.awaiting_name:
            self.awaiting_name = False
            if len(values) == 1 and not is_meta_label(values[0]):
                cur.name = values[0]
                return True
        if not self.awaiting_goal:
            return False
        if self.goal_columns:
            seen: set[str] = set()
            for i, kind in self.goal_columns.items():
                text = (row[i] if i < len(row) else "").strip()
                if text and text not in seen and not goal_label_kind(text):
                    seen.add(text)
                    (cur.annual_goal if kind == "annual" else cur.long_goal).append(text)
            self.goal_columns = {}
            self.awaiting_goal = None
        else:
            (cur.annual_goal if self.awaiting_goal == "annual" else cur.long_goal).extend(values)
        return True


__all__ = ["GridScanner", "align_by_content", "looks_like_target", "non_indicator_reason"]
