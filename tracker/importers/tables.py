"""Shared by every importer: from rows of cells to projects and indicators.

The .docx, .xlsx and pasted importers turn each table into a grid (list of rows of cell
texts, merged cells already repeated or left empty) and call scan_grid(); the text importer
cuts its flat stream of cells into rows itself and builds the same Block objects. finish()
then numbers the projects, fills merged 一级/二级 cells down, normalises the names and builds
ParsedIndicators, so the rules about a row exist once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from tracker.importers.base import ImportFormatError, ParsedDocument, ParsedIndicator, ParsedProject
from tracker.importers.levels import (
    belongs_to,
    level1_for_level2,
    normalize_level1,
    normalize_level2,
)

# ---------------------------------------------------------------------------- cell text

_WS = re.compile(r"[ \t\u3000\xa0]+")


def clean_cell(text: str | None) -> str:
    """One line of cell text: no surrounding whitespace; line breaks inside are joined.

    A line break inside a table cell is almost always a wrap of the rendering, so the lines
    are joined directly ("年度预算" + "，维修维护清单以及保险单"), with a space only between two
    Latin letters/digits so that English words do not run together.
    """
    if not text:
        return ""
    return join_lines(str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def join_lines(lines: Sequence[str]) -> str:
    out = ""
    for raw in lines:
        line = raw.strip(" \t\u3000\xa0")
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    return out


def clean_goal(text: str | None) -> str:
    """Goal text keeps its lines (numbered targets), each without trailing tabs or spaces."""
    if not text:
        return ""
    lines = [line.strip(" \t\u3000\xa0") for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=8192)
def fold(text: str | None) -> str:
    """For comparing labels: NFKC, no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@lru_cache(maxsize=8192)
def _fold_label(text: str | None) -> str:
    """A header/label with a trailing explanation in brackets removed: 指标值（包含数字及文字描述）."""
    folded = fold(text).rstrip(":：")
    return re.sub(r"[(\[【][^()\[\]【】]*[)\]】]$", "", folded) or folded


# ---------------------------------------------------------------------------- headings

_NUM = r"\d{1,3}|[一二三四五六七八九十百]{1,4}"
_HEADING = re.compile(
    r"^(?:附件\s*\d*\s*[:：]?\s*)?(?:表\s*\d+(?:\s*[-—–－]\s*\d+)*\s*[:：]?\s*)?"
    rf"(?:(?P<num>{_NUM})\s*[、.．，,)）]\s*|[（(](?P<num2>{_NUM})[)）]\s*)?"
    r"(?P<name>.*?)\s*(?:(?<=项目)支出)?绩效目标(?:申报|批复|公开)?表\s*[:：]?$"
)
_SENTENCE = re.compile(r"[。；;：:！？!?]|详见|见附件|^(?:根据|按照|依据)")
_GENERIC_NAME = re.compile(r"^(?:\d{4}年度?)?(?:部门|单位)?(?:预算)?(?:项目)?$")


@dataclass(frozen=True)
class Heading:
    number: str | None
    name: str  # "" when the heading is generic (项目支出绩效目标表)


@lru_cache(maxsize=8192)
def parse_heading(text: str | None) -> Heading | None:
    """ "1、XX项目绩效目标表" → Heading("1", "XX项目"); None when the text is no such title."""
    line = (text or "").strip(" \t\u3000\xa0")
    if not line or len(line) > 150 or "\n" in line:
        return None
    m = _HEADING.match(line)
    if not m:
        return None
    name = m.group("name").strip(' \u3000\xa0“”"《》')
    if _SENTENCE.search(name) or len(name) > 80:
        return None  # prose that happens to end with 绩效目标表 ("详见附件：项目支出绩效目标表")
    if _GENERIC_NAME.match(fold(name)):
        name = ""
    return Heading(m.group("num") or m.group("num2"), name)


# ---------------------------------------------------------------------------- labels


def is_name_label(text: str | None) -> bool:
    return _fold_label(text) in ("项目名称", "项目名")


_GOAL = re.compile(r"^(?:项目)?(?:年度|本年度|当年|当年度)?(?:总体|整体)?(?:绩效)?目标(?:\(年度\))?$")
_LONG_GOAL = re.compile(r"^(?:项目)?(?:中长期|长期|实施期|总体中长期)(?:总体|整体)?(?:绩效)?目标$")


