"""Turn a ParsedDocument into departments, projects and indicators.

plan_import() only reads and says what would happen (the preview and --dry-run);
apply_import() writes exactly that plan and flushes. The caller commits once, so an
import is all or nothing. import_batch() does many files, each in its own savepoint.
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
from tracker.importers import is_office_zip, parse_file
from tracker.importers.base import ImportFormatError, ParsedDocument, ParsedIndicator, ParsedProject
from tracker.importers.limits import DEFAULT_LIMITS, ImportLimits, check_size, check_zip
from tracker.models import BudgetYear, Department, DepartmentBudget, Indicator, Project, SourceDocument, User

NEW, CHANGED, UNCHANGED, MISSING = "new", "changed", "unchanged", "missing"
ASK = "ask"  # the document names no department and none was chosen: the preview asks
STATUS_LABELS = {NEW: "新增", CHANGED: "有变化", UNCHANGED: "无变化", MISSING: "文件中已无", ASK: "待选择"}

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

    def change_lines(self) -> list[str]:
        """The changes of this project, one line each (for the summary)."""
        if self.status == MISSING:
            return [f"项目“{self.name}”不在此文件中（保留未删除）"]
        if self.status != CHANGED:
            return []
        lines = [f"项目“{self.name}”：{change}" for change in self.changes]
        for ip in self.indicators:
            where = f"项目“{self.name}”第{ip.parsed.order}行“{ip.parsed.level3}”"
            if ip.status == CHANGED:
                lines.append(f"{where}：" + "；".join(ip.changes))
            elif ip.status == NEW:
                lines.append(f"项目“{self.name}”新增第{ip.parsed.order}行“{ip.parsed.level3}”")
        lines.extend(f"项目“{self.name}”删除指标“{removed}”" for removed in self.removed_indicators)
        lines.extend(
            f"项目“{self.name}”的指标“{kept}”已不在文件中，但已有填报记录，保留未删除" for kept in self.kept_indicators
        )
        return lines


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
    def needs_department(self) -> bool:
        return self.department_status == ASK

    @property
    def has_changes(self) -> bool:
        return (
            self.department_status in (NEW, ASK)
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

    def _attention_lines(self) -> list[str]:
        """What the user should look at: unrecognised targets, warnings, skipped rows."""
        lines: list[str] = []
        if self.not_understood:
            lines.append(f"未能识别为定量/时限的指标值（按定性处理）{len(self.not_understood)} 条：")
            lines.extend(f"  {i.parsed.location or p.name}：“{i.target.raw}”" for p, i in self.not_understood)
        lines.extend(f"提示：{warning}" for warning in self.doc.warnings)
        if self.doc.skipped:
            lines.append(f"未导入的行或单元格 {len(self.doc.skipped)} 处：")
            for item in self.doc.skipped:
                text = f"“{_fmt(item.text)}”" if item.text else ""
                lines.append(f"  {item.place or '文件'}：{item.reason}{text}")
        return lines

    def summary_lines(self) -> list[str]:
        department = f"{self.department_code or ''}{self.department_name}" or "文件中未写明"
        lines = [
            f"部门：{department}（{STATUS_LABELS[self.department_status]}），预算年度 {self.year}",
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
        lines.extend(f"部门预算：{change}" for change in self.budget_changes)
        for p in self.projects:
            lines.extend(p.change_lines())
        lines.extend(self._attention_lines())
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


# ---------------------------------------------------------------------------- department


@dataclass(frozen=True)
class NewDepartment:
    """A department chosen in the preview that does not exist yet (name and optional code)."""

    name: str
    code: str | None = None


def _find_department(code: str | None, name: str | None) -> Department | None:
    found = None
    if code:
        found = db.session.scalar(select(Department).where(Department.code == code))
    if found is None and name:
        found = db.session.scalar(select(Department).where(Department.name == name))
    return found


def _resolve_department(
    doc: ParsedDocument, department: Department | None, new_department: NewDepartment | None = None
) -> tuple[Department | None, str, str | None]:
    """(existing department or None, name, code). Name "" means: ask the user."""
    if department is not None:
        if doc.department_code and department.code and doc.department_code != department.code:
            raise ImportError_(
                f"文件属于部门“{doc.department_code}{doc.department_name or ''}”，与所选部门"
                f"“{department.code}{department.name}”不一致。"
            )
        return department, department.name, department.code
    if new_department is not None:
        name, code = new_department.name.strip(), (new_department.code or "").strip() or None
        if not name:
            raise ImportError_("新建部门需要填写部门名称。")
        found = _find_department(code, name)
        return found, (found.name if found else name), (found.code if found and found.code else code)
    if not doc.department_name and not doc.department_code:
        return None, "", None
    found = _find_department(doc.department_code, doc.department_name)
    return (
        found,
        (found.name if found else doc.department_name or ""),
        (found.code if found and found.code else doc.department_code),
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


# ---------------------------------------------------------------------------- planning


@dataclass
class _Existing:
    """What the department already has in the year: projects, their indicators, budget."""

    projects: dict[str, Project] = field(default_factory=dict)
    budget: DepartmentBudget | None = None
    indicators: dict[int, list[Indicator]] = field(default_factory=dict)  # project id → rows
    with_records: set[int] = field(default_factory=set)


def _existing_state(dept: Department | None, year: int) -> _Existing:
    state = _Existing()
    budget_year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))
    if dept is None or budget_year is None:
        return state
    projects = db.session.scalars(
        select(Project).where(Project.department_id == dept.id, Project.year_id == budget_year.id)
    ).all()
    state.projects = {p.name: p for p in projects}
    state.budget = db.session.scalar(
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
    state.with_records = _indicators_with_records([ind.id for ind in all_indicators])
    for ind in all_indicators:
        state.indicators.setdefault(ind.project_id, []).append(ind)
    return state


def _plan_indicator(pi: ParsedIndicator, candidates: list[Indicator] | None) -> IndicatorPlan:
    target = _target_for(pi)
    if not candidates:
        return IndicatorPlan(pi, target, NEW)
    ind = candidates.pop(0)
    changes = [
        f"{INDICATOR_FIELDS[k]}：{_fmt(getattr(ind, k))} → {_fmt(v)}"
        for k, v in _indicator_values(pi).items()
        if (getattr(ind, k) or "") != (v or "") and k != "position"
    ]
    moved = ind.position != pi.order
    status = CHANGED if changes or moved else UNCHANGED
    if moved and not changes:
        changes.append(f"顺序：{ind.position} → {pi.order}")
    return IndicatorPlan(pi, target, status, ind.id, changes)


def _plan_project(pp: ParsedProject, state: _Existing) -> ProjectPlan:
    existing = state.projects.get(pp.name)
    plan = ProjectPlan(parsed=pp, status=NEW, name=pp.name, existing_id=existing.id if existing else None)
    by_key: dict[tuple, list[Indicator]] = {}
    for ind in state.indicators.get(existing.id, []) if existing else []:
        by_key.setdefault((ind.level1, ind.level2, ind.level3), []).append(ind)
    for pi in pp.indicators:
        plan.indicators.append(_plan_indicator(pi, by_key.get((pi.level1, pi.level2, pi.level3))))
    if existing is None:
        return plan
    for ind in (ind for inds in by_key.values() for ind in inds):  # left over: gone from the file
        label = f"{ind.level2}/{ind.level3}（{ind.target_raw}）"
        if ind.id in state.with_records:
            plan.kept_indicators.append(label)
        else:
            plan.removed_indicators.append(label)
            plan.removed_ids.append(ind.id)
    if (existing.goal or "") != (pp.goal or ""):
        plan.changes.append("绩效目标文字有变化")
    if existing.position != pp.order:
        plan.changes.append(f"顺序：{existing.position} → {pp.order}")
    touched = plan.changes or plan.removed_indicators or any(i.status != UNCHANGED for i in plan.indicators)
    plan.status = CHANGED if touched else UNCHANGED
    return plan


def _plan_projects(doc: ParsedDocument, state: _Existing) -> list[ProjectPlan]:
    seen: set[str] = set()
    plans: list[ProjectPlan] = []
    for pp in doc.projects:
        if pp.name in seen:
            raise ImportError_(f"{pp.location or '文件'}：项目名称“{pp.name}”在文件中出现了两次。")
        seen.add(pp.name)
        plans.append(_plan_project(pp, state))
    for name, existing in state.projects.items():
        if name not in seen:
            plans.append(ProjectPlan(parsed=None, status=MISSING, existing_id=existing.id, name=name))
    return plans


def _budget_changes(doc: ParsedDocument, existing: DepartmentBudget | None) -> list[str]:
    changes: list[str] = []
    for key, value in doc.budget.items():
        old = getattr(existing, key, None) if existing else None
        if value is not None and (old is None or Decimal(old) != Decimal(value)):
            label = DepartmentBudget.BUDGET_LABELS.get(key, key)
            changes.append(f"{label}：{_fmt(old)} → {_fmt(Decimal(value))} 万元")
    if doc.overall_goal and (existing is None or existing.overall_goal != doc.overall_goal):
        changes.append("部门整体绩效目标文字" + ("有变化" if existing and existing.overall_goal else "已读取"))
    return changes


def plan_import(
    doc: ParsedDocument,
    *,
    year: int,
    filename: str,
    data: bytes,
    department: Department | None = None,
    new_department: NewDepartment | None = None,
) -> ImportPlan:
    """What importing doc would do. A document without department (and none chosen) gives a
    plan with department_status ASK: the preview asks, apply_import refuses it."""
    if not doc.projects:
        raise ImportError_("文件中没有找到任何项目绩效目标表。")
    if doc.year and doc.year != year:
        raise ImportError_(f"文件中的预算年度为 {doc.year} 年，与所选的 {year} 年不一致。")
    dept, dept_name, dept_code = _resolve_department(doc, department, new_department)
    state = _existing_state(dept, year)
    project_plans = _plan_projects(doc, state)
    from tracker.services.years import link_previous_year  # issue 12 §4, kept apart from the import

    link_previous_year(project_plans, year=year, department_id=dept.id if dept is not None else None)
    return ImportPlan(
        doc=doc,
        year=year,
        department_name=dept_name,
        department_code=dept_code,
        department_status=UNCHANGED if dept is not None else (NEW if dept_name else ASK),
        department_id=dept.id if dept is not None else None,
        projects=project_plans,
        budget_changes=_budget_changes(doc, state.budget),
        filename=filename,
        sha256=file_digest(data),
        size_bytes=len(data),
    )


def _year_and_department(plan: ImportPlan) -> tuple[BudgetYear, Department]:
    session = db.session
    budget_year = session.scalar(select(BudgetYear).where(BudgetYear.year == plan.year))
    if budget_year is None:
        budget_year = BudgetYear(year=plan.year, is_current=session.scalar(select(BudgetYear.id).limit(1)) is None)
        session.add(budget_year)
    if plan.department_id is None:
        dept = Department(code=plan.department_code, name=plan.department_name)
        session.add(dept)
    else:
        found = session.get(Department, plan.department_id)
        if found is None:
            raise ImportError_(f"部门（编号 {plan.department_id}）已不存在，请重新上传后导入。")
        dept = found
    session.flush()
    return budget_year, dept


def _write_budget(plan: ImportPlan, dept: Department, budget_year: BudgetYear, source: SourceDocument) -> None:
    budget = db.session.scalar(
        select(DepartmentBudget).where(
            DepartmentBudget.department_id == dept.id, DepartmentBudget.year_id == budget_year.id
        )
    )
    if budget is None:
        budget = DepartmentBudget(department_id=dept.id, year_id=budget_year.id)
        db.session.add(budget)
    for key, value in plan.doc.budget.items():
        if value is not None and key in DepartmentBudget.BUDGET_FIELDS:
            setattr(budget, key, Decimal(value))
    if plan.doc.overall_goal:
        budget.overall_goal = plan.doc.overall_goal
    budget.source_document_id = source.id


def _write_indicator(ip: IndicatorPlan, project: Project, indicators_by_id: dict[int, Indicator]) -> None:
    if ip.status == CHANGED:
        if ip.existing_id is None:
            raise ImportError_(f"指标“{ip.parsed.level3}”标为已修改，却没有对应的原有指标。")
        ind = indicators_by_id[ip.existing_id]
    else:
        ind = Indicator(project_id=project.id)
        db.session.add(ind)
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


def _write_projects(plan: ImportPlan, dept: Department, budget_year: BudgetYear, source: SourceDocument) -> None:
    session = db.session
    existing_ids = [p.existing_id for p in plan.projects if p.existing_id and p.status == CHANGED]
    projects_by_id: dict[int, Project] = {}
    indicators_by_id: dict[int, Indicator] = {}
    if existing_ids:
        projects_by_id = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(existing_ids)))}
        indicators_by_id = {
            i.id: i for i in session.scalars(select(Indicator).where(Indicator.project_id.in_(existing_ids)))
        }
    for pp in plan.projects:
        if pp.status not in (NEW, CHANGED):
            continue
        parsed = pp.parsed
        if parsed is None:
            raise ImportError_("新增或修改的项目缺少解析结果。")
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
            if pp.existing_id is None:
                raise ImportError_(f"项目“{parsed.name}”标为已修改，却没有对应的原有项目。")
            project = projects_by_id[pp.existing_id]
            project.goal = parsed.goal
            project.position = parsed.order
            project.source_document_id = source.id
            if pp.previous_id and not project.previous_project_id:
                project.previous_project_id = pp.previous_id
        for ip in pp.indicators:
            if ip.status != UNCHANGED:
                _write_indicator(ip, project, indicators_by_id)
        for ind_id in pp.removed_ids:
            session.delete(indicators_by_id[ind_id])


def apply_import(plan: ImportPlan, *, user: User | None = None) -> SourceDocument | None:
    """Write the plan. Returns the SourceDocument, or None when nothing changed."""
    if plan.needs_department:
        raise ImportError_("文件中没有找到部门名称和编码，请选择要导入到的部门。")
    if not plan.has_changes:
        return None
    budget_year, dept = _year_and_department(plan)
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
    db.session.add(source)
    db.session.flush()
    if plan.budget_changes:
        _write_budget(plan, dept, budget_year, source)
    _write_projects(plan, dept, budget_year, source)
    db.session.flush()
    from tracker.services.quality import after_import  # target-quality review, shown on the result page

    after_import(source)
    return source


# ---------------------------------------------------------------------------- many files at once
#
# A county imports a hundred departments' files in one go: several files, a .zip of them
# (web), or a folder (CLI). Each file is its own unit: it is parsed first; then it is planned
# and written inside its own savepoint, so a refused or failing file leaves nothing behind and
# does not stop the others.

IMPORTED, REFUSED = "imported", "refused"
OUTCOME_LABELS = {
    IMPORTED: "已导入（新增）",
    CHANGED: "已更新（有变化）",
    UNCHANGED: "无变化",
    REFUSED: "拒绝",
    ASK: "待选择部门",
}
PREVIEW_LABELS = {IMPORTED: "将新增", CHANGED: "将更新", UNCHANGED: "无变化", REFUSED: "拒绝", ASK: "待选择部门"}
DOCUMENT_SUFFIXES = (".txt", ".docx", ".xlsx", ".xls", ".pdf", ".html", ".htm")


@dataclass
class BatchFile:
    """One document of a batch: its name (path inside a .zip) and bytes, or why it was refused."""

    name: str
    data: bytes = b""
    error: str = ""


@dataclass
class FileOutcome:
    """What happened (or would happen) to one file of a batch."""

    name: str
    status: str  # IMPORTED / CHANGED / UNCHANGED / REFUSED / ASK
    reason: str = ""
    department: str = ""
    department_code: str | None = None
    department_status: str = ""
    projects: int = 0
    indicators: int = 0
    skipped: list[dict] = field(default_factory=list)  # place, reason, text
    not_understood: list[dict] = field(default_factory=list)  # place, raw
    warnings: list[str] = field(default_factory=list)
    source_id: int | None = None
    sha256: str = ""

    @property
    def label(self) -> str:
        return OUTCOME_LABELS.get(self.status, self.status)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict) -> FileOutcome:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _zip_name(info) -> str:
    """Member names from Chinese Windows zips are GBK without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def expand_uploads(files: list[tuple[str, bytes]], limits: ImportLimits = DEFAULT_LIMITS) -> list[BatchFile]:
    """Uploaded files → documents: a plain .zip gives its members (directory checked against
    the limits first); a .docx/.xlsx is a document of its own. Unsupported members are refused."""
    import io
    import zipfile

    out: list[BatchFile] = []
    for name, data in files:
        if is_office_zip(data) or not (data.startswith((b"PK\x03\x04", b"PK\x05\x06"))):
            out.append(BatchFile(name, data))
            continue
        try:
            check_size(name, data, limits)
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in check_zip(name, zf, limits):
                    member = _zip_name(info)
                    base = member.rsplit("/", 1)[-1]
                    if info.is_dir() or member.startswith("__MACOSX/") or base.startswith((".", "~$")) or not base:
                        continue
                    label = f"{name}/{member}"
                    if not base.lower().endswith(DOCUMENT_SUFFIXES):
                        out.append(BatchFile(label, error="不支持的文件类型（可导入 .txt/.docx/.xlsx/.pdf/.html）"))
                        continue
                    out.append(BatchFile(label, zf.read(info)))
        except ImportFormatError as exc:
            out.append(BatchFile(name, error=str(exc)))
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            out.append(BatchFile(name, error=f"压缩包已损坏，无法打开（{type(exc).__name__}）"))
    if len(out) > limits.max_batch_files:
        raise ImportError_(f"一次最多导入 {limits.max_batch_files} 个文件，这次有 {len(out)} 个：请分批导入。")
    return out


