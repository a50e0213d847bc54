"""Loads the demo year through the services a user would use (see tracker_demo)."""

from __future__ import annotations

import calendar
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import exists, select

from tracker.domain import scoring, workflow
from tracker.domain.accumulation import CUMULATIVE, LEVEL
from tracker.domain.periods import periods_of_year
from tracker.domain.targets import (
    KIND_DEADLINE,
    KIND_QUALITATIVE,
    KIND_QUANTITATIVE,
    KIND_WITHIN_BUDGET,
    format_decimal,
)
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    Department,
    DepartmentBudget,
    Indicator,
    ProgressEntry,
    Project,
    Spending,
    Submission,
    User,
)
from tracker.progress import forms as progress_forms
from tracker.services import progress, review
from tracker_demo.plans import (
    _DEFAULT_PERCENTS,
    DEMO_DEPARTMENT_CODE,
    DEMO_USERS,
    DEMO_YEAR,
    FIRST_HALF,
    MID_YEAR,
    NOTHING_MORE,
    PLANS,
    RETURN_COMMENT,
    SECOND_HALF,
    SKIP_SURVEY,
    YEAR_END,
    Plan,
    _cum,
    _each_month,
    _level,
    _survey,
    _tier,
    _year_end,
)


def _default_spec(indicator: Indicator) -> tuple:
    target = indicator.target
    if target.kind == KIND_QUALITATIVE:
        return _tier("达成", f"截至6月底，{indicator.level3}：{target.raw}，按计划落实。")
    if target.kind == KIND_WITHIN_BUDGET:
        return _tier("达成", "上半年支出控制在预算内。")
    if target.kind == KIND_DEADLINE:
        if target.monthly_day:
            return ("monthly", {m: min(20, target.monthly_day) for m in FIRST_HALF}, {})
        return ("skip", "尚未到期")
    if target.kind != KIND_QUANTITATIVE or target.value is None:
        return ("skip", "")
    if "满意" in indicator.level2 or "满意" in indicator.level3:
        return SKIP_SURVEY
    if target.unit == "%":
        value = Decimal(_DEFAULT_PERCENTS[indicator.position % len(_DEFAULT_PERCENTS)])
        if target.value >= 100:
            value = Decimal(100)
        elif not target.value <= value < target.value * Decimal("1.2"):
            value = target.value
        return _level(format_decimal(value))
    if indicator.accumulation == CUMULATIVE:
        share = Decimal("0.5") if target.direction == "正向" else Decimal("0.46")
        per_month = (target.value * share / MID_YEAR).quantize(Decimal("0.01"))
        return _cum(_each_month(format_decimal(per_month)))
    return _level(format_decimal(target.value))


# Year-end satisfaction survey results for surveys without a spec, picked by position.
_SURVEY_RESULTS = ("96", "95", "97", "96.5", "98", "95.5")


def _default_year_end_spec(indicator: Indicator, first_half: tuple) -> tuple:
    """July–December for an indicator without a year-end spec: the first half continued.

    A cumulative indicator entered every month with the same amount goes on the same way
    (otherwise nothing more: a one-off cost); a level gets its last value again at the year
    end, except a stock entered once in January; a tier is confirmed at 12月31日; a monthly
    deadline goes on; a one-off deadline is done on time; a survey gets its result.
    """
    target = indicator.target
    kind = first_half[0]
    if kind == "cum":
        values, unit = first_half[1], first_half[2]
        if sorted(values) == list(FIRST_HALF) and len(set(values.values())) == 1:
            return _cum(_each_month(values[MID_YEAR], SECOND_HALF), unit)
        return NOTHING_MORE
    if kind == "level":
        values, unit = first_half[1], first_half[2]
        if list(values) == [1]:
            return NOTHING_MORE
        return _year_end(values[max(values)], unit)
    if kind == "tier":
        tier = first_half[1]
        if target.kind == KIND_WITHIN_BUDGET:
            return _tier(tier, "全年支出控制在预算内。")
        done = "全年目标已实现" if tier == scoring.TIER_MET else "部分实现"
        return _tier(tier, f"截至12月底，{indicator.level3}：{target.raw}，{done}。")
    if kind == "monthly":
        return ("monthly", {m: min(20, target.monthly_day) for m in SECOND_HALF}, {})
    if target.kind == KIND_DEADLINE and target.month:
        due = scoring.deadline_due_date(target, DEMO_YEAR)
        return ("done", (due - timedelta(days=10)).isoformat(), "已按时完成。")
    if first_half == SKIP_SURVEY:
        return _survey(_SURVEY_RESULTS[indicator.position % len(_SURVEY_RESULTS)], 100)
    return first_half


