"""Shared by every importer: from rows of cells to projects and indicators.

Public entry points (stable; the PDF and batch importers call them):
- parse_grids(grids, doc=None, *, source_name, source_format, table_names, headings): tables
  as grids (rows of cell texts, None/"" for empty or merged cells) → ParsedDocument;
- parse_lines(lines, doc=None, *, source_name, source_format): text lines in any layout (tabs,
  pipes, runs of spaces, one cell per line, words of a flattened table) → ParsedDocument.

Inside: every table goes through scan_grid (the row grammar, grid.GridScanner), which finds
the blocks (title, 项目名称, goal, header, indicator rows) and lists rows that are no indicators;
the text importer of the seed's layout builds the same Blocks itself. finish() then numbers the
projects, fills merged 一级/二级 cells down, normalises the names and builds ParsedIndicators —
or lists what cannot be read in ParsedDocument.skipped — so the rules about a row exist once.
Headers are found by name, never by position (the vocabulary below, and rules for names not in
it); twin 长期/年度 groups import the annual group (the long-term target is kept in the
description as "<label>：<value>").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from tracker.importers.base import ImportFormatError, ParsedDocument, ParsedIndicator, ParsedProject, SkippedItem
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
    r"(?P<name>.*?)\s*(?:(?<=项目)支出)?绩效(?:目标(?:申报|批复|公开|调整)?|自评|运行监控|监控|执行监控|目标执行监控)(?:情况)?表"
    r"\s*(?:[（(][^（()）]{0,20}[)）])?\s*[:：]?$"
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
    if _GENERIC_NAME.match(fold(name)) or is_document_title(name):
        name = ""
    return Heading(m.group("num") or m.group("num2"), name)


_ORG_YEAR = re.compile(r"^(?P<org>.*?)(?:\d{4}年度?)(?:部门|单位)?(?:预算)?(?:项目)?$")
_ORG_SUFFIX = re.compile(r"(?:局|委|办|院|厅|中心|政府|委员会|部|处|所|站|队|馆|校|学|会|室|社|团|部门|单位|办事处)$")


def is_document_title(name: str | None) -> bool:
    """ "XX局2023年度部门" (from "XX局2023年度部门项目支出绩效目标表"): a department's page or
    document title, not a project."""
    m = _ORG_YEAR.match(fold(name))
    return bool(m) and (not m.group("org") or bool(_ORG_SUFFIX.search(m.group("org"))))


# ---------------------------------------------------------------------------- labels


_NAME_LABEL = re.compile(r"^(?:预算)?(?:项目|专项|转移支付|政策|资金)(?:支出|资金|项目|专项)?(?:名称|名)$")


@lru_cache(maxsize=8192)
def is_name_label(text: str | None) -> bool:
    """项目名称, 项目支出名称, 项目(专项)名称, 转移支付(项目)名称, 专项名称 …"""
    folded = re.sub(r"[()\[\]【】]", "", _fold_label(text))
    return bool(_NAME_LABEL.match(folded))


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
# the long-term target of a twin (长期/年度) header, the 实际完成值 of a 自评表/监控表, a 项目名称 column
LONG_TARGET, ACTUAL, PROJECT = "long_target", "actual", "project"

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
    LONG_TARGET: "长期指标值",
    ACTUAL: "实际完成值",
    PROJECT: "项目名称",
}

# The header vocabulary: exact names first, then rules (_classify_by_rule).
_HEADER_NAMES: dict[str, str] = {}
for _field, _names in {
    LEVEL1: ("一级指标", "一级", "一级指标名称"),
    LEVEL2: ("二级指标", "二级", "二级指标名称"),
    LEVEL3: (
        "三级指标",
        "三级",
        "三级指标名称",
        "三级指标内容",
        "三级指标名称及内容",
        "指标名称",
        "绩效指标名称",
        "具体指标",
        "三级指标(具体指标)",
    ),
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
        "指标标准",
        "指标值及单位",
        "年初目标值",
        "全年预期目标",
        "全年预期目标值",
        "年度预期目标",
        "当年度指标值",
        "本年度指标值",
        "计划值",
        "年度计划值",
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
        "绩效标准",  # 计划标准 / 历史标准 / 行业标准, or a description: not the target
        "评价标准",
    ),
    OP: ("指标性质", "计算符号", "符号", "运算符号", "比较符号", "指标值符号", "运算符", "指标值性质"),
    UNIT: ("度量单位", "计量单位", "单位", "指标单位", "指标值单位", "计算单位"),
    WEIGHT: ("权重", "分值", "指标权重", "指标分值", "权重分值", "权重(分)", "分值(分)", "权重(%)"),
    DIRECTION: ("指标方向性", "指标方向", "方向", "方向性"),
}.items():
    for _name in _names:
        _HEADER_NAMES[_name] = _field

_LONG = re.compile(r"长期|中期|实施期|实施周期|项目期|整体期")
_ANNUAL = re.compile(r"年度|当年|本年|全年|年初")
_TARGET_WORD = re.compile(r"(?:指标值|目标值|预期值|计划值|数值|实现值)(?:及单位)?$")
_ACTUAL_WORD = re.compile(r"实际|完成值|完成情况|执行情况|执行数|^(?:\d{4}年)?实现值|上年|\d{4}年实际")


def _classify_by_rule(label: str) -> str | None:
    """Header names not in the list, by their words: 中长期指标值, 实施期目标, 全年实际值 …"""
    if not label or len(label) > 16:
        return None
    if _ACTUAL_WORD.search(label):
        return ACTUAL
    if is_name_label(label):
        return PROJECT
    if _TARGET_WORD.search(label) and (_LONG.search(label) or _ANNUAL.search(label) or "预期" in label):
        return LONG_TARGET if _LONG.search(label) else TARGET
    if label.endswith("目标") and _LONG.search(label):
        return LONG_TARGET  # 中长期目标 | 年度目标 over the target columns of a twin header
    return None


IGNORED_HEADERS = {
    "序号",
    "备注",
    "说明",
    "评分标准",
    "评(扣)分标准",
    "扣分标准",
    "指标类型",
    "绩效指标",
    "得分",
    "自评得分",
    "偏差原因分析及改进措施",
    "偏差原因",
    "未完成原因分析",
    "原因分析",
    "完成率",
}
# a label cell spanning the indicator block to the left of 一级: 绩效指标, 项目绩效指标, 年度绩效指标 …
_BLOCK_LABEL = re.compile(r"^(?:项目|年度|当年|本年|中长期|长期|实施期)?(?:绩效)?(?:目标)?指标(?:体系)?$")


def header_words() -> tuple[str, ...]:
    """Every header name of the vocabulary, longest first (for text whose cells run together)."""
    words = {w for w in _HEADER_NAMES if len(w) >= 3} | {"绩效指标", "项目名称", "项目支出名称", "专项名称"}
    return tuple(sorted(words, key=len, reverse=True))


def is_block_label(text: str | None) -> bool:
    folded = _fold_label(text)
    return bool(_BLOCK_LABEL.match(folded)) and classify_header(text) is None


def is_ignored_header(text: str | None) -> bool:
    """Column names of a 绩效目标表 that carry nothing we import (序号, 备注, 得分, 绩效指标…)."""
    label = _fold_label(text)
    if label in IGNORED_HEADERS or fold(text) in IGNORED_HEADERS or is_block_label(text):
        return True
    return "偏差" in label or label.endswith("得分") or "原因" in label


@lru_cache(maxsize=8192)
def classify_header(text: str | None) -> str | None:
    """The field a header cell names (level1 … direction, long_target, actual, project), or None."""
    folded = fold(text)
    label = _fold_label(text)
    return _HEADER_NAMES.get(folded) or _HEADER_NAMES.get(label) or _classify_by_rule(label)


def group_of(text: str | None) -> str | None:
    """ "long" for a 长期/中期/实施期 column group, "annual" for 年度/当年度, else None."""
    label = fold(text)
    if not label or len(label) > 20:
        return None
    if _LONG.search(label):
        return "long"
    if _ANNUAL.search(label):
        return "annual"
    return None


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

    @property
    def content_width(self) -> int:
        """The header's width without the empty cells at its end (a sheet padded to its widest row)."""
        return max((i + 1 for i, c in enumerate(self.header) if c and c.strip()), default=self.width)

    @property
    def first_level(self) -> int:
        """The column where the indicator part of a row begins (一级, else 二级, else 三级)."""
        for name in (LEVEL1, LEVEL2, LEVEL3):
            if name in self.index:
                return self.index[name]
        return 0  # pragma: no cover - a header always has 三级

    @property
    def block_label(self) -> str:
        """The label cell to the left of 一级 (绩效指标 …), "" when there is none."""
        for i in range(self.first_level):
            if i < len(self.header) and is_block_label(self.header[i]):
                return re.sub(r"\s+", "", self.header[i])
        return ""


