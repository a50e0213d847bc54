"""Target-quality review (绩效目标质量审核) over stored projects, computed on demand.

Three set-based queries whatever the number of projects: the projects in scope, their
indicators, and last year's approved actuals of same-named projects/indicators. The rules
themselves are tracker.domain.quality. Results are not stored: they are cheap to compute
(see scripts/bench_quality.py) and always reflect the targets as they are now.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import g, has_app_context
from sqlalchemy import select

from tracker.domain import DomainError
from tracker.domain import quality as rules
from tracker.domain.vocab import Role, State
from tracker.extensions import db
from tracker.models import (
    AppSetting,
    BudgetYear,
    Department,
    EvaluationForm,
    EvaluationRow,
    Indicator,
    Project,
    SourceDocument,
    Submission,
    User,
)
from tracker.services import audit
from tracker.services.scope import visible_department_ids

SETTING_KEY = "quality_rules"


class QualitySettingError(DomainError):
    pass


# ---------------------------------------------------------------- settings


def load_settings() -> rules.QualitySettings:
    cached = g.get("_quality_settings") if has_app_context() else None
    if cached is not None:
        return cached
    row = db.session.get(AppSetting, SETTING_KEY)
    stored = json.loads(row.value) if row else {}
    settings = rules.QualitySettings(
        disabled=frozenset(c for c in stored.get("disabled", []) if c in rules.RULES_BY_CODE),
        thresholds={k: Decimal(v) for k, v in stored.get("thresholds", {}).items() if k in rules.RULES_BY_CODE},
    )
    if has_app_context():
        g._quality_settings = settings
    return settings


def save_settings(user: User, *, enabled: set[str], thresholds: dict[str, str]) -> rules.QualitySettings:
    """Admin changes which rules run and the thresholds (percentages between 0 and 100)."""
    if user.role != Role.ADMIN:
        raise QualitySettingError("只有系统管理员可以修改审核规则。")
    unknown = [c for c in enabled if c not in rules.RULES_BY_CODE]
    if unknown:
        raise QualitySettingError(f"未知的审核规则“{unknown[0]}”。")
    values: dict[str, str] = {}
    for code, text in thresholds.items():
        rule = rules.RULES_BY_CODE.get(code)
        if rule is None or rule.threshold is None:
            raise QualitySettingError(f"规则“{code}”没有可设置的阈值。")
        text = (text or "").strip().rstrip("%％")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise QualitySettingError(f"“{rule.threshold_label}”应为 0–100 之间的数字，收到“{text}”。") from None
        if not number.is_finite() or not 0 <= number <= 100:
            raise QualitySettingError(f"“{rule.threshold_label}”应为 0–100 之间的数字，收到“{text}”。")
        values[code] = str(number)
    old = db.session.get(AppSetting, SETTING_KEY)
    old_value = old.value if old else "{}"
    new_value = json.dumps(
        {"disabled": sorted(set(rules.RULES_BY_CODE) - set(enabled)), "thresholds": values}, ensure_ascii=False
    )
    if old is None:
        db.session.add(AppSetting(key=SETTING_KEY, value=new_value, updated_by_id=user.id))
    else:
        old.value = new_value
        old.updated_by_id = user.id
    db.session.flush()
    audit.record(user, "settings", "setting", None, "修改目标质量审核规则", old=old_value, new=new_value)
    if has_app_context():
        g.pop("_quality_settings", None)
    return load_settings()


# ---------------------------------------------------------------- review


@dataclass
class ProjectReview:
    project_id: int
    name: str
    department_id: int
    department_name: str
    indicator_count: int
    findings: list[rules.Finding]
    score: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    worst: str | None = None

    def __post_init__(self):
        self.score = rules.score(self.findings)
        self.counts = rules.counts(self.findings)
        self.worst = rules.worst_severity(self.findings)

    @property
    def grade(self) -> str:
        return rules.grade(self.score)


@dataclass
class DepartmentSummary:
    department_id: int
    name: str
    projects: int = 0
    indicators: int = 0
    score_total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rules.SEVERITIES, 0))

    @property
    def average(self) -> Decimal:
        if not self.projects:
            return Decimal(0)
        return (Decimal(self.score_total) / self.projects).quantize(Decimal("0.1"))


@dataclass
class Report:
    year: int
    projects: list[ProjectReview]
    settings: rules.QualitySettings

    @property
    def departments(self) -> list[DepartmentSummary]:
        out: dict[int, DepartmentSummary] = {}
        for p in self.projects:
            d = out.setdefault(p.department_id, DepartmentSummary(p.department_id, p.department_name))
            d.projects += 1
            d.indicators += p.indicator_count
            d.score_total += p.score
            for severity, n in p.counts.items():
                d.counts[severity] += n
        return sorted(out.values(), key=lambda d: (d.average, d.name))

    def rule_counts(self) -> dict[str, int]:
        """Findings per rule code, and how many projects each touches."""
        out = {r.code: 0 for r in rules.RULES}
        for p in self.projects:
            for f in p.findings:
                out[f.code] += 1
        return out

    def chart(self) -> dict:
        depts = self.departments
        grades = dict.fromkeys(rules.GRADES, 0)
        for p in self.projects:
            grades[p.grade] += 1
        counts = self.rule_counts()
        return {
            "departments": [d.name for d in depts],
            "averages": [float(d.average) for d in depts],
            "grades": [[gr, n] for gr, n in grades.items()],
            "rules": [[r.title, counts[r.code]] for r in rules.RULES if counts[r.code]],
        }


def _previous_actuals(year: int, dept_ids: set[int]) -> dict[tuple[int, str], dict[str, rules.PreviousActual]]:
    """(department, normalized project name) → {normalized 三级 name: last year's approved actual}.

    The actual is the one of last year's approved self-evaluation (自评表审核通过); when
    several years are stored, only year − 1 counts.
    """
    if not dept_ids:
        return {}
    rows = db.session.execute(
        select(Project.department_id, Project.name, Indicator.level3, Indicator.target_unit, EvaluationRow.actual_value)
        .join(EvaluationForm, EvaluationForm.project_id == Project.id)
        .join(EvaluationRow, EvaluationRow.form_id == EvaluationForm.id)
        .join(Indicator, Indicator.id == EvaluationRow.indicator_id)
        .join(
            Submission,
            (Submission.project_id == Project.id)
            & (Submission.kind == "evaluation")
            & (Submission.period_key == str(year - 1))
            & (Submission.state == State.APPROVED),
        )
        .where(
            EvaluationForm.year == year - 1,
            Project.department_id.in_(dept_ids),
            EvaluationRow.actual_value.is_not(None),
        )
    ).all()
    out: dict[tuple[int, str], dict[str, rules.PreviousActual]] = defaultdict(dict)
    for dept_id, pname, level3, unit, actual in rows:
        if actual is None:  # excluded in SQL (actual_value IS NOT NULL)
            continue
        out[(dept_id, rules.normalize_name(pname))][rules.normalize_name(level3)] = rules.PreviousActual(
            actual, unit or "", year - 1
        )
    return out


def _linked_previous_actuals(year: int, project_ids: list[int]) -> dict[int, dict[str, rules.PreviousActual]]:
    """This year's project → {normalized 三级 name: last year's approved actual}, through the
    links the import stored (previous_indicator_id, issue 12 §4): a renamed project
    (2023年度… → 2024年度…) or a re-worded row still finds last year's value."""
    if not project_ids:
        return {}
    from sqlalchemy.orm import aliased

    prev = aliased(Indicator)
    out: dict[int, dict[str, rules.PreviousActual]] = defaultdict(dict)
    for start in range(0, len(project_ids), 1000):
        chunk = project_ids[start : start + 1000]
        rows = db.session.execute(
            select(Indicator.project_id, Indicator.level3, prev.target_unit, EvaluationRow.actual_value)
            .join(prev, prev.id == Indicator.previous_indicator_id)
            .join(EvaluationRow, EvaluationRow.indicator_id == prev.id)
            .join(EvaluationForm, EvaluationForm.id == EvaluationRow.form_id)
            .join(
                Submission,
                (Submission.project_id == EvaluationForm.project_id)
                & (Submission.kind == "evaluation")
                & (Submission.period_key == str(year - 1))
                & (Submission.state == State.APPROVED),
            )
            .where(
                Indicator.project_id.in_(chunk),
                EvaluationForm.year == year - 1,
                EvaluationRow.actual_value.is_not(None),
            )
        ).all()
        for pid, level3, unit, actual in rows:
            if actual is None:  # excluded in SQL (actual_value IS NOT NULL)
                continue
            out[pid][rules.normalize_name(level3)] = rules.PreviousActual(actual, unit or "", year - 1)
    return out


