"""Units of targets and actual values (DOMAIN.md §3).

A unit is kept as written after normalisation (full-width → half-width, ％/百分比 → %,
㎡ → 平方米). Only a leading scale prefix of the first component is converted:
万元 = 10 000 元, 亿元 = 10^8 元, 万度 = 10 000 度, 万元/年 = 10 000 元/年, and ‰ = 0.1 %.
Rates such as 元/月/人 or 万元/年 are compared as written: there is no time conversion,
and physical units (吨/千克, 亩/平方米) are not converted into each other.

All arithmetic is Decimal; floats never enter.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from tracker.domain import DomainError


class UnitError(DomainError):
    """A number or a unit could not be understood, or two units cannot be compared."""


# ---------------------------------------------------------------------------
# text normalisation shared with targets.py

_HALFWIDTH: dict[int, int | None] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！..～ → !..~
_HALFWIDTH.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x200A: 0x20,
        0x202F: 0x20,
        0x205F: 0x20,
        0x200B: None,  # zero-width space
        0xFEFF: None,
        0x2267: ord("≥"),  # ≧
        0x2A7E: ord("≥"),  # ⩾
        0x2266: ord("≤"),  # ≦
        0x2A7D: ord("≤"),  # ⩽
        0xFE6A: ord("%"),  # ﹪ small percent
        0xFE64: ord("<"),  # ﹤
        0xFE65: ord(">"),  # ﹥
        0xFE66: ord("="),  # ﹦
        0x2212: ord("-"),  # − minus sign
        0x2550: ord("="),  # ═ box-drawing double line, typed as "=" in 计算符号 columns
        0x2261: ord("="),  # ≡
    }
)


_T2S = None


def to_simplified(text: str) -> str:
    """Traditional characters to Simplified (萬元 → 万元, 不低於 → 不低于, 預算內 → 预算内).

    Uses OpenCC's t2s conversion; Simplified text comes back unchanged.
    """
    global _T2S
    if not text or text.isascii():
        return text
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms (０-９ ％ ． ， ＞ ＝ ／ …) and odd spaces to their plain forms."""
    return text.translate(_HALFWIDTH)


_SPACES = re.compile(r"\s+")
# "1 000" / "12 345 678": digits grouped by single spaces form one number.
_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d])")
# A space that does not sit between two digits carries no meaning.
_LOOSE_SPACE = re.compile(r"(?<!\d) | (?!\d)")


def squeeze_spaces(text: str) -> str:
    """Drop whitespace, except between two digits (where it would merge two numbers).

    "≥ 95 %" → "≥95%", "1 000元" → "1000元", but "5 10个" keeps its space (and so
    does not parse as a number).
    """
    s = _SPACES.sub(" ", text).strip()
    s = _SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), s)
    return _LOOSE_SPACE.sub("", s)


# A number as written in a published table: 95, 22.5, 57917.17, 1,000, 12,345.6.
NUMBER_PATTERN = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"


def number_from_text(digits: str) -> Decimal:
    """Decimal of a string matching NUMBER_PATTERN (thousands separators removed)."""
    return Decimal(digits.replace(",", ""))


# ---------------------------------------------------------------------------
# units

# Written forms that mean the same unit; applied to each "/"-component.
_COMPONENT_ALIASES = {
    "百分比": "%",
    "百分率": "%",
    "比例": "%",
    "百分数": "%",
    "千分比": "‰",
    "千分率": "‰",
    "㎡": "平方米",
    "m²": "平方米",
    "m2": "平方米",
    "M2": "平方米",
    "平米": "平方米",
    "万㎡": "万平方米",
    "万m²": "万平方米",
    "万m2": "万平方米",
    "万平米": "万平方米",
    "㎥": "立方米",
    "m³": "立方米",
    "m3": "立方米",
    "M3": "立方米",
    "万㎥": "万立方米",
    "万m³": "万立方米",
    "万m3": "万立方米",
    "㎞": "公里",
    "㎏": "千克",
}

# Leading scale prefixes of the first component, longest first.
_SCALE_PREFIXES = (
    ("万亿", Decimal(10) ** 12),
    ("千万", Decimal(10) ** 7),
    ("百万", Decimal(10) ** 6),
    ("十万", Decimal(10) ** 5),
    ("亿", Decimal(10) ** 8),
    ("万", Decimal(10) ** 4),
)

# Base units that have another common name (after the scale prefix is removed).
_BASE_ALIASES = {"千瓦时": "度", "kWh": "度", "kwh": "度", "KWh": "度", "KWH": "度"}

_MONEY_BASE = "元"
# Units that measure a level, not an amount that adds up over the year.
_RATE_UNITS = frozenset({"%", "‰", "个百分点", "百分点", "分", "倍"})


# Ways of writing a product inside a compound unit (元/人*月, 元/人×月, 人•次): all become "·".
_PRODUCT_SIGNS = re.compile(r"[*×xX•・‧∙⋅]")


def normalize_unit(text: str | None) -> str:
    """A unit as written, cleaned: "％" → "%", "百分比"/"比例" → "%", "万 元" → "万元",
    "元／月／人" → "元/月/人", "元/人*月" → "元/人·月", "萬元" → "万元"."""
    if not text:
        return ""
    s = _SPACES.sub("", to_halfwidth(to_simplified(str(text))))
    if len(s) >= 2 and s[0] == "(" and s[-1] == ")":
        s = s[1:-1]
    parts = [_COMPONENT_ALIASES.get(part, part) for part in s.split("/")]
    parts = [
        part if part in _COMPONENT_ALIASES.values() or (part.isascii() and part.isalpha()) else _product(part)
        for part in parts
    ]
    return "/".join(parts)


