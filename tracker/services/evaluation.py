"""绩效自评 (DOMAIN.md §5): open the forms from the year's record, score, re-score, summarise."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from tracker.domain import DomainError, formatting, scoring
from tracker.domain import progress as progress_rules
from tracker.domain.accumulation import CUMULATIVE
from tracker.domain.targets import (
    KIND_DEADLINE,
    KIND_QUALITATIVE,
    KIND_QUANTITATIVE,
    KIND_WITHIN_BUDGET,
    Target,
    format_decimal,
)
from tracker.domain.vocab import Role, State, SubmissionKind
from tracker.domain.workflow import is_editable
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    EvaluationForm,
    EvaluationRow,
    Expenditure,
    ProgressEntry,
    Project,
    ScoreChange,
    Submission,
    User,
)
from tracker.models.base import utcnow
from tracker.models.evaluation import row_target
from tracker.models.projects import indicator_target
from tracker.services import audit, bulk, notify
from tracker.services.progress import (
    ConflictError,
    InputError,
    LockedError,
    current_entries_query,
    ensure_year_open,
    find_submission,
    is_locked_day,
)
from tracker.services.records import (
    EMPTY,
    FIRST_TARGET_COLUMN,
    IndicatorRecord,
    indicator_records,
    indicators_by_project,
    plain_rows,
    spending_by_project,
)
from tracker.services.records import from_readings as records_from_readings
from tracker.services.scope import NotVisible, can_edit_project

ZERO = Decimal(0)
_LEVEL1 = attrgetter("level1")
TIER_RATES = {scoring.TIER_MET: Decimal(1), scoring.TIER_PARTIAL: Decimal("0.7"), scoring.TIER_NOT_MET: Decimal("0.3")}


def level1_weights(form: EvaluationForm) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in (form.level1_weights or {}).items()}


def _year_end_value(ind, record: IndicatorRecord, year: int, target: Target | None = None):
    """The actual value from the year's record: (value, text, tier, proposed deadline tier).

    ``ind`` is an Indicator or a row of its columns (Indicator.TARGET_COLUMNS, accumulation)."""
    target = target or indicator_target(ind)
    value, text, tier, proposed = None, "", None, None
    if target.kind == KIND_QUANTITATIVE:
        value = record.value(cumulative=ind.accumulation == CUMULATIVE)
        text = f"{format_decimal(value)}{ind.target_unit}" if value is not None else ""
    elif target.kind == KIND_QUALITATIVE:
        tier = record.latest_tier
        text = tier or ""
    elif target.kind == KIND_DEADLINE:
        done = record.completions
        if target.monthly_day:
            completed = {m: d for m, d in done.items() if m}
            proposed = scoring.propose_deadline_tier(target, completed, budget_year=year)
            text = f"{len(completed)} 个月已完成"
        elif target.month:
            completed_on = done.get(None)
            proposed = scoring.propose_deadline_tier(target, completed_on, budget_year=year)
            text = f"{completed_on.isoformat()} 完成" if completed_on else "未完成"
        tier = proposed
    elif target.kind == KIND_WITHIN_BUDGET:
        tier = record.latest_tier
    return value, text, tier, proposed


def _year_end_values(indicators, entries_by_indicator, year: int):
    """Actual values from the year's record (entry objects): sum or latest, tiers, proposed deadline tiers."""
    return {
        ind.id: _year_end_value(
            ind,
            records_from_readings(
                progress_rules.Reading(e.as_of, e.id, e.value, e.tier, e.completed_on, e.for_month)
                for e in entries_by_indicator.get(ind.id, [])
            ),
            year,
        )
        for ind in indicators
    }


BATCH = 500  # projects per batch: memory stays flat whatever the county's size


