"""Units (DOMAIN.md §3): normalisation, money and count scales, conversion, user input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain import DomainError
from tracker.domain.units import (
    UnitError,
    are_compatible,
    convert,
    is_count_unit,
    is_money_unit,
    is_rate_unit,
    normalize_unit,
    parse_quantity,
    squeeze_spaces,
    to_halfwidth,
    unit_scale,
)


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("", ""),
        (None, ""),
        ("  个 ", "个"),
        ("％", "%"),
        ("﹪", "%"),
        ("%", "%"),
        ("百分比", "%"),
        ("百分率", "%"),
        ("千分比", "‰"),
        ("‰", "‰"),
        ("万 元", "万元"),
        ("万元／年", "万元/年"),
        ("元 / 月 / 人", "元/月/人"),
        ("㎡", "平方米"),
        ("m²", "平方米"),
        ("平米", "平方米"),
        ("万㎡", "万平方米"),
        ("元/㎡", "元/平方米"),
        ("㎥", "立方米"),
        ("（%）", "%"),
        ("ｋＷｈ", "kWh"),
        ("平方米", "平方米"),
        ("人次", "人次"),
        # 2026-11: unit words, Traditional characters, compound units
        ("比例", "%"),
        ("百分数", "%"),
        ("萬元", "万元"),
        ("億元", "亿元"),
        ("個", "个"),
        ("萬元／年", "万元/年"),
        ("元/人*月", "元/人·月"),
        ("元/人×月", "元/人·月"),
        ("元/人•月", "元/人·月"),
        ("元/人·月", "元/人·月"),
        ("人*次", "人·次"),
        ("/株", "/株"),
        ("kWh", "kWh"),  # latin units are left alone
        ("*", "*"),
    ],
)
def test_normalize_unit(written, normalized):
    assert normalize_unit(written) == normalized


@pytest.mark.parametrize(
    ("unit", "base", "factor"),
    [
        ("万元", "元", 10000),
        ("亿元", "元", 10**8),
        ("元", "元", 1),
        ("千元", "元", 1000),
        ("百万元", "元", 10**6),
        ("千万元", "元", 10**7),
        ("万元/年", "元/年", 10000),
        ("万元/辆", "元/辆", 10000),
        ("元/月/人", "元/月/人", 1),
        ("万度", "度", 10000),
        ("度", "度", 1),
        ("万千瓦时", "度", 10000),
        ("kWh", "度", 1),
        ("万平方米", "平方米", 10000),
        ("万㎡", "平方米", 10000),
        ("万亩", "亩", 10000),
        ("万人次", "人次", 10000),
        ("万人", "人", 10000),
        ("%", "%", 1),
        ("％", "%", 1),
        ("百分比", "%", 1),
        ("‰", "%", Decimal("0.1")),
        ("个", "个", 1),
        ("吨", "吨", 1),
        ("", "", 1),
        ("万", "", 10000),
        ("亿", "", 10**8),
        ("萬元", "元", 10000),
        ("億元", "元", 10**8),
        ("元/人*月", "元/人·月", 1),
        ("比例", "%", 1),
    ],
)
def test_unit_scale(unit, base, factor):
    got_base, got_factor = unit_scale(unit)
    assert (got_base, got_factor) == (base, Decimal(factor))
    assert isinstance(got_factor, Decimal)


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        ("12000", "元", "万元", "1.2"),
        ("1.2", "万元", "元", "12000"),
        ("5.4", "万元", "元", "54000"),
        ("3", "亿元", "万元", "30000"),
        ("25000", "万元", "亿元", "2.5"),
        ("150000000", "元", "亿元", "1.5"),
        ("2300", "元/月/人", "元/月/人", "2300"),
        ("225000", "元/年", "万元/年", "22.5"),
        ("5000000", "度", "万度", "500"),
        ("500", "万度", "度", "5000000"),
        ("3", "‰", "%", "0.3"),
        ("0.3", "%", "‰", "3"),
        ("95", "％", "%", "95"),
        ("95", "百分比", "%", "95"),
        ("20000", "平方米", "万平方米", "2"),
        ("7", "个", "个", "7"),
        ("7", "", "个", "7"),  # no unit entered: same as the target's
        ("7", None, "万元", "7"),
        ("5", "万", "", "50000"),
        ("0", "元", "万元", "0"),
        ("-100", "元", "万元", "-0.01"),
    ],
)
def test_convert(value, src, dst, expected):
    result = convert(Decimal(value), src, dst)
    assert result == Decimal(expected)
    assert isinstance(result, Decimal)


def test_convert_same_unit_returns_value_unchanged():
    value = Decimal("22.50")
    assert convert(value, "万元/年", "万元/年") is value


def test_convert_is_exact():
    # 1/3 of a 万元 is not representable exactly, but 12345.67 元 is.
    assert convert(Decimal("12345.67"), "元", "万元") == Decimal("1.234567")
    assert convert(convert(Decimal("12345.67"), "元", "万元"), "万元", "元") == Decimal("12345.67")


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("吨", "万元"),
        ("%", "个"),
        ("元", "元/月/人"),
        ("元/年", "元/月"),
        ("个", "次"),
        ("度", "平方米"),
        ("个", ""),
        ("亩", "平方米"),  # not converted: 1 亩 is not a whole number of 平方米
    ],
)
def test_convert_incompatible_raises_in_chinese(src, dst):
    with pytest.raises(UnitError) as excinfo:
        convert(Decimal("1"), src, dst)
    message = str(excinfo.value)
    assert src in message
    assert "无法换算" in message
    assert isinstance(excinfo.value, DomainError)
    assert isinstance(excinfo.value, ValueError)


def test_convert_message_names_both_units():
    with pytest.raises(UnitError, match="单位“吨”无法换算为“万元”"):
        convert(Decimal("1"), "吨", "万元")
    with pytest.raises(UnitError, match="单位“个”无法换算为“无单位”"):
        convert(Decimal("1"), "个", "")


def test_convert_rejects_floats():
    with pytest.raises(UnitError):
        convert(1.5, "元", "万元")  # type: ignore[arg-type]


def test_are_compatible():
    assert are_compatible("元", "万元")
    assert are_compatible("‰", "%")
    assert are_compatible("万度", "千瓦时")
    assert not are_compatible("元", "个")
    assert not are_compatible("元/月", "元/年")


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("12,000元", "12000", "元"),
        ("12，000元", "12000", "元"),
        ("1,234,567.89元", "1234567.89", "元"),
        ("5.4万元", "5.4", "万元"),
        ("95%", "95", "%"),
        ("95％", "95", "%"),
        ("９５．５％", "95.5", "%"),
        ("３个", "3", "个"),
        ("12", "12", ""),
        (" 12 ", "12", ""),
        ("1 000 元", "1000", "元"),
        ("0", "0", ""),
        ("-3.5", "-3.5", ""),
        ("+3", "3", ""),
        ("2300元/月/人", "2300", "元/月/人"),
        ("300㎡", "300", "平方米"),
        ("3‰", "3", "‰"),
        ("57917.17平方米", "57917.17", "平方米"),
        ("5萬元", "5", "万元"),
        ("2300元/人*月", "2300", "元/人·月"),
    ],
)
def test_parse_quantity(text, number, unit):
    got_number, got_unit = parse_quantity(text)
    assert got_number == Decimal(number)
    assert isinstance(got_number, Decimal)
    assert got_unit == unit


def test_parse_quantity_accepts_numbers():
    assert parse_quantity(12) == (Decimal(12), "")
    assert parse_quantity(Decimal("1.5")) == (Decimal("1.5"), "")
    assert parse_quantity(0.1) == (Decimal("0.1"), "")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["abc", "≥95%", "约12个", "一百", "12.3.4", "1,00", "1e3", ".5", "12-15个", "NaN", "Infinity", "%", "--3"],
)
def test_parse_quantity_rejects_non_numbers(text):
    with pytest.raises(UnitError) as excinfo:
        parse_quantity(text)
    assert f"“{text.strip()}”不是有效的数值" == str(excinfo.value)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_quantity_rejects_empty(text):
    with pytest.raises(UnitError, match="数值为空"):
        parse_quantity(text)  # type: ignore[arg-type]


def test_parse_quantity_rejects_special_decimals():
    with pytest.raises(UnitError):
        parse_quantity(Decimal("NaN"))
    with pytest.raises(UnitError):
        parse_quantity(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("unit", "money", "rate", "count"),
    [
        ("元", True, False, False),
        ("万元", True, False, False),
        ("亿元", True, False, False),
        ("元/月/人", True, True, False),
        ("万元/年", True, True, False),
        ("元/度", True, True, False),
        ("%", False, True, False),
        ("％", False, True, False),
        ("‰", False, True, False),
        ("个百分点", False, True, False),
        ("分", False, True, False),
        ("次/年", False, True, False),
        ("个", False, False, True),
        ("次", False, False, True),
        ("人次", False, False, True),
        ("万度", False, False, True),
        ("平方米", False, False, True),
        ("天", False, False, True),
        ("", False, False, False),
        ("万", False, False, True),
    ],
)
def test_unit_classes(unit, money, rate, count):
    assert is_money_unit(unit) is money
    assert is_rate_unit(unit) is rate
    assert is_count_unit(unit) is count


def test_traditional_to_simplified():
    from tracker.domain.units import to_simplified

    assert to_simplified("≥80萬元") == "≥80万元"
    assert to_simplified("不低於95％") == "不低于95％"
    assert to_simplified("控制在預算範圍內") == "控制在预算范围内"
    assert to_simplified("≥95%") == "≥95%"  # ASCII and Simplified text unchanged
    assert to_simplified("满意度≥90%") == "满意度≥90%"
    assert to_simplified("") == ""


def test_money_in_traditional_converts():
    assert convert(Decimal("1"), "萬元", "元") == Decimal("10000")
    assert is_money_unit("萬元/年")


def test_text_helpers():
    assert to_halfwidth("═＝") == "=="
    assert to_halfwidth("０１２３４５６７８９％．，＞＝＜／　") == "0123456789%.,>=</ "
    assert to_halfwidth("≧≦") == "≥≤"
    assert squeeze_spaces("≥ 95 %") == "≥95%"
    assert squeeze_spaces("1 000 000元") == "1000000元"
    assert squeeze_spaces("5 10个") == "5 10个"


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False),
    st.sampled_from(["元", "万元", "亿元", "千元"]),
    st.sampled_from(["元", "万元", "亿元", "千元"]),
)
def test_money_conversion_round_trips(value, src, dst):
    there = convert(value, src, dst)
    assert convert(there, dst, src) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_parse_quantity_raises_only_unit_errors(text):
    try:
        number, unit = parse_quantity(text)
    except UnitError:
        return
    assert isinstance(number, Decimal) and number.is_finite()
    assert isinstance(unit, str)


@pytest.mark.parametrize("text", ["1e999999999", "-1e999999999", "1e-999999999", "9" * 400])
def test_check_range_refuses_absurd_exponents_without_overflowing(text):
    """Issue 10 security 6: 1e999999999 in a weight was a 500 (decimal.Overflow)."""
    from decimal import Decimal

    from tracker.domain.units import UnitError, check_range

    with pytest.raises(UnitError):
        check_range(Decimal(text), what="分值", maximum=Decimal(101), places=2, allow_negative=True)
