"""Plausibility warnings (issue 10, daily use 3)."""

from datetime import date
from decimal import Decimal as D

import pytest

from tracker.domain.plausibility import spending_warnings, value_warnings
from tracker.domain.targets import parse_target


def codes(ws):
    return [w.code for w in ws]


@pytest.mark.parametrize(
    ("target", "level2", "value", "unit", "expected"),
    [
        ("≤18万元/辆", "成本指标", "175000", "", ["yuan_wan"]),  # the probe's case
        ("≤18万元/辆", "成本指标", "17.5", "", []),
        ("≤18万元/辆", "成本指标", "175000", "元/辆", []),  # typed in 元: converts to 17.5万元
        ("≥95%", None, "9500", "%", ["far_off"]),
        ("≥95%", None, "0.95", "%", ["far_off"]),  # a fraction typed for a percentage
        ("≥95%", None, "96", "", []),
        ("4个", None, "3", "", []),
        ("≥100个", None, "100000", "", ["far_off"]),
        ("明显提升", None, "5", "", []),  # qualitative: nothing to compare
        ("0次", None, "1", "", []),  # a target of 0: no ratio
    ],
)
def test_value_warnings(target, level2, value, unit, expected):
    assert codes(value_warnings(D(value), unit, parse_target(target, level2=level2))) == expected


def test_slip_message_says_what_to_type():
    (w,) = value_warnings(D("175000"), "", parse_target("≤18万元/辆", level2="成本指标"))
    assert "可能把“元”当成了“万元”" in w.message and "17.5 万元" in w.message


def test_same_date_is_a_likely_double_entry():
    ws = value_warnings(D("5"), "", parse_target("≥10个"), as_of=date(2023, 6, 30), same_date_values=[D("5")])
    assert codes(ws) == ["duplicate_date"] and "2023-06-30" in ws[0].message and "更正" in ws[0].message


@pytest.mark.parametrize(
    ("amount", "budget", "spent", "dup", "expected"),
    [
        (D("3"), D("12"), D("2"), False, []),
        (D("30000"), D("12"), D("0"), False, ["yuan_wan"]),
        (D("13"), D("12"), D("0"), False, ["over_budget"]),
        (D("5"), D("12"), D("10"), False, ["over_budget"]),
        (D("3"), D("12"), D("0"), True, ["duplicate_payment"]),
        (D("3"), None, D("0"), False, []),
    ],
)
def test_spending_warnings(amount, budget, spent, dup, expected):
    assert codes(spending_warnings(amount, budget_wan=budget, spent_wan=spent, same_day_same_amount=dup)) == expected
