"""Owners record actual values (实际完成值) and spending (预算执行) through the year.

Entries are append-only; a correction supersedes, a withdrawal is a voiding correction.
Everything is checked before anything is added, and services only flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, selectinload

from tracker.domain import ConflictError, DomainError, InputError  # noqa: F401  (re-exported)
from tracker.domain import progress as rules
from tracker.domain.accumulation import CUMULATIVE, LEVEL
from tracker.domain.monitoring import time_progress
from tracker.domain.periods import FREQUENCIES, Period, period_for
from tracker.domain.targets import KIND_WITHIN_BUDGET, format_decimal
from tracker.domain.workflow import STATE_LABELS
from tracker.extensions import db
from tracker.models import Expenditure, Indicator, ProgressEntry, Project, Submission, User
from tracker.services import audit, evidence, settings
from tracker.services.scope import NotVisible, can_edit_project


class LockedError(DomainError):
    pass


def today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def frequency() -> str:
    return settings.get("reporting_frequency")


def require_editor(user: User, project: Project) -> None:
    if not can_edit_project(user, project):
        raise NotVisible(project.id)


def find_submission(project_id: int, kind: str, period_key: str) -> Submission | None:
    """The form under review for a project, kind (progress / monitoring / evaluation) and period."""
    return db.session.scalar(
        select(Submission).where(
            Submission.project_id == project_id, Submission.kind == kind, Submission.period_key == period_key
        )
    )


def ensure_year_open(project: Project) -> None:
    """An archived (归档) budget year is read-only everywhere."""
    if project.year.is_closed:
        raise LockedError(f"{project.year.year} 年度已归档（只读），不能再修改。")


def ensure_open(project: Project, day: date) -> Period:
    """Entries dated in a period under review or approved cannot be added or corrected.

    Both the monthly and the quarterly period of the day are checked, so switching the
    reporting frequency mid-year never unlocks what was submitted under the other one.
    """
    ensure_year_open(project)
    period = period_for(day, frequency())
    keys = {period_for(day, f).key: period_for(day, f) for f in FREQUENCIES}
    locked = db.session.execute(
        select(Submission.period_key, Submission.state).where(
            Submission.project_id == project.id,
            Submission.kind == "progress",
            Submission.period_key.in_(list(keys)),
            Submission.state.in_(("submitted", "dept_approved", "approved")),
        )
    ).first()
    if locked is not None:
        label = keys[locked.period_key].label
        raise LockedError(
            f"{label}的填报{STATE_LABELS[locked.state]}，已锁定，不能再修改"
            + ("；如需更正请联系财政局重新打开。" if locked.state == "approved" else "；如需修改请先撤回或等待退回。")
        )
    return period


def is_locked_day(day: date, locked_keys: set[str]) -> bool:
    return any(period_for(day, f).key in locked_keys for f in FREQUENCIES)


def locked_period_keys(project: Project) -> set[str]:
    """Periods of the project whose progress is under review or approved (one query).

    Keys of either frequency; see ``is_locked_day``."""
    return set(
        db.session.scalars(
            select(Submission.period_key).where(
                Submission.project_id == project.id,
                Submission.kind == "progress",
                Submission.state.in_(("submitted", "dept_approved", "approved")),
            )
        )
    )


@dataclass
class ValueInput:
    as_of: date
    value: Decimal | None = None
    input_value: Decimal | None = None
    input_unit: str = ""
    tier: str | None = None
    completed_on: date | None = None
    for_month: int | None = None
    note: str = ""
    client_token: str | None = None


def already_saved(model, token: str | None):
    """The row a form with this token already created (a double submit), or None."""
    if not token:
        return None
    return db.session.scalar(select(model).where(model.client_token == token))


def is_current(entry: ProgressEntry | Expenditure) -> bool:
    model = type(entry)
    return db.session.scalar(select(model.id).where(model.supersedes_id == entry.id)) is None


def _successor_text(entry: ProgressEntry) -> str:
    newer = db.session.scalar(select(ProgressEntry).where(ProgressEntry.supersedes_id == entry.id))
    if newer is None:
        return ""
    who = newer.created_by.display_name if newer.created_by else "其他用户"
    return f"{who} 已于 {newer.created_at.astimezone(ZoneInfo(current_app.config['TIMEZONE'])):%m-%d %H:%M} 更正为“{describe_entry(newer)}”"


def describe_entry(entry: ProgressEntry) -> str:
    if entry.is_void:
        return "（已撤销）"
    parts = []
    if entry.value is not None:
        parts.append(f"{format_decimal(entry.value)} {entry.indicator.target_unit}".strip())
    if entry.tier:
        parts.append(entry.tier)
    if entry.completed_on:
        parts.append(f"{entry.for_month}月 " if entry.for_month else "")
        parts[-1] += f"{entry.completed_on.isoformat()} 完成"
    return "，".join(p for p in parts if p) or "—"


def record_value(
    user: User,
    indicator: Indicator,
    data: ValueInput,
    files: list[tuple[str, bytes]] = (),
    *,
    supersedes: ProgressEntry | None = None,
    void: bool = False,
) -> ProgressEntry:
    project = indicator.project
    require_editor(user, project)
    period = ensure_open(project, data.as_of)
    if supersedes is not None:
        if supersedes.indicator_id != indicator.id:
            raise NotVisible(supersedes.id)
        ensure_open(project, supersedes.as_of)
        if not is_current(supersedes):
            raise ConflictError(f"这条记录已被更正，您的修改未保存：{_successor_text(supersedes)}。请在最新记录上修改。")
    entry = ProgressEntry(
        indicator_id=indicator.id,
        project_id=project.id,
        as_of=data.as_of,
        period_key=period.key,
        value=data.value,
        input_value=data.input_value,
        input_unit=data.input_unit,
        tier=data.tier,
        completed_on=data.completed_on,
        for_month=data.for_month,
        note=data.note,
        supersedes_id=supersedes.id if supersedes else None,
        is_void=void,
        created_by_id=user.id,
        client_token=data.client_token,
    )
    db.session.add(entry)
    db.session.flush()
    if files:
        evidence.store(list(files), project=project, user=user, progress_entry_id=entry.id)
    entry.indicator = indicator
    action = "void_value" if void else ("correct_value" if supersedes else "record_value")
    verb = {"void_value": "撤销", "correct_value": "更正", "record_value": "填报"}[action]
    audit.record(
        user,
        action,
        "progress_entry",
        entry.id,
        f"{verb}“{indicator.level3}”的实际完成值（截至 {data.as_of.isoformat()}）：{describe_entry(entry)}",
        project=project,
        old=describe_entry(supersedes) if supersedes else None,
        new=describe_entry(entry),
    )
    return entry


def void_value(user: User, entry: ProgressEntry, reason: str) -> ProgressEntry:
    reason = (reason or "").strip()
    if not reason:
        raise InputError({"reason": "撤销记录须说明原因。"})
    data = ValueInput(as_of=entry.as_of, note=reason)
    return record_value(user, entry.indicator, data, supersedes=entry, void=True)


# ----------------------------------------------------------------------------- spending


@dataclass
class SpendingInput:
    spent_on: date
    amount: Decimal
    input_amount: Decimal
    input_unit: str
    note: str = ""
    client_token: str | None = None


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.4f}".rstrip("0").rstrip(".") + " 万元"


def record_spending(
    user: User,
    project: Project,
    data: SpendingInput | None,
    files: list[tuple[str, bytes]] = (),
    *,
    supersedes: Expenditure | None = None,
    void_reason: str | None = None,
) -> Expenditure:
    require_editor(user, project)
    if supersedes is not None:
        if supersedes.project_id != project.id:
            raise NotVisible(supersedes.id)
        ensure_open(project, supersedes.spent_on)
        if not is_current(supersedes):
            raise ConflictError("这条支出记录已被其他人更正或撤销，您的修改未保存，请刷新后在最新记录上修改。")
    if data is None:  # voiding
        if not (void_reason or "").strip():
            raise InputError({"reason": "撤销记录须说明原因。"})
        data = SpendingInput(supersedes.spent_on, Decimal(0), Decimal(0), supersedes.input_unit, void_reason.strip())
    period = ensure_open(project, data.spent_on)
    row = Expenditure(
        project_id=project.id,
        spent_on=data.spent_on,
        period_key=period.key,
        amount=data.amount,
        input_amount=data.input_amount,
        input_unit=data.input_unit,
        note=data.note,
        supersedes_id=supersedes.id if supersedes else None,
        is_void=void_reason is not None,
        created_by_id=user.id,
        client_token=data.client_token,
    )
    db.session.add(row)
    db.session.flush()
    if files:
        evidence.store(list(files), project=project, user=user, expenditure_id=row.id)
    verb = "撤销" if void_reason is not None else ("更正" if supersedes else "登记")
    audit.record(
        user,
        "spending",
        "expenditure",
        row.id,
        f"{verb}支出（{data.spent_on.isoformat()}）：{_money(row.amount) if void_reason is None else '0'}",
        project=project,
        old=_money(supersedes.amount) if supersedes else None,
        new=_money(row.amount),
    )
    return row


@dataclass(frozen=True)
class BudgetInput:
    """年初预算数 / 调整后预算数 in 万元 (None: not set) and the reason for the change."""

    initial: Decimal | None
    adjusted: Decimal | None
    reason: str


def update_budget(user: User, project: Project, data: BudgetInput, *, expected_version: int | None) -> None:
    """Finance edits 年初预算数 / 调整后预算数 (万元) with a reason."""
    if user.role != "finance":
        raise NotVisible(project.id)
    ensure_year_open(project)
    if not data.reason.strip():
        raise InputError({"reason": "修改预算须填写原因。"})
    if expected_version is not None and expected_version != project.version:
        raise ConflictError("预算已被其他人修改，您的修改未保存。请核对下方最新数值后重新提交。")
    old = {"年初预算数": project.initial_budget, "调整后预算数": project.adjusted_budget}
    project.initial_budget = data.initial
    project.adjusted_budget = data.adjusted
    db.session.flush()
    audit.record(
        user,
        "budget",
        "project",
        project.id,
        f"修改项目预算，原因：{data.reason.strip()}",
        project=project,
        old=old,
        new={"年初预算数": project.initial_budget, "调整后预算数": project.adjusted_budget},
    )


def set_accumulation(user: User, indicator: Indicator, value: str) -> None:
    if user.role not in ("finance", "admin"):
        require_editor(user, indicator.project)
    if value not in (CUMULATIVE, LEVEL):
        raise InputError({"accumulation": "累计方式只能是“累计型”或“水平型”。"})
    old = indicator.accumulation_label
    indicator.accumulation = value
    db.session.flush()
    audit.record(
        user, "accumulation", "indicator", indicator.id,
        f"“{indicator.level3}”改为{indicator.accumulation_label}", project=indicator.project,
        old=old, new=indicator.accumulation_label,
    )


# ----------------------------------------------------------------------------- reading


def current_entries_query(model):
    """Entries not superseded by a later correction and not voided."""
    newer = aliased(model)
    return select(model).where(
        ~exists(select(newer.id).where(newer.supersedes_id == model.id)), model.is_void.is_(False)
    )


@dataclass
class IndicatorProgress:
    indicator: Indicator
    readings: list[rules.Reading] = field(default_factory=list)
    latest: ProgressEntry | None = None
    ytd: Decimal | None = None
    status: str = rules.NONE
    entry_count: int = 0

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]


@dataclass
class ProjectProgress:
    project: Project
    rows: list[IndicatorProgress]
    spent: Decimal
    execution_rate: Decimal | None
    time_progress: Decimal
    monthly_spent: dict[int, Decimal]


def _reading(entry: ProgressEntry) -> rules.Reading:
    return rules.Reading(entry.as_of, entry.id, entry.value, entry.tier, entry.completed_on, entry.for_month)


def project_progress(project: Project, indicators: list[Indicator]) -> ProjectProgress:
    """Everything the project page shows, in a fixed number of queries whatever the data size."""
    day = today()
    year = project.year.year
    entries = db.session.scalars(
        current_entries_query(ProgressEntry).where(
            ProgressEntry.project_id == project.id, ProgressEntry.indicator_id.in_([ind.id for ind in indicators])
        )
    ).all()  # only the indicators asked about: the indicator page needs one, not the project's all
    spending = db.session.execute(
        select(Expenditure.spent_on, Expenditure.amount).where(
            Expenditure.id.in_(
                current_entries_query(Expenditure).where(Expenditure.project_id == project.id).with_only_columns(Expenditure.id)
            )
        )
    ).all()
    spent = sum((amount for _, amount in spending), Decimal(0))
    monthly: dict[int, Decimal] = {}
    for spent_on, amount in spending:
        if spent_on.year == year:
            monthly[spent_on.month] = monthly.get(spent_on.month, Decimal(0)) + amount
    by_indicator: dict[int, list[ProgressEntry]] = {}
    for entry in entries:
        by_indicator.setdefault(entry.indicator_id, []).append(entry)
    budget = project.budget
    rows = []
    for ind in indicators:
        mine = by_indicator.get(ind.id, [])
        readings = [_reading(e) for e in mine]
        row = IndicatorProgress(ind, readings, entry_count=len(mine))
        if mine:
            row.latest = max(mine, key=lambda e: (e.as_of, e.id))
        cumulative = ind.accumulation == CUMULATIVE
        row.ytd = rules.year_to_date(readings, cumulative=cumulative)
        target = ind.target
        row.status = rules.attainment(
            target,
            readings,
            cumulative=cumulative,
            budget_year=year,
            today=day,
            budget=budget if target.kind == KIND_WITHIN_BUDGET else None,
            spent=spent if target.kind == KIND_WITHIN_BUDGET and budget is not None else None,
        )
        rows.append(row)
    as_of = min(day, date(year, 12, 31))
    rate = (spent / budget) if budget else None
    return ProjectProgress(project, rows, spent, rate, time_progress(as_of, year), monthly)


def indicator_history(indicator: Indicator) -> list[ProgressEntry]:
    """Every entry ever made, by 截至日期 (newest first; for one date the latest entry first),
    corrections and withdrawals included."""
    return db.session.scalars(
        select(ProgressEntry)
        .where(ProgressEntry.indicator_id == indicator.id)
        .options(selectinload(ProgressEntry.created_by))
        .order_by(ProgressEntry.as_of.desc(), ProgressEntry.created_at.desc(), ProgressEntry.id.desc())
    ).all()


def superseded_ids(model, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(select(model.supersedes_id).where(model.supersedes_id.in_(ids))))



def spending_history(project: Project) -> list[Expenditure]:
    """Every expenditure ever recorded for the project, newest first (corrections included)."""
    return db.session.scalars(
        select(Expenditure)
        .where(Expenditure.project_id == project.id)
        .options(selectinload(Expenditure.created_by))
        .order_by(Expenditure.spent_on.desc(), Expenditure.id.desc())
    ).all()