def outcome_of(name: str, plan: ImportPlan) -> FileOutcome:
    """The per-file report line for a plan (applied or only previewed)."""
    if plan.needs_department:
        status = ASK
    elif not plan.has_changes:
        status = UNCHANGED
    elif plan.department_status == NEW or all(p.status == NEW for p in plan.projects):
        status = IMPORTED
    else:
        status = CHANGED
    return FileOutcome(
        name=name,
        status=status,
        department=plan.department_name,
        department_code=plan.department_code,
        department_status=plan.department_status,
        projects=len(plan.doc.projects),
        indicators=plan.doc.indicator_count,
        skipped=[{"place": s.place, "reason": s.reason, "text": s.text} for s in plan.doc.skipped],
        not_understood=[{"place": i.parsed.location or p.name, "raw": i.target.raw} for p, i in plan.not_understood],
        warnings=list(plan.doc.warnings),
        sha256=plan.sha256,
    )


def refused(name: str, reason: str) -> FileOutcome:
    return FileOutcome(name=name, status=REFUSED, reason=reason)


def parse_upload(item: BatchFile, limits: ImportLimits = DEFAULT_LIMITS) -> ParsedDocument | FileOutcome:
    """Parse one file of a batch: its document, or a refused outcome with the reason."""
    if item.error:
        return refused(item.name, item.error)
    base = item.name.rsplit("/", 1)[-1]
    try:
        return parse_file(base, item.data, limits=limits)
    except DomainError as exc:
        return refused(item.name, str(exc))