# ----------------------------------------------------------------------------- loading


def _month_end(month: int) -> str:
    return f"{DEMO_YEAR}-{month:02d}-{calendar.monthrange(DEMO_YEAR, month)[1]:02d}"


def _user(role: str, department: Department) -> User | None:
    user = db.session.scalar(select(User).where(User.username == DEMO_USERS[role], User.role == role))
    if user is None:  # renamed: any active user with that role (and department for owner/reviewer)
        stmt = select(User).where(User.role == role, User.is_active_flag.is_(True))
        if role != "finance":
            stmt = stmt.where(User.department_id == department.id)
        user = db.session.scalars(stmt.order_by(User.id)).first()
    return user


def _plan_for(project: Project) -> Plan | None:
    return next((plan for plan in PLANS if plan.key in project.name), None)


def _spec_for(plan: Plan | None, indicator: Indicator) -> tuple:
    """The first-half spec: the plan's (level3, or a part of it), else the target's default."""
    spec = _planned(plan.values, indicator) if plan else None
    return spec or _default_spec(indicator)


def _year_end_spec_for(plan: Plan | None, indicator: Indicator, first_half: tuple) -> tuple:
    spec = _planned(plan.year_end, indicator) if plan else None
    return spec or _default_year_end_spec(indicator, first_half)


def _planned(specs: dict[str, tuple], indicator: Indicator) -> tuple | None:
    if indicator.level3 in specs:
        return specs[indicator.level3]
    return next((spec for key, spec in specs.items() if key in indicator.level3), None)


def _zero_counts() -> dict:
    return {
        "budgets": 0,
        "expenditures": 0,
        "entries": 0,
        "corrections": 0,
        "accumulation_changes": 0,
        "submissions": {state: 0 for state in workflow.STATES if state != workflow.DRAFT},
        # of the above, what is dated July–December
        "second_half": {"expenditures": 0, "entries": 0, "submissions": 0},
    }


def _already_loaded(department: Department, year: BudgetYear) -> bool:
    in_scope = select(Project.id).where(Project.department_id == department.id, Project.year_id == year.id)
    return any(
        db.session.scalar(select(exists().where(model.project_id.in_(in_scope))))
        for model in (ProgressEntry, Spending, Submission)
    )