_INLINE = re.compile(r"^\s*([^:：\n]{2,12}?)\s*[:：]\s*(\S.*)$", re.DOTALL)


def inline_name(text: str | None) -> str | None:
    """ "项目名称：XX项目" → "XX项目"."""
    m = _INLINE.match(text or "")
    if m and is_name_label(m.group(1)):
        return m.group(2).strip()
    return None


def inline_goal(text: str | None) -> tuple[str, str] | None:
    """ "年度绩效目标：……" → ("annual", "……")."""
    m = _INLINE.match(text or "")
    if m:
        kind = goal_label_kind(m.group(1))
        if kind:
            return kind, m.group(2).strip()
    return None


def goal_label_kind(text: str | None) -> str | None:
    """ "annual" for 绩效目标 / 年度绩效目标 / 年度目标…, "long" for 中长期目标…, else None."""
    folded = fold(text).rstrip(":：")
    if not folded or len(folded) > 14 or folded == "目标":
        return None
    if _GOAL.match(folded):
        return "annual"
    if _LONG_GOAL.match(folded):
        return "long"
    return None


# ---------------------------------------------------------------------------- header

LEVEL1, LEVEL2, LEVEL3 = "level1", "level2", "level3"
DESCRIPTION, TARGET, BASIS = "description", "target", "basis"
OP, UNIT, WEIGHT, DIRECTION = "op", "unit", "weight", "direction"

FIELD_LABELS = {
    LEVEL1: "一级指标",
    LEVEL2: "二级指标",
    LEVEL3: "三级指标",
    DESCRIPTION: "绩效指标描述",
    TARGET: "指标值",
    BASIS: "指标值确定依据",
    OP: "指标性质",
    UNIT: "度量单位",
    WEIGHT: "权重",
    DIRECTION: "指标方向性",
}

_HEADER_NAMES: dict[str, str] = {}
for _field, _names in {
    LEVEL1: ("一级指标", "一级", "一级指标名称"),
    LEVEL2: ("二级指标", "二级", "二级指标名称"),
    LEVEL3: ("三级指标", "三级", "三级指标名称", "指标名称", "绩效指标名称", "具体指标"),
    DESCRIPTION: (
        "绩效指标描述",
        "指标描述",
        "指标解释",
        "指标说明",
        "指标内涵",
        "指标定义",
        "指标内容",
        "绩效指标说明",
        "指标释义",
    ),
    TARGET: (
        "指标值",
        "年度指标值",
        "目标值",
        "指标目标值",
        "绩效指标值",
        "年度目标值",
        "预期指标值",
        "绩效目标值",
        "指标值/目标值",
        "年度指标值/目标值",
        "预期目标值",
        "绩效标准",
        "指标标准",
    ),
    BASIS: (
        "指标值确定依据",
        "确定依据",
        "指标值设定依据",
        "设定依据",
        "指标值确定依据及说明",
        "指标值依据",
        "依据",
        "指标来源",
        "指标值来源",
        "目标值确定依据",
        "指标值确定依据(来源)",
    ),
    OP: ("指标性质", "计算符号", "符号", "运算符号", "比较符号", "指标值符号", "运算符"),
    UNIT: ("度量单位", "计量单位", "单位", "指标单位", "指标值单位"),
    WEIGHT: ("权重", "分值", "指标权重", "指标分值", "权重分值", "权重(分)", "分值(分)"),
    DIRECTION: ("指标方向性", "指标方向", "方向", "方向性"),
}.items():
    for _name in _names:
        _HEADER_NAMES[_name] = _field


IGNORED_HEADERS = {"序号", "备注", "说明", "评分标准", "评(扣)分标准", "扣分标准", "指标类型", "绩效指标"}


def is_ignored_header(text: str | None) -> bool:
    """Column names of a 绩效目标表 that carry nothing we import (序号, 备注…)."""
    return _fold_label(text) in IGNORED_HEADERS or fold(text) in IGNORED_HEADERS


@lru_cache(maxsize=8192)
def classify_header(text: str | None) -> str | None:
    """The field a header cell names (level1 … direction), or None."""
    folded = fold(text)
    return _HEADER_NAMES.get(folded) or _HEADER_NAMES.get(_fold_label(text))


