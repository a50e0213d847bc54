from datetime import date
from decimal import Decimal as D

import pytest

from tracker.domain.progress import MET, NONE, NOT_MET, Reading, attainment, completions, meets, year_to_date
from tracker.domain.targets import parse_target

R = Reading


def test_year_to_date_sums_cumulative_and_takes_latest_level():
    readings = [R(date(2023, 1, 31), 1, D("3")), R(date(2023, 3, 31), 3, D("5")), R(date(2023, 2, 28), 2, D("4"))]
    assert year_to_date(readings, cumulative=True) == D("12")
    assert year_to_date(readings, cumulative=False) == D("5")
    assert year_to_date([], cumulative=True) is None
    # Same day: the later entry wins.
    assert year_to_date([R(date(2023, 3, 31), 5, D("90")), R(date(2023, 3, 31), 4, D("80"))], cumulative=False) == D(
        "90"
    )


@pytest.mark.parametrize(
    "op, actual, target, expected",
    [
        ("≥", "95", "95", True),
        ("≥", "94.9", "95", False),
        ("=", "8", "7", True),
        (">", "92", "92", False),
        ("≤", "22.5", "22.5", True),
        ("≤", "22.6", "22.5", False),
        ("<", "0.5", "0.6", True),
        (None, "1", "1", False),
    ],
)
def test_meets(op, actual, target, expected):
    assert meets(op, D(actual), D(target)) is expected


TODAY = date(2023, 7, 10)


@pytest.mark.parametrize(
    "raw, level2, readings, cumulative, expected",
    [
        ("≥12次", "数量指标", [R(date(2023, 6, 30), 1, D("6"))], True, NOT_MET),
        ("≥12次", "数量指标", [R(date(2023, 6, 30), 1, D("6")), R(date(2023, 7, 5), 2, D("6"))], True, MET),
        ("≥95%", "质量指标", [R(date(2023, 6, 30), 1, D("96"))], False, MET),
        ("≤0.6元", "成本指标", [R(date(2023, 6, 30), 1, D("0.65"))], False, NOT_MET),
        ("≥95%", "质量指标", [], False, NONE),
        # t = 0: one event already misses the target (it used to count as met: 1 ≥ 0)
        ("0次", "社会效益指标", [R(date(2023, 6, 30), 1, D("1"))], True, NOT_MET),
        ("安全事故0起", "社会效益指标", [R(date(2023, 6, 30), 1, D("0"))], True, MET),
        ("=0", "质量指标", [R(date(2023, 6, 30), 1, D("2"))], False, NOT_MET),
        ("明显提升", "社会效益指标", [R(date(2023, 6, 30), 1, tier="部分达成")], False, NOT_MET),
        ("明显提升", "社会效益指标", [R(date(2023, 6, 30), 1, tier="达成")], False, MET),
        ("11月底前", "时效指标", [], False, NONE),
        ("6月底前", "时效指标", [], False, NOT_MET),
        ("6月底前", "时效指标", [R(date(2023, 6, 28), 1, completed_on=date(2023, 6, 28))], False, MET),
        ("6月底前", "时效指标", [R(date(2023, 7, 2), 1, completed_on=date(2023, 7, 2))], False, NOT_MET),
        (
            "每月25日前发放到位",
            "时效指标",
            [R(date(2023, m, 20), m, completed_on=date(2023, m, 20), for_month=m) for m in range(1, 7)],
            False,
            MET,
        ),
        (
            "每月25日前发放到位",
            "时效指标",
            [R(date(2023, m, 20), m, completed_on=date(2023, m, 20), for_month=m) for m in range(1, 6)],
            False,
            NOT_MET,
        ),
    ],
)
def test_attainment(raw, level2, readings, cumulative, expected):
    target = parse_target(raw, level2=level2)
    assert attainment(target, readings, cumulative=cumulative, budget_year=2023, today=TODAY) == expected


def test_within_budget_uses_spending():
    target = parse_target("控制在预算内")
    kwargs = {"cumulative": False, "budget_year": 2023, "today": TODAY}
    assert attainment(target, [], budget=D("100"), spent=D("99"), **kwargs) == MET
    assert attainment(target, [], budget=D("100"), spent=D("101"), **kwargs) == NOT_MET
    assert attainment(target, [], **kwargs) == NONE


def test_completions_latest_wins_per_month():
    readings = [
        R(date(2023, 1, 20), 1, completed_on=date(2023, 1, 20), for_month=1),
        R(date(2023, 1, 22), 2, completed_on=date(2023, 1, 24), for_month=1),
    ]
    assert completions(readings) == {1: date(2023, 1, 24)}