def _columns_from_fields(
    per_column: Sequence[str | None], header: Sequence[str], groups: Sequence[str | None] | None = None
) -> Columns | None:
    """Columns from the field of each column; in a twin (长期/年度) header the annual group wins,
    and the long group's 指标值 becomes LONG_TARGET."""
    groups = list(groups or []) + [None] * (len(per_column) - len(groups or []))
    fields = list(per_column)
    for i, f in enumerate(fields):
        if groups[i] == "long" and f == TARGET:
            fields[i] = LONG_TARGET
    index: dict[str, int] = {}
    for wanted in ("annual", None, "long"):
        for i, f in enumerate(fields):
            if f and f not in index and groups[i] == wanted:
                index[f] = i
    if LEVEL3 not in index and DESCRIPTION in index and fold(header[index[DESCRIPTION]]) in ("指标内容", "指标名称"):
        index[LEVEL3] = index.pop(DESCRIPTION)
    _values_right_of_level3(index, fields)
    if LEVEL3 not in index or not (LEVEL1 in index or LEVEL2 in index):
        return None
    if TARGET not in index and OP not in index and LONG_TARGET not in index:
        return None
    return Columns(index=index, width=len(per_column), header=list(header))


def _values_right_of_level3(index: dict[str, int], fields: Sequence[str | None]) -> None:
    """指标值 / 指标性质 / 度量单位 belong right of 三级: a column of that name left of the indicator
    block (a group label of a flattened two-row header) gives way to one on the right."""
    l3 = index.get(LEVEL3)
    if l3 is None:
        return
    for name in (TARGET, OP, UNIT):
        i = index.get(name)
        if i is not None and i < l3:
            right = next((k for k in range(l3 + 1, len(fields)) if fields[k] == name), None)
            if right is not None:
                index[name] = right