@dataclass
class Columns:
    """Which column holds which field, found by header names (never by position)."""

    index: dict[str, int]
    width: int
    header: list[str] = field(default_factory=list)

    def get(self, row: Sequence[str], name: str) -> str:
        i = self.index.get(name)
        if i is None or i >= len(row):
            return ""
        return row[i] or ""

    @property
    def fields(self) -> list[str]:
        return [f for f, _ in sorted(self.index.items(), key=lambda kv: kv[1])]

    def label(self, name: str) -> str:
        i = self.index.get(name)
        if i is not None and i < len(self.header) and self.header[i].strip():
            return re.sub(r"\s+", "", self.header[i])
        return FIELD_LABELS[name]


def _columns_from_fields(per_column: list[str | None], header: list[str]) -> Columns | None:
    index: dict[str, int] = {}
    for i, f in enumerate(per_column):
        if f and f not in index:
            index[f] = i
    if LEVEL3 not in index or not (LEVEL1 in index or LEVEL2 in index):
        return None
    if TARGET not in index and OP not in index:
        return None
    return Columns(index=index, width=len(per_column), header=list(header))


def detect_columns(row: Sequence[str]) -> Columns | None:
    """Columns when the row is an indicator header row (一级指标 | 二级指标 | 三级指标 | …)."""
    per_column = [classify_header(c) for c in row]
    return _columns_from_fields(per_column, [c or "" for c in row])


def refine_columns(columns: Columns, row: Sequence[str]) -> Columns | None:
    """A second header row (Sichuan: 指标值 spans 指标性质 | 指标值 | 度量单位) refines the first.

    Returns None when the row is not a second header row.
    """
    per_row = [classify_header(c) for c in row]
    new = {f for f in per_row if f and f not in (LEVEL1, LEVEL2, LEVEL3)}
    if len([f for f in per_row if f]) < 2 or not (new & {OP, UNIT, TARGET, WEIGHT, DIRECTION, BASIS}):
        return None
    if any(normalize_level1(c) for c in row):
        return None
    first = [None] * max(columns.width, len(row))
    for f, i in columns.index.items():
        first[i] = f
    # columns the first row spans with a repeated name (指标值 × 3) count as that field too
    for i, c in enumerate(columns.header):
        if first[i] is None:
            first[i] = classify_header(c)
    merged = [(per_row[i] if i < len(per_row) and per_row[i] else first[i]) for i in range(len(first))]
    header = [
        (row[i] if i < len(row) and per_row[i] else (columns.header[i] if i < len(columns.header) else ""))
        for i in range(len(first))
    ]
    return _columns_from_fields(merged, header)


# ---------------------------------------------------------------------------- blocks


@dataclass
class RawRow:
    cells: list[str]
    place: str  # where in the source, e.g. "文本第2250行", "工作表“Sheet1”第12行"


@dataclass
class Block:
    """One project's table as found in the source, before validation."""

    name: str | None = None
    place: str = ""
    started_by: str = ""  # heading | title | label | goal | header
    annual_goal: list[str] = field(default_factory=list)
    long_goal: list[str] = field(default_factory=list)
    columns: Columns | None = None
    rows: list[RawRow] = field(default_factory=list)
    header_place: str = ""
    notes: list[str] = field(default_factory=list)  # warnings found while scanning

    @property
    def goal(self) -> str:
        return clean_goal("\n".join(self.annual_goal or self.long_goal))

    @property
    def has_content(self) -> bool:
        return bool(self.name or self.annual_goal or self.long_goal or self.columns)


def distinct(row: Sequence[str]) -> list[str]:
    """Non-empty values of a row with repeats of a merged cell removed."""
    out: list[str] = []
    for c in row:
        c = (c or "").strip()
        if c and c not in out:
            out.append(c)
    return out


