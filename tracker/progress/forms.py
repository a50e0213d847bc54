"""The progress pages' forms, parsed and checked at the edge into the typed inputs the
services take (ValueInput, SpendingInput, BudgetInput). InputError names each bad field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from tracker.domain import InputError
from tracker.domain.targets import KIND_DEADLINE, KIND_QUALITATIVE, KIND_QUANTITATIVE
from tracker.domain.units import UnitError, check_range, convert, parse_quantity
from tracker.models import TIERS, Indicator, Project
from tracker.services import progress as progress_service
from tracker.services.progress import BudgetInput, SpendingInput, ValueInput

MONEY_UNITS = {"元": Decimal(1) / Decimal(10000), "万元": Decimal(1)}
MONEY_UNITS_PER_WAN = {"元": Decimal(10000), "万元": Decimal(1)}
# What the columns hold exactly: Quantity is Numeric(24, 6), Money Numeric(18, 6) in 万元.
MAX_QUANTITY = Decimal(10) ** 17
MAX_MONEY = Decimal(10) ** 11


def _parse_date(text, field_name: str, label: str, errors: dict) -> date | None:
    if isinstance(text, date):
        return text
    text = (text or "").strip()
    if not text:
        errors[field_name] = f"请填写{label}。"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field_name] = f"{label}“{text}”不是有效日期（应为 2023-06-30 的形式）。"
        return None


def _check_in_year(day: date | None, field_name: str, label: str, year: int, errors: dict, *, allow_next_year=False):
    if day is None:
        return
    last = date(year + 1, 12, 31) if allow_next_year else date(year, 12, 31)
    if not date(year, 1, 1) <= day <= last:
        errors[field_name] = f"{label} {day.isoformat()} 不在 {year} 预算年度内。"
    elif day > progress_service.today():
        errors[field_name] = f"{label} {day.isoformat()} 晚于今天，不能预先填报。"


def _token(form: Mapping) -> str | None:
    token = (form.get("client_token") or "").strip()
    return token[:40] if token else None


def parse_value_form(indicator: Indicator, form: Mapping) -> ValueInput:
    """Check a value form against the indicator's target; InputError names each bad field."""
    errors: dict[str, str] = {}
    year = indicator.project.year.year
    target = indicator.target
    as_of = _parse_date(form.get("as_of"), "as_of", "截至日期", errors)
    _check_in_year(as_of, "as_of", "截至日期", year, errors)
    data = ValueInput(as_of=as_of, note=(form.get("note") or "").strip(), client_token=_token(form))
    if target.kind == KIND_QUANTITATIVE:
        text = (form.get("value") or "").strip()
        unit_choice = (form.get("unit") or "").strip()
        if not text:
            errors["value"] = "请填写实际完成值。"
        else:
            try:
                number, unit = parse_quantity(text)
                unit = unit or unit_choice or target.unit
                data.input_value, data.input_unit = number, unit
                if number < 0:
                    errors["value"] = f"实际完成值不能为负数（填写的是“{text}”）。"
                else:
                    data.value = check_range(
                        convert(number, unit, target.unit), what="实际完成值", maximum=MAX_QUANTITY
                    )
            except UnitError as exc:
                errors["value"] = str(exc)
    elif target.kind == KIND_DEADLINE:
        data.completed_on = _parse_date(form.get("completed_on"), "completed_on", "完成日期", errors)
        _check_in_year(data.completed_on, "completed_on", "完成日期", year, errors, allow_next_year=True)
        if target.monthly_day:
            month = (form.get("for_month") or "").strip()
            if not month.isdigit() or not 1 <= int(month) <= 12:
                errors["for_month"] = "请选择完成的是哪个月份（1–12 月）。"
            else:
                data.for_month = int(month)
    else:
        tier = (form.get("tier") or "").strip()
        if tier not in TIERS:
            if target.kind == KIND_QUALITATIVE or tier:
                errors["tier"] = "请选择完成情况：达成 / 部分达成 / 未达成。"
        else:
            data.tier = tier
        if target.kind == KIND_QUALITATIVE and not data.note:
            errors["note"] = "定性指标请简要说明完成情况。"
    if errors:
        raise InputError(errors)
    return data


def parse_spending_form(project: Project, form: Mapping) -> SpendingInput:
    errors: dict[str, str] = {}
    spent_on = _parse_date(form.get("spent_on"), "spent_on", "支出日期", errors)
    _check_in_year(spent_on, "spent_on", "支出日期", project.year.year, errors)
    unit = (form.get("unit") or "元").strip()
    text = (form.get("amount") or "").strip()
    amount = input_amount = None
    if not text:
        errors["amount"] = "请填写支出金额。"
    else:
        try:
            number, typed_unit = parse_quantity(text)
            unit = typed_unit or unit
            if unit == "万":
                unit = "万元"
            if unit not in MONEY_UNITS:
                errors["amount"] = f"金额单位只能是“元”或“万元”，填写的是“{unit}”。"
            elif number <= 0:
                errors["amount"] = "支出金额应大于 0；如需冲减请更正或撤销原记录。"
            else:
                check_range(
                    number,
                    what="支出金额",
                    maximum=MAX_MONEY * MONEY_UNITS_PER_WAN[unit],
                    places=2 if unit == "元" else 6,
                )
                input_amount = number
                amount = convert(number, unit, "万元")
        except UnitError as exc:
            errors["amount"] = str(exc)
    if errors:
        raise InputError(errors)
    return SpendingInput(spent_on, amount, input_amount, unit, (form.get("note") or "").strip(), _token(form))


def parse_budget_form(form: Mapping) -> BudgetInput:
    """年初预算数 / 调整后预算数 (a number, 万元 unless a unit is typed) and the reason."""
    errors: dict[str, str] = {}
    values: dict[str, Decimal | None] = {}
    for key, field_name, label in (
        ("initial", "initial_budget", "年初预算数"),
        ("adjusted", "adjusted_budget", "调整后预算数"),
    ):
        text = (form.get(field_name) or "").strip()
        values[key] = None
        if not text:
            continue
        try:
            number, unit = parse_quantity(text)
            values[key] = check_range(convert(number, unit or "万元", "万元"), what=label, maximum=MAX_MONEY)
        except UnitError as exc:
            errors[key] = f"{label}：{exc}"
    reason = (form.get("reason") or "").strip()
    if not reason:
        errors["reason"] = "修改预算须填写原因。"
    if errors:
        raise InputError(errors)
    return BudgetInput(values["initial"], values["adjusted"], reason)


def posted_files(files) -> list[tuple[str, bytes]]:
    """The evidence files of a post (name, bytes), empty inputs left out."""
    return [(f.filename, f.read()) for f in files.getlist("files") if f and f.filename]