def detect_columns(row: Sequence[str], groups: Sequence[str | None] | None = None) -> Columns | None:
    """Columns when the row is an indicator header row (一级指标 | 二级指标 | 三级指标 | …)."""
    per_column = [classify_header(c) if c else None for c in row]
    if not any(per_column):
        return None
    if groups is None:
        groups = header_groups(row, len(row))  # 二级指标(长期) … 指标值(年度): groups named in the cells
    return _columns_from_fields(per_column, [c or "" for c in row], groups)


def header_groups(row: Sequence[str], width: int) -> list[str | None] | None:
    """Column groups from a row of group labels (长期目标 | 年度目标 spanning their columns) above
    or as the first row of a two-row header; None when the row names no long-term group."""
    if not any(c and _LONG.search(c) for c in row):
        return None
    groups = [group_of(c) if c and len(fold(c)) <= 20 else None for c in row]
    if "long" not in groups:
        return None
    groups = groups[:width] + [None] * (width - len(groups))
    return groups


def refine_columns(columns: Columns, row: Sequence[str]) -> Columns | None:
    """A second header row (Sichuan: 指标值 spans 指标性质 | 指标值 | 度量单位; twin groups:
    中长期目标 | 年度目标 over 指标值 | 指标值) refines the first.

    Returns None when the row is not a second header row.
    """
    per_row = [classify_header(c) for c in row]
    new = {f for f in per_row if f and f not in (LEVEL1, LEVEL2, LEVEL3, PROJECT)}
    if len([f for f in per_row if f]) < 2 or not (new & {OP, UNIT, TARGET, WEIGHT, DIRECTION, BASIS, LONG_TARGET}):
        return None
    if any(normalize_level1(c) for c in row):
        return None
    width = max(columns.width, len(row))
    first: list[str | None] = [None] * width
    for f, i in columns.index.items():
        first[i] = f
    # columns the first row spans with a repeated name (指标值 × 3) count as that field too
    for i, c in enumerate(columns.header):
        if first[i] is None:
            first[i] = classify_header(c)
    groups = header_groups(columns.header, width)
    merged = [(per_row[i] if i < len(per_row) and per_row[i] else first[i]) for i in range(width)]
    if groups is not None:
        # the first row only names the groups: its 长期/年度 cells are not fields of their own
        merged = [
            (per_row[i] if i < len(per_row) and per_row[i] else (first[i] if groups[i] is None else None))
            for i in range(width)
        ]
    header = [
        (row[i] if i < len(row) and per_row[i] else (columns.header[i] if i < len(columns.header) else ""))
        for i in range(width)
    ]
    if groups is not None:  # a long-term 指标值 is named by its group (实施期目标)
        for i in range(width):
            if groups[i] == "long" and i < len(columns.header) and merged[i] == TARGET:
                header[i] = columns.header[i]
    return _columns_from_fields(merged, header, groups)


