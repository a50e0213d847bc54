"""Deployment settings an admin may change, stored as JSON, with defaults from DOMAIN.md."""

from __future__ import annotations

import json

from flask import current_app, g, has_app_context
from sqlalchemy import func, select

from tracker.domain import DomainError
from tracker.domain.periods import FREQUENCIES, MONTHLY
from tracker.extensions import db
from tracker.memo import Memo
from tracker.models import AppSetting, User

DEFAULTS = {
    "reporting_frequency": MONTHLY,
    "evidence_max_mb": 20,
    # 双监控 checkpoints: hebei (6月30日, the default), central (7月31日), quarterly …
    "monitoring_checkpoints": "hebei",
    # Days after the as-of date by which the monitoring form is due (central rule: 8月31日).
    "monitoring_due_days": 31,
    # Overrides of DOMAIN.md §4 thresholds, e.g. {"budget_red_below": "0.5"}; empty = defaults.
    "monitoring_thresholds": {},
    # Day of the month on which owners are reminded of last month's missing values.
    "reminder_day": 1,
    # Month-day of the next year on which the self-evaluation forms open.
    "evaluation_open_date": "01-05",
}
LABELS = {
    "reporting_frequency": "填报周期",
    "evidence_max_mb": "佐证材料大小上限（MB）",
    "monitoring_checkpoints": "双监控时点",
    "monitoring_due_days": "监控表提交期限（截止日后天数）",
    "monitoring_thresholds": "预警阈值",
    "reminder_day": "每月提醒日",
    "evaluation_open_date": "自评表生成日（次年，月-日）",
}


class SettingError(DomainError):
    pass


# Every setting in one text (key US value RS key US value …), read in the statement that loads
# the user (tracker/services/current.py); JSON never holds these control characters raw.
_US, _RS = "\x1f", "\x1e"
# (settings text, the app's EVIDENCE_MAX_MB) -> settings, per process (a few texts a day)
_PARSED: Memo[dict] = Memo(64)


def text_column():
    return select(func.aggregate_strings(AppSetting.key + _US + AppSetting.value, _RS)).scalar_subquery()


def _parse(text: str | None, evidence_mb) -> dict:
    parsed = dict(DEFAULTS)
    if evidence_mb is not None:
        parsed["evidence_max_mb"] = evidence_mb
    for item in (text or "").split(_RS):
        if item:
            key, _, value = item.partition(_US)
            parsed[key] = json.loads(value)
    return parsed


def _from_text(text: str | None) -> dict:
    evidence_mb = current_app.config.get("EVIDENCE_MAX_MB") if has_app_context() else None
    parsed = _PARSED.get((text, evidence_mb), lambda: _parse(text, evidence_mb))
    return {key: (dict(value) if isinstance(value, dict) else value) for key, value in parsed.items()}


def absorb(text: str | None) -> None:
    """The settings text read with the user (tracker/services/current.py), for this request."""
    g._settings = _from_text(text)


def _all() -> dict:
    cache = g.get("_settings") if has_app_context() else None
    if cache is None:
        cache = _from_text(db.session.scalar(select(text_column())))
        if has_app_context():
            g._settings = cache
    return cache


def get(key: str):
    return _all()[key]


def validate(key: str, value):
    if key == "reporting_frequency":
        if value not in FREQUENCIES:
            raise SettingError(f"填报周期只能是“按月”或“按季度”，收到“{value}”。")
        return value
    if key == "evidence_max_mb":
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SettingError(f"佐证材料大小上限应为整数（MB），收到“{value}”。") from None
        if not 1 <= number <= 200:
            raise SettingError("佐证材料大小上限应在 1–200 MB 之间。")
        return number
    if key == "monitoring_checkpoints":
        from tracker.services.monitoring import CHECKPOINT_CHOICES

        if value not in CHECKPOINT_CHOICES:
            raise SettingError(f"未知的双监控时点“{value}”。")
        return value
    if key in ("monitoring_due_days", "reminder_day"):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SettingError(f"“{LABELS[key]}”应为整数，收到“{value}”。") from None
        low, high = (1, 28) if key == "reminder_day" else (1, 120)
        if not low <= number <= high:
            raise SettingError(f"“{LABELS[key]}”应在 {low}–{high} 之间。")
        return number
    if key == "evaluation_open_date":
        from datetime import date

        try:
            month, day = (int(x) for x in str(value).split("-"))
            date(2001, month, day)
        except (ValueError, TypeError):
            raise SettingError(f"自评表生成日应为“月-日”，例如 01-05，收到“{value}”。") from None
        return f"{month:02d}-{day:02d}"
    if key == "monitoring_thresholds":
        from tracker.domain.monitoring import Thresholds

        if isinstance(value, str):
            value = json.loads(value or "{}")
        Thresholds.from_mapping(value)  # raises a Chinese message when out of order
        return {k: str(v) for k, v in value.items()}
    raise SettingError(f"未知的设置项“{key}”。")


def put(key: str, value, *, user: User | None) -> tuple[object, object]:
    """Returns (old, new)."""
    value = validate(key, value)
    old = get(key)
    row = db.session.get(AppSetting, key)
    if row is None:
        row = AppSetting(key=key, value=json.dumps(value))
        db.session.add(row)
    else:
        row.value = json.dumps(value)
    row.updated_by_id = user.id if user else None
    db.session.flush()
    if has_app_context():
        g.pop("_settings", None)
    return old, value


def save_all(values: dict, *, user: User | None) -> list[tuple[str, object, object]]:
    """Store every known setting present in ``values``; each change is audited. Returns them."""
    from tracker.services import audit

    changes = []
    for key in DEFAULTS:
        if key in values:
            old, new = put(key, values[key], user=user)
            if old != new:
                changes.append((key, old, new))
    for key, old, new in changes:
        audit.record(user, "setting", "setting", None, f"修改设置“{LABELS[key]}”", old=old, new=new)
    return changes
