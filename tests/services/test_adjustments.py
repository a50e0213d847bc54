"""绩效目标调整 and 年中追加 (issue 12 §3): proposal, review incl. return, applying on
approval, the target history, and the target in force by date used by monitoring and the
self-evaluation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.domain import workflow


@pytest.fixture
def people(seeded, db, make_user, make_department):
    from tracker.models import Department

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    bureau = make_department("财政局", "999", finance=True)
    users = {
        "owner": make_user("owner", dept),
        "reviewer": make_user("reviewer", dept),
        "finance": make_user("finance", bureau),
        "stranger": make_user("owner", make_department("别的单位", "431")),
    }
    db.session.commit()
    return users


def _indicator(db, level3="每年检查空调工作状态的次数"):
    from tracker.models import Indicator

    return db.session.scalar(select(Indicator).where(Indicator.level3 == level3))


def _propose_target(db, people, raw="≥16次", on=date(2023, 7, 1)):
    from tracker.models.adjustments import ADJ_TARGET
    from tracker.services import adjustments

    ind = _indicator(db)
    adj = adjustments.propose(
        people["owner"],
        ind.project,
        ADJ_TARGET,
        indicator=ind,
        new_target_raw=raw,
        reason="新增两台空调机组",
        effective_from=on,
    )
    db.session.commit()
    return adj, ind


def test_target_adjustment_full_review_applies_and_keeps_history(people, db):
    from tracker.models import AuditLog
    from tracker.services import adjustments

    adj, ind = _propose_target(db, people)
    assert adjustments.state_of(adj) == workflow.SUBMITTED
    assert ind.target_raw == "≥12次"  # nothing applied before the final approval
    adjustments.act(people["reviewer"], adj, workflow.DEPT_APPROVE)
    db.session.commit()
    assert ind.target_raw == "≥12次" and not adj.applied
    adjustments.act(people["finance"], adj, workflow.APPROVE)
    db.session.commit()
    assert adj.applied and ind.target_raw == "≥16次" and ind.target.value == Decimal(16)
    hist = adjustments.history(ind)
    assert [(v.target_raw, v.effective_from) for v in hist] == [
        ("≥12次", date(2023, 1, 1)),
        ("≥16次", date(2023, 7, 1)),
    ]
    assert hist[1].approved_by_id == people["finance"].id and hist[1].reason == "新增两台空调机组"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "adjustment_applied"))
    # in force by date
    assert adjustments.target_in_force(ind, date(2023, 6, 30)).raw == "≥12次"
    assert adjustments.target_in_force(ind, date(2023, 7, 1)).value == Decimal(16)
    # an applied adjustment cannot be acted on again
    with pytest.raises(adjustments.AdjustmentError):
        adjustments.act(people["finance"], adj, workflow.REOPEN, comment="x")


def test_return_then_resubmit(people, db):
    from tracker.services import adjustments

    adj, ind = _propose_target(db, people)
    with pytest.raises(workflow.WorkflowError):  # a return needs a comment
        adjustments.act(people["reviewer"], adj, workflow.DEPT_RETURN)
    db.session.rollback()
    adjustments.act(people["reviewer"], adj, workflow.DEPT_RETURN, comment="请附空调采购合同")
    db.session.commit()
    assert adjustments.state_of(adj) == workflow.RETURNED and not adj.applied
    adjustments.act(people["owner"], adj, workflow.SUBMIT)
    adjustments.act(people["reviewer"], adj, workflow.DEPT_APPROVE)
    adjustments.act(people["finance"], adj, workflow.RETURN, comment="标准不清")
    db.session.commit()
    assert adjustments.state_of(adj) == workflow.RETURNED and ind.target_raw == "≥12次"
    assert adjustments.history(ind) == []


def test_proposal_validation(people, db):
    from tracker.models.adjustments import ADJ_PROJECT, ADJ_TARGET
    from tracker.services import adjustments
    from tracker.services.scope import NotVisible

    ind = _indicator(db)
    base = {"indicator": ind, "reason": "原因", "effective_from": date(2023, 7, 1)}
    with pytest.raises(adjustments.AdjustmentError, match="相同"):
        adjustments.propose(people["owner"], ind.project, ADJ_TARGET, new_target_raw="≥12次", **base)
    with pytest.raises(adjustments.AdjustmentError, match="调整原因"):
        adjustments.propose(
            people["owner"],
            ind.project,
            ADJ_TARGET,
            new_target_raw="≥13次",
            indicator=ind,
            reason=" ",
            effective_from=date(2023, 7, 1),
        )
    with pytest.raises(adjustments.AdjustmentError, match="2023 预算年度内"):
        adjustments.propose(
            people["owner"],
            ind.project,
            ADJ_TARGET,
            new_target_raw="≥13次",
            indicator=ind,
            reason="x",
            effective_from=date(2024, 1, 1),
        )
    with pytest.raises(NotVisible):
        adjustments.propose(people["stranger"], ind.project, ADJ_TARGET, new_target_raw="≥13次", **base)
    with pytest.raises(NotVisible):  # the finance bureau approves, it does not propose
        adjustments.propose(people["finance"], ind.project, ADJ_TARGET, new_target_raw="≥13次", **base)
    with pytest.raises(adjustments.AdjustmentError, match="已有项目"):
        adjustments.propose(
            people["owner"],
            ind.project,
            ADJ_PROJECT,
            project_name=ind.project.name,
            reason="x",
            effective_from=date(2023, 7, 1),
        )
    db.session.rollback()
    from tracker.models.adjustments import TargetAdjustment

    assert db.session.scalar(select(TargetAdjustment.id)) is None


def test_new_indicator_and_midyear_project(people, db):
    from tracker.models import Indicator, Project
    from tracker.models.adjustments import ADJ_INDICATOR, ADJ_PROJECT
    from tracker.services import adjustments

    project = _indicator(db).project
    n = len(project.indicators)
    a1 = adjustments.propose(
        people["owner"],
        project,
        ADJ_INDICATOR,
        level1="产出指标",
        level2="数量指标",
        level3="新增空调机组维保台数",
        new_target_raw="≥2台",
        reason="新增机组",
        effective_from=date(2023, 8, 1),
    )
    a2 = adjustments.propose(
        people["owner"],
        project,
        ADJ_PROJECT,
        project_name="机关食堂改造项目",
        project_goal="改造食堂",
        project_budget=Decimal("35.5"),
        reason="年中追加",
        effective_from=date(2023, 8, 1),
    )
    for adj in (a1, a2):
        adjustments.act(people["reviewer"], adj, workflow.DEPT_APPROVE)
        adjustments.act(people["finance"], adj, workflow.APPROVE)
    db.session.commit()
    new_ind = db.session.get(Indicator, a1.created_indicator_id)
    assert new_ind.project_id == project.id and new_ind.position == n + 1 and new_ind.target.value == Decimal(2)
    assert adjustments.history(new_ind)[0].effective_from == date(2023, 8, 1)
    new_project = db.session.get(Project, a2.created_project_id)
    assert new_project.added_midyear and new_project.budget == Decimal("35.5")
    assert (new_project.department_id, new_project.year_id) == (project.department_id, project.year_id)


def test_monitoring_and_evaluation_use_target_in_force(people, db):
    from tracker.models import EvaluationRow, MonitoringRow
    from tracker.services import adjustments, evaluation, monitoring

    adj, ind = _propose_target(db, people, raw="≥16次", on=date(2023, 9, 1))
    adjustments.act(people["reviewer"], adj, workflow.DEPT_APPROVE)
    adjustments.act(people["finance"], adj, workflow.APPROVE)
    db.session.commit()
    monitoring.run(date(2023, 6, 30))
    monitoring.run(date(2023, 9, 30))
    db.session.commit()
    rows = db.session.scalars(select(MonitoringRow).where(MonitoringRow.indicator_id == ind.id)).all()
    by_date = {r.snapshot.as_of: r.target_raw for r in rows}
    assert by_date == {date(2023, 6, 30): "≥12次", date(2023, 9, 30): "≥16次"}
    evaluation.open_forms(2023)
    db.session.commit()
    row = db.session.scalar(select(EvaluationRow).where(EvaluationRow.indicator_id == ind.id))
    assert row.target_raw == "≥16次" and row.target.value == Decimal(16)


def test_targets_in_force_batch_matches_single(people, db):
    from tracker.models import Indicator
    from tracker.services import adjustments

    adj, ind = _propose_target(db, people)
    adjustments.act(people["reviewer"], adj, workflow.DEPT_APPROVE)
    adjustments.act(people["finance"], adj, workflow.APPROVE)
    db.session.commit()
    inds = db.session.scalars(select(Indicator)).all()
    batch = adjustments.targets_in_force(inds, date(2023, 3, 1))
    assert len(batch) == 184
    assert batch[ind.id].raw == "≥12次"
    assert all(batch[i.id] == i.target for i in inds if i.id != ind.id)