# ---------------------------------------------------------------------------- blocks


@dataclass
class RawRow:
    cells: list[str]
    place: str  # where in the source, e.g. "文本第2250行", "工作表“Sheet1”第12行"
    row: int | None = None  # 1-based row in its table (line in a text file), for SkippedItem
    table: str = ""  # e.g. "第3个表格", "工作表“Sheet1”"


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
    skipped: list[SkippedItem] = field(default_factory=list)  # rows of the table not taken in
    table: str = ""  # e.g. "第3个表格", "工作表“Sheet1”"
    short_rows: int = 0  # rows shorter than the header (merged cells left out), for diagnoses
    short_width: int = 0  # the widest of those rows

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
    rows: Sequence[Sequence[str | None]],
    place_of_row: Callable[[int], str],
    *,
    heading: str | None = None,
    align_row: Callable[[list[str], Columns, str], list[str]] | None = None,
    table: str = "",
    row_number: Callable[[int], int] | None = None,
) -> list[Block]:
    """Find project blocks in one table / sheet: title, 项目名称, goal, header, indicator rows.

    heading: the name from a heading paragraph just before the table (docx), used by the
    first block that has no name of its own.
    align_row: a replacement for the content-based alignment of short rows (grid.align_by_content).
    table / row_number: the place recorded in SkippedItem (default: row index + 1).
    """
    from tracker.importers.grid import GridScanner

    scanner = GridScanner(place_of_row, heading=heading, align_row=align_row, table=table, row_number=row_number)
    return scanner.scan(rows)


_WHOLE = re.compile(r"整体(?:支出)?(?:绩效)?$")


def is_whole_department(name: str) -> bool:
    """部门整体（支出）: the title of the department-wide goal table, not a project."""
    return bool(_WHOLE.search(fold(name)))


def is_note_row(row: Sequence[str], values: list[str], columns: Columns) -> bool:
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


def is_label_row(values: list[str]) -> bool:
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
    (("≥", ">=", "≧", "＞＝", "大于等于", "大于或等于", "不低于", "不少于", "不小于"), "≥"),
    (("≤", "<=", "≦", "＜＝", "小于等于", "小于或等于", "不高于", "不超过", "不多于", "不大于"), "≤"),
    ((">", "大于", "高于"), ">"),
    (("<", "小于", "低于"), "<"),
    (("=", "＝", "═", "==", "等于"), "="),
]
_QUALITATIVE = ("定性", "定性指标")
_NO_OPERATOR = ("定量", "定量指标")
_DIRECTIONS = ("正向", "反向", "正向指标", "反向指标", "中性", "中性指标")


def op_symbol(op: str) -> str | None:
    """ "大于等于" → "≥"; "定性" → ""; None when not understood."""
    folded = fold(op).replace("═", "=")
    if not folded or folded in _QUALITATIVE or folded in _NO_OPERATOR or folded in _DIRECTIONS:
        return ""
    for spellings, symbol in _OPS:
        if folded in (fold(s).replace("═", "=") for s in spellings):
            return symbol
    return None


_HAS_OP = re.compile(r"^\s*(?:[≥≤<>=＝≧≦＞＜═]|不低于|不少于|不高于|不超过|大于|小于|高于|低于)")


def compose_target(op: str, value: str, unit: str) -> str:
    """Split columns → one target text: ("≥", "95", "%") → "≥95%"; ("定性", "优良", "") → "优良".

    The order is always operator, value, unit, whatever the order of the columns.
    """
    value = value.strip()
    unit = unit.strip()
    symbol = op_symbol(op)
    if symbol is None:
        symbol = op.strip()
    if not value:
        return ""
    text = value
    qualitative = fold(op) in _QUALITATIVE and not re.fullmatch(r"[\d.,，]+", value)
    if unit and not value.endswith(unit) and not qualitative and fold(unit) not in ("无", "/", "-"):
        text = value + unit
    if symbol and not _HAS_OP.match(text):
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


class RowError(ImportFormatError):
    """One row cannot be read (unknown 一级/二级, empty merged cell …): the row is skipped."""

    def __init__(self, message: str, column: str = "") -> None:
        super().__init__(message)
        self.column = column


def project_place(order: int, name: str) -> str:
    return f"第{order}个项目“{name}”"


