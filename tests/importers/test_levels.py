"""The vocabulary of 一级/二级 names and how real documents spell them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.importers.levels import (
    LEVEL1_NAMES,
    LEVEL2_BY_LEVEL1,
    LEVEL2_NAMES,
    belongs_to,
    is_strict_level2,
    level1_for_level2,
    normalize_level1,
    normalize_level2,
    split_score,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("产出指标", "产出指标"),
        ("产出 指标", "产出指标"),
        ("产出\n指标", "产出指标"),
        ("产出指标(50分)", "产出指标"),
        ("产出指标（50分）", "产出指标"),
        ("产出指标 （ 40 分 ）", "产出指标"),
        ("效益指标【30分】", "效益指标"),
        ("满意度指标10分", "满意度指标"),
        ("满意度", "满意度指标"),
        ("成本指标（20分）", "成本指标"),
        ("ｃ产出指标", None),
        ("数量指标", None),
        ("", None),
        (None, None),
        ("产出指示", None),
    ],
)
def test_normalize_level1(text, expected):
    assert normalize_level1(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("数量指标", "数量指标"),
        ("数量", "数量指标"),
        ("经济效益 / 指标".replace(" / ", "\n"), "经济效益指标"),
        ("经济效益", "经济效益指标"),
        ("社会效益指标(10分)", "社会效益指标"),
        ("生态环境效益指标", "生态效益指标"),
        ("可持续影响", "可持续影响指标"),
        ("服务对象满意度指标", "服务对象满意度指标"),
        ("社会公众或服务对象满意度指标", "服务对象满意度指标"),
        ("服务对象满意度", "服务对象满意度指标"),
        ("时效性指标", "时效指标"),
        ("成本指标", "成本指标"),
        ("经济成本指标", "经济成本指标"),
        ("数据指标", None),
        ("保障办公区个数", None),
    ],
)
def test_normalize_level2(text, expected):
    assert normalize_level2(text) == expected


def test_vocabulary_shape():
    assert LEVEL1_NAMES == ("产出指标", "成本指标", "效益指标", "满意度指标")
    assert LEVEL2_BY_LEVEL1["产出指标"] == ("数量指标", "质量指标", "时效指标", "成本指标")
    assert "服务对象满意度指标" in LEVEL2_NAMES
    assert belongs_to("产出指标", "成本指标") and belongs_to("成本指标", "经济成本指标")
    assert not belongs_to("效益指标", "数量指标")
    assert level1_for_level2("数量指标") == "产出指标"
    assert level1_for_level2("成本指标") is None  # a 一级 in newer templates, a 二级 in older ones
    assert is_strict_level2("社会效益指标") and not is_strict_level2("服务对象满意度")


def test_split_score():
    assert split_score("产出指标(50分)") == ("产出指标", Decimal(50))
    assert split_score("效益指标（30.5分）") == ("效益指标", Decimal("30.5"))
    assert split_score("满意度指标") == ("满意度指标", None)


@given(
    name=st.sampled_from(LEVEL1_NAMES + LEVEL2_NAMES),
    cuts=st.lists(st.tuples(st.integers(0, 10), st.sampled_from([" ", "\n", "\u3000", "\t", " \n "])), max_size=3),
    score=st.sampled_from(["", "(50分)", "（30分）", " （10分）", "(20)"]),
)
def test_spaces_breaks_and_scores_never_change_the_name(name, cuts, score):
    text = name
    for pos, ws in cuts:
        pos = min(pos, len(text))
        text = text[:pos] + ws + text[pos:]
    text += score
    if name in LEVEL1_NAMES:
        assert normalize_level1(text) == name
    if name in LEVEL2_NAMES:
        assert normalize_level2(text) == name