def scan_grid(
    rows: Sequence[Sequence[str]],
    place_of_row: Callable[[int], str],
    *,
    heading: str | None = None,
    align_row: Callable[[list[str], Columns, str], list[str]] | None = None,
) -> list[Block]:
    """Find project blocks in one table / sheet: title, 项目名称, goal, header, indicator rows.

    heading: the name from a heading paragraph just before the table (docx), used by the
    first block that has no name of its own.
    align_row: for sources whose rows may be short (pasted from a web page, where merged
    cells are left out): given the row, the columns and the place, return a full row.
    """
    blocks: list[Block] = []
    cur: Block | None = None
    goal_columns: dict[int, str] = {}  # goal labels in a row of their own: column → kind
    awaiting_goal: str | None = None
    last_header_row = -2

    def new_block(started_by: str, r: int) -> Block:
        nonlocal cur, awaiting_goal, goal_columns
        cur = Block(place=place_of_row(r), started_by=started_by)
        blocks.append(cur)
        awaiting_goal = None
        goal_columns = {}
        return cur

    for r, raw in enumerate(rows):
        row = [c if isinstance(c, str) else ("" if c is None else str(c)) for c in raw]
        values = distinct(row)
        if not values:
            continue

        # a second header row directly below the first (two-row headers)
        if cur is not None and cur.columns is not None and not cur.rows and r == last_header_row + 1:
            refined = refine_columns(cur.columns, row)
            if refined is not None:
                cur.columns = refined
                last_header_row = r
                continue

        if (
            align_row is not None
            and cur is not None
            and cur.columns is not None
            and len(row) != cur.columns.width
            and not _is_label_row(values)
        ):
            row = align_row(row, cur.columns, place_of_row(r))
        if cur is not None and cur.columns is not None and _is_note_row(row, values, cur.columns):
            cur.notes.append(f"{place_of_row(r)}：表格中的说明“{values[0][:30]}”不是指标行，已忽略")
            continue
        if cur is not None and cur.columns is not None and looks_like_indicator(row, cur.columns):
            cur.rows.append(RawRow(cells=row, place=place_of_row(r)))
            continue

        columns = detect_columns(row)
        if columns is not None:
            if cur is not None and cur.columns is not None and cur.columns.index == columns.index:
                continue  # the header repeated after a page break: keep the first one
            if cur is None or (cur.columns is not None and cur.rows):
                new_block("header", r)
            assert cur is not None
            cur.columns = columns
            cur.header_place = place_of_row(r)
            last_header_row = r
            awaiting_goal = None
            continue

        title = parse_heading(values[0]) if len(values) == 1 else None
        if title is not None:
            if cur is None or cur.has_content:
                new_block("title", r)
            assert cur is not None
            cur.name = title.name or cur.name
            continue

        inline = inline_name(values[0])
        if is_name_label(values[0]) or inline:
            value = inline or next((v for v in values[1:] if not is_name_label(v) and not is_meta_label(v)), "")
            if cur is None or cur.columns is not None or (cur.started_by == "label" and cur.name):
                new_block("label", r)
            assert cur is not None
            if value:
                cur.name = value
            continue

        goal_inline = inline_goal(values[0])
        if goal_inline is not None:
            if cur is None or cur.columns is not None:
                new_block("goal", r)
            assert cur is not None
            kind, text0 = goal_inline
            (cur.annual_goal if kind == "annual" else cur.long_goal).extend([text0, *values[1:]])
            awaiting_goal = None
            continue

        kinds = [goal_label_kind(v) for v in values]
        if kinds[0] is not None:
            if cur is None or cur.columns is not None:
                new_block("goal", r)
            assert cur is not None
            if all(kinds):
                # labels only: the texts are in the next row, under the labels
                goal_columns = {}
                for i, c in enumerate(row):
                    kind = goal_label_kind(c)
                    if kind and i not in goal_columns:
                        goal_columns[i] = kind
                awaiting_goal = kinds[0]
                continue
            text = [v for v, k in zip(values, kinds, strict=True) if k is None]
            target = cur.annual_goal if kinds[0] == "annual" else cur.long_goal
            target.extend(text)
            awaiting_goal = None
            continue

        if cur is not None and cur.columns is not None:
            cur.rows.append(RawRow(cells=row, place=place_of_row(r)))
            continue

        if cur is not None and awaiting_goal:
            if goal_columns:
                seen: set[str] = set()
                for i, kind in goal_columns.items():
                    text = (row[i] if i < len(row) else "").strip()
                    if text and text not in seen:
                        seen.add(text)
                        (cur.annual_goal if kind == "annual" else cur.long_goal).append(text)
                goal_columns = {}
                awaiting_goal = None
            else:
                (cur.annual_goal if awaiting_goal == "annual" else cur.long_goal).extend(values)
            continue
        # other rows before the header (主管部门, 资金…) carry nothing we import

    if heading is not None:
        for b in blocks:
            if not b.name:
                b.name = heading
                break
    return blocks


_WHOLE = re.compile(r"整体(?:支出)?(?:绩效)?$")


def is_whole_department(name: str) -> bool:
    """部门整体（支出）: the title of the department-wide goal table, not a project."""
    return bool(_WHOLE.search(fold(name)))


