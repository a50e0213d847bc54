"""Whether an indicator's values add up over the year (cumulative) or stand alone (level).

DOMAIN.md §4: rate-type indicators (%, per-unit prices) are compared directly with the
target; counts and amounts accumulate. Inferred on import, changeable by the user.
"""

from __future__ import annotations

from tracker.domain.targets import KIND_QUANTITATIVE, Target

CUMULATIVE = "cumulative"
LEVEL = "level"

# Words in an indicator's name that mark a rate, a standard or a state rather than a total.
_LEVEL_WORDS = ("率", "满意度", "标准", "单价", "价格", "比例", "比重", "占比", "均", "每", "水平", "指数")


def infer_accumulation(target: Target, level3: str = "", description: str = "") -> str:
    if target.kind != KIND_QUANTITATIVE:
        return LEVEL
    unit = target.unit or ""
    if unit in ("%", "‰") or "/" in unit or unit.startswith("元每") or "每" in unit:
        return LEVEL
    if any(word in level3 for word in _LEVEL_WORDS):
        return LEVEL
    return CUMULATIVE
