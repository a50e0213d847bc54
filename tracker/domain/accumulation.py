"""Whether an indicator's values add up over the year (cumulative) or stand alone (level).

DOMAIN.md §4: rate-type indicators (%, per-unit prices) are compared directly with the
target; counts and amounts accumulate. Inferred on import, changeable by the user.
"""

from __future__ import annotations

import re

from tracker.domain.targets import KIND_QUANTITATIVE, Target
from tracker.domain.units import is_rate_unit
from tracker.domain.vocab import Accumulation

CUMULATIVE = Accumulation.CUMULATIVE
LEVEL = Accumulation.LEVEL

# Words in an indicator's name that mark a rate, a standard or a state rather than a total.
# Counts and amounts default to cumulative (工程数量, 费用); the user changes the rest.
_LEVEL_WORDS = ("率", "满意度", "标准", "单价", "价格", "比例", "比重", "占比", "人均", "水平", "指数", "年限", "面积")


# 每度电费, 每平米租金: a price per unit; but 每年检查次数 counts events over the year.
_PER_UNIT = re.compile(r"每(?![年月季天日周次])")


def infer_accumulation(target: Target, level3: str = "", description: str = "") -> str:
    if target.kind != KIND_QUANTITATIVE:
        return LEVEL
    if is_rate_unit(target.unit):
        return LEVEL
    if any(word in level3 for word in _LEVEL_WORDS) or _PER_UNIT.search(level3):
        return LEVEL
    return CUMULATIVE