def _is_note_row(row: Sequence[str], values: list[str], columns: Columns) -> bool:
    """A row holding one text in the first column (or across the table): 注：…, 填报说明…"""
    if len(values) != 1 or parse_heading(values[0]) is not None:
        return False
    text = values[0]
    if normalize_level1(text) or normalize_level2(text) or is_name_label(text) or goal_label_kind(text):
        return False
    if inline_name(text) or inline_goal(text):
        return False
    first = next((c.strip() for c in row if c and c.strip()), "")
    return first == text and (columns.get(row, LEVEL1).strip() == text or row[0].strip() == text)


def _is_label_row(values: list[str]) -> bool:
    first = values[0]
    if len(values) == 1 and parse_heading(first) is not None:
        return True
    if inline_name(first) or inline_goal(first):
        return True
    return is_name_label(first) or goal_label_kind(first) is not None or detect_columns(values) is not None


def looks_like_indicator(row: Sequence[str], columns: Columns) -> bool:
    c1 = columns.get(row, LEVEL1).strip()
    c2 = columns.get(row, LEVEL2).strip()
    if normalize_level1(c1) or normalize_level2(c2):
        return True
    return not c1 and not c2 and (LEVEL1 in columns.index or LEVEL2 in columns.index)


_META_LABELS = {
    "主管部门",
    "实施单位",
    "主管部门及代码",
    "项目负责人",
    "联系电话",
    "项目属性",
    "项目期限",
    "项目资金",
    "资金情况",
    "年度资金总额",
    "其中:财政拨款",
    "其他资金",
    "预算单位",
    "单位名称",
    "部门名称",
    "项目类型",
    "项目编码",
    "项目代码",
    "资金总额",
    "财政拨款",
    "上年结转",
}


def is_meta_label(text: str) -> bool:
    return _fold_label(text) in _META_LABELS


# ---------------------------------------------------------------------------- indicators

_OPS = [
    (("≥", ">=", "≧", "大于等于", "大于或等于", "不低于", "不少于", "不小于"), "≥"),
    (("≤", "<=", "≦", "小于等于", "小于或等于", "不高于", "不超过", "不多于", "不大于"), "≤"),
    ((">", "大于", "高于"), ">"),
    (("<", "小于", "低于"), "<"),
    (("=", "等于"), "="),
]
_QUALITATIVE = ("定性", "定性指标")
_NO_OPERATOR = ("定量", "定量指标")


def op_symbol(op: str) -> str | None:
    """ "大于等于" → "≥"; "定性" → ""; None when not understood."""
    folded = fold(op)
    if not folded or folded in _QUALITATIVE or folded in _NO_OPERATOR:
        return ""
    for spellings, symbol in _OPS:
        if folded in (fold(s) for s in spellings):
            return symbol
    return None


def compose_target(op: str, value: str, unit: str) -> str:
    """Split columns → one target text: ("≥", "95", "%") → "≥95%"; ("定性", "优良", "") → "优良"."""
    value = value.strip()
    unit = unit.strip()
    symbol = op_symbol(op)
    if symbol is None:
        symbol = op.strip()
    if not value:
        return ""
    text = value
    qualitative = fold(op) in _QUALITATIVE and not re.fullmatch(r"[\d.,，]+", value)
    if unit and not value.endswith(unit) and not qualitative:
        text = value + unit
    if symbol and not re.match(r"^\s*(?:[≥≤<>=＝≧≦＞＜]|不低于|不少于|不高于|不超过|大于|小于|高于|低于)", text):
        text = symbol + text
    return text


def parse_weight(text: str) -> Decimal | None:
    folded = fold(text).rstrip("%分")
    if not folded:
        return None
    try:
        value = Decimal(folded)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@dataclass
class _Levels:
    level1: str | None = None
    level2: str | None = None
    raw1: str = ""
    raw2: str = ""


def project_place(order: int, name: str) -> str:
    return f"第{order}个项目“{name}”"


