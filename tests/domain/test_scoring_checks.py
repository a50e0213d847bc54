"""The checks of an edited self-evaluation row (tracker/domain/scoring.py): a score inside
its tier, a tier before a score, a deduction at most the weight and with a reason."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tracker.domain.scoring import deduction_problems, tier_choice_problem

N = "“群众满意度”"


@pytest.mark.parametrize(
    "tier, score, weight, unreadable, expected",
    [
        (None, None, D(10), False, None),
        ("达成", D(10), D(10), False, None),
        ("达成", D(8), D(10), False, None),  # 达成 is 80%–100% of the weight
        ("部分达成", D(6), D(10), False, None),
        ("未达成", D(0), D(10), False, None),
        ("很好", None, D(10), False, ("tier", f"{N}的评价档次“很好”无效，应为达成、部分达成或未达成。")),
        ("很好", D(5), D(10), False, ("tier", f"{N}的评价档次“很好”无效，应为达成、部分达成或未达成。")),
        (None, D(5), D(10), False, ("tier", f"{N}：请先选择评价档次，再填写得分。")),
        ("达成", None, D(10), False, ("tier_score", f"{N}：请填写“达成”档次内的得分。")),
        ("达成", D(11), D(10), False, ("tier_score", "达成")),
        ("达成", D(5), D(10), False, ("tier_score", "应在")),
        ("未达成", D(9), D(10), False, ("tier_score", "应在")),
        # an unreadable score: the tier's range is named instead of "请填写…档次内的得分"
        ("达成", None, D(10), True, ("tier_score", "请填写“达成”的得分")),
    ],
)
def test_tier_choice(tier, score, weight, unreadable, expected):
    problem = tier_choice_problem(tier, score, weight, name=N, score_unreadable=unreadable)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and problem[0] == expected[0] and expected[1] in problem[1]


@pytest.mark.parametrize(
    "deduction, reason, weight, expected",
    [
        (D(0), "", D(10), {}),
        (D(2), "资料不全", D(10), {}),
        (D(10), "全部扣除", D(10), {}),
        (D("10.01"), "超过", D(10), {"deduction": f"{N}扣分不能超过分值 10 分。"}),
        (D(2), "", D(10), {"deduction_reason": f"{N}扣分须说明原因。"}),
        (D(2), "   ", D(10), {"deduction_reason": f"{N}扣分须说明原因。"}),
        (D(2), None, D(10), {"deduction_reason": f"{N}扣分须说明原因。"}),
        (D(12), "", D(10), {"deduction": f"{N}扣分不能超过分值 10 分。", "deduction_reason": f"{N}扣分须说明原因。"}),
        (D(1), "", D(0), {"deduction": f"{N}扣分不能超过分值 0 分。", "deduction_reason": f"{N}扣分须说明原因。"}),
    ],
)
def test_deduction(deduction, reason, weight, expected):
    assert deduction_problems(deduction, reason, weight, name=N) == expected