def review(
    user: User | None,
    year: int,
    *,
    department_id: int | None = None,
    project_ids: list[int] | None = None,
) -> Report:
    """The review of every project of the year the user may see (optionally one department or
    a list of projects). user None means the system itself (after an import)."""
    stmt = (
        select(Project.id, Project.name, Project.goal, Project.department_id, Department.name)
        .join(Department, Department.id == Project.department_id)
        .join(BudgetYear, BudgetYear.id == Project.year_id)
        .where(BudgetYear.year == year)
        .order_by(Department.code, Department.name, Project.position, Project.id)
    )
    if user is not None:
        visible = visible_department_ids(user)
        if visible is not None:
            stmt = stmt.where(Project.department_id.in_(visible))
    if department_id is not None:
        stmt = stmt.where(Project.department_id == department_id)
    if project_ids is not None:
        stmt = stmt.where(Project.id.in_(project_ids))
    projects = db.session.execute(stmt).all()
    ids = [p[0] for p in projects]
    by_project: dict[int, list[rules.IndicatorFacts]] = defaultdict(list)
    if ids:
        # Chunked so that an IN list stays small on any backend.
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            for row in db.session.execute(
                select(
                    Indicator.project_id,
                    Indicator.id,
                    Indicator.level1,
                    Indicator.level2,
                    Indicator.level3,
                    Indicator.target_raw,
                    Indicator.target_kind,
                    Indicator.target_op,
                    Indicator.op_override,
                    Indicator.target_value,
                    Indicator.target_unit,
                )
                .where(Indicator.project_id.in_(chunk))
                .order_by(Indicator.project_id, Indicator.position, Indicator.id)
            ):
                by_project[row.project_id].append(
                    rules.IndicatorFacts(
                        level1=row.level1,
                        level2=row.level2,
                        level3=row.level3,
                        target_raw=row.target_raw,
                        kind=row.target_kind,
                        op=row.op_override or row.target_op,
                        value=row.target_value,
                        unit=row.target_unit or "",
                        id=row.id,
                    )
                )
    previous = _previous_actuals(year, {p[3] for p in projects})
    linked = _linked_previous_actuals(year, ids)
    settings = load_settings()
    reviews = []
    for pid, name, goal, dept_id, dept_name in projects:
        facts = rules.ProjectFacts(
            name=name,
            goal=goal or "",
            indicators=tuple(by_project.get(pid, ())),
            id=pid,
            previous=linked.get(pid) or previous.get((dept_id, rules.normalize_name(name)), {}),
        )
        reviews.append(
            ProjectReview(pid, name, dept_id, dept_name, len(facts.indicators), rules.review_project(facts, settings))
        )
    return Report(year=year, projects=reviews, settings=settings)