@dataclass
class _RowFields:
    level1: str
    level2: str
    level3: str
    description: str
    basis: str
    value: str
    op: str
    unit: str
    weight: str
    direction: str
    long_target: str

    @classmethod
    def of(cls, row: Sequence[str], columns: Columns) -> _RowFields:
        def get(name: str) -> str:
            return clean_cell(columns.get(row, name))

        return cls(
            get(LEVEL1),
            get(LEVEL2),
            get(LEVEL3),
            get(DESCRIPTION),
            get(BASIS),
            get(TARGET),
            get(OP),
            get(UNIT),
            get(WEIGHT),
            get(DIRECTION),
            get(LONG_TARGET),
        )


def _use_long_target(block: Block) -> bool:
    """The annual group is empty throughout (or absent) and the long-term one is filled in."""
    columns = block.columns
    assert columns is not None
    if LONG_TARGET not in columns.index:
        return False
    if TARGET not in columns.index:
        return True
    rows = [r.cells for r in block.rows]
    return not any(columns.get(r, TARGET).strip() for r in rows) and any(
        columns.get(r, LONG_TARGET).strip() for r in rows
    )


def build_indicators(
    block: Block,
    *,
    order: int,
    name: str,
    warnings: list[str],
    skipped: list[SkippedItem] | None = None,
    file: str = "",
) -> list[ParsedIndicator]:
    """Validate a block's rows and turn them into ParsedIndicators (merged cells filled down).

    A row that cannot be read goes to skipped (when given; else its error is raised).
    """
    columns = block.columns
    assert columns is not None
    where = project_place(order, name)
    state = _Levels()
    out: list[ParsedIndicator] = []
    long_as_target = _use_long_target(block)
    if long_as_target and TARGET in columns.index:
        warnings.append(
            f"{where}：“{columns.label(TARGET)}”一栏全部为空，已导入“{columns.label(LONG_TARGET)}”一栏的指标值"
        )

    for raw in block.rows:
        if detect_columns(raw.cells) is not None:
            continue  # a header repeated after a page break
        try:
            indicator = _build_one(
                raw, columns, state, order=len(out) + 1, where=where, warnings=warnings, long_as_target=long_as_target
            )
        except RowError as exc:
            if skipped is None:
                raise
            skipped.append(
                SkippedItem(
                    reason=str(exc),
                    text=" | ".join(distinct(raw.cells))[:80],
                    file=file,
                    table=raw.table or block.table,
                    row=raw.row,
                    column=exc.column,
                )
            )
            continue
        if indicator is not None:
            out.append(indicator)
    return out


def _build_one(
    raw: RawRow,
    columns: Columns,
    state: _Levels,
    *,
    order: int,
    where: str,
    warnings: list[str],
    long_as_target: bool,
) -> ParsedIndicator | None:
    f = _RowFields.of(raw.cells, columns)
    here = f"{where}第{order}行"
    src = f"（{raw.place}）" if raw.place else ""
    if fold(f.level1) in ("合计", "总计", "总分", "合计分值") or fold(f.level3) in ("合计", "总计", "总分"):
        raise RowError(f"{here}{src}：不是指标行（合计行）")
    has_split = OP in columns.index or UNIT in columns.index
    value = f.long_target if long_as_target else f.value
    target = compose_target(f.op, value, f.unit) if has_split else value
    if not f.level3 and not target and not f.description:
        if f.basis or f.weight:
            raise RowError(f"{here}{src}：没有三级指标和指标值，整行已跳过")
        return None
    level1, level2 = _levels(f.level1, f.level2, state, columns, here + src, warnings)
    if not f.level3:
        warnings.append(f"{here}{src}：三级指标为空")
    if not target:
        warnings.append(f"{here}{src}：“{columns.label(TARGET)}”为空")
    op, direction = f.op, f.direction
    if has_split and op and fold(op) in _DIRECTIONS:
        op, direction = "", direction or op  # 指标性质 holding 正向/反向
    if has_split and op and op_symbol(op) is None:
        warnings.append(f"{here}{src}：“{columns.label(OP)}”列的“{op}”无法识别，已原样放在指标值前")
    weight = None
    if f.weight:
        weight = parse_weight(f.weight)
        if weight is None:
            warnings.append(f"{here}{src}：“{columns.label(WEIGHT)}”列的“{f.weight}”不是数字，已忽略")
    description = f.description
    if f.long_target and not long_as_target:
        # the long-term (中长期/实施期) target of a twin header: kept as information in the description
        note = f"{columns.label(LONG_TARGET)}：{f.long_target}"
        description = f"{description}；{note}" if description else note
    return ParsedIndicator(
        level1=level1,
        level2=level2,
        level3=f.level3,
        description=description,
        target_raw=target,
        basis=f.basis,
        order=order,
        location=here,
        op_hint=op or None,
        unit_hint=f.unit or None,
        weight=weight,
        direction_hint=direction or None,
        level1_raw=state.raw1,
        level2_raw=state.raw2,
    )