def preview_file(
    item: BatchFile,
    *,
    year: int,
    limits: ImportLimits = DEFAULT_LIMITS,
    department: Department | None = None,
    new_department: NewDepartment | None = None,
) -> FileOutcome:
    """Parse and plan one file; nothing is written."""
    doc = parse_upload(item, limits)
    if isinstance(doc, FileOutcome):
        return doc
    try:
        plan = plan_import(
            doc, year=year, filename=item.name, data=item.data, department=department, new_department=new_department
        )
    except DomainError as exc:
        return refused(item.name, str(exc))
    return outcome_of(item.name, plan)


def apply_file(
    item: BatchFile,
    doc: ParsedDocument,
    *,
    year: int,
    user: User | None = None,
    department: Department | None = None,
    new_department: NewDepartment | None = None,
) -> FileOutcome:
    """Plan and write one parsed file inside its own savepoint: all of it or nothing of it."""
    try:
        with db.session.begin_nested():
            plan = plan_import(
                doc, year=year, filename=item.name, data=item.data, department=department, new_department=new_department
            )
            if plan.needs_department:
                raise ImportError_("文件中没有找到部门名称和编码，请选择要导入到的部门。")
            outcome = outcome_of(item.name, plan)
            source = apply_import(plan, user=user)
    except DomainError as exc:
        return refused(item.name, str(exc))
    outcome.source_id = source.id if source is not None else None
    return outcome


