"""The self-evaluation form, read at the edge into an EvaluationEdit (typed values).

What cannot be read goes into ``EvaluationEdit.errors`` under the field's name; the rules
(deduction ≤ weight, a reason for a deduction, a score inside its tier) are checked by
services/evaluation.save with tracker.domain.scoring, and all problems are shown at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from tracker.domain.targets import KIND_DEADLINE, KIND_QUALITATIVE, KIND_QUANTITATIVE
from tracker.domain.units import UnitError, check_range, convert, parse_quantity
from tracker.models import EvaluationForm
from tracker.services.evaluation import EvaluationEdit, RowEdit, level1_weights

MAX_ACTUAL = Decimal(10) ** 17


def _dec(text: str, label: str, errors: dict, key: str, *, maximum: Decimal = Decimal(1000)) -> Decimal | None:
    """A score, weight or deduction: a non-negative number with at most 2 decimals."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ""))
        return check_range(value, what=label, maximum=maximum, places=2)
    except (InvalidOperation, ValueError):
        errors[key] = f"{label}“{text}”不是有效的数值。"
    except UnitError as exc:
        errors[key] = str(exc)
    return None


def parse_evaluation_form(ev: EvaluationForm, data: Mapping) -> EvaluationEdit:
    """Only inputs that were on the page change anything: a post never clears what it did not show."""
    edit = EvaluationEdit()
    errors = edit.errors
    for name in level1_weights(ev):
        value = _dec(data.get(f"level1-{name}", ""), f"“{name}”分值", errors, f"level1-{name}", maximum=Decimal(101))
        if value is not None:
            edit.level1[name] = value
    for row in ev.rows:
        r = RowEdit(row.id)
        name = f"“{row.indicator.level3}”"
        r.weight = _dec(data.get(r.key("weight"), ""), f"{name}分值", errors, r.key("weight"), maximum=Decimal(101))
        target = row.target
        if target.kind == KIND_QUANTITATIVE and r.key("actual") in data:
            text = (data.get(r.key("actual")) or "").strip()
            if not text:
                r.actual = (None, "")
            else:
                try:
                    number, unit = parse_quantity(text)
                    value = check_range(
                        convert(number, unit or target.unit, target.unit), what=f"{name}实际完成值", maximum=MAX_ACTUAL
                    )
                    r.actual = (value, text)
                except UnitError as exc:
                    errors[r.key("actual")] = f"{name}：{exc}"
        elif target.kind in (KIND_QUALITATIVE, KIND_DEADLINE) and r.key("tier") in data:
            tier = (data.get(r.key("tier")) or "").strip() or None
            tier_score = _dec(data.get(r.key("tier_score"), ""), f"{name}得分", errors, r.key("tier_score"))
            r.tier = (tier, tier_score)
            r.tier_score_unreadable = r.key("tier_score") in errors
        if r.key("deduction") in data or r.key("deduction_reason") in data:
            deduction = _dec(data.get(r.key("deduction"), ""), f"{name}扣分", errors, r.key("deduction")) or Decimal(0)
            r.deduction = (deduction, (data.get(r.key("deduction_reason")) or "").strip())
        if r.key("explanation") in data:
            r.explanation = (data.get(r.key("explanation")) or "").strip()
        edit.rows[row.id] = r
    if "goal_actual" in data:
        edit.goal_actual = (data.get("goal_actual") or "").strip()
    if "execution_explanation" in data:
        edit.execution_explanation = (data.get("execution_explanation") or "").strip()
    return edit