def load_demo_activity(echo=print) -> dict:
    """Budgets, spending, values and review for the seed department's 2023 projects.

    Idempotent: does nothing (and returns zero counts) when the department already has any
    entry, expenditure or submission in 2023. Flushes only; the caller commits.
    """
    counts = _zero_counts()
    department = db.session.scalar(select(Department).where(Department.code == DEMO_DEPARTMENT_CODE))
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == DEMO_YEAR))
    if department is None or year is None or year.is_closed:
        echo("演示填报数据：未找到 2023 年度的演示部门，跳过。")
        return counts
    if _already_loaded(department, year):
        echo("演示填报数据：已存在，未重复生成。")
        return counts
    users = {role: _user(role, department) for role in DEMO_USERS}
    if any(user is None for user in users.values()):
        echo("演示填报数据：缺少演示账号（填报人、审核人或财政局），跳过。")
        return counts
    projects = db.session.scalars(
        select(Project)
        .where(Project.department_id == department.id, Project.year_id == year.id)
        .order_by(Project.position, Project.id)
    ).all()
    if not projects:
        echo("演示填报数据：演示部门没有 2023 年度项目，跳过。")
        return counts
    planned = [(project, _plan_for(project)) for project in projects]

    _set_budgets(planned, department, year, users["finance"], counts)
    # In the order it happened: the first half and its review, then the second half and its.
    for months in (FIRST_HALF, SECOND_HALF):
        before = (counts["expenditures"], counts["entries"], sum(counts["submissions"].values()))
        for project, plan in planned:
            if plan is not None:
                _record_spending(project, plan, months, users["owner"], counts)
            _record_values(project, plan, months, users["owner"], counts)
        for project, plan in planned:
            _review(project, plan, months, users, counts)
        if months is SECOND_HALF:
            later = counts["second_half"]
            later["expenditures"] = counts["expenditures"] - before[0]
            later["entries"] = counts["entries"] - before[1]
            later["submissions"] = sum(counts["submissions"].values()) - before[2]
    db.session.flush()

    subs, later = counts["submissions"], counts["second_half"]
    echo(
        f"演示填报数据：{DEMO_YEAR} 年全年，{counts['budgets']} 个项目预算，"
        f"支出 {counts['expenditures']} 笔、实际完成值 {counts['entries']} 条（含更正 {counts['corrections']} 条），"
        f"其中下半年支出 {later['expenditures']} 笔、完成值 {later['entries']} 条；"
        f"审核：已审定 {subs[workflow.APPROVED]} 期、部门已审核 {subs[workflow.DEPT_APPROVED]} 期、"
        f"已提交 {subs[workflow.SUBMITTED]} 期、已退回 {subs[workflow.RETURNED]} 期。"
    )
    return counts


def _set_budgets(planned, department: Department, year: BudgetYear, finance: User, counts: dict) -> None:
    """年初预算数 for every project; the project without a fixed amount gets the rest of 项目支出."""
    dept_budget = db.session.scalar(
        select(DepartmentBudget).where(
            DepartmentBudget.department_id == department.id, DepartmentBudget.year_id == year.id
        )
    )
    fixed = sum((Decimal(plan.budget) for _, plan in planned if plan and plan.budget), Decimal(0))
    for project, plan in planned:
        if plan is None or project.initial_budget is not None:
            continue
        if plan.budget is not None:
            amount = Decimal(plan.budget)
        elif dept_budget is not None and dept_budget.project is not None and dept_budget.project > fixed:
            amount = dept_budget.project - fixed
        else:
            continue
        progress.update_budget(
            finance,
            project,
            progress_forms.parse_budget_form(
                {
                    "initial_budget": format_decimal(amount),
                    "adjusted_budget": "",
                    "reason": f"按{DEMO_YEAR}年部门预算批复录入年初预算数",
                }
            ),
            expected_version=None,
        )
        counts["budgets"] += 1
        if plan.adjusted:
            adjusted, reason = plan.adjusted
            progress.update_budget(
                finance,
                project,
                progress_forms.parse_budget_form(
                    {"initial_budget": format_decimal(amount), "adjusted_budget": adjusted, "reason": reason}
                ),
                expected_version=None,
            )


def _record_spending(project: Project, plan: Plan, months: range, owner: User, counts: dict) -> None:
    spending = plan.spending if months is FIRST_HALF else plan.later_spending
    for spend in sorted(spending, key=lambda s: s.day):
        if int(spend.day[5:7]) not in months:
            raise ValueError(f"演示数据有误：{plan.key} 的支出 {spend.day} 不在{months.start}–{months.stop - 1}月")
        form = {"spent_on": spend.day, "amount": spend.amount, "unit": spend.unit, "note": spend.note}
        progress.record_spending(owner, project, progress_forms.parse_spending_form(project, form))
        counts["expenditures"] += 1


def _record(owner: User, indicator: Indicator, form: dict, counts: dict, supersedes=None) -> ProgressEntry:
    data = progress_forms.parse_value_form(indicator, form)
    entry = progress.record_value(owner, indicator, data, supersedes=supersedes)
    counts["entries"] += 1
    return entry