def _levels(
    cell1: str, cell2: str, state: _Levels, columns: Columns, here: str, warnings: list[str]
) -> tuple[str, str]:
    """Canonical 一级/二级 of a row; an empty cell (merged) takes the value from above.

    A cell that is no such name raises RowError (the row is skipped, the place listed).
    """
    level1, fresh1 = _level1_of(cell1, cell2, state, columns, here)
    level2 = _level2_of(cell2, level1, fresh1, state, columns, here)
    if level1 is None:
        inferred = level1_for_level2(level2)
        if inferred is None:
            if LEVEL1 in columns.index:
                raise RowError(f"{here}：“{columns.label(LEVEL1)}”为空", columns.label(LEVEL1))
            raise RowError(f"{here}：表格没有“一级指标”列，无法由“{level2}”推断一级指标")
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


def _level1_of(cell1: str, cell2: str, state: _Levels, columns: Columns, here: str) -> tuple[str | None, bool]:
    if LEVEL1 not in columns.index:
        return None, False
    if not cell1:
        return state.level1, False
    level1 = normalize_level1(cell1)
    label = columns.label(LEVEL1)
    if level1 is None:
        if normalize_level2(cell1) is not None and not cell2:
            raise RowError(f"{here}：“{label}”列是二级指标名称“{cell1}”，单元格可能错位", label)
        raise RowError(
            f"{here}：“{label}”列的“{cell1}”不是一级指标名称（应为产出指标、效益指标、满意度指标或成本指标）", label
        )
    fresh = level1 != state.level1
    state.raw1 = cell1
    return level1, fresh


def _level2_of(cell2: str, level1: str | None, fresh1: bool, state: _Levels, columns: Columns, here: str) -> str:
    label = columns.label(LEVEL2)
    if cell2:
        level2 = normalize_level2(cell2, level1)
        if level2 is None:
            raise RowError(f"{here}：“{label}”列的“{cell2}”不是二级指标名称（{_level2_hint(level1)}）", label)
        state.raw2 = cell2
        return level2
    if LEVEL2 not in columns.index:
        raise RowError(f"{here}：表格没有“二级指标”列")
    if state.level2 is None or fresh1:
        # an empty cell continues a merged 二级 — but a new 一级 group must name its own
        raise RowError(f"{here}：“{label}”为空", label)
    return state.level2


def _level2_hint(level1: str | None) -> str:
    from tracker.importers.levels import LEVEL2_BY_LEVEL1

    if level1 in LEVEL2_BY_LEVEL1:
        return f"“{level1}”下应为" + "、".join(LEVEL2_BY_LEVEL1[level1])
    return "应为数量指标、质量指标、时效指标、成本指标、经济效益指标、社会效益指标、生态效益指标、可持续影响指标或服务对象满意度指标"


# ---------------------------------------------------------------------------- finishing


class _Problems:
    """Blocks that could not be imported: listed as skipped, or the refusal when nothing is usable."""

    def __init__(self, doc: ParsedDocument, file: str, strict: bool) -> None:
        self.doc = doc
        self.file = file
        self.strict = strict
        self.first: str | None = None

    def add(self, message: str, block: Block) -> None:
        if self.strict:
            raise ImportFormatError(message)
        self.first = self.first or message
        self.doc.skipped.append(SkippedItem(reason=message, file=self.file, table=block.table or block.place))


def diagnose_empty(block: Block, where: str) -> str:
    """Why a table with a header gave no indicator (item 8 of issue 8): the cause, with the place."""
    columns = block.columns
    assert columns is not None
    fields = "/".join(columns.label(f) for f in (LEVEL1, LEVEL2, LEVEL3, TARGET) if f in columns.index)
    if block.short_rows and block.short_rows * 2 >= max(1, len(block.rows)):
        label = columns.block_label or columns.label(LEVEL1 if LEVEL1 in columns.index else LEVEL2)
        return (
            f"{where}（{block.header_place}）：表头有 {columns.content_width} 列、数据行只有 {block.short_width} 列："
            f"最左侧的“{label}”可能是合并单元格，数据行无法与表头对齐"
        )
    if not block.rows:
        return f"{where}（{block.header_place}）：只有表头，没有指标行：找到了表头（{fields}）但其后没有指标行，文件可能不完整"
    return f"{where}（{block.header_place}）：表格中没有可以读取的指标行"


