"""Parse a published 指标值 into a structured target (DOMAIN.md §3).

parse_target never raises: anything it does not understand becomes a qualitative
target that keeps the raw text.

Grammar, tried in this order on the text after normalisation (Traditional characters to
Simplified, full-width forms to half-width, ═ ＝ → "=", whitespace dropped, ">=" → "≥",
"<=" → "≤"):

1. within budget: 控制在预算内, 控制在预算成本内, 预算范围内, 不超(过)预算, ≤预算 …
2. deadline ([lead] date [前|之前|以前] [action without digits]):
   - 每月N日前… → monthly_day=N (recurring; 每月底前 is not understood → qualitative);
   - [YYYY年]M月D日[前]…, YYYY-MM-DD → year/month/day;
   - [YYYY年]M月底前 / M月末 → month, day=None meaning the last day of that month;
   - [YYYY]年底前 / 年末 / 年内 / 本年度内 → month 12, day None;
   - 上半年 → 6月底; [第]N季度[末] → 3N月底; YYYY年M月 / M月份 → M月底;
   - M月完成/M月到位… (a month followed by an action word) → M月底.
   - [YYYY年]M月前 / M月之前 → strictly before month M: the last day of month M−1, with
     a ``note`` saying so (shown in the import preview so the user can correct it);
     "1月前" without a year is not representable → qualitative;
   - a "100%" after the date belongs to the action (12月底前100%到位 → 12月底); any
     other number after a date (12月底前完成50%) is a second target → qualitative.
   year is None when not written (= the budget year). Relative years (次年3月底前) are
   not representable → qualitative. A bare "12月" is a count of months, not a deadline.
3. quantitative: [label] [neutral word] [operator] number [unit] [suffix]
   - operator: ≥ ≧ >= 不低于 不少于 不小于 大于等于 至少 最低 … → ≥;
     ≤ ≦ <= 不高于 不超过 不超 不多于 不大于 至多 最高 … → ≤; = 等于 → =;
     > 大于 高于 超过 多于 → >; < 小于 低于 少于 不足 → <.
   - suffix: 以上 及以上 → ≥; 以下 及以下 以内 之内 内 → ≤. A prefix and a suffix of
     the same direction agree (≥95%以上 → ≥95 %); opposite directions → qualitative.
   - neutral words: 达到 (≥ unless a suffix says otherwise), 控制在 (≤ unless a suffix
     says otherwise), 保持在/维持在/稳定在 (no operator of their own).
   - bare number: "=" with implicit_op=True; under a 成本 二级指标 a bare amount in money
     (or without unit) is a ceiling "≤". "万" alone under 成本 means 万元.
   - a label before the quantity ("满意度≥90%", "安全事故0起", "合格率100%") is accepted
     only when it is plain words without comparison/change/time words (较 比 增 提 降 内
     前 后 约 不 …) and an operator is written, the value is 0 or the unit is % / ‰.
   - the unit must look like a unit (个 次 元/月/人 万平方米 % ‰ kWh …): no digits, no
     prose characters (内 前 后 以 完 成 率 …), so "3年内完成" is not "3 年".
   - a 4-digit calendar year (2023年) is not a quantity.
   - ±N (±3%以内): a ceiling on the deviation, "≤ N", with a ``note``.
   - 达到目标值95% / 达到预计值2100: the label after 达到 is dropped (达到 → ≥).
   - a note in brackets after the quantity (100%（计划标准）, 90%(历史标准)) is dropped
     (the raw text keeps it); a completion word after a percentage (100%覆盖, 100%完成)
     too.
   - compound units (元/人*月 → 元/人·月) and a unit without numerator (≤28.40/株: under
     成本指标 it is 元/株).
4. hints, for a quantity only: a written operator or unit in the cell always wins; else
   the split columns (op_hint from 计算符号/指标性质, unit_hint from 度量单位), else the
   三级 name (苗木成活率（≥**%） with 85 → ≥ 85 %; 项目总投入（万元）; 受益人数≥**人).
   A hint never turns text into a number.
5. everything else: qualitative, raw kept.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.domain.units import (
    NUMBER_PATTERN,
    is_money_unit,
    normalize_unit,
    number_from_text,
    squeeze_spaces,
    to_halfwidth,
    to_simplified,
)
from tracker.domain.vocab import TargetKind

KIND_QUANTITATIVE = TargetKind.QUANTITATIVE
KIND_QUALITATIVE = TargetKind.QUALITATIVE
KIND_DEADLINE = TargetKind.DEADLINE
KIND_WITHIN_BUDGET = TargetKind.WITHIN_BUDGET
KINDS = tuple(TargetKind)

OPS = ("≥", "≤", "=", ">", "<")
POSITIVE_OPS = ("≥", "=", ">")
REVERSE_OPS = ("≤", "<")


@dataclass(frozen=True)
class Target:
    raw: str
    kind: str
    op: str | None = None
    value: Decimal | None = None
    unit: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    monthly_day: int | None = None
    # True when a bare number got its operator by rule (= for counts, ≤ under 成本指标)
    # rather than from a written operator.
    implicit_op: bool = False
    # How an unusual form was read, for the import preview ("“6月前”按6月1日之前理解…").
    # Not stored with the indicator: the preview shows it before the user confirms.
    note: str = ""

    @property
    def direction(self) -> str | None:
        """正向 for ≥ = >, 反向 for ≤ <, None when not quantitative."""
        if self.op in POSITIVE_OPS:
            return "正向"
        if self.op in REVERSE_OPS:
            return "反向"
        return None

    def describe(self) -> str:
        """A short Chinese description of the parse, shown next to the raw text."""
        suffix = f"（{self.note}）" if self.note else ""
        if self.kind == KIND_QUANTITATIVE:
            return f"{self.op} {format_decimal(self.value)} {self.unit}".strip() + suffix
        if self.kind == KIND_DEADLINE:
            if self.monthly_day:
                return f"截止日期：每月{self.monthly_day}日前"
            parts = []
            if self.year:
                parts.append(f"{self.year}年")
            parts.append(f"{self.month}月")
            parts.append(f"{self.day}日前" if self.day else "底前")
            return "截止日期：" + "".join(parts) + suffix
        if self.kind == KIND_WITHIN_BUDGET:
            return "控制在预算内"
        return "定性"

    @property
    def is_zero_ceiling(self) -> bool:
        """A target of 0 that nothing may exceed: "0次", "安全事故0起", "=0", "≤0起"
        (DOMAIN.md §5: t = 0 → a ≤ 0 → w, else 0). "≥0" and ">0" are floors, not this case."""
        return self.kind == KIND_QUANTITATIVE and self.value == 0 and self.op in ("=", "≤", "<")

    @property
    def is_recurring(self) -> bool:
        """A monthly deadline (每月N日前)."""
        return self.kind == KIND_DEADLINE and self.monthly_day is not None

    def due_date(self, budget_year: int) -> date | None:
        """The deadline as a date: the budget year unless the target names a year;
        "N月底前" (day None) is the last day of that month. None for recurring
        (每月N日前) targets and for anything that is not a deadline."""
        if self.kind != KIND_DEADLINE or self.month is None or self.monthly_day is not None:
            return None
        year = self.year or budget_year
        last = calendar.monthrange(year, self.month)[1]
        return date(year, self.month, min(self.day or last, last))

    def due_date_in_month(self, year: int, month: int) -> date | None:
        """For 每月N日前: that month's due date (day N, or the month's last day when
        the month is shorter). None when the target is not recurring."""
        if not self.is_recurring or self.monthly_day is None:
            return None
        last = calendar.monthrange(year, month)[1]
        return date(year, month, min(self.monthly_day, last))


def format_decimal(value: Decimal | None) -> str:
    """Plain notation without exponent or trailing zeros: 22.50 → 22.5, 1E+2 → 100."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


