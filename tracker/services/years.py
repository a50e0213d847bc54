"""Year over year (issue 12 §4): linking a new year's projects and indicators to last
year's, last year's values next to this year's, a department's years side by side, and
reopening an archived year with a reason."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import String, cast, func, select

from tracker.domain import DomainError, scoring
from tracker.domain.matching import match_indicators, match_projects
from tracker.domain.vocab import State, SubmissionKind
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    Department,
    DepartmentBudget,
    EvaluationForm,
    EvaluationRow,
    Indicator,
    Project,
    Submission,
    User,
)


class ReasonRequired(DomainError):
    """Reopening an archived year needs a reason."""


# ------------------------------------------------------------------ matching at import


def link_previous_year(project_plans, *, year: int, department_id: int | None) -> None:
    """Fill ``previous_id`` of each project plan and indicator plan from last year's data of
    the same department (2 queries). Plans without a parsed project are skipped."""
    if department_id is None:
        return
    prev_year = db.session.scalar(select(BudgetYear.id).where(BudgetYear.year == year - 1))
    if prev_year is None:
        return
    prev_projects = db.session.execute(
        select(Project.id, Project.name).where(Project.department_id == department_id, Project.year_id == prev_year)
    ).all()
    if not prev_projects:
        return
    plans = [p for p in project_plans if p.parsed is not None]
    matched = match_projects([p.parsed.name for p in plans], prev_projects)
    prev_ids = list(matched.values())
    by_project: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for row in db.session.execute(
        select(Indicator.project_id, Indicator.id, Indicator.level1, Indicator.level2, Indicator.level3)
        .where(Indicator.project_id.in_(prev_ids))
        .order_by(Indicator.project_id, Indicator.position)
    ):
        by_project[row.project_id].append((row.id, row.level1, row.level2, row.level3))
    for i, plan in enumerate(plans):
        prev_id = matched.get(i)
        if prev_id is None:
            continue
        plan.previous_id = prev_id
        rows = [(ip.parsed.level1, ip.parsed.level2, ip.parsed.level3) for ip in plan.indicators]
        for j, prev_ind in match_indicators(rows, by_project.get(prev_id, [])).items():
            plan.indicators[j].previous_id = prev_ind


# ------------------------------------------------------------------ last year's values


@dataclass
class PreviousValues:
    """Last year's indicator: its target, and from last year's approved self-evaluation
    (the year-end actual) the actual value/text and the score."""

    year: int
    target_raw: str
    actual: str = ""
    score: Decimal | None = None
    weight: Decimal | None = None
    approved: bool = False


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def previous_values(project: Project) -> tuple[dict[int, PreviousValues], EvaluationForm | None, Project | None]:
    """Indicator id (this year) → last year's values; also last year's form and project."""
    if not project.previous_project_id:
        return {}, None, None
    prev_project = db.session.get(Project, project.previous_project_id)
    if prev_project is None:
        return {}, None, None
    prev_year = prev_project.year.year
    links = db.session.execute(
        select(Indicator.id, Indicator.previous_indicator_id).where(
            Indicator.project_id == project.id, Indicator.previous_indicator_id.is_not(None)
        )
    ).all()
    if not links:
        return {}, None, prev_project
    prev_targets = dict(
        db.session.execute(
            select(Indicator.id, Indicator.target_raw).where(Indicator.id.in_([p for _, p in links]))
        ).all()
    )
    form = db.session.scalar(
        select(EvaluationForm).where(EvaluationForm.project_id == prev_project.id, EvaluationForm.year == prev_year)
    )
    approved = bool(
        form
        and db.session.scalar(
            select(Submission.id).where(
                Submission.project_id == prev_project.id,
                Submission.kind == SubmissionKind.EVALUATION,
                Submission.period_key == str(prev_year),
                Submission.state == State.APPROVED,
            )
        )
    )
    rows = {}
    if form is not None and approved:
        rows = {
            r.indicator_id: r for r in db.session.scalars(select(EvaluationRow).where(EvaluationRow.form_id == form.id))
        }
    out: dict[int, PreviousValues] = {}
    for ind_id, prev_id in links:
        if prev_id is None:  # excluded in SQL (previous_indicator_id IS NOT NULL)
            continue
        pv = PreviousValues(year=prev_year, target_raw=prev_targets.get(prev_id, ""), approved=approved)
        row = rows.get(prev_id)
        if row is not None:
            pv.actual = row.actual_text or _fmt(row.actual_value)
            pv.score = row.score
            pv.weight = row.weight
        out[ind_id] = pv
    return out, (form if approved else None), prev_project


# ------------------------------------------------------------------ department summary


@dataclass
class YearSummary:
    year: int
    closed: bool
    projects: int = 0
    indicators: int = 0
    department_budget: Decimal | None = None  # 部门预算总额 (published)
    budget: Decimal = Decimal(0)  # 全年预算数 of the self-evaluations
    spent: Decimal = Decimal(0)
    forms: int = 0  # approved self-evaluations
    average_score: Decimal | None = None
    grade: str = ""
    rows_scored: int = 0
    rows_met: int = 0
    grades: dict[str, int] = field(default_factory=dict)

    @property
    def execution_rate(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.spent / self.budget * 100).quantize(Decimal("0.01"))


def department_years(department: Department) -> list[YearSummary]:
    """Every budget year of a department, oldest first, from approved self-evaluations.

    An indicator counts as met (达标) when its tier is 达成 or it scored full marks."""
    years = db.session.scalars(select(BudgetYear).order_by(BudgetYear.year)).all()
    out = {y.year: YearSummary(year=y.year, closed=y.is_closed) for y in years}
    for year, n in db.session.execute(
        select(BudgetYear.year, func.count(Project.id))
        .join(Project, Project.year_id == BudgetYear.id)
        .where(Project.department_id == department.id)
        .group_by(BudgetYear.year)
    ):
        out[year].projects = n
    for year, n in db.session.execute(
        select(BudgetYear.year, func.count(Indicator.id))
        .join(Project, Project.year_id == BudgetYear.id)
        .join(Indicator, Indicator.project_id == Project.id)
        .where(Project.department_id == department.id)
        .group_by(BudgetYear.year)
    ):
        out[year].indicators = n
    for year, total in db.session.execute(
        select(BudgetYear.year, DepartmentBudget.total)
        .join(DepartmentBudget, DepartmentBudget.year_id == BudgetYear.id)
        .where(DepartmentBudget.department_id == department.id)
    ):
        out[year].department_budget = total
    approved = (
        select(EvaluationForm)
        .join(Project, Project.id == EvaluationForm.project_id)
        .join(
            Submission,
            (Submission.project_id == Project.id)
            & (Submission.kind == SubmissionKind.EVALUATION)
            & (Submission.period_key == cast(EvaluationForm.year, String))
            & (Submission.state == State.APPROVED),
        )
        .where(Project.department_id == department.id)
    )
    forms = db.session.scalars(approved).all()
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for form in forms:
        s = out.get(form.year)
        if s is None:
            continue
        s.forms += 1
        s.budget += form.budget or Decimal(0)
        s.spent += form.spent or Decimal(0)
        totals[form.year].append(form.total_score)
        if form.grade:
            s.grades[form.grade] = s.grades.get(form.grade, 0) + 1
    if forms:
        form_year = {f.id: f.year for f in forms}
        for row in db.session.scalars(select(EvaluationRow).where(EvaluationRow.form_id.in_([f.id for f in forms]))):
            s = out[form_year[row.form_id]]
            if row.score is None and row.tier is None:
                continue
            s.rows_scored += 1
            if row.tier == scoring.TIER_MET or (row.score is not None and row.weight and row.score >= row.weight):
                s.rows_met += 1
    for year, scores in totals.items():
        avg = sum(scores, Decimal(0)) / len(scores)
        out[year].average_score = avg.quantize(Decimal("0.01"))
        out[year].grade = scoring.grade(avg)
    return [s for s in out.values() if s.projects]


def chart_data(summaries: list[YearSummary]) -> dict:
    """What the year-comparison chart draws (numbers as strings of Decimals → floats only here)."""
    return {
        "years": [str(s.year) for s in summaries],
        "budget": [float(s.budget) if s.forms else None for s in summaries],
        "spent": [float(s.spent) if s.forms else None for s in summaries],
        "execution": [float(s.execution_rate) if s.execution_rate is not None else None for s in summaries],
        "score": [float(s.average_score) if s.average_score is not None else None for s in summaries],
        "met": [s.rows_met for s in summaries],
    }


# ------------------------------------------------------------------ archive / reopen


def reopen_year(year: BudgetYear, *, reason: str, acting: User | None) -> None:
    """Reopen an archived year: only with a reason, which the audit log keeps."""
    from tracker.services import audit

    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(f"重新开放 {year.year} 年度须填写原因。")
    if len(reason) > 500:
        raise ReasonRequired("重新开放的原因最多 500 字。")
    if not year.is_closed:
        raise DomainError(f"{year.year} 年度未归档，无需重新开放。")
    year.is_closed = False
    db.session.flush()
    audit.record(
        acting,
        "year_reopened",
        "budget_year",
        year.id,
        f"{year.year} 年度重新开放，原因：{reason}",
        old="归档",
        new="开放",
    )