def finish(
    blocks: Sequence[Block],
    doc: ParsedDocument,
    *,
    source_label: str = "",
    strict: bool = False,
) -> ParsedDocument:
    """Check every block and add it to doc as a ParsedProject (numbered in document order).

    What cannot be read is listed in doc.skipped; ImportFormatError only when nothing usable is
    found (strict=True, for the seed's text layout: any unreadable table refuses the file).
    """
    problems = _Problems(doc, source_label, strict)
    kept = _tables(blocks, doc, problems)
    if not kept and problems.first is None:
        where = f"“{source_label}”" if source_label else "文件"
        raise ImportFormatError(
            f"{where}中没有找到项目绩效目标表：文件中没有绩效目标表的表头"
            "（应有“一级指标”“二级指标”“三级指标”“指标值”等列）"
        )
    named = [b for b in kept if b.name]
    for b in kept:
        if not b.name:
            message = (
                f"第{len(doc.projects) + 1}个绩效目标表（{b.header_place or b.place}）没有项目名称："
                "请在表格上方写明“<项目名称>绩效目标表”或在表内填写“项目名称”"
            )
            if not named:
                raise ImportFormatError(message)
            problems.add(message, b)
            continue
        _add_project(b, doc, problems)
    if not doc.projects:
        raise ImportFormatError(problems.first or "文件中没有可以导入的指标")
    names = [p.name for p in doc.projects]
    for name in sorted({n for n in names if names.count(n) > 1}):
        doc.warnings.append(f"项目“{name}”出现了{names.count(name)}次，导入时会被视为同一个项目")
    return doc


def _tables(blocks: Sequence[Block], doc: ParsedDocument, problems: _Problems) -> list[Block]:
    """The blocks that are project tables (部门整体 goal tables and stray labels left out)."""
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
            problems.add(
                f"{project_place(len(kept) + 1, name)}（{b.place}）：找到了项目标题或绩效目标，"
                "但没有指标表头（一级指标、二级指标、三级指标、指标值……），文件可能不完整",
                b,
            )
            continue
        kept.append(b)
    return kept


def _add_project(b: Block, doc: ParsedDocument, problems: _Problems) -> None:
    assert b.name is not None
    i = len(doc.projects) + 1
    where = project_place(i, b.name)
    for note in b.notes:
        doc.warnings.append(note)
    for item in b.skipped:
        item.file = item.file or problems.file
        doc.skipped.append(item)
    if not b.rows or not any(distinct(r.cells) for r in b.rows):
        problems.add(diagnose_empty(b, where), b)
        return
    skipped = None if problems.strict else doc.skipped
    indicators = build_indicators(b, order=i, name=b.name, warnings=doc.warnings, skipped=skipped, file=problems.file)
    if not indicators:
        problems.add(diagnose_empty(b, where), b)
        return
    project = ParsedProject(name=b.name, goal=b.goal, order=i, indicators=indicators, location=where)
    if not project.goal:
        doc.warnings.append(f"{project.location}：没有找到绩效目标文字")
    check_groups(project, doc.warnings)
    doc.projects.append(project)


def check_groups(project: ParsedProject, warnings: list[str]) -> None:
    present = {i.level1 for i in project.indicators}
    missing = [n for n in ("产出指标", "效益指标", "满意度指标") if n not in present]
    if missing:
        warnings.append(f"{project.location}：没有{'、'.join(missing)}")


# ---------------------------------------------------------------------------- public entry points