def _product(part: str) -> str:
    """ "人*月" → "人·月"; a lone sign or one at an end is left alone (not a product)."""
    if len(part) < 3:
        return part
    return part[0] + _PRODUCT_SIGNS.sub("·", part[1:-1]) + part[-1]


def unit_scale(unit: str | None) -> tuple[str, Decimal]:
    """(base unit, factor) so that 1 unit = factor base units.

    "万元" → ("元", 10000), "万元/年" → ("元/年", 10000), "‰" → ("%", 0.1),
    "万" alone → ("", 10000), "个" → ("个", 1), "" → ("", 1).
    """
    u = normalize_unit(unit)
    if u == "‰":
        return "%", Decimal("0.1")
    if u in ("", "%"):
        return u, Decimal(1)
    first, sep, rest = u.partition("/")
    factor = Decimal(1)
    for prefix, scale in _SCALE_PREFIXES:
        if first.startswith(prefix):
            first = first[len(prefix) :]
            factor = scale
            break
    else:
        if first == "千元":
            first, factor = "元", Decimal(1000)
    first = _BASE_ALIASES.get(first, first)
    return first + sep + rest, factor


def _shown(unit: str) -> str:
    return unit if unit else "无单位"


def are_compatible(unit_a: str | None, unit_b: str | None) -> bool:
    """True when values in the two units can be converted into each other."""
    return unit_scale(unit_a)[0] == unit_scale(unit_b)[0]


def convert(value: Decimal, from_unit: str | None, to_unit: str | None) -> Decimal:
    """value expressed in from_unit, converted to to_unit.

    An empty from_unit means "in the target's unit" and returns value unchanged.
    Raises UnitError when the base units differ (吨 → 万元, % → 个).
    """
    if not isinstance(value, Decimal):
        raise UnitError(f"数值“{value}”不是 Decimal，无法换算单位")
    src = normalize_unit(from_unit)
    dst = normalize_unit(to_unit)
    if not src or src == dst:
        return value
    src_base, src_factor = unit_scale(src)
    dst_base, dst_factor = unit_scale(dst)
    if src_base != dst_base:
        raise UnitError(f"单位“{_shown(src)}”无法换算为“{_shown(dst)}”")
    if src_factor == dst_factor:
        return value
    return value * src_factor / dst_factor


_QUANTITY = re.compile(rf"(?P<sign>[-+]?)(?P<num>{NUMBER_PATTERN})(?P<unit>[^0-9]*)")


def parse_quantity(text: str | int | Decimal) -> tuple[Decimal, str]:
    """A value a user typed: "12,000元" → (12000, "元"), "5.4万元" → (5.4, "万元"),
    "95％" → (95, "%"), "３个" → (3, "个"), "12" → (12, "").

    The unit is returned as written (normalised), not converted. Raises UnitError
    with a Chinese message for anything that is not a number.
    """
    if isinstance(text, bool):
        raise UnitError(f"“{text}”不是有效的数值")
    if isinstance(text, int):
        return Decimal(text), ""
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise UnitError(f"“{text}”不是有效的数值")
        return text, ""
    if isinstance(text, float):
        return parse_quantity(repr(text))
    if text is None or not str(text).strip():
        raise UnitError("数值为空，请填写数值")
    raw = str(text).strip()
    s = squeeze_spaces(to_halfwidth(raw))
    m = _QUANTITY.fullmatch(s)
    if m is None or any(ch.isdigit() for ch in m["unit"]):
        raise UnitError(f"“{raw}”不是有效的数值")
    try:
        number = number_from_text(m["num"])
    except InvalidOperation:  # pragma: no cover - the pattern only admits valid numbers
        raise UnitError(f"“{raw}”不是有效的数值") from None
    if m["sign"] == "-":
        number = -number
    return number, normalize_unit(m["unit"])


def is_money_unit(unit: str | None) -> bool:
    """元, 万元, 亿元, 元/月/人, 万元/年 …: the first component is an amount of money."""
    base, _ = unit_scale(unit)
    return base.partition("/")[0] == _MONEY_BASE


def is_rate_unit(unit: str | None) -> bool:
    """A level rather than an amount that adds up: %, ‰, 百分点, 分 (a score), 倍,
    and anything per something (元/月/人, 元/度, 万元/年)."""
    u = normalize_unit(unit)
    return u in _RATE_UNITS or "/" in u


def is_count_unit(unit: str | None) -> bool:
    """A physical or counted quantity that adds up (个, 次, 人次, 平方米, 万度 …):
    not empty, not money, not a rate."""
    u = normalize_unit(unit)
    return bool(u) and not is_money_unit(u) and not is_rate_unit(u)


def check_range(
    value: Decimal, *, what: str, maximum: Decimal, places: int = 6, allow_negative: bool = False
) -> Decimal:
    """Refuse numbers the records cannot hold exactly: too large, too many decimals, negative."""
    if not value.is_finite():
        raise UnitError(f"{what}“{value}”不是有效的数值。")
    # Decide on the exponent first: arithmetic on 1e999999999 overflows the decimal context.
    if value and value.adjusted() > 30:
        raise UnitError(f"{what}过大（应小于 {format(maximum.normalize(), ',f')}），请检查是否多填了位数或单位。")
    if value and value.adjusted() < -30:
        raise UnitError(f"{what}最多保留 {places} 位小数。")
    if value < 0 and not allow_negative:
        raise UnitError(f"{what}不能为负数。")
    if abs(value) >= maximum:
        raise UnitError(f"{what}过大（应小于 {format(maximum.normalize(), ',f')}），请检查是否多填了位数或单位。")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise UnitError(f"{what}最多保留 {places} 位小数。")
    return value