# ---------------------------------------------------------------------------
# parsing


def parse_target(
    text: str | None,
    *,
    level2: str | None = None,
    name: str | None = None,
    op_hint: str | None = None,
    unit_hint: str | None = None,
) -> Target:
    """The structured target of a published 指标值; never raises.

    level2 is the 二级指标 name as published (spaces and score suffixes allowed):
    under 成本指标 a bare amount is a ceiling (≤) rather than "=".
    name is the 三级指标 name, which may carry the operator and unit
    (苗木成活率（≥**%）, 项目总投入（万元）). op_hint and unit_hint are the cells of a
    separate 计算符号/指标性质 and 度量单位 column. All hints apply only to a quantity
    whose cell does not write the operator or unit itself.
    """
    try:
        raw = "" if text is None else str(text).strip()
    except Exception:  # a str() that fails: nothing to keep
        raw = ""
    if not raw:
        return Target(raw=raw, kind=KIND_QUALITATIVE)
    try:
        return _parse(raw, level2, _Hints.of(name, op_hint, unit_hint))
    except Exception:  # the contract is "never raise": fall back to the raw text
        return Target(raw=raw, kind=KIND_QUALITATIVE)


@dataclass(frozen=True)
class _Hints:
    op: str | None = None  # from the operator column
    unit: str = ""  # from the unit column
    name_op: str | None = None  # from the 三级 name
    name_unit: str = ""

    @classmethod
    def of(cls, name: str | None, op_hint: str | None, unit_hint: str | None) -> _Hints:
        name_op, name_unit = _name_hint(name)
        return cls(_op_hint(op_hint), _unit_hint(unit_hint), name_op, name_unit)


