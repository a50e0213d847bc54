"""Text limits and control characters (issue 10, security 6 and 7)."""

import pytest

from tracker.domain import limits


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("note", "note"),
        ("row-12-analysis", "analysis"),
        ("row-3-deduction_reason", "deduction_reason"),
        ("level1-产出指标", "level1"),
        ("threshold-budget_red_below", "threshold"),
    ],
)
def test_field_key(name, key):
    assert limits.field_key(name) == key


def test_note_over_its_limit_is_refused_with_the_label_and_counts():
    problem = limits.check_text("note", "字" * (limits.NOTE + 1))
    assert problem is not None
    assert "“备注”最多 2000 字" in problem.message and "2001" in problem.message


def test_at_the_limit_is_fine():
    assert limits.check_text("note", "字" * limits.NOTE) is None
    assert limits.check_text("row-5-analysis", "x" * limits.LONG) is None


@pytest.mark.parametrize("bad", ["a\x00b", "\x07", "x\x1by", "\x7f"])
def test_control_characters_are_refused(bad):
    problem = limits.check_text("row-1-explanation", bad)
    assert problem is not None and "控制字符" in problem.message and "偏差原因分析及改进措施" in problem.message


@pytest.mark.parametrize("ok", ["第一行\n第二行", "a\tb", "windows\r\nline"])
def test_tabs_and_line_breaks_are_text(ok):
    assert limits.check_text("note", ok) is None


def test_unknown_fields_have_a_default_limit():
    assert limits.limit_for("something_new") == limits.LONG