def build_indicators(
    block: Block,
    *,
    order: int,
    name: str,
    warnings: list[str],
) -> list[ParsedIndicator]:
    """Validate a block's rows and turn them into ParsedIndicators (merged cells filled down)."""
    columns = block.columns
    assert columns is not None
    where = project_place(order, name)
    state = _Levels()
    out: list[ParsedIndicator] = []
    has_split = OP in columns.index or UNIT in columns.index

    for raw in block.rows:
        row = raw.cells
        if detect_columns(row) is not None:
            continue  # a header repeated after a page break
        level3 = clean_cell(columns.get(row, LEVEL3))
        description = clean_cell(columns.get(row, DESCRIPTION))
        basis = clean_cell(columns.get(row, BASIS))
        value = clean_cell(columns.get(row, TARGET))
        op = clean_cell(columns.get(row, OP))
        unit = clean_cell(columns.get(row, UNIT))
        weight_text = clean_cell(columns.get(row, WEIGHT))
        direction = clean_cell(columns.get(row, DIRECTION))
        cell1 = clean_cell(columns.get(row, LEVEL1))
        cell2 = clean_cell(columns.get(row, LEVEL2))

        n = len(out) + 1
        here = f"{where}第{n}行"
        src = f"（{raw.place}）" if raw.place else ""

        if fold(cell1) in ("合计", "总计", "总分", "合计分值") or fold(level3) in ("合计", "总计", "总分"):
            continue
        target = compose_target(op, value, unit) if has_split else value
        if not level3 and not target and not description:
            if basis or weight_text:
                warnings.append(f"{here}{src}：没有三级指标和指标值，整行已跳过")
            continue

        level1, level2 = _levels(cell1, cell2, state, columns, here + src, warnings)
        if not level3:
            warnings.append(f"{here}{src}：三级指标为空")
        if not target:
            warnings.append(f"{here}{src}：“{columns.label(TARGET)}”为空")
        if has_split and op and op_symbol(op) is None:
            warnings.append(f"{here}{src}：“{columns.label(OP)}”列的“{op}”无法识别，已原样放在指标值前")
        weight = None
        if weight_text:
            weight = parse_weight(weight_text)
            if weight is None:
                warnings.append(f"{here}{src}：“{columns.label(WEIGHT)}”列的“{weight_text}”不是数字，已忽略")
        out.append(
            ParsedIndicator(
                level1=level1,
                level2=level2,
                level3=level3,
                description=description,
                target_raw=target,
                basis=basis,
                order=n,
                location=here,
                op_hint=op or None,
                unit_hint=unit or None,
                weight=weight,
                direction_hint=direction or None,
                level1_raw=state.raw1,
                level2_raw=state.raw2,
            )
        )
    return out


def _levels(
    cell1: str, cell2: str, state: _Levels, columns: Columns, here: str, warnings: list[str]
) -> tuple[str, str]:
    """Canonical 一级/二级 of a row; an empty cell (merged) takes the value from above."""
    fresh1 = False
    if LEVEL1 not in columns.index:
        level1 = None
    elif cell1:
        level1 = normalize_level1(cell1)
        if level1 is None:
            if normalize_level2(cell1) is not None and not cell2:
                raise ImportFormatError(f"{here}：“{columns.label(LEVEL1)}”列是二级指标名称“{cell1}”，单元格可能错位")
            raise ImportFormatError(
                f"{here}：“{columns.label(LEVEL1)}”列的“{cell1}”不是一级指标名称"
                "（应为产出指标、效益指标、满意度指标或成本指标）"
            )
        fresh1 = level1 != state.level1
        state.raw1 = cell1
    else:
        level1 = state.level1

    if cell2:
        level2 = normalize_level2(cell2, level1)
        if level2 is None:
            raise ImportFormatError(
                f"{here}：“{columns.label(LEVEL2)}”列的“{cell2}”不是二级指标名称（{_level2_hint(level1)}）"
            )
        state.raw2 = cell2
    elif LEVEL2 not in columns.index:
        raise ImportFormatError(f"{here}：表格没有“二级指标”列")
    elif state.level2 is None or fresh1:
        # an empty cell continues a merged 二级 — but a new 一级 group must name its own
        raise ImportFormatError(f"{here}：“{columns.label(LEVEL2)}”为空")
    else:
        level2 = state.level2
    assert level2 is not None

    if level1 is None:
        inferred = level1_for_level2(level2)
        if inferred is None:
            if LEVEL1 in columns.index:
                raise ImportFormatError(f"{here}：“{columns.label(LEVEL1)}”为空")
            raise ImportFormatError(f"{here}：表格没有“一级指标”列，无法由“{level2}”推断一级指标")
        level1 = inferred
        if LEVEL1 in columns.index:
            warnings.append(f"{here}：“{columns.label(LEVEL1)}”为空，已按二级指标“{level2}”推断为“{inferred}”")
        state.raw1 = ""
    elif not belongs_to(level1, level2):
        owner = level1_for_level2(level2)
        if not cell1 and owner is not None and owner != level1:
            warnings.append(f"{here}：二级指标“{level2}”属于“{owner}”，一级指标已按“{owner}”处理")
            level1 = owner
            state.raw1 = owner
        else:
            warnings.append(f"{here}：二级指标“{level2}”通常不属于一级指标“{level1}”")
    state.level1, state.level2 = level1, level2
    return level1, level2