def _parse(raw: str, level2: str | None, hints: _Hints | None = None) -> Target:
    s = _prepare(raw)
    if not s or len(s) > _MAX_STRUCTURED_LENGTH:
        return Target(raw=raw, kind=KIND_QUALITATIVE)
    if _is_within_budget(s):
        return Target(raw=raw, kind=KIND_WITHIN_BUDGET)
    deadline = _parse_deadline(raw, s)
    if deadline is not None:
        return deadline
    quantity = _parse_quantitative(s)
    if quantity is not None:
        return _finish(raw, quantity, _is_cost(level2), hints or _Hints())
    return Target(raw=raw, kind=KIND_QUALITATIVE)


# A 指标值 longer than this is prose (and regexes stay linear on short strings).
_MAX_STRUCTURED_LENGTH = 80

_OP_SPELLINGS = (
    ("≥=", "≥"),
    (">=", "≥"),
    ("=>", "≥"),
    ("≤=", "≤"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("==", "="),
    ("≮", "≥"),
    ("≯", "≤"),
    ("+/-", "±"),
    ("+-", "±"),
)
_TRAILING_PUNCT = "。；;，,、.!！"


def _prepare(raw: str) -> str:
    s = squeeze_spaces(to_halfwidth(to_simplified(raw)))
    for written, op in _OP_SPELLINGS:
        s = s.replace(written, op)
    return s.rstrip(_TRAILING_PUNCT)


def _is_cost(level2: str | None) -> bool:
    if not level2:
        return False
    return "成本" in re.sub(r"\s+", "", str(level2))


# -- within budget ----------------------------------------------------------

_SUBJECT = r"(?:项目成本|项目支出|总成本|成本|支出|费用|资金|经费)?"
_BUDGET = r"(?:年度|项目|批复|核定|本年度)?(?:的)?预算(?:成本|金额|资金|总额|批复数|数|额|标准|经费)?"
_WITHIN_BUDGET = (
    re.compile(_SUBJECT + r"(?:严格)?(?:控制)?(?:在|于)?" + _BUDGET + r"(?:的)?(?:范围)?(?:以|之)?内"),
    re.compile(_SUBJECT + r"(?:不|未|没有|无)(?:超过|超出|超|高于|大于|突破)" + _BUDGET + r"(?:范围)?"),
    re.compile(_SUBJECT + r"[≤<]" + _BUDGET),
)


def _is_within_budget(s: str) -> bool:
    return any(p.fullmatch(s) for p in _WITHIN_BUDGET)


# -- deadlines --------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _small_int(text: str) -> int | None:
    """12, "十二", "三十一" → int; None when not a plain small number."""
    if text.isascii() and text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        o = _CN_DIGITS.get(ones, -1) if ones else 0
        if t < 1 or o < 0:
            return None
        return t * 10 + o
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


_LEAD = r"(?:确保|力争|争取|计划|预计|须|需|应|要|截止|截至)?(?:到|于|在)?"
_YEAR = r"(?:(?P<year>[0-9]{4})年(?:度)?)?"
_MONTH = r"(?P<month>[0-9]{1,2}|[一二三四五六七八九十]{1,2})"
_DAY = r"(?P<day>[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_BEFORE = r"(?:之前|以前|前|止)?"
_TAIL = r"(?P<tail>.*)"
_ACTIONS = "完成|实现|交付|竣工|验收|到位|发放|支付|拨付|办结|启动|开工|上线|投入使用|投用"

# (pattern, fixed month or None, whether a tail starting with 前 is refused: "10月前" and
# "10月份前" may mean before October starts or by its end, so they stay qualitative)
# "6月前", "2025年10月之前完成": strictly before month M starts, i.e. by the end of M−1.
_BEFORE_MONTH = re.compile(_LEAD + _YEAR + _MONTH + r"月(?:份)?(?:之前|以前|前)" + _TAIL)
_MONTHLY = re.compile(_LEAD + r"每(?:个)?月(?:的)?" + _DAY + r"(?:日|号)" + _BEFORE + _TAIL)
_DEADLINES: tuple[tuple[re.Pattern[str], int | None, bool], ...] = (
    (_MONTHLY, None, False),
    (re.compile(_LEAD + _YEAR + _MONTH + r"月(?:份)?" + _DAY + r"(?:日|号)" + _BEFORE + _TAIL), None, False),
    (re.compile(_LEAD + _YEAR + _MONTH + r"月(?:份)?(?:底|末)" + _BEFORE + _TAIL), None, False),
    # "年底前", "2023年底", "2025年年底前", "2025年度年底前"
    (
        re.compile(_LEAD + r"(?:(?P<year>[0-9]{4})(?:年(?:度)?)?|本|当|今)?年(?:度)?(?:底|末|终|内)" + _BEFORE + _TAIL),
        12,
        False,
    ),
    (re.compile(_LEAD + _YEAR + r"上半年(?:底|末)?(?:之前|以前|前|内)?" + _TAIL), 6, False),
    (
        re.compile(_LEAD + _YEAR + r"(?:第)?(?P<quarter>[一二三四1-4])季度(?:末|底)?(?:之前|以前|前|内)?" + _TAIL),
        None,
        False,
    ),
    (re.compile(_LEAD + _YEAR + r"前(?P<quarter>[一二三1-3])(?:个)?季度(?:末|底)?(?:内)?" + _TAIL), None, False),
    (
        re.compile(
            _LEAD + r"(?P<year>[0-9]{4})[-./](?P<month>[0-9]{1,2})[-./](?P<day>[0-9]{1,2})(?:日)?" + _BEFORE + _TAIL
        ),
        None,
        False,
    ),
    (_BEFORE_MONTH, None, False),
    (re.compile(_LEAD + _YEAR + _MONTH + r"月份" + _TAIL), None, True),
    (re.compile(_LEAD + r"(?P<year>[0-9]{4})年" + _MONTH + r"月" + _TAIL), None, True),
    (re.compile(_LEAD + _MONTH + r"月" + r"(?P<tail>(?:" + _ACTIONS + r").*)"), None, True),
)

# What may not follow a date: "后"/"起" (after, from), a range (至 12月), digits (a second
# target such as "12月底前完成50%"), operators.
_BAD_TAIL_START = re.compile(r"(?:后|以后|之后|起|开始|至|~|-|—|到(?=[0-9一二三四五六七八九十本次年月]))")
_BAD_TAIL_CHARS = re.compile(r"[0-9%‰≥≤<>=~]")


# "12月底前100%到位", "年底前完成100%": the full percentage belongs to the action.
_FULL_DONE = re.compile(r"(?:完成|实现|达到)?100%")


def _tail_ok(tail: str, refuse_before: bool) -> bool:
    tail = _FULL_DONE.sub("", tail, count=1)
    if len(tail) > 20 or _BAD_TAIL_CHARS.search(tail) or _BAD_TAIL_START.match(tail):
        return False
    if refuse_before and re.match(r"(?:之前|以前|前)", tail):
        return False
    return not any(ch.isdigit() for ch in tail)


def _parse_deadline(raw: str, s: str) -> Target | None:
    for pattern, fixed_month, refuse_before in _DEADLINES:
        m = pattern.fullmatch(s)
        if m is None or not _tail_ok(m["tail"], refuse_before):
            continue
        groups = m.groupdict()
        year = int(groups["year"]) if groups.get("year") else None
        if year is not None and not 1900 <= year <= 2199:
            return None
        if pattern is _MONTHLY:
            day = _small_int(groups["day"])
            if day is None or not 1 <= day <= 31:
                return None
            return Target(raw=raw, kind=KIND_DEADLINE, monthly_day=day)
        if groups.get("quarter"):
            quarter = _small_int(groups["quarter"])
            month = 3 * quarter if quarter else None
        elif fixed_month is not None:
            month = fixed_month
        else:
            month = _small_int(groups["month"])
        if month is None or not 1 <= month <= 12:
            return None
        if pattern is _BEFORE_MONTH:
            return _before_month(raw, year, month)
        day = None
        if groups.get("day"):
            day = _small_int(groups["day"])
            last = calendar.monthrange(year or 2000, month)[1]  # 2000: 2月29日 allowed
            if day is None or not 1 <= day <= last:
                return None
        return Target(raw=raw, kind=KIND_DEADLINE, year=year, month=month, day=day)
    return None


def _before_month(raw: str, year: int | None, month: int) -> Target | None:
    """ "M月前": the last day of month M−1 (1月前 is the end of the previous year)."""
    due_year: int | None
    if month == 1:
        if year is None:
            return None  # the end of the year before the budget year: not representable
        due_year, due_month = year - 1, 12
    else:
        due_year, due_month = year, month - 1
    shown = f"{due_year}年{due_month}月" if due_year else f"{due_month}月"
    note = f"“{month}月前”按{month}月1日之前理解，即{shown}底前"
    return Target(raw=raw, kind=KIND_DEADLINE, year=due_year, month=due_month, note=note)


# -- quantities -------------------------------------------------------------

_PRE_OPS = {
    "≥": "≥",
    "大于等于": "≥",
    "大于或等于": "≥",
    "不低于": "≥",
    "不少于": "≥",
    "不小于": "≥",
    "不得低于": "≥",
    "不得少于": "≥",
    "不应低于": "≥",
    "不应少于": "≥",
    "至少": "≥",
    "最少": "≥",
    "最低": "≥",
    "≤": "≤",
    "小于等于": "≤",
    "小于或等于": "≤",
    "不高于": "≤",
    "不超过": "≤",
    "不超出": "≤",
    "不超": "≤",
    "不多于": "≤",
    "不大于": "≤",
    "不得超过": "≤",
    "不得高于": "≤",
    "不得多于": "≤",
    "不应超过": "≤",
    "不应高于": "≤",
    "至多": "≤",
    "最多": "≤",
    "最高": "≤",
    "=": "=",
    "等于": "=",
    ">": ">",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "多于": ">",
    "<": "<",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "不足": "<",
    "不到": "<",
}
# Words that frame the number without fixing the operator; their default applies only
# when neither an operator nor a suffix is written.
_NEUTRAL = {
    "达到": "≥",
    "控制在": "≤",
    "控制于": "≤",
    "控制": "≤",
    "保持在": None,
    "保持": None,
    "维持在": None,
    "维持": None,
    "稳定在": None,
    "稳定于": None,
}
_SUFFIX_OPS = {
    "及以上": "≥",
    "或以上": "≥",
    "以上": "≥",
    "及以下": "≤",
    "或以下": "≤",
    "以下": "≤",
    "以内": "≤",
    "之内": "≤",
    "内": "≤",
}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_QUANTITY = re.compile(
    r"(?P<label>.*?)"
    rf"(?P<neutral>{_alternation(_NEUTRAL)})?"
    rf"(?P<pre>{_alternation(_PRE_OPS)})?"
    r"(?P<pm>±)?"
    r"(?P<sign>-)?"
    rf"(?P<num>{NUMBER_PATTERN})"
    r"(?P<unit>[^0-9]*?)"
    rf"(?P<suf>{_alternation(_SUFFIX_OPS)})?"
)
_INCLUSIVE_NOTE = re.compile(r"\(含[^()]*\)")
# 达到目标值95% / 达到预计值2100 / 达到年度目标值: the label after 达到 goes.
_REACH_LABEL = re.compile(r"达到(?:(?:预计|预期|目标|计划|年度目标|年度|设定|规定)(?:值|数)?|标准值)(?=[0-9])")
# A bracketed note after the quantity: 100%（计划标准）, 90%(历史标准). No digits or
# operators inside (those change the meaning); a unit in brackets (≥90（%）) is not a note.
_TRAILING_NOTE = re.compile(r"\((?P<note>[^()0-9≥≤<>=±]+)\)$")
# A completion word after a percentage: 100%覆盖, 95%以上完成.
_DONE_WORD = re.compile(
    r"(?<=[%‰上])(?:覆盖|完成|到位|达标|合格|落实|发放|兑现|执行|公开|办结|实现|验收|支付|拨付|上线|解决|处置|整改)$"
)

_LABEL = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,12}")
# Comparison with a baseline, change, time, approximation, negation: not a plain label.
_LABEL_BAD_CHARS = frozenset("较比增减提升降涨跌长高低多少超内前后以约近余累再每不未无零")