def import_batch(
    items: list[BatchFile],
    *,
    year: int,
    limits: ImportLimits = DEFAULT_LIMITS,
    dry_run: bool = False,
    user: User | None = None,
    departments: dict[str, Department | NewDepartment] | None = None,
    progress=None,
    after_file=None,
) -> list[FileOutcome]:
    """Parse every file first, then plan (dry_run) or write each one in its own savepoint.

    departments: file name → the department chosen for a file that names none (ignored for a
    file that names its own).
    progress(stage, index, total, name): called before each file of each stage ("解析", "写入").
    after_file(outcome): called after each file is written (the CLI commits there).
    """
    departments = departments or {}
    parsed: list[ParsedDocument | FileOutcome] = []
    for k, item in enumerate(items, start=1):
        if progress:
            progress("解析", k, len(items), item.name)
        parsed.append(parse_upload(item, limits))
    outcomes: list[FileOutcome] = []
    for k, (item, doc) in enumerate(zip(items, parsed, strict=True), start=1):
        if progress:
            progress("预览" if dry_run else "写入", k, len(items), item.name)
        if isinstance(doc, FileOutcome):
            outcomes.append(doc)
            continue
        # the choice is for a file that names no department; a file's own department wins
        choice = None if (doc.department_name or doc.department_code) else departments.get(item.name)
        dept = choice if isinstance(choice, Department) else None
        new = choice if isinstance(choice, NewDepartment) else None
        if dry_run:
            try:
                plan = plan_import(
                    doc, year=year, filename=item.name, data=item.data, department=dept, new_department=new
                )
                outcomes.append(outcome_of(item.name, plan))
            except DomainError as exc:
                outcomes.append(refused(item.name, str(exc)))
        else:
            outcomes.append(apply_file(item, doc, year=year, user=user, department=dept, new_department=new))
            if after_file:
                after_file(outcomes[-1])
    return outcomes


def batch_summary(outcomes: list[FileOutcome]) -> str:
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in (IMPORTED, CHANGED, UNCHANGED, REFUSED, ASK)}
    parts = [f"{OUTCOME_LABELS[s]} {n}" for s, n in counts.items() if n]
    return f"共 {len(outcomes)} 个文件：" + "，".join(parts)
