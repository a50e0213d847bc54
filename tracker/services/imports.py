"""Turn a ParsedDocument into departments, projects and indicators.

plan_import() only reads and says what would happen (the preview and --dry-run);
apply_import() writes exactly that plan and flushes. The caller commits once, so an
import is all or nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from tracker.domain import DomainError
from tracker.domain.accumulation import infer_accumulation
from tracker.domain.targets import KIND_QUALITATIVE, Target, parse_target
from tracker.extensions import db
from tracker.importers.base import ParsedDocument, ParsedIndicator, ParsedProject
from tracker.models import BudgetYear, Department, DepartmentBudget, Indicator, Project, SourceDocument, User

NEW, CHANGED, UNCHANGED, MISSING = "new", "changed", "unchanged", "missing"
STATUS_LABELS = {NEW: "新增", CHANGED: "有变化", UNCHANGED: "无变化", MISSING: "文件中已无"}

INDICATOR_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "description": "绩效指标描述",
    "target_raw": "指标值",
    "basis": "指标值确定依据",
    "position": "顺序",
}


class ImportError_(DomainError):
    """The document cannot be imported as asked (wrong year, no department…)."""


@dataclass
class IndicatorPlan:
    parsed: ParsedIndicator
    target: Target
    status: str
    existing_id: int | None = None
    changes: list[str] = field(default_factory=list)
    previous_id: int | None = None  # last year's indicator (issue 12 §4)

    @property
    def not_understood(self) -> bool:
        """Qualitative although it holds digits: the parse may have missed a number."""
        return self.target.kind == KIND_QUALITATIVE and bool(re.search(r"[0-9０-９]", self.target.raw))


@dataclass
class ProjectPlan:
    parsed: ParsedProject | None
    status: str
    existing_id: int | None = None
    name: str = ""
    changes: list[str] = field(default_factory=list)
    indicators: list[IndicatorPlan] = field(default_factory=list)
    removed_indicators: list[str] = field(default_factory=list)
    removed_ids: list[int] = field(default_factory=list)
    # Gone from the document but holding recorded values, monitoring or evaluation rows:
    # kept (never silently lose what users entered) and reported.
    kept_indicators: list[str] = field(default_factory=list)
    previous_id: int | None = None  # last year's project (issue 12 §4)


@dataclass
class ImportPlan:
    doc: ParsedDocument
    year: int
    department_name: str
    department_code: str | None
    department_status: str
    department_id: int | None
    projects: list[ProjectPlan]
    budget_changes: list[str]
    filename: str
    sha256: str
    size_bytes: int

    @property
    def has_changes(self) -> bool:
        return (
            self.department_status == NEW
            or bool(self.budget_changes)
            or any(p.status in (NEW, CHANGED) for p in self.projects)
        )

    def count(self, status: str) -> int:
        return sum(1 for p in self.projects if p.status == status)

    def indicator_count(self, status: str | None = None) -> int:
        return sum(1 for p in self.projects for i in p.indicators if status is None or i.status == status)

    @property
    def removed_indicator_count(self) -> int:
        return sum(len(p.removed_indicators) for p in self.projects)

    @property
    def not_understood(self) -> list[tuple[ProjectPlan, IndicatorPlan]]:
        return [(p, i) for p in self.projects for i in p.indicators if i.not_understood]

    @property
    def previous_matches(self) -> tuple[int, int]:
        """(projects, indicators) of this document matched to last year's."""
        plans = [p for p in self.projects if p.parsed is not None]
        return (
            sum(1 for p in plans if p.previous_id),
            sum(1 for p in plans for i in p.indicators if i.previous_id),
        )

    def summary_lines(self) -> list[str]:
        lines = [
            f"部门：{self.department_code or ''}{self.department_name}（{STATUS_LABELS[self.department_status]}），预算年度 {self.year}",
            f"项目：文件中 {len(self.doc.projects)} 个 —— 新增 {self.count(NEW)}，有变化 {self.count(CHANGED)}，"
            f"无变化 {self.count(UNCHANGED)}"
            + (f"；系统中有 {self.count(MISSING)} 个项目不在此文件中（保留未删除）" if self.count(MISSING) else ""),
            f"指标：文件中 {self.doc.indicator_count} 条 —— 新增 {self.indicator_count(NEW)}，"
            f"有变化 {self.indicator_count(CHANGED)}，无变化 {self.indicator_count(UNCHANGED)}，"
            f"删除 {self.removed_indicator_count}",
        ]
        matched_p, matched_i = self.previous_matches
        if matched_p or matched_i:
            lines.append(f"与上年对应：{matched_p} 个项目、{matched_i} 个指标（{self.year - 1} 年）")
        for change in self.budget_changes:
            lines.append(f"部门预算：{change}")
        for p in self.projects:
            if p.status == CHANGED:
                for change in p.changes:
                    lines.append(f"项目“{p.name}”：{change}")
                for ip in p.indicators:
                    if ip.status == CHANGED:
                        lines.append(f"项目“{p.name}”第{ip.parsed.order}行“{ip.parsed.level3}”：" + "；".join(ip.changes))
                    elif ip.status == NEW:
                        lines.append(f"项目“{p.name}”新增第{ip.parsed.order}行“{ip.parsed.level3}”")
                for removed in p.removed_indicators:
                    lines.append(f"项目“{p.name}”删除指标“{removed}”")
                for kept in p.kept_indicators:
                    lines.append(f"项目“{p.name}”的指标“{kept}”已不在文件中，但已有填报记录，保留未删除")
            elif p.status == MISSING:
                lines.append(f"项目“{p.name}”不在此文件中（保留未删除）")
        if self.not_understood:
            lines.append(f"未能识别为定量/时限的指标值（按定性处理）{len(self.not_understood)} 条：")
            for p, i in self.not_understood:
                lines.append(f"  {i.parsed.location or p.name}：“{i.target.raw}”")
        for warning in self.doc.warnings:
            lines.append(f"提示：{warning}")
        if not self.has_changes:
            lines.append("与系统中已有数据完全一致，无需写入。")
        return lines


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fmt(value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _indicator_values(pi: ParsedIndicator) -> dict:
    return {
        "level1": pi.level1,
        "level2": pi.level2,
        "level3": pi.level3,
        "description": pi.description,
        "target_raw": pi.target_raw,
        "basis": pi.basis,
        "position": pi.order,
    }


def _target_for(pi: ParsedIndicator) -> Target:
    """The parsed target of a row: the 指标值 cell, with the operator and unit that a
    separate 计算符号/度量单位 column or the 三级 name (苗木成活率（≥**%）) gives when the
    cell leaves them out (DOMAIN.md §3)."""
    # Newer templates have 成本指标 as an 一级 (with 经济成本指标 … below it): a cost row too.
    level2 = "成本指标" if "成本" in (pi.level1 or "") and "成本" not in (pi.level2 or "") else pi.level2
    return parse_target(
        pi.target_raw,
        level2=level2,
        name=pi.level3,
        op_hint=pi.op_hint,
        unit_hint=pi.unit_hint,
    )


def _resolve_department(doc: ParsedDocument, department: Department | None) -> tuple[Department | None, str, str | None]:
    if department is not None:
        if doc.department_code and department.code and doc.department_code != department.code:
            raise ImportError_(
                f"文件属于部门“{doc.department_code}{doc.department_name or ''}”，与所选部门"
                f"“{department.code}{department.name}”不一致。"
            )
        return department, department.name, department.code
    if not doc.department_name and not doc.department_code:
        raise ImportError_("文件中没有找到部门名称和编码，请选择要导入到的部门。")
    found = None
    if doc.department_code:
        found = db.session.scalar(select(Department).where(Department.code == doc.department_code))
    if found is None and doc.department_name:
        found = db.session.scalar(select(Department).where(Department.name == doc.department_name))
    return found, (found.name if found else doc.department_name or ""), (
        found.code if found and found.code else doc.department_code
    )


def _indicators_with_records(ids: list[int]) -> set[int]:
    """Indicators that users have recorded something against (values, monitoring, scores)."""
    if not ids:
        return set()
    from tracker.models import EvaluationRow, MonitoringRow, ProgressEntry

    found: set[int] = set()
    for model in (ProgressEntry, MonitoringRow, EvaluationRow):
        found.update(db.session.scalars(select(model.indicator_id).where(model.indicator_id.in_(ids)).distinct()))
    return found


def plan_import(
    doc: ParsedDocument,
    *,
    year: int,
    filename: str,
    data: bytes,
    department: Department | None = None,
) -> ImportPlan:
    if not doc.projects:
        raise ImportError_("文件中没有找到任何项目绩效目标表。")
    if doc.year and doc.year != year:
        raise ImportError_(f"文件中的预算年度为 {doc.year} 年，与所选的 {year} 年不一致。")
    dept, dept_name, dept_code = _resolve_department(doc, department)
    if not dept_name:
        raise ImportError_("文件中没有找到部门名称，请选择要导入到的部门。")

    budget_year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))
    existing_projects: dict[str, Project] = {}
    existing_budget = None
    if dept is not None and budget_year is not None:
        projects = db.session.scalars(
            select(Project).where(Project.department_id == dept.id, Project.year_id == budget_year.id)
        ).all()
        existing_projects = {p.name: p for p in projects}
        existing_budget = db.session.scalar(
            select(DepartmentBudget).where(
                DepartmentBudget.department_id == dept.id, DepartmentBudget.year_id == budget_year.id
            )
        )
        # One query for every indicator of the department's year (no N+1 per project).
        all_indicators = db.session.scalars(
            select(Indicator)
            .where(Indicator.project_id.in_([p.id for p in projects]))
            .order_by(Indicator.project_id, Indicator.position)
        ).all()
    else:
        all_indicators = []
    with_records = _indicators_with_records([ind.id for ind in all_indicators])
    indicators_by_project: dict[int, list[Indicator]] = {}
    for ind in all_indicators:
        indicators_by_project.setdefault(ind.project_id, []).append(ind)

    seen_names: set[str] = set()
    project_plans: list[ProjectPlan] = []
    for pp in doc.projects:
        if pp.name in seen_names:
            raise ImportError_(f"{pp.location or '文件'}：项目名称“{pp.name}”在文件中出现了两次。")
        seen_names.add(pp.name)
        existing = existing_projects.get(pp.name)
        plan = ProjectPlan(parsed=pp, status=NEW, name=pp.name, existing_id=existing.id if existing else None)
        existing_inds = indicators_by_project.get(existing.id, []) if existing else []
        by_key: dict[tuple, list[Indicator]] = {}
        for ind in existing_inds:
            by_key.setdefault((ind.level1, ind.level2, ind.level3), []).append(ind)
        for pi in pp.indicators:
            target = _target_for(pi)
            candidates = by_key.get((pi.level1, pi.level2, pi.level3))
            if existing and candidates:
                ind = candidates.pop(0)
                new_values = _indicator_values(pi)
                changes = [
                    f"{INDICATOR_FIELDS[k]}：{_fmt(getattr(ind, k))} → {_fmt(v)}"
                    for k, v in new_values.items()
                    if (getattr(ind, k) or "") != (v or "") and k != "position"
                ]
                moved = ind.position != pi.order
                status = CHANGED if changes or moved else UNCHANGED
                if moved and not changes:
                    changes.append(f"顺序：{ind.position} → {pi.order}")
                plan.indicators.append(IndicatorPlan(pi, target, status, ind.id, changes))
            else:
                plan.indicators.append(IndicatorPlan(pi, target, NEW))
        if existing:
            for ind in (ind for inds in by_key.values() for ind in inds):
                label = f"{ind.level2}/{ind.level3}（{ind.target_raw}）"
                if ind.id in with_records:
                    plan.kept_indicators.append(label)
                else:
                    plan.removed_indicators.append(label)
                    plan.removed_ids.append(ind.id)
            if (existing.goal or "") != (pp.goal or ""):
                plan.changes.append("绩效目标文字有变化")
            if existing.position != pp.order:
                plan.changes.append(f"顺序：{existing.position} → {pp.order}")
            touched = (
                plan.changes
                or plan.removed_indicators
                or any(i.status != UNCHANGED for i in plan.indicators)
            )
            plan.status = CHANGED if touched else UNCHANGED
        project_plans.append(plan)
    for name, existing in existing_projects.items():
        if name not in seen_names:
            project_plans.append(ProjectPlan(parsed=None, status=MISSING, existing_id=existing.id, name=name))

    from tracker.services.years import link_previous_year  # issue 12 §4, kept apart from the import

    link_previous_year(project_plans, year=year, department_id=dept.id if dept is not None else None)

    budget_changes: list[str] = []
    for key, value in doc.budget.items():
        old = getattr(existing_budget, key, None) if existing_budget else None
        if value is not None and (old is None or Decimal(old) != Decimal(value)):
            label = DepartmentBudget.BUDGET_LABELS.get(key, key)
            budget_changes.append(f"{label}：{_fmt(old)} → {_fmt(Decimal(value))} 万元")
    if doc.overall_goal and (existing_budget is None or existing_budget.overall_goal != doc.overall_goal):
        budget_changes.append("部门整体绩效目标文字" + ("有变化" if existing_budget and existing_budget.overall_goal else "已读取"))

    return ImportPlan(
        doc=doc,
        year=year,
        department_name=dept_name,
        department_code=dept_code,
        department_status=UNCHANGED if dept is not None else NEW,
        department_id=dept.id if dept is not None else None,
        projects=project_plans,
        budget_changes=budget_changes,
        filename=filename,
        sha256=file_digest(data),
        size_bytes=len(data),
    )


