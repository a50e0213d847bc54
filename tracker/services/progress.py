"""Progress through the year: the names other modules import from here, re-exported.

The work is split by responsibility:

- ``tracker.services.clock``: today and the reporting frequency;
- ``tracker.services.locks``: archived years and periods under review are read-only;
- ``tracker.services.submissions``: finding the form under review;
- ``tracker.services.entries``: recording values, spending (支出) and budgets (writes);
- ``tracker.services.readings``: current entries, a project's progress, histories (reads).

``from tracker.services.progress import X`` keeps working for all of them.
"""

from __future__ import annotations

from tracker.domain import ConflictError, DomainError, InputError
from tracker.services.clock import frequency, today
from tracker.services.entries import (
    BudgetInput,
    SpendingInput,
    ValueInput,
    already_saved,
    describe_entry,
    is_current,
    record_spending,
    record_value,
    require_editor,
    set_accumulation,
    update_budget,
    void_value,
)
from tracker.services.locks import LockedError, ensure_open, ensure_year_open, is_locked_day, locked_period_keys
from tracker.services.readings import (
    IndicatorProgress,
    ProjectProgress,
    current_entries_query,
    indicator_history,
    project_progress,
    spending_history,
    superseded_ids,
)
from tracker.services.submissions import find_submission

__all__ = [
    "BudgetInput",
    "ConflictError",
    "DomainError",
    "IndicatorProgress",
    "InputError",
    "LockedError",
    "ProjectProgress",
    "SpendingInput",
    "ValueInput",
    "already_saved",
    "current_entries_query",
    "describe_entry",
    "ensure_open",
    "ensure_year_open",
    "find_submission",
    "frequency",
    "indicator_history",
    "is_current",
    "is_locked_day",
    "locked_period_keys",
    "project_progress",
    "record_spending",
    "record_value",
    "require_editor",
    "set_accumulation",
    "spending_history",
    "superseded_ids",
    "today",
    "update_budget",
    "void_value",
]
