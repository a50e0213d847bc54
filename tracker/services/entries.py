"""Owners record actual values (实际完成值) and spending (支出, 预算执行); finance sets budgets.

Entries are append-only; a correction supersedes, a withdrawal is a voiding correction.
Everything is checked before anything is added, and services only flush.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from tracker.domain import ConflictError, InputError
from tracker.domain.accumulation import CUMULATIVE, LEVEL
from tracker.domain.targets import format_decimal
from tracker.domain.vocab import Role
from tracker.extensions import db
from tracker.models import Indicator, ProgressEntry, Project, Spending, User
from tracker.services import audit, evidence
from tracker.services.locks import ensure_open, ensure_year_open
from tracker.services.scope import NotVisible, can_edit_project


def require_editor(user: User, project: Project) -> None:
    if not can_edit_project(user, project):
        raise NotVisible(project.id)


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


def is_current(entry: ProgressEntry | Spending) -> bool:
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
    files: Sequence[tuple[str, bytes]] = (),
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
            raise ConflictError(
                f"这条记录已被更正，您的修改未保存：{_successor_text(supersedes)}。请在最新记录上修改。"
            )
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
    files: Sequence[tuple[str, bytes]] = (),
    *,
    supersedes: Spending | None = None,
    void_reason: str | None = None,
) -> Spending:
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
        if supersedes is None:
            raise ValueError("voiding a spending needs the record it voids (supersedes)")
        data = SpendingInput(
            supersedes.spent_on, Decimal(0), Decimal(0), supersedes.input_unit, (void_reason or "").strip()
        )
    period = ensure_open(project, data.spent_on)
    row = Spending(
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
    if user.role != Role.FINANCE:
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
    if user.role not in (Role.FINANCE, Role.ADMIN):
        require_editor(user, indicator.project)
    if value not in (CUMULATIVE, LEVEL):
        raise InputError({"accumulation": "累计方式只能是“累计型”或“水平型”。"})
    old = indicator.accumulation_label
    indicator.accumulation = value
    db.session.flush()
    audit.record(
        user,
        "accumulation",
        "indicator",
        indicator.id,
        f"“{indicator.level3}”改为{indicator.accumulation_label}",
        project=indicator.project,
        old=old,
        new=indicator.accumulation_label,
    )


# ----------------------------------------------------------------------------- reading
