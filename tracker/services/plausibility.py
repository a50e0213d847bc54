"""Plausibility of a value or payment about to be saved (rules in tracker/domain/plausibility.py).

The pages call these after parsing and before saving; when they return warnings, the page
shows them and saves only once the person confirms (``confirm_plausible=1``).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from tracker.domain import plausibility as plausibility_rules
from tracker.domain.targets import KIND_QUANTITATIVE
from tracker.extensions import db
from tracker.models import Expenditure, Indicator, ProgressEntry, Project
from tracker.services.progress import SpendingInput, ValueInput, current_entries_query

CONFIRM_FIELD = "confirm_plausible"


def value_warnings(
    indicator: Indicator, data: ValueInput, *, supersedes: ProgressEntry | None = None
) -> list[plausibility_rules.Warning_]:
    target = indicator.target
    same_date = db.session.scalars(
        current_entries_query(ProgressEntry)
        .with_only_columns(ProgressEntry.value)
        .where(ProgressEntry.indicator_id == indicator.id, ProgressEntry.as_of == data.as_of)
        .where(ProgressEntry.id != (supersedes.id if supersedes is not None else -1))
    ).all()
    value = data.value if target.kind == KIND_QUANTITATIVE else None
    return plausibility_rules.value_warnings(
        value if value is not None else Decimal(0),
        "",
        target,
        as_of=data.as_of,
        same_date_values=[v if v is not None else Decimal(0) for v in same_date] if supersedes is None else [],
    )


def spending_warnings(
    project: Project, data: SpendingInput, *, supersedes: Expenditure | None = None
) -> list[plausibility_rules.Warning_]:
    current = current_entries_query(Expenditure).where(Expenditure.project_id == project.id)
    if supersedes is not None:
        current = current.where(Expenditure.id != supersedes.id)
    ids = current.with_only_columns(Expenditure.id)
    spent = db.session.scalar(select(func.coalesce(func.sum(Expenditure.amount), 0)).where(Expenditure.id.in_(ids)))
    duplicate = db.session.scalar(
        select(func.count(Expenditure.id)).where(
            Expenditure.id.in_(ids), Expenditure.spent_on == data.spent_on, Expenditure.amount == data.amount
        )
    )
    return plausibility_rules.spending_warnings(
        data.amount,
        budget_wan=project.budget,
        spent_wan=Decimal(spent or 0),
        same_day_same_amount=bool(duplicate) and supersedes is None,
        typed_unit=data.input_unit or "万元",
    )