@bulk.cycle_collector_paused()
def open_forms(year: int, *, user: User | None = None) -> dict:
    """Create and score the self-evaluation form of every project of ``year`` that has none.

    Set-based (issue 9): per batch of projects the year's record is aggregated in the database
    (records.indicator_records, spending_by_project), each form is scored from plain values by
    the same score_rows() that re-scores a saved form, and forms, rows, score history, review
    forms and notifications are inserted in bulk. Flushes only.
    """
    budget_year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))
    counts = {"opened": 0, "existing": 0}
    if budget_year is None:
        return counts
    db.session.flush()
    has_form = exists().where(EvaluationForm.project_id == Project.id, EvaluationForm.year == year)
    counts["existing"] = db.session.execute(
        select(func.count(Project.id)).where(Project.year_id == budget_year.id, has_form)
    ).scalar_one()
    projects = db.session.execute(
        select(Project.id, Project.department_id, Project.name, Project.initial_budget, Project.adjusted_budget)
        .where(Project.year_id == budget_year.id, ~has_form)
        .order_by(Project.id)
    ).all()
    owners = notify.user_ids_by_department(Role.OWNER, {p.department_id for p in projects})
    year_end = date(year, 12, 31)
    actor_id = user.id if user else None
    # Per distinct target (a county has 45k indicators, a few thousand distinct targets):
    # the indicator's target, and the one a new row is scored against — it keeps the
    # indicator's text and operator, so it depends only on the indicator's target columns.
    targets: dict[tuple, tuple[Target, Target]] = {}
    # Per distinct list of 一级 counts: the 一级 points and the default split.
    weights_of: dict[tuple, tuple[dict, dict]] = {}

    for start in range(0, len(projects), BATCH):
        batch = projects[start : start + BATCH]
        ids = [p.id for p in batch]
        records = indicator_records(ids)
        spent_by_project = spending_by_project(ids, until=year_end)
        # A form row keeps no 二级/三级 names, and its target is the indicator's own (row_target
        # parses a text only for a row whose text differs from its indicator's).
        indicators = indicators_by_project(ids, names=False)
        forms, rows_by_project, submissions, messages = [], {}, [], []
        totals: dict[int, Decimal] = {}
        now = utcnow()
        for project in batch:
            project_indicators = indicators.get(project.id, [])
            level1_counts = Counter(map(_LEVEL1, project_indicators))
            counts_key = tuple(level1_counts.items())
            found = weights_of.get(counts_key)
            if found is None:
                try:
                    found = (
                        scoring.level1_weights_for(level1_counts) if project_indicators else {},
                        scoring.default_weights(level1_counts) if project_indicators else {},
                    )
                except DomainError:
                    found = ({}, {})
                weights_of[counts_key] = found
            weights, split = found
            budget = project.adjusted_budget if project.adjusted_budget is not None else project.initial_budget
            spent = spent_by_project.get(project.id, Decimal(0))
            rows: list[dict[str, Any]] = []
            inputs: list[ScoringInput] = []
            shares = {level1: iter(points) for level1, points in split.items()}  # in indicator order
            for ind in project_indicators:
                share = shares.get(ind.level1)
                weight = next(share) if share is not None else ZERO
                key = ind[FIRST_TARGET_COLUMN:]
                pair = targets.get(key)
                if pair is None:
                    pair = targets[key] = (indicator_target(ind), row_target(ind.target_raw, ind.op_override, ind))
                value, text, tier, proposed = _year_end_value(ind, records.get(ind.id, EMPTY), year, pair[0])
                tier_score = (weight * TIER_RATES[tier]).quantize(scoring.CENT) if tier is not None else None
                rows.append(
                    {
                        "indicator_id": ind.id,
                        "position": ind.position,
                        "weight": weight,
                        "actual_value": value,
                        "target_raw": ind.target_raw,
                        "target_op_override": ind.op_override,
                        "actual_text": text,
                        "tier": tier,
                        "proposed_tier": proposed,
                        "deduction": ZERO,
                        "tier_score": tier_score,
                    }
                )
                inputs.append(ScoringInput(pair[1], value, weight, tier, tier_score, None, None))
            scored = score_rows(inputs, budget=budget, spent=spent, execution_weight=scoring.DEFAULT_EXECUTION_WEIGHT)
            for row, (score, overshoot, problem) in zip(rows, scored.rows, strict=True):
                row["score"], row["overshoot"], row["problem"] = score, overshoot, problem
            forms.append(
                {
                    "project_id": project.id,
                    "year": year,
                    "level1_weights": {k: str(v) for k, v in weights.items()},
                    "execution_weight": scoring.DEFAULT_EXECUTION_WEIGHT,
                    "initial_budget": project.initial_budget,
                    "budget": budget,
                    "fiscal_share": budget,
                    "spent": spent,
                    "execution_score": scored.execution_score,
                    "total_score": scored.total_score,
                    "grade": scored.grade,
                    "created_at": now,
                }
            )
            rows_by_project[project.id] = rows
            totals[project.id] = scored.total_score
            submissions.append(
                {
                    "project_id": project.id,
                    "year_id": budget_year.id,
                    "kind": SubmissionKind.EVALUATION,
                    "period_key": str(year),
                    "state": State.DRAFT,
                    "updated_at": now,
                }
            )
            messages.append(
                notify.Message(
                    owners.get(project.department_id, ()),
                    kind="evaluation_open",
                    message=f"{year}年度绩效自评表已生成：“{project.name}”，系统预评 {scored.total_score} 分（{scored.grade}），请核对并填写偏差原因后提交。",
                    link=f"/evaluation/{project.id}/{year}",
                    dedupe_key=f"evaluation_open:{year}:{project.id}",
                )
            )
            counts["opened"] += 1
        bulk.insert_rows(EvaluationForm, forms)
        form_ids = dict(
            plain_rows(
                select(EvaluationForm.project_id, EvaluationForm.id).where(
                    EvaluationForm.year == year, EvaluationForm.project_id.in_(ids)
                )
            )
        )
        bulk.insert_rows(EvaluationRow, bulk.child_rows(rows_by_project, form_ids, "form_id"))
        bulk.insert_rows(
            ScoreChange,
            [
                {
                    "form_id": form_ids[pid],
                    "actor_id": actor_id,
                    "before": None,
                    "after": total,
                    "reason": "自评表生成，按全年记录预填并计分",
                    "created_at": now,
                }
                for pid, total in totals.items()
            ],
        )
        bulk.insert_rows(Submission, submissions)
        notify.notify_many(messages)
    return counts