def _record_values(project: Project, plan: Plan | None, months: range, owner: User, counts: dict) -> None:
    for indicator in project.indicators:
        spec = _spec_for(plan, indicator)
        if months is SECOND_HALF:
            spec = _year_end_spec_for(plan, indicator, spec)
        _record_spec(indicator, spec, months, owner, counts)


def _record_spec(indicator: Indicator, spec: tuple, months: range, owner: User, counts: dict) -> None:
    kind = spec[0]
    if kind in ("cum", "level"):
        wanted = CUMULATIVE if kind == "cum" else LEVEL
        if indicator.accumulation != wanted:
            progress.set_accumulation(owner, indicator, wanted)
            counts["accumulation_changes"] += 1
        _, values, unit, notes = spec
        for month, value in sorted(values.items()):
            _check_month(indicator, month, months)
            form = {"as_of": _month_end(month), "unit": unit, "note": notes.get(month, "")}
            if isinstance(value, tuple):
                wrong, right, reason = value
                first = _record(owner, indicator, {**form, "value": wrong}, counts)
                _record(owner, indicator, {**form, "value": right, "note": reason}, counts, supersedes=first)
                counts["corrections"] += 1
            else:
                _record(owner, indicator, {**form, "value": value}, counts)
    elif kind == "tier":
        _, tier, note = spec
        _record(owner, indicator, {"as_of": _month_end(months[-1]), "tier": tier, "note": note}, counts)
    elif kind == "monthly":
        _, days, notes = spec
        for month, day in sorted(days.items()):
            _check_month(indicator, month, months)
            done = f"{DEMO_YEAR}-{month:02d}-{day:02d}"
            form = {
                "as_of": done,
                "completed_on": done,
                "for_month": str(month),
                "note": notes.get(month, f"{month}月工资已发放到位。"),
            }
            _record(owner, indicator, form, counts)
    elif kind == "done":
        _, done, note = spec
        _check_month(indicator, int(done[5:7]), months)
        _record(owner, indicator, {"as_of": done, "completed_on": done, "note": note}, counts)


def _check_month(indicator: Indicator, month: int, months: range) -> None:
    """A first-half entry after 6月 would change the mid-year monitoring: refuse it."""
    if month not in months:
        raise ValueError(f"演示数据有误：“{indicator.level3}”的 {month} 月填报不在{months.start}–{months.stop - 1}月")


# Actions that take a period from draft to each final state, with who acts.
_PATHS = {
    workflow.SUBMITTED: [("owner", workflow.SUBMIT, "")],
    workflow.DEPT_APPROVED: [("owner", workflow.SUBMIT, ""), ("reviewer", workflow.DEPT_APPROVE, "")],
    workflow.APPROVED: [
        ("owner", workflow.SUBMIT, ""),
        ("reviewer", workflow.DEPT_APPROVE, ""),
        ("finance", workflow.APPROVE, ""),
    ],
    workflow.RETURNED: [
        ("owner", workflow.SUBMIT, ""),
        ("reviewer", workflow.DEPT_APPROVE, ""),
        ("finance", workflow.RETURN, RETURN_COMMENT),
    ],
}


def _review(project: Project, plan: Plan | None, months: range, users: dict, counts: dict) -> None:
    """The periods ending in ``months``: approved unless the plan says otherwise, except 6月
    and 12月 (the latest month of each half), which stay drafts unless the plan says otherwise.

    With quarterly reporting a period takes the state planned for its last month.
    """
    states = plan.review if plan else {}
    for period in periods_of_year(DEMO_YEAR, progress.frequency()):
        month = period.end.month
        if month not in months:
            continue
        state = states.get(month, workflow.DRAFT if month in (MID_YEAR, YEAR_END) else workflow.APPROVED)
        if state == workflow.DRAFT:
            continue
        for role, action, comment in _PATHS[state]:
            review.act(users[role], project, period.key, action, comment=comment)
        counts["submissions"][state] += 1
