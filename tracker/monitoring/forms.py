"""The monitoring form, read at the edge into a MonitoringEdit (typed values).

Only inputs that were on the page are read (a post never clears what it did not show);
what cannot be read goes into ``MonitoringEdit.errors`` under the field's name.
"""

from __future__ import annotations

from decimal import Decimal

from tracker.domain import monitoring as monitoring_rules
from tracker.domain.units import UnitError, check_range, convert, parse_quantity
from tracker.models import MonitoringSnapshot
from tracker.services.monitoring_form import MonitoringEdit, RowEdit

MAX_FORECAST = Decimal(10) ** 17


def parse_monitoring_form(snapshot: MonitoringSnapshot, form) -> MonitoringEdit:
    """``form`` is the posted MultiDict (reasons are a multi-valued field)."""
    edit = MonitoringEdit(
        expected_completion=(form.get("expected_completion") or "").strip(),
        budget_explanation=(form.get("budget_explanation") or "").strip(),
    )
    errors = edit.errors
    for row in snapshot.rows:
        prefix = f"row-{row.id}-"
        r = RowEdit(row.id)
        if (prefix + "analysis") in form:
            reasons = [x for x in form.getlist(prefix + "reasons") if x in monitoring_rules.DEVIATION_REASONS]
            likelihood = form.get(prefix + "likelihood") or None
            if likelihood and likelihood not in monitoring_rules.LIKELIHOODS:
                errors[prefix + "likelihood"] = f"“{row.level3}”的完成目标可能性无效。"
            r.deviation = (
                reasons,
                (form.get(prefix + "analysis") or "").strip(),
                likelihood,
                (form.get(prefix + "measure") or "").strip(),
            )
        if (prefix + "forecast_reason") in form:
            r.forecast_reason = (form.get(prefix + "forecast_reason") or "").strip()
        if (prefix + "forecast_text") in form:
            r.forecast_text = (form.get(prefix + "forecast_text") or "").strip()
        if (prefix + "forecast_override") in form:
            text = (form.get(prefix + "forecast_override") or "").strip()
            if not text:
                r.forecast_override = (None,)
            else:
                try:
                    number, unit = parse_quantity(text)
                    if unit and unit != row.target_unit:
                        number = convert(number, unit, row.target_unit)
                    r.forecast_override = (
                        check_range(number, what=f"“{row.level3}”的全年预计完成值", maximum=MAX_FORECAST),
                    )
                except UnitError as exc:
                    errors[prefix + "forecast_override"] = f"“{row.level3}”的全年预计完成值：{exc}"
        edit.rows[row.id] = r
    return edit