class ScoringInput(NamedTuple):
    """One row to score (a tuple: the batch opening builds one per indicator)."""

    target: Target
    actual_value: Decimal | None
    weight: Decimal
    tier: str | None
    tier_score: Decimal | None
    deduction: Decimal | None
    deduction_reason: str | None


@dataclass(frozen=True)
class FormScore:
    rows: list[tuple[Decimal, bool, str]]  # (score, overshoot, problem) per row
    execution_score: Decimal
    total_score: Decimal
    grade: str


def score_rows(rows: list[ScoringInput], *, budget, spent: Decimal, execution_weight: Decimal) -> FormScore:
    """Score every row and the budget execution; rows that cannot be scored yet get 0 and a note."""
    total = Decimal(0)
    results = []
    for row in rows:
        target = row.target
        try:
            result = scoring.evaluate_indicator(
                target,
                row.actual_value if target.kind != KIND_WITHIN_BUDGET else spent,
                row.weight,
                tier=row.tier if target.kind in (KIND_QUALITATIVE, KIND_DEADLINE) else None,
                tier_score=row.tier_score if target.kind in (KIND_QUALITATIVE, KIND_DEADLINE) else None,
                budget=budget if target.kind == KIND_WITHIN_BUDGET else None,
                deduction=row.deduction or None,
                deduction_reason=row.deduction_reason or None,
            )
            results.append((result.score, result.overshoot, ""))
        except DomainError as exc:
            results.append((Decimal(0), False, str(exc)))
        total += results[-1][0]
    execution_score = scoring.budget_execution_score(budget or 0, spent, execution_weight) if budget else Decimal(0)
    total_score = scoring.round_score(total + execution_score)
    return FormScore(results, execution_score, total_score, scoring.grade(total_score))