def apply_import(plan: ImportPlan, *, user: User | None = None) -> SourceDocument | None:
    """Write the plan. Returns the SourceDocument, or None when nothing changed."""
    if not plan.has_changes:
        return None
    session = db.session
    budget_year = session.scalar(select(BudgetYear).where(BudgetYear.year == plan.year))
    if budget_year is None:
        budget_year = BudgetYear(year=plan.year, is_current=session.scalar(select(BudgetYear.id).limit(1)) is None)
        session.add(budget_year)
    if plan.department_id is None:
        dept = Department(code=plan.department_code, name=plan.department_name)
        session.add(dept)
    else:
        dept = session.get(Department, plan.department_id)
    session.flush()

    source = SourceDocument(
        filename=plan.filename[:255],
        sha256=plan.sha256,
        source_format=plan.doc.source_format or "text",
        size_bytes=plan.size_bytes,
        department_id=dept.id,
        year_id=budget_year.id,
        imported_by_id=user.id if user else None,
        project_count=len(plan.doc.projects),
        indicator_count=plan.doc.indicator_count,
        change_summary="\n".join(plan.summary_lines()),
    )
    session.add(source)
    session.flush()

    if plan.budget_changes:
        budget = session.scalar(
            select(DepartmentBudget).where(
                DepartmentBudget.department_id == dept.id, DepartmentBudget.year_id == budget_year.id
            )
        )
        if budget is None:
            budget = DepartmentBudget(department_id=dept.id, year_id=budget_year.id)
            session.add(budget)
        for key, value in plan.doc.budget.items():
            if value is not None and key in DepartmentBudget.BUDGET_FIELDS:
                setattr(budget, key, Decimal(value))
        if plan.doc.overall_goal:
            budget.overall_goal = plan.doc.overall_goal
        budget.source_document_id = source.id

    existing_ids = [p.existing_id for p in plan.projects if p.existing_id and p.status == CHANGED]
    projects_by_id = {
        p.id: p for p in session.scalars(select(Project).where(Project.id.in_(existing_ids))).all()
    } if existing_ids else {}
    indicators_by_id = {
        i.id: i
        for i in session.scalars(select(Indicator).where(Indicator.project_id.in_(existing_ids))).all()
    } if existing_ids else {}

    for pp in plan.projects:
        if pp.status not in (NEW, CHANGED):
            continue
        parsed = pp.parsed
        if pp.status == NEW:
            project = Project(
                department_id=dept.id,
                year_id=budget_year.id,
                name=parsed.name,
                goal=parsed.goal,
                position=parsed.order,
                source_document_id=source.id,
                previous_project_id=pp.previous_id,
            )
            session.add(project)
            session.flush()
        else:
            project = projects_by_id[pp.existing_id]
            project.goal = parsed.goal
            project.position = parsed.order
            project.source_document_id = source.id
            if pp.previous_id and not project.previous_project_id:
                project.previous_project_id = pp.previous_id
        for ip in pp.indicators:
            if ip.status == UNCHANGED:
                continue
            if ip.status == CHANGED:
                ind = indicators_by_id[ip.existing_id]
            else:
                ind = Indicator(project_id=project.id)
                session.add(ind)
            for key, value in _indicator_values(ip.parsed).items():
                setattr(ind, key, value)
            ind.set_target(ip.target)
            if ip.previous_id and not ind.previous_indicator_id:
                ind.previous_indicator_id = ip.previous_id
            if ip.status == NEW:  # an updated indicator keeps the accumulation a user may have chosen
                ind.accumulation = infer_accumulation(ip.target, ip.parsed.level3, ip.parsed.description)
            if ip.parsed.weight is not None:
                ind.weight = ip.parsed.weight
            if ip.parsed.op_hint in ("≥", "≤", "=", ">", "<") and ip.parsed.op_hint != ip.target.op:
                ind.op_override = ip.parsed.op_hint
        for ind_id in pp.removed_ids:
            session.delete(indicators_by_id[ind_id])
    session.flush()
    from tracker.services.quality import after_import  # target-quality review, shown on the result page

    after_import(source)
    return source