def _level2_hint(level1: str | None) -> str:
    from tracker.importers.levels import LEVEL2_BY_LEVEL1

    if level1 in LEVEL2_BY_LEVEL1:
        return f"“{level1}”下应为" + "、".join(LEVEL2_BY_LEVEL1[level1])
    return "应为数量指标、质量指标、时效指标、成本指标、经济效益指标、社会效益指标、生态效益指标、可持续影响指标或服务对象满意度指标"


# ---------------------------------------------------------------------------- finishing


def finish(
    blocks: Sequence[Block],
    doc: ParsedDocument,
    *,
    source_label: str = "",
) -> ParsedDocument:
    """Check every block and add it to doc as a ParsedProject (numbered in document order)."""
    kept: list[Block] = []
    for b in blocks:
        if b.name and is_whole_department(b.name):
            # 部门整体（支出）绩效目标表: the department's own goal, not a project
            if b.goal and not doc.overall_goal:
                doc.overall_goal = b.goal
            if b.columns is not None:
                doc.warnings.append(f"“{b.name}绩效目标表”（{b.place}）是部门整体绩效目标，未作为项目导入")
            continue
        if b.columns is None:
            if b.started_by in ("label", "goal"):
                continue  # a 项目名称 / 目标 cell in some other table (政府采购, 部门整体目标…)
            name = b.name or "（未命名）"
            raise ImportFormatError(
                f"{project_place(len(kept) + 1, name)}（{b.place}）：找到了项目标题或绩效目标，"
                "但没有指标表头（一级指标、二级指标、三级指标、指标值……），文件可能不完整"
            )
        kept.append(b)
    if not kept:
        where = f"“{source_label}”" if source_label else "文件"
        raise ImportFormatError(
            f"{where}中没有找到项目绩效目标表：需要有“一级指标、二级指标、三级指标、指标值”表头的表格"
        )
    start = len(doc.projects)
    for i, b in enumerate(kept, start=start + 1):
        for note in b.notes:
            doc.warnings.append(note)
        if not b.name:
            raise ImportFormatError(
                f"第{i}个绩效目标表（{b.header_place or b.place}）没有项目名称："
                "请在表格上方写明“<项目名称>绩效目标表”或在表内填写“项目名称”"
            )
        if not b.rows or not any(distinct(r.cells) for r in b.rows):
            raise ImportFormatError(
                f"{project_place(i, b.name)}（{b.header_place}）：只有表头，没有指标行，文件可能不完整"
            )
        indicators = build_indicators(b, order=i, name=b.name, warnings=doc.warnings)
        if not indicators:
            raise ImportFormatError(f"{project_place(i, b.name)}（{b.header_place}）：表格中没有填写任何指标")
        project = ParsedProject(
            name=b.name,
            goal=b.goal,
            order=i,
            indicators=indicators,
            location=project_place(i, b.name),
        )
        if not project.goal:
            doc.warnings.append(f"{project.location}：没有找到绩效目标文字")
        check_groups(project, doc.warnings)
        doc.projects.append(project)
    names = [p.name for p in doc.projects]
    for name in sorted({n for n in names if names.count(n) > 1}):
        doc.warnings.append(f"项目“{name}”出现了{names.count(name)}次，导入时会被视为同一个项目")
    return doc


def check_groups(project: ParsedProject, warnings: list[str]) -> None:
    present = {i.level1 for i in project.indicators}
    missing = [n for n in ("产出指标", "效益指标", "满意度指标") if n not in present]
    if missing:
        warnings.append(f"{project.location}：没有{'、'.join(missing)}")


__all__ = [
    "Block",
    "Columns",
    "RawRow",
    "build_indicators",
    "classify_header",
    "clean_cell",
    "clean_goal",
    "compose_target",
    "detect_columns",
    "distinct",
    "finish",
    "goal_label_kind",
    "is_name_label",
    "join_lines",
    "op_symbol",
    "parse_heading",
    "project_place",
    "refine_columns",
    "scan_grid",
]
