"""绩效目标调整 and 年中追加 (issue 12 §3).

An owner (or reviewer) proposes a new target for an indicator, a new indicator, or a new
mid-year project, with a reason and the date it takes effect. The proposal is a Submission
of kind 'adjustment' and goes through the same review as every form (部门审核 → 财政审定,
either may return it). On the finance bureau's approval the change is applied; every target
an indicator has had is kept in target_versions, and ``target_in_force`` answers which one
held on a given day (monitoring snapshots and self-evaluation forms use it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from tracker.domain import DomainError, workflow
from tracker.domain.accumulation import infer_accumulation
from tracker.domain.targets import Target, parse_target
from tracker.extensions import db
from tracker.models import Indicator, Project, Submission, User
from tracker.models.adjustments import (
    ADJ_INDICATOR,
    ADJ_KINDS,
    ADJ_TARGET,
    TargetAdjustment,
    TargetVersion,
)
from tracker.services.scope import NotVisible

KIND = "adjustment"


class AdjustmentError(DomainError):
    """A proposal that cannot be accepted; the message says what and where."""


def _clean(text: str | None, what: str, limit: int, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise AdjustmentError(f"请填写{what}。")
    if len(text) > limit:
        raise AdjustmentError(f"{what}最多 {limit} 字（现为 {len(text)} 字）。")
    return text


def _parsed(raw: str, *, level2: str, name: str) -> Target:
    try:
        return parse_target(raw, level2=level2, name=name)
    except DomainError as exc:
        raise AdjustmentError(f"新的指标值“{raw}”无法识别：{exc}") from exc


def propose(
    user: User,
    project: Project,
    kind: str,
    *,
    reason: str,
    effective_from: date,
    indicator: Indicator | None = None,
    new_target_raw: str = "",
    level1: str = "",
    level2: str = "",
    level3: str = "",
    project_name: str = "",
    project_goal: str = "",
    project_budget: Decimal | None = None,
) -> TargetAdjustment:
    """Create the proposal and submit it for review (flush only)."""
    from tracker.services import review
    from tracker.services.progress import ensure_year_open

    if user.role not in (workflow.OWNER, workflow.REVIEWER) or user.department_id != project.department_id:
        raise NotVisible(project.id)
    ensure_year_open(project)
    if kind not in ADJ_KINDS:
        raise AdjustmentError("未知的调整类型。")
    reason = _clean(reason, "调整原因", 2000)
    year = project.year.year
    if not isinstance(effective_from, date) or effective_from.year != year:
        raise AdjustmentError(f"生效日期须在 {year} 预算年度内。")
    adj = TargetAdjustment(
        kind=kind, project_id=project.id, reason=reason, effective_from=effective_from, proposed_by_id=user.id
    )
    if kind == ADJ_TARGET:
        if indicator is None or indicator.project_id != project.id:
            raise AdjustmentError("请选择本项目的一个指标。")
        raw = _clean(new_target_raw, "新的指标值", 500)
        if raw == indicator.target_raw:
            raise AdjustmentError(f"新的指标值与现行指标值“{raw}”相同。")
        _parsed(raw, level2=indicator.level2, name=indicator.level3)
        adj.indicator_id = indicator.id
        adj.new_target_raw = raw
    elif kind == ADJ_INDICATOR:
        adj.level1 = _clean(level1, "一级指标", 32)
        adj.level2 = _clean(level2, "二级指标", 64)
        adj.level3 = _clean(level3, "三级指标", 500)
        adj.new_target_raw = _clean(new_target_raw, "指标值", 500)
        _parsed(adj.new_target_raw, level2=adj.level2, name=adj.level3)
    else:
        adj.project_name = _clean(project_name, "项目名称", 300)
        adj.project_goal = _clean(project_goal, "项目绩效目标", 4000, required=False)
        if project_budget is not None and project_budget < 0:
            raise AdjustmentError("追加预算不能为负数。")
        adj.project_budget = project_budget
        clash = db.session.scalar(
            select(Project.id).where(
                Project.department_id == project.department_id,
                Project.year_id == project.year_id,
                Project.name == adj.project_name,
            )
        )
        if clash:
            raise AdjustmentError(f"本部门 {year} 年已有项目“{adj.project_name}”。")
    db.session.add(adj)
    db.session.flush()
    review.act(user, project, adj.period_key, workflow.SUBMIT, kind=KIND)
    return adj


def submission_of(adj: TargetAdjustment) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(
            Submission.project_id == adj.project_id, Submission.kind == KIND, Submission.period_key == adj.period_key
        )
    )


def state_of(adj: TargetAdjustment) -> str:
    sub = submission_of(adj)
    return sub.state if sub else workflow.DRAFT


def act(
    user: User, adj: TargetAdjustment, action: str, *, comment: str = "", expected_version: int | None = None
) -> Submission:
    """A review action on the proposal; the final approval applies it."""
    from tracker.services import review

    if adj.applied:
        raise AdjustmentError("此调整已生效，不能再处理。")
    if action == workflow.REOPEN:
        raise AdjustmentError("已生效的目标调整不能重新打开；如需再改，请另行提出调整。")
    submission = review.act(
        user, adj.project, adj.period_key, action, comment=comment, expected_version=expected_version, kind=KIND
    )
    if submission.state == workflow.APPROVED:
        apply(adj, user)
    return submission


def _ensure_baseline(indicator: Indicator) -> None:
    """The published target as the first version (from 1 January), before the first change."""
    has = db.session.scalar(select(func.count(TargetVersion.id)).where(TargetVersion.indicator_id == indicator.id))
    if has:
        return
    base = TargetVersion(
        indicator_id=indicator.id,
        effective_from=date(indicator.project.year.year, 1, 1),
        reason="年初批复的绩效目标",
    )
    base.set_target(indicator.target)
    db.session.add(base)


def apply(adj: TargetAdjustment, user: User) -> None:
    from tracker.services import audit

    project = adj.project
    if adj.kind == ADJ_TARGET:
        ind = db.session.get(Indicator, adj.indicator_id)
        if ind is None:
            raise AdjustmentError(f"要调整的指标（编号 {adj.indicator_id}）已不存在。")
        _ensure_baseline(ind)
        target = _parsed(adj.new_target_raw, level2=ind.level2, name=ind.level3)
        version = TargetVersion(
            indicator_id=ind.id,
            effective_from=adj.effective_from,
            adjustment_id=adj.id,
            approved_by_id=user.id,
            reason=adj.reason,
        )
        version.set_target(target)
        db.session.add(version)
        db.session.flush()
        old = ind.target_raw
        # The indicator's own columns hold the latest target (the one in force at year end,
        # used by the self-evaluation), even when adjustments were approved out of date order.
        latest = max(history(ind), key=lambda v: (v.effective_from, v.id))
        ind.set_target(latest.target)
        ind.op_override = None
        summary = f"指标“{ind.level3}”目标调整：{old} → {target.raw}（{adj.effective_from} 起）"

    elif adj.kind == ADJ_INDICATOR:
        target = _parsed(adj.new_target_raw, level2=adj.level2, name=adj.level3)
        position = (
            db.session.scalar(select(func.max(Indicator.position)).where(Indicator.project_id == project.id)) or 0
        ) + 1
        ind = Indicator(
            project_id=project.id,
            position=position,
            level1=adj.level1,
            level2=adj.level2,
            level3=adj.level3,
            accumulation=infer_accumulation(target, adj.level3, ""),
        )
        ind.set_target(target)
        db.session.add(ind)
        db.session.flush()
        version = TargetVersion(
            indicator_id=ind.id,
            effective_from=adj.effective_from,
            adjustment_id=adj.id,
            approved_by_id=user.id,
            reason=adj.reason,
        )
        version.set_target(target)
        db.session.add(version)
        adj.created_indicator_id = ind.id
        summary = f"新增指标“{adj.level3}”（{target.raw}，{adj.effective_from} 起）"
    else:
        new = Project(
            department_id=project.department_id,
            year_id=project.year_id,
            name=adj.project_name,
            goal=adj.project_goal,
            adjusted_budget=adj.project_budget,
            added_midyear=True,
            position=(
                db.session.scalar(
                    select(func.max(Project.position)).where(
                        Project.department_id == project.department_id, Project.year_id == project.year_id
                    )
                )
                or 0
            )
            + 1,
        )
        db.session.add(new)
        db.session.flush()
        adj.created_project_id = new.id
        summary = f"年中追加项目“{adj.project_name}”（{adj.effective_from} 起）"
    adj.applied = True
    adj.applied_at = datetime.now(UTC)
    db.session.flush()
    audit.record(
        user, "adjustment_applied", "target_adjustment", adj.id, summary + f"，原因：{adj.reason}", project=project
    )


def target_in_force(indicator: Indicator, on: date) -> Target:
    """The target that held on ``on``: the latest version effective by then; the
    indicator's own target when it was never adjusted."""
    return targets_in_force([indicator], on)[indicator.id]


