"""双监控: snapshot every project at an as-of date, with lights and forecasts (DOMAIN.md §4).

A snapshot holds what was known at the as-of date (entries and spending dated on or
before it) and never changes afterwards, so a report printed again gives the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypedDict

from sqlalchemy import exists, func, select

from tracker.domain import DomainError
from tracker.domain import monitoring as monitoring_rules
from tracker.domain.accumulation import CUMULATIVE
from tracker.domain.targets import KIND_DEADLINE, KIND_QUALITATIVE, KIND_QUANTITATIVE, KIND_WITHIN_BUDGET, Target
from tracker.domain.vocab import Light, Role, State, SubmissionKind
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    MonitoringRow,
    MonitoringSnapshot,
    Project,
    Submission,
)
from tracker.models.base import utcnow
from tracker.models.projects import indicator_target
from tracker.services import bulk, notify, settings
from tracker.services.adjustments import adjusted_targets_of_projects
from tracker.services.records import (
    EMPTY,
    FIRST_TARGET_COLUMN,
    IndicatorRecord,
    IndicatorRow,
    indicator_records,
    indicators_by_project,
    plain_rows,
    spending_by_project,
)

CHECKPOINT_CHOICES = {
    "hebei": ("1-6月（河北，数据截至6月30日）", ["06-30"]),
    "central": ("1-7月（财预〔2019〕136号，数据截至7月31日）", ["07-31"]),
    "quarterly": ("按季度（3、6、9、12月末）", ["03-31", "06-30", "09-30", "12-31"]),
    "hebei_quarterly": ("1-6月及各季度末", ["03-31", "06-30", "09-30", "12-31"]),
}


def thresholds() -> monitoring_rules.Thresholds:
    return monitoring_rules.Thresholds.from_mapping(settings.get("monitoring_thresholds") or {})


def checkpoints(year: int) -> list[date]:
    choice = settings.get("monitoring_checkpoints")
    return [date(year, int(md[:2]), int(md[3:])) for md in CHECKPOINT_CHOICES[choice][1]]


def period_label(as_of: date) -> str:
    return f"{as_of.year}年1-{as_of.month}月" if as_of.month < 12 else f"{as_of.year}年全年"


BATCH = 500  # projects per batch: memory stays flat whatever the county's size


def cached_targets():
    """indicator_target() for IndicatorRows, built once per distinct target (a county has
    45k indicators but a few thousand distinct targets)."""
    cache: dict[tuple, Target] = {}

    def target_of(ind: IndicatorRow) -> Target:
        key = ind[FIRST_TARGET_COLUMN:]
        found = cache.get(key)
        if found is None:
            found = cache[key] = indicator_target(ind)
        return found

    return target_of


def _row(ind, record: IndicatorRecord, *, as_of, year, tp, budget, spent, limits, target=None) -> dict:
    """One monitoring row from the indicator's columns and what the record says about it."""
    target = target or indicator_target(ind)
    cumulative = ind.accumulation == CUMULATIVE
    current = None
    current_text = ""
    tier = None
    completed: dict[int | None, date] | date | None = None
    if target.kind == KIND_QUANTITATIVE:
        current = record.value(cumulative=cumulative)
    elif target.kind == KIND_QUALITATIVE:
        tier = record.latest_tier
        current_text = tier or ""
    elif target.kind == KIND_DEADLINE:
        done = record.completions
        if target.monthly_day:
            completed = {m: d for m, d in done.items() if m}
            current_text = "；".join(f"{m}月{d.month}/{d.day}" for m, d in sorted(completed.items()))
        else:
            completed = one_off = done.get(None)
            current_text = f"{one_off.isoformat()} 完成" if one_off else "未完成"
    elif target.kind == KIND_WITHIN_BUDGET:
        current = spent if budget is not None else None
        current_text = "" if budget is not None else "未录入预算"
    forecast = None
    try:
        light = monitoring_rules.indicator_light(
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
            forecast = monitoring_rules.forecast(current, time_progress=tp, cumulative=cumulative)
    except (DomainError, ArithmeticError) as exc:
        # One indicator that cannot be judged must not stop the run for every department.
        light = monitoring_rules.GREY
        current_text = f"无法判断：{exc}"
    return {
        "indicator_id": ind.id,
        "position": ind.position,
        "level1": ind.level1,
        "level2": ind.level2,
        "level3": ind.level3,
        "target_raw": target.raw,  # the target in force on the as-of date (绩效目标调整)
        "target_unit": target.unit or "",
        "accumulation": ind.accumulation,
        "current_value": current,
        "current_text": current_text,
        "light": light,
        "forecast": forecast,
    }


class RunCounts(TypedDict):
    """What run() did: snapshots written, indicators judged, projects skipped, projects per light."""

    projects: int
    indicators: int
    skipped: int
    lights: dict[str, int]


@bulk.cycle_collector_paused()
def run(as_of: date, *, progress_cb: Callable[[int, int, object], None] | None = None) -> RunCounts:
    """Snapshot every project of the as-of date's budget year that has none for this date.

    Set-based (issue 9): per batch of projects, a few aggregate queries read what the record
    says (records.indicator_records, spending_by_project), the domain judges each indicator
    from plain values, and the snapshot, row and form rows are inserted in bulk; owners get
    one message per department, written together at the end. Flushes only; the job runner
    commits (with its completion row) or rolls back.
    """
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == as_of.year))
    counts: RunCounts = {
        "projects": 0,
        "indicators": 0,
        "skipped": 0,
        "lights": dict.fromkeys(monitoring_rules.LIGHTS, 0),
    }
    if year is None:
        return counts
    period_key = as_of.isoformat()
    limits = thresholds()
    tp = monitoring_rules.time_progress(as_of, as_of.year)
    db.session.flush()
    has_snapshot = exists().where(
        MonitoringSnapshot.project_id == Project.id, MonitoringSnapshot.period_key == period_key
    )
    counts["skipped"] = db.session.execute(
        select(func.count(Project.id)).where(Project.year_id == year.id, has_snapshot)
    ).scalar_one()
    projects = db.session.execute(
        select(Project.id, Project.department_id, Project.initial_budget, Project.adjusted_budget, Project.goal)
        .where(Project.year_id == year.id, ~has_snapshot)
        .order_by(Project.department_id, Project.position, Project.id)
    ).all()
    total = len(projects) + counts["skipped"]
    index = counts["skipped"]
    # department → project lights of its new snapshots, for one message per department
    opened: dict[int, list[str]] = {}
    target_of = cached_targets()
    for start in range(0, len(projects), BATCH):
        batch = projects[start : start + BATCH]
        ids = [p.id for p in batch]
        records = indicator_records(ids, as_of=as_of)
        spent_by_project = spending_by_project(ids, until=as_of)
        indicators = indicators_by_project(ids)
        # Adjusted targets (绩效目标调整, issue 12 §3): the one in force on the as-of date,
        # one query per batch; indicators never adjusted keep their own columns.
        in_force = adjusted_targets_of_projects(ids, as_of)
        snapshots, rows_by_project, submissions = [], {}, []
        now = utcnow()
        for project in batch:
            budget = project.adjusted_budget if project.adjusted_budget is not None else project.initial_budget
            spent = spent_by_project.get(project.id, Decimal(0))
            rate = (spent / budget) if budget else None
            budget_light = (
                monitoring_rules.budget_light(rate, tp, limits) if rate is not None else monitoring_rules.GREY
            )
            rows = [
                _row(
                    ind,
                    records.get(ind.id, EMPTY),
                    as_of=as_of,
                    year=as_of.year,
                    tp=tp,
                    budget=budget,
                    spent=spent,
                    limits=limits,
                    target=in_force.get(ind.id) or target_of(ind),
                )
                for ind in indicators.get(project.id, [])
            ]
            project_light = monitoring_rules.project_light([budget_light] + [r["light"] for r in rows])
            snapshots.append(
                {
                    "project_id": project.id,
                    "period_key": period_key,
                    "as_of": as_of,
                    "time_progress": tp,
                    "initial_budget": project.initial_budget,
                    "adjusted_budget": project.adjusted_budget,
                    "spent": spent,
                    "execution_rate": rate,
                    "forecast_spent": (spent / tp).quantize(Decimal("0.000001")) if tp else None,
                    "budget_light": budget_light,
                    "project_light": project_light,
                    "annual_goal": project.goal or "",
                    "created_at": now,
                }
            )
            rows_by_project[project.id] = rows
            submissions.append(
                {
                    "project_id": project.id,
                    "year_id": year.id,
                    "kind": SubmissionKind.MONITORING,
                    "period_key": period_key,
                    "state": State.DRAFT,
                    "updated_at": now,
                }
            )
            counts["projects"] += 1
            counts["indicators"] += len(rows)
            counts["lights"][project_light] += 1
            opened.setdefault(project.department_id, []).append(project_light)
        bulk.insert_rows(MonitoringSnapshot, snapshots)
        snapshot_ids = dict(
            plain_rows(
                select(MonitoringSnapshot.project_id, MonitoringSnapshot.id).where(
                    MonitoringSnapshot.period_key == period_key, MonitoringSnapshot.project_id.in_(ids)
                )
            )
        )
        bulk.insert_rows(MonitoringRow, bulk.child_rows(rows_by_project, snapshot_ids, "snapshot_id"))
        bulk.insert_rows(Submission, submissions)
        if progress_cb:  # after the batch is written: the count says what the transaction holds
            for project in batch:
                index += 1
                progress_cb(index, total, project)
    # One message per department's owners (not one per project): what to do and where.
    owners = notify.user_ids_by_department(Role.OWNER, opened)
    messages = []
    for department_id, lights in opened.items():
        to_explain = [light for light in lights if monitoring_rules.needs_deviation_explanation(light, limits)]
        message = f"{period_label(as_of)}绩效监控表已生成：{len(lights)} 个项目"
        if to_explain:
            message += (
                f"，其中 {len(to_explain)} 个有预警（"
                + "、".join(
                    f"{monitoring_rules.LIGHT_LABELS[k]}灯 {n}"
                    for k in monitoring_rules.LIGHTS
                    if (n := sum(1 for light in to_explain if light == k))
                )
                + "），请填写偏差原因并提交"
            )
        else:
            message += "，请核对后提交"
        messages.append(
            notify.Message(
                owners.get(department_id, ()),
                kind="monitoring_open",
                message=message + "。",
                link=f"/monitoring/?period={period_key}",
                dedupe_key=f"monitoring_open:{period_key}:{department_id}",
            )
        )
    notify.notify_many(messages)
    if counts["projects"]:
        notify.notify(
            notify.users_with_role(Role.FINANCE),
            kind="monitoring_run",
            message=f"{period_label(as_of)}双监控已运行：{counts['projects']} 个项目，"
            + "，".join(f"{monitoring_rules.LIGHT_LABELS[Light(k)]}灯 {v}" for k, v in counts["lights"].items() if v),
            link=f"/monitoring/?period={period_key}",
            dedupe_key=f"monitoring_run:{period_key}",
        )
    return counts


def reasons_of(row: MonitoringRow) -> list[str]:
    return list(row.reasons or [])