def rescore(form: EvaluationForm) -> None:
    """Score every row and the budget execution; rows that cannot be scored yet get 0 and a note."""
    rows = list(form.rows)
    scored = score_rows(
        [
            ScoringInput(r.target, r.actual_value, r.weight, r.tier, r.tier_score, r.deduction, r.deduction_reason)
            for r in rows
        ],
        budget=form.budget,
        spent=form.spent,
        execution_weight=form.execution_weight,
    )
    for row, (score, overshoot, problem) in zip(rows, scored.rows, strict=True):
        row.score, row.overshoot, row.problem = score, overshoot, problem
    form.execution_score = scored.execution_score
    form.total_score = scored.total_score
    form.grade = scored.grade


def _editable(user: User, form: EvaluationForm) -> None:
    if not can_edit_project(user, form.project):
        raise NotVisible(form.project_id)
    ensure_year_open(form.project)
    submission = submission_of(form)
    if submission is not None and not is_editable(submission.state):
        raise LockedError("自评表已提交审核或已审定，分数已锁定，不能再修改。")


def form_of(project: Project, year: int) -> EvaluationForm | None:
    """The project's self-evaluation form of a year, with rows, indicators and score history."""
    return db.session.scalar(
        select(EvaluationForm)
        .where(EvaluationForm.project_id == project.id, EvaluationForm.year == year)
        .options(
            selectinload(EvaluationForm.rows).selectinload(EvaluationRow.indicator),
            selectinload(EvaluationForm.history),
        )
    )


def submission_of(form: EvaluationForm) -> Submission | None:
    return find_submission(form.project_id, SubmissionKind.EVALUATION, str(form.year))


@dataclass
class RowEdit:
    """The owner's edits of one row, read from the page; None: the input was not on the page."""

    row_id: int
    weight: Decimal | None = None  # None also when left blank: the weight stays
    actual: tuple[Decimal | None, str] | None = None  # (value in the target's unit, as typed); (None, "") clears
    tier: tuple[str | None, Decimal | None] | None = None  # (评价档次, 得分)
    tier_score_unreadable: bool = False
    deduction: tuple[Decimal, str] | None = None  # (扣分, 原因)
    explanation: str | None = None

    def key(self, name: str) -> str:
        """The form field an error is shown at."""
        return f"row-{self.row_id}-{name}"


@dataclass
class EvaluationEdit:
    """Everything an owner changes on the self-evaluation form, as typed values.

    ``errors`` holds what could not be read (field → message); ``save`` reports them together
    with the rules it checks, so the owner sees every problem at once.
    """

    level1: dict[str, Decimal] = field(default_factory=dict)
    rows: dict[int, RowEdit] = field(default_factory=dict)
    goal_actual: str | None = None
    execution_explanation: str | None = None
    errors: dict[str, str] = field(default_factory=dict)