def parse_grids(
    grids: Sequence[Sequence[Sequence[str | None]]],
    doc: ParsedDocument | None = None,
    *,
    source_name: str = "",
    source_format: str = "grid",
    table_names: Sequence[str] | None = None,
    headings: Sequence[str | None] | None = None,
) -> ParsedDocument:
    """Tables as grids → ParsedDocument: the one entry point for any source of tables (PDF …).

    grids: one grid per table, in document order; a grid is a list of rows, a row a list of cell
      texts; None or "" for an empty cell or the continuation of a merged cell (merged cells may
      also repeat their text). Rows may be shorter than the header (merged cells left out): they
      are re-aligned by content. A title line above a table ("XX项目绩效目标表", "项目名称：XX")
      can be given as a one-cell row at the top of its grid, or in headings.
    doc: the document to add the projects to (department, year … already set); a new one if None.
    source_name: the file name, for messages and SkippedItem.file.
    source_format: ParsedDocument.source_format when doc is None ("pdf" …).
    table_names: how each table is named in messages (default "第N个表格"); SkippedItem.table.
    headings: the title text just above each table (None where there is none), used as the
      project name when the table names none itself.

    A grid without a header of its own that follows a table (a table continued on the next
    page) adds its rows to that table. Rows that are not indicators and cells that cannot be
    read are listed in doc.skipped; ImportFormatError (Chinese, with the place) only when
    nothing usable is found.
    """
    doc = doc if doc is not None else ParsedDocument(source_format=source_format)
    blocks: list[Block] = []
    last: Block | None = None
    for k, grid in enumerate(grids):
        name = table_names[k] if table_names and k < len(table_names) else f"第{k + 1}个表格"
        heading = _heading_name(headings[k] if headings and k < len(headings) else None)
        found = scan_grid(grid, lambda r, name=name: f"{name}第{r + 1}行", heading=heading, table=name)
        if last is not None and not heading and _continues(found, last):
            _append_rows(last, grid, name)
            continue
        if last is not None and not heading and _repeats_header(found, last):
            _merge_into(last, found[0])  # the header repeated on the next page
            found = found[1:]
        blocks.extend(found)
        with_columns = [b for b in found if b.columns is not None]
        if with_columns:
            last = with_columns[-1]
    return finish(blocks, doc, source_label=source_name)


def _heading_name(text: str | None) -> str | None:
    """The project name in a title line above a table ("XX项目绩效目标表", "项目名称：XX")."""
    if not text or not text.strip():
        return None
    heading = parse_heading(text)
    if heading is not None:
        return heading.name or None
    return inline_name(text) or text.strip()


def _continues(found: list[Block], last: Block) -> bool:
    """No block of its own (no header, title or 项目名称): the rows continue the last table."""
    return not any(b.columns is not None or b.name for b in found)


def _repeats_header(found: list[Block], last: Block) -> bool:
    first = found[0] if found else None
    return (
        first is not None
        and first.started_by == "header"
        and not first.name
        and first.columns is not None
        and last.columns is not None
        and first.columns.index == last.columns.index
    )


def _merge_into(last: Block, cont: Block) -> None:
    last.rows.extend(cont.rows)
    last.skipped.extend(cont.skipped)
    last.notes.extend(cont.notes)
    last.short_rows += cont.short_rows


def _append_rows(last: Block, grid: Sequence[Sequence[str | None]], name: str) -> None:
    from tracker.importers.grid import GridScanner

    scanner = GridScanner(lambda r: f"{name}第{r + 1}行", table=name)
    cont = Block(name=last.name, columns=last.columns, started_by="header", table=name)
    scanner.blocks.append(cont)
    scanner.cur = cont
    scanner.scan(grid)
    last.rows.extend(cont.rows)
    last.skipped.extend(cont.skipped)
    last.notes.extend(cont.notes)
    last.short_rows += cont.short_rows


def parse_lines(
    lines: Sequence[str],
    doc: ParsedDocument | None = None,
    *,
    source_name: str = "",
    source_format: str = "text",
) -> ParsedDocument:
    """Text lines (PDF text layer, a text rendering) → ParsedDocument, through the same cell grammar.

    Each line is a row whose cells are separated by tabs, pipes or runs of 2+ spaces; or one
    cell per line (blank lines, a trailing " |" mean nothing), cut into rows by the header's
    columns and the vocabulary. See tracker.importers.lines.
    """
    from tracker.importers.lines import grid_from_lines

    doc = doc if doc is not None else ParsedDocument(source_format=source_format)
    grid, numbers = grid_from_lines(lines)
    where = f"“{source_name}”" if source_name else "文本"
    blocks = scan_grid(grid, lambda r: f"{where}第{numbers[r]}行", row_number=lambda r: numbers[r])
    return finish(blocks, doc, source_label=source_name)


__all__ = [
    "Block",
    "Columns",
    "RawRow",
    "RowError",
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
    "parse_grids",
    "parse_heading",
    "parse_lines",
    "project_place",
    "refine_columns",
    "scan_grid",
]