def summary_text(report: Report) -> str:
    """One Chinese line for an import's change summary."""
    total = dict.fromkeys(rules.SEVERITIES, 0)
    for p in report.projects:
        for s, n in p.counts.items():
            total[s] += n
    flagged = sum(1 for p in report.projects if p.findings)
    return (
        f"目标质量审核：{len(report.projects)} 个项目中 {flagged} 个有问题，"
        f"错误 {total[rules.ERROR]} 条、警告 {total[rules.WARNING]} 条、提示 {total[rules.HINT]} 条"
        f"（详见“目标质量审核”页面）。"
    )


def after_import(source: SourceDocument | None) -> None:
    """Hook called at the end of an import: reviews the imported document's projects and
    appends the result to the import record, which the importer sees on the result page."""
    if source is None:
        return
    ids = list(db.session.scalars(select(Project.id).where(Project.source_document_id == source.id)))
    if not ids:
        return
    year = db.session.execute(select(BudgetYear.year).where(BudgetYear.id == source.year_id)).scalar_one()
    text = summary_text(review(None, year, project_ids=ids))
    source.change_summary = (source.change_summary + "\n" + text).strip()
    db.session.flush()


SORTS = {
    "score": lambda p: (p.score, p.department_name, p.name),
    "-score": lambda p: (-p.score, p.department_name, p.name),
    "severity": lambda p: (
        -p.counts[rules.ERROR],
        -p.counts[rules.WARNING],
        -p.counts[rules.HINT],
        p.department_name,
        p.name,
    ),
    "department": lambda p: (p.department_name, p.score, p.name),
    "name": lambda p: (p.name, p.department_name),
}


def filtered(
    report: Report, *, severity: str | None = None, rule: str | None = None, sort: str = "score"
) -> list[ProjectReview]:
    items = report.projects
    if severity in rules.SEVERITIES:
        items = [p for p in items if any(f.severity == severity for f in p.findings)]
    if rule in rules.RULES_BY_CODE:
        items = [p for p in items if any(f.code == rule for f in p.findings)]
    return sorted(items, key=SORTS.get(sort, SORTS["score"]))