def save(user: User, form: EvaluationForm, data: EvaluationEdit, *, expected_version: int | None) -> None:
    """The owner's edits: weights, actuals, tiers and scores, deductions, texts; then re-score."""
    _editable(user, form)
    if expected_version is not None and expected_version != form.version:
        raise ConflictError("自评表已被其他人修改，您的修改未保存，请核对后重新提交（您填写的内容仍在页面上）。")
    errors: dict[str, str] = dict(data.errors)
    before = form.total_score
    for row in form.rows:
        edit = data.rows.get(row.id)
        if edit is None:
            continue
        if edit.weight is not None:
            row.weight = edit.weight
        target = row.target
        name = f"“{row.indicator.level3}”"
        if target.kind == KIND_QUANTITATIVE and edit.actual is not None:
            row.actual_value, text = edit.actual
            if text:
                row.actual_text = text
        elif target.kind in (KIND_QUALITATIVE, KIND_DEADLINE) and edit.tier is not None:
            tier, tier_score = edit.tier
            problem = scoring.tier_choice_problem(
                tier, tier_score, row.weight, name=name, score_unreadable=edit.tier_score_unreadable
            )
            if problem is not None:
                errors[edit.key(problem[0])] = problem[1]
            row.tier, row.tier_score = tier, tier_score
        if edit.deduction is not None:
            row.deduction, row.deduction_reason = edit.deduction
            for key, message in scoring.deduction_problems(
                row.deduction, row.deduction_reason, row.weight, name=name
            ).items():
                errors[edit.key(key)] = message
        if edit.explanation is not None:
            row.explanation = edit.explanation
    if data.goal_actual is not None:
        form.goal_actual = data.goal_actual
    if data.execution_explanation is not None:
        form.execution_explanation = data.execution_explanation
    if data.level1:
        by_level1: dict[str, list[Decimal]] = {}
        for row in form.rows:
            by_level1.setdefault(row.indicator.level1, []).append(row.weight)
        try:
            scoring.check_weights(by_level1, data.level1, execution_weight=form.execution_weight)
        except DomainError as exc:
            errors["weights"] = str(exc)
        form.level1_weights = {k: str(v) for k, v in data.level1.items()}
    if errors:
        raise InputError(errors)
    rescore(form)
    flag_modified(form, "goal_actual")  # the version moves on with every save (see monitoring_form.save)
    db.session.flush()
    if before != form.total_score:
        form.history.append(ScoreChange(actor_id=user.id, before=before, after=form.total_score, reason="填报人修改"))
        audit.record(
            user,
            "evaluation_score",
            "evaluation",
            form.id,
            f"{form.year}年度自评得分 {before} → {form.total_score}",
            project=form.project,
            old=str(before),
            new=str(form.total_score),
        )


def check_complete(form: EvaluationForm) -> None:
    errors: dict[str, str] = {}
    for row in form.rows:
        p = f"row-{row.id}-"
        name = f"第{row.position}行“{row.indicator.level3}”"
        if row.problem:
            errors[p + "actual"] = f"{name}：{row.problem}"
            continue
        if row.score is not None and (row.score < row.weight or row.overshoot) and not row.explanation:
            errors[p + "explanation"] = f"{name}未完全达成（或超额较多），须填写偏差原因分析及改进措施。"
    if scoring.execution_needs_explanation(form.budget or 0, form.spent) and not form.execution_explanation:
        errors["execution_explanation"] = "预算执行率低于 90%，须说明原因。"
    if not form.goal_actual:
        errors["goal_actual"] = "请填写年度总体目标的实际完成情况。"
    if errors:
        raise InputError(errors)


def warnings(form: EvaluationForm) -> list[scoring.ConsistencyWarning]:
    indicator_points = sum((r.score or Decimal(0) for r in form.rows), Decimal(0))
    return scoring.consistency_warnings(indicator_points, form.execution_score, form.budget or 0, form.spent)


def rescore_after_change(form: EvaluationForm, *, user: User | None, reason: str) -> None:
    """A late correction or weight change re-scores and keeps the history."""
    before = form.total_score
    rescore(form)
    if before != form.total_score:
        form.history.append(
            ScoreChange(actor_id=user.id if user else None, before=before, after=form.total_score, reason=reason)
        )
    db.session.flush()


@dataclass
class SummaryRow:
    form: EvaluationForm
    state: str
    warnings: list


def summary(user: User, year: int) -> list[SummaryRow]:
    from tracker.services.scope import scope_projects

    stmt = (
        select(EvaluationForm, Submission)
        .join(Project, EvaluationForm.project_id == Project.id)
        .outerjoin(
            Submission,
            (Submission.project_id == EvaluationForm.project_id)
            & (Submission.kind == SubmissionKind.EVALUATION)
            & (Submission.period_key == str(year)),
        )
        .where(EvaluationForm.year == year)
        .options(
            selectinload(EvaluationForm.project).selectinload(Project.department),
            selectinload(EvaluationForm.rows),
        )
        .order_by(Project.department_id, Project.position)
    )
    return [
        SummaryRow(form, sub.state if sub else State.DRAFT, warnings(form))
        for form, sub in db.session.execute(scope_projects(stmt, user)).all()
    ]


