"""双监控: snapshot every project at an as-of date, with lights and forecasts (DOMAIN.md §4).

A snapshot holds what was known at the as-of date (entries and spending dated on or
before it) and never changes afterwards, so a report printed again gives the same figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.domain import DomainError
from tracker.domain import monitoring as rules
from tracker.domain import progress as progress_rules
from tracker.domain.accumulation import CUMULATIVE
from tracker.domain.targets import KIND_DEADLINE, KIND_QUALITATIVE, KIND_QUANTITATIVE, KIND_WITHIN_BUDGET
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    Expenditure,
    MonitoringRow,
    MonitoringSnapshot,
    ProgressEntry,
    Project,
    Submission,
)
from tracker.services import notify, settings
from tracker.services.progress import current_entries_query

CHECKPOINT_CHOICES = {
    "hebei": ("1-6月（河北，数据截至6月30日）", ["06-30"]),
    "central": ("1-7月（财预〔2019〕136号，数据截至7月31日）", ["07-31"]),
    "quarterly": ("按季度（3、6、9、12月末）", ["03-31", "06-30", "09-30", "12-31"]),
    "hebei_quarterly": ("1-6月及各季度末", ["03-31", "06-30", "09-30", "12-31"]),
}


def thresholds() -> rules.Thresholds:
    return rules.Thresholds.from_mapping(settings.get("monitoring_thresholds") or {})


def checkpoints(year: int) -> list[date]:
    choice = settings.get("monitoring_checkpoints")
    return [date(year, int(md[:2]), int(md[3:])) for md in CHECKPOINT_CHOICES[choice][1]]


def period_label(as_of: date) -> str:
    return f"{as_of.year}年1-{as_of.month}月" if as_of.month < 12 else f"{as_of.year}年全年"


def _readings_until(entries: list[ProgressEntry], as_of: date) -> list[progress_rules.Reading]:
    return [
        progress_rules.Reading(e.as_of, e.id, e.value, e.tier, e.completed_on, e.for_month)
        for e in entries
        if e.as_of <= as_of
    ]


def _row(ind, readings, *, as_of, year, tp, budget, spent, limits, target=None) -> MonitoringRow:
    # The target in force on the as-of date (绩效目标调整, issue 12 §3); the indicator's own by default.
    target = target if target is not None else ind.target
    cumulative = ind.accumulation == CUMULATIVE
    current = None
    current_text = ""
    tier = None
    completed = None
    if target.kind == KIND_QUANTITATIVE:
        current = progress_rules.year_to_date(readings, cumulative=cumulative)
    elif target.kind == KIND_QUALITATIVE:
        tier = progress_rules.latest_tier(readings)
        current_text = tier or ""
    elif target.kind == KIND_DEADLINE:
        done = progress_rules.completions(readings)
        if target.monthly_day:
            completed = {m: d for m, d in done.items() if m}
            current_text = "；".join(f"{m}月{d.month}/{d.day}" for m, d in sorted(completed.items()))
        else:
            completed = done.get(None)
            current_text = f"{completed.isoformat()} 完成" if completed else "未完成"
    elif target.kind == KIND_WITHIN_BUDGET:
        current = spent if budget is not None else None
        current_text = "" if budget is not None else "未录入预算"
    forecast = None
    try:
        light = rules.indicator_light(
            target,
            current if target.kind != KIND_WITHIN_BUDGET else (spent if budget is not None else None),
            time_progress=tp,
            cumulative=cumulative,
            tier=tier,
            completed_on=completed,
            as_of=as_of,
            budget=budget,
            budget_year=year,
            thresholds=limits,
        )
        if target.kind == KIND_QUANTITATIVE and current is not None:
            forecast = rules.forecast(current, time_progress=tp, cumulative=cumulative)
    except (DomainError, ArithmeticError) as exc:
        # One indicator that cannot be judged must not stop the run for every department.
        light = rules.GREY
        current_text = f"无法判断：{exc}"
    return MonitoringRow(
        indicator_id=ind.id,
        position=ind.position,
        level1=ind.level1,
        level2=ind.level2,
        level3=ind.level3,
        target_raw=target.raw,
        target_unit=target.unit or "",
        accumulation=ind.accumulation,
        current_value=current,
        current_text=current_text,
        light=light,
        forecast=forecast,
    )


def run(as_of: date, *, progress_cb: Callable[[int, int, Project], None] | None = None) -> dict:
    """Snapshot every project of the as-of date's budget year that has none for this date.

    Flushes only; the job runner commits (with its completion row) or rolls back.
    """
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == as_of.year))
    counts = {"projects": 0, "indicators": 0, "skipped": 0, "lights": {light: 0 for light in rules.LIGHTS}}
    if year is None:
        return counts
    period_key = as_of.isoformat()
    limits = thresholds()
    tp = rules.time_progress(as_of, as_of.year)
    projects = db.session.scalars(
        select(Project)
        .where(Project.year_id == year.id)
        .options(selectinload(Project.indicators), selectinload(Project.department))
        .order_by(Project.department_id, Project.position)
    ).all()
    done = set(
        db.session.scalars(select(MonitoringSnapshot.project_id).where(MonitoringSnapshot.period_key == period_key))
    )
    ids = [p.id for p in projects]
    entries: dict[int, list[ProgressEntry]] = {}
    for entry in db.session.scalars(
        current_entries_query(ProgressEntry).where(ProgressEntry.project_id.in_(ids), ProgressEntry.as_of <= as_of)
    ):
        entries.setdefault(entry.indicator_id, []).append(entry)
    spent_by_project: dict[int, Decimal] = {}
    for project_id, amount in db.session.execute(
        current_entries_query(Expenditure)
        .where(Expenditure.project_id.in_(ids), Expenditure.spent_on <= as_of)
        .with_only_columns(Expenditure.project_id, Expenditure.amount)
    ):
        spent_by_project[project_id] = spent_by_project.get(project_id, Decimal(0)) + amount

    from tracker.services.adjustments import targets_in_force

    in_force = targets_in_force((ind for p in projects if p.id not in done for ind in p.indicators), as_of)
    opened: dict[int, list[MonitoringSnapshot]] = {}
    for index, project in enumerate(projects, start=1):
        if project.id in done:
            counts["skipped"] += 1
            continue
        budget = project.budget
        spent = spent_by_project.get(project.id, Decimal(0))
        rate = (spent / budget) if budget else None
        budget_light = rules.budget_light(rate, tp, limits) if rate is not None else rules.GREY
        rows = [
            _row(
                ind,
                _readings_until(entries.get(ind.id, []), as_of),
                as_of=as_of,
                year=as_of.year,
                tp=tp,
                budget=budget,
                spent=spent,
                limits=limits,
                target=in_force.get(ind.id),
            )
            for ind in project.indicators
        ]
        snapshot = MonitoringSnapshot(
            project_id=project.id,
            period_key=period_key,
            as_of=as_of,
            time_progress=tp,
            initial_budget=project.initial_budget,
            adjusted_budget=project.adjusted_budget,
            spent=spent,
            execution_rate=rate,
            forecast_spent=(spent / tp).quantize(Decimal("0.000001")) if tp else None,
            budget_light=budget_light,
            project_light=rules.project_light([budget_light] + [r.light for r in rows]),
            annual_goal=project.goal or "",
            rows=rows,
        )
        db.session.add(snapshot)
        db.session.add(Submission(project_id=project.id, kind="monitoring", period_key=period_key, state="draft"))
        counts["projects"] += 1
        counts["indicators"] += len(rows)
        counts["lights"][snapshot.project_light] += 1
        opened.setdefault(project.department_id, []).append(snapshot)
        if progress_cb:
            progress_cb(index, len(projects), project)
    db.session.flush()
    # One message per department's owners (not one per project): what to do and where.
    for department_id, snapshots in opened.items():
        to_explain = [s for s in snapshots if rules.needs_deviation_explanation(s.project_light, limits)]
        message = f"{period_label(as_of)}绩效监控表已生成：{len(snapshots)} 个项目"
        if to_explain:
            message += f"，其中 {len(to_explain)} 个有预警（" + "、".join(
                f"{rules.LIGHT_LABELS[k]}灯 {n}" for k in rules.LIGHTS
                if (n := sum(1 for s in to_explain if s.project_light == k))
            ) + "），请填写偏差原因并提交"
        else:
            message += "，请核对后提交"
        notify.notify(
            notify.users_with_role("owner", department_id),
            kind="monitoring_open",
            message=message + "。",
            link=f"/monitoring/?period={period_key}",
            dedupe_key=f"monitoring_open:{period_key}:{department_id}",
        )
    if counts["projects"]:
        notify.notify(
            notify.users_with_role("finance"),
            kind="monitoring_run",
            message=f"{period_label(as_of)}双监控已运行：{counts['projects']} 个项目，"
            + "，".join(f"{rules.LIGHT_LABELS[k]}灯 {v}" for k, v in counts["lights"].items() if v),
            link=f"/monitoring/?period={period_key}",
            dedupe_key=f"monitoring_run:{period_key}",
        )
    return counts


def reasons_of(row: MonitoringRow) -> list[str]:
    try:
        return list(json.loads(row.reasons or "[]"))
    except ValueError:
        return []