def targets_in_force(indicators, on: date) -> dict[int, Target]:
    """Set-based form of :func:`target_in_force`: indicator id → target, one query per
    1000 indicators."""
    indicators = list(indicators)
    out = {ind.id: ind.target for ind in indicators}
    out.update(adjusted_targets([ind.id for ind in indicators], on))
    return out


def adjusted_targets(indicator_ids, on: date) -> dict[int, Target]:
    """For the indicators among ``indicator_ids`` that have a target history, the target in
    force on ``on`` (before the first version — a mid-year indicator before it existed — its
    first target). Indicators never adjusted are left out: their own columns hold."""
    ids = list(indicator_ids)
    out: dict[int, Target] = {}
    for start in range(0, len(ids), 1000):
        out.update(_in_force(TargetVersion.indicator_id.in_(ids[start : start + 1000]), on))
    return out


def adjusted_targets_of_projects(project_ids, on: date) -> dict[int, Target]:
    """adjusted_targets() for every indicator of the projects, in one query (batch runs)."""
    return _in_force(
        TargetVersion.indicator_id.in_(select(Indicator.id).where(Indicator.project_id.in_(list(project_ids)))), on
    )


def _in_force(which, on: date) -> dict[int, Target]:
    by_ind: dict[int, list[TargetVersion]] = {}
    for v in db.session.scalars(
        select(TargetVersion)
        .where(which)
        .order_by(TargetVersion.indicator_id, TargetVersion.effective_from, TargetVersion.id)
    ):
        by_ind.setdefault(v.indicator_id, []).append(v)
    out: dict[int, Target] = {}
    for ind_id, vs in by_ind.items():
        current = [v for v in vs if v.effective_from <= on]
        out[ind_id] = (current[-1] if current else vs[0]).target
    return out


def history(indicator: Indicator) -> list[TargetVersion]:
    return list(
        db.session.scalars(
            select(TargetVersion)
            .where(TargetVersion.indicator_id == indicator.id)
            .order_by(TargetVersion.effective_from, TargetVersion.id)
        )
    )


def for_department(
    department_ids: list[int] | None,
    year_id: int | None = None,
    *,
    project_id: int | None = None,
    indicator_id: int | None = None,
) -> list[TargetAdjustment]:
    """Proposals the user may see (None: every department), newest first; optionally of
    one project or one indicator."""
    stmt = select(TargetAdjustment).join(Project, Project.id == TargetAdjustment.project_id)
    if department_ids is not None:
        stmt = stmt.where(Project.department_id.in_(department_ids))
    if year_id is not None:
        stmt = stmt.where(Project.year_id == year_id)
    if project_id is not None:
        stmt = stmt.where(TargetAdjustment.project_id == project_id)
    if indicator_id is not None:
        stmt = stmt.where(TargetAdjustment.indicator_id == indicator_id)
    return list(db.session.scalars(stmt.order_by(TargetAdjustment.id.desc())))