def _approved_keys(project_id: int) -> set[str]:
    """Period keys of the project whose progress is approved by the finance bureau (审定)."""
    return set(
        db.session.scalars(
            select(Submission.period_key).where(
                Submission.project_id == project_id,
                Submission.kind == SubmissionKind.PROGRESS,
                Submission.state == State.APPROVED,
            )
        )
    )


def approved_record(form: EvaluationForm) -> tuple[dict, Decimal]:
    """The form's actual values and spending from approved (审定) periods only: drafts and
    submissions still under review are not data yet."""
    approved = _approved_keys(form.project_id)
    indicators = [row.indicator for row in form.rows]
    entries: dict[int, list[ProgressEntry]] = {}
    for entry in db.session.scalars(
        current_entries_query(ProgressEntry).where(ProgressEntry.project_id == form.project_id)
    ):
        if is_locked_day(entry.as_of, approved):
            entries.setdefault(entry.indicator_id, []).append(entry)
    values = _year_end_values(indicators, entries, form.year)
    spent = sum(
        (
            amount
            for spent_on, amount in db.session.execute(
                current_entries_query(Expenditure)
                .where(Expenditure.project_id == form.project_id, Expenditure.spent_on <= date(form.year, 12, 31))
                .with_only_columns(Expenditure.spent_on, Expenditure.amount)
            )
            if is_locked_day(spent_on, approved)
        ),
        Decimal(0),
    )
    return values, spent


def changes_since_filled(form: EvaluationForm) -> list[str]:
    """What approved data says now that the form does not (shown so that finance sees a stale form)."""
    values, spent = approved_record(form)
    changes = []
    for row in form.rows:
        value, text, _tier, _proposed = values[row.indicator_id]
        if value is not None and row.actual_value is not None and value != row.actual_value:
            changes.append(
                f"“{row.indicator.level3}”完成值 {formatting.money(row.actual_value, 2)} → {formatting.money(value, 2)}"
            )
        elif value is not None and row.actual_value is None:
            changes.append(f"“{row.indicator.level3}”已有审定完成值 {formatting.money(value, 2)}")
        elif text and not row.actual_text and row.actual_value is None and value is None:
            changes.append(f"“{row.indicator.level3}”已有审定完成情况")
    if spent != (form.spent or Decimal(0)):
        changes.append(f"全年执行数 {formatting.money(form.spent)} → {formatting.money(spent)} 万元")
    return changes


def refresh_from_record(user: User, form: EvaluationForm) -> None:
    """重新取数: actuals and spending again from the record — approved (审定) periods only."""
    _editable(user, form)
    values, spent = approved_record(form)
    for row in form.rows:
        value, text, tier, proposed = values[row.indicator_id]
        row.actual_value, row.actual_text, row.proposed_tier = value, text, proposed
        if tier is not None and row.tier is None:
            row.tier = tier
            row.tier_score = (row.weight * TIER_RATES[tier]).quantize(scoring.CENT)
    form.spent = spent
    form.budget = form.project.budget
    form.initial_budget = form.project.initial_budget
    rescore_after_change(form, user=user, reason="按已审定的填报记录重新取数")


def summary_all(year: int) -> list[EvaluationForm]:
    """Every form of the year (for the CLI and the scheduler log), project order."""
    return list(
        db.session.scalars(
            select(EvaluationForm)
            .join(Project, EvaluationForm.project_id == Project.id)
            .where(EvaluationForm.year == year)
            .options(selectinload(EvaluationForm.project))
            .order_by(Project.department_id, Project.position)
        )
    )