# Units longer than one character that a 指标值 may carry (after normalize_unit).
# A single CJK character (个 次 套 辆 部 层 条 件 人 天 月 年 元 度 亩 吨 分 倍 …) is
# accepted unless it is a prose character; "X次" (人次 户次 车次) too.
_KNOWN_UNITS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text than as 150 quoted items
        # counts and time
        "个月 个工作日 工作日 自然日 小时 分钟 秒钟 季度 个季度 学期 学时 课时 工日 人天 人日 人月 人年 "
        "百分点 个百分点 个点 标准箱 延米 "
        # area, volume, length, mass, energy
        "平方米 平方公里 平方千米 立方米 公里 千米 厘米 毫米 公顷 公斤 千克 毫克 千瓦 千瓦时 兆瓦 兆瓦时 "
        "标准煤 吨标准煤 "
        # latin
        "km m cm mm kg g t L mL ml kW kWh kwh KWh KWH MW MWh h min s dB GB TB MB Mbps M G mg μg"
    ).split()
)
_SCALE_PREFIX = re.compile(r"(?:万亿|千万|百万|十万|万|亿|千)")
# Characters of prose, dates and operators that never occur in a unit.
_UNIT_BAD_CHARS = frozenset(
    "内前后以之上下左右多余来的了及或和与至到达完成提升高降低增减加少确保约近超不未无较比底末初旬号率满意效果好良优差合格按每等"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")

_POSITIVE_DIRECTION = ("≥", ">")
_REVERSE_DIRECTION = ("≤", "<")


def _simple_unit_ok(part: str) -> bool:
    if part in _KNOWN_UNITS:
        return True
    if _CJK_CHAR.fullmatch(part):
        return True
    return len(part) == 2 and part[1] == "次" and bool(_CJK_CHAR.fullmatch(part[0]))  # 人次 户次


def _component_ok(part: str, first: bool) -> bool:
    if first and part in ("%", "‰"):
        return True
    if part in _KNOWN_UNITS:
        return True
    prefix = _SCALE_PREFIX.match(part)
    if prefix:
        part = part[prefix.end() :]
        if not part:
            return first  # "万" alone: a scale (万元 in a money context)
    return all(piece and _simple_unit_ok(piece) for piece in part.split("·"))  # 人·次


def _unit_ok(unit: str) -> bool:
    if not unit:
        return True
    if len(unit) > 12 or any(ch.isdigit() for ch in unit) or _UNIT_BAD_CHARS.intersection(unit):
        return False
    parts = unit.split("/")
    if parts[0] == "" and len(parts) > 1:  # "/株": a rate whose amount has no unit word
        parts = parts[1:]
        return len(parts) <= 2 and all(_component_ok(part, False) for part in parts)
    return len(parts) <= 3 and all(_component_ok(part, i == 0) for i, part in enumerate(parts))


def _combine(pre: str | None, suffix: str | None) -> tuple[str | None, bool]:
    """(operator, consistent) of a written prefix operator and suffix."""
    if pre and suffix:
        same = (pre in _POSITIVE_DIRECTION and suffix in _POSITIVE_DIRECTION) or (
            pre in _REVERSE_DIRECTION and suffix in _REVERSE_DIRECTION
        )
        return (pre, True) if same else (None, False)
    return pre or suffix, True


@dataclass(frozen=True)
class _Quantity:
    value: Decimal
    op: str | None  # None when the cell writes no operator
    unit: str  # normalised, "" when none is written
    note: str = ""


def _parse_quantitative(s: str) -> _Quantity | None:
    s = _INCLUSIVE_NOTE.sub("", s)
    s = _REACH_LABEL.sub("达到", s)
    note = _TRAILING_NOTE.search(s)
    if note and not _unit_ok(normalize_unit(note["note"])):
        s = s[: note.start()]
    s = _DONE_WORD.sub("", s)
    m = _QUANTITY.fullmatch(s)
    if m is None:
        return None
    value = number_from_text(m["num"])
    if m["sign"]:
        value = -value

    unit = normalize_unit(m["unit"])
    if not _unit_ok(unit):
        return None

    op, consistent = _combine(_PRE_OPS.get(m["pre"] or ""), _SUFFIX_OPS.get(m["suf"] or ""))
    if not consistent:
        return None
    neutral = m["neutral"]
    remark = ""
    if m["pm"]:
        # ±3%以内: the deviation may not exceed 3%. Only a ceiling reading makes sense.
        if m["pre"] or m["sign"] or op not in (None, "≤") or (neutral and _NEUTRAL[neutral] == "≥"):
            return None
        op = "≤"
        remark = f"偏差不超过±{format_decimal(value)}{unit}"
    if op is None and neutral:
        op = _NEUTRAL[neutral]

    label = m["label"]
    said_equal = False
    if label and label[-1] in "为是:":
        label, said_equal = label[:-1], True
    if label:
        if m["sign"] or not _LABEL.fullmatch(label) or _LABEL_BAD_CHARS.intersection(label):
            return None
        # "满意度≥90%" restates the indicator; "安全事故0起" is a zero count; "合格率100%"
        # names the rate. A label before any other bare number is prose ("第1名").
        if not (op or neutral or said_equal or value == 0 or unit in ("%", "‰")):
            return None
    elif said_equal:
        return None  # a lone "为5个"

    if unit in ("年", "年度") and value == value.to_integral_value() and 1900 <= value <= 2199:
        return None  # 2023年 is a calendar year, not a number of years
    return _Quantity(value, op, unit, remark)


def _finish(raw: str, q: _Quantity, cost: bool, hints: _Hints) -> Target:
    """The target of a quantity, with the operator and unit the cell leaves out taken from
    the hints (columns first, then the 三级 name) and the 成本指标 rules."""
    op = q.op or hints.op or hints.name_op
    unit = q.unit
    hint_unit = hints.unit or hints.name_unit
    if not unit:
        unit = hint_unit
    elif unit.startswith("/") and hint_unit.endswith(unit) and hint_unit != unit:
        unit = hint_unit  # "≤28.40/株" in a row named 补助成本（≤**元/株）
    if cost:
        first, sep, rest = unit.partition("/")
        if first in ("万", "亿"):
            unit = first + "元" + sep + rest
        elif first == "" and sep:
            unit = "元" + sep + rest  # ≤28.40/株 under 成本指标: 元/株
    implicit = False
    if op is None:
        implicit = True
        op = "≤" if cost and (not unit or is_money_unit(unit)) else "="
    return Target(raw=raw, kind=KIND_QUANTITATIVE, op=op, value=q.value, unit=unit, implicit_op=implicit, note=q.note)


# -- hints from other cells ---------------------------------------------------

_PLACEHOLDER = r"(?:[*xX×N]+|[0-9]+(?:\.[0-9]+)?)"
_NAME_BRACKET = re.compile(r"\((?P<inner>[^()]{1,16})\)")
_NAME_TAIL = re.compile(rf"(?P<pre>{_alternation(_PRE_OPS)})[*xX×]+(?P<unit>[^*()]{{0,8}})$")
_NAME_INNER = re.compile(rf"(?P<pre>{_alternation(_PRE_OPS)})?{_PLACEHOLDER}?(?P<unit>.*)")


def _name_hint(name: str | None) -> tuple[str | None, str]:
    """(operator, unit) written in a 三级 name: 苗木成活率（≥**%） → ("≥", "%"),
    项目总投入（万元） → (None, "万元"), 受益人数≥**人 → ("≥", "人"); (None, "") when none.

    Brackets that are not an operator and/or a unit (项目(工程)验收合格率) are ignored."""
    if not name:
        return None, ""
    s = _prepare(str(name))[:_MAX_STRUCTURED_LENGTH]
    candidates = [m["inner"] for m in _NAME_BRACKET.finditer(s)]
    tail = _NAME_TAIL.search(s)
    if tail:
        candidates.append(tail.group(0))
    for inner in reversed(candidates):
        m = _NAME_INNER.fullmatch(inner)
        if m is None:
            continue
        unit = normalize_unit(m["unit"])
        if not (m["pre"] or unit) or not _unit_ok(unit) or unit.startswith("/"):
            continue
        return _PRE_OPS.get(m["pre"] or ""), unit
    return None, ""


def _op_hint(op_hint: str | None) -> str | None:
    """The operator of a 计算符号/指标性质 cell (≥ ═ 大于等于 …); None for 定性, blank or unknown."""
    if not op_hint:
        return None
    return _PRE_OPS.get(_prepare(str(op_hint)))


def _unit_hint(unit_hint: str | None) -> str:
    """The unit of a 度量单位 cell, normalised; "" when blank or not a unit (无, -, /)."""
    if not unit_hint:
        return ""
    unit = normalize_unit(str(unit_hint))
    return unit if _unit_ok(unit) and not unit.startswith("/") else ""
