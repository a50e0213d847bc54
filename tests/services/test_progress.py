"""Recording values and spending, corrections, locks, evidence, budget edits, review, todo."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.domain import DomainError
from tracker.edge import run_job
from tracker.progress import forms as progress_forms

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def dept(db, seeded):
    from tracker.models import Department

    return db.session.scalar(select(Department).where(Department.code == "430"))


@pytest.fixture
def owner(make_user, dept):
    return make_user("owner", dept)


@pytest.fixture
def reviewer(make_user, dept):
    return make_user("reviewer", dept)


def indicator(db, raw: str, level3: str | None = None):
    from tracker.models import Indicator

    stmt = select(Indicator).where(Indicator.target_raw == raw)
    if level3:
        stmt = stmt.where(Indicator.level3 == level3)
    return db.session.scalars(stmt.order_by(Indicator.id)).first()


def record(user, ind, files=(), **form):
    from tracker.services import progress

    data = progress_forms.parse_value_form(ind, form)
    return progress.record_value(user, ind, data, list(files))


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_cumulative_value_sums_and_converts_scale(db, owner):
    from tracker.services.progress import project_progress

    ind = indicator(db, "≤500000元")  # a cost ceiling in 元
    record(owner, ind, as_of="2023-03-31", value="12", unit="万元")
    record(owner, ind, as_of="2023-04-30", value="30,000元")
    db.session.commit()
    row = project_progress(ind.project, [ind]).rows[0]
    assert ind.accumulation == "cumulative"
    assert row.ytd == Decimal("150000")
    assert row.status == "met"  # ≤ 500000


def test_level_value_takes_latest(db, owner):
    from tracker.services.progress import project_progress

    ind = indicator(db, "≥95%")
    assert ind.accumulation == "level"
    record(owner, ind, as_of="2023-05-31", value="96")
    record(owner, ind, as_of="2023-06-30", value="93%")
    db.session.commit()
    row = project_progress(ind.project, [ind]).rows[0]
    assert (row.ytd, row.status) == (Decimal("93"), "not_met")


@pytest.mark.parametrize(
    "form, field, message",
    [
        ({"as_of": "2023-03-31", "value": "abc"}, "value", "不是有效的数值"),
        ({"as_of": "2023-03-31", "value": "-3"}, "value", "不能为负数"),
        ({"as_of": "2023-03-31", "value": "5吨"}, "value", "无法换算"),
        ({"as_of": "2024-01-02", "value": "5"}, "as_of", "不在 2023 预算年度内"),
        ({"as_of": "2023-02-30", "value": "5"}, "as_of", "不是有效日期"),
        ({"as_of": "", "value": "5"}, "as_of", "请填写截至日期"),
        ({"as_of": "2023-03-31", "value": ""}, "value", "请填写实际完成值"),
    ],
)
def test_bad_values_are_refused_per_field(db, owner, form, field, message):
    from tracker.models import ProgressEntry
    from tracker.services.progress import InputError

    ind = indicator(db, "≤500000元")
    with pytest.raises(InputError) as excinfo:
        record(owner, ind, **form)
    assert message in excinfo.value.errors[field]
    assert count(db, ProgressEntry) == 0


def test_future_date_is_refused(db, owner, monkeypatch):
    from tracker.services import progress

    monkeypatch.setattr(progress, "today", lambda: date(2023, 5, 1))
    with pytest.raises(progress.InputError, match="晚于今天"):
        record(owner, indicator(db, "≤500000元"), as_of="2023-05-02", value="1")


def test_qualitative_and_deadline_inputs(db, owner):
    from tracker.services.progress import InputError

    qual = indicator(db, "明显提升")
    with pytest.raises(InputError) as excinfo:
        record(owner, qual, as_of="2023-06-30")
    assert set(excinfo.value.errors) == {"tier", "note"}
    entry = record(owner, qual, as_of="2023-06-30", tier="部分达成", note="上半年服务满意度调查已开展")
    assert entry.tier == "部分达成"

    monthly = indicator(db, "每月25日前发放到位")
    with pytest.raises(InputError) as excinfo:
        record(owner, monthly, as_of="2023-01-31", completed_on="2023-01-20")
    assert "for_month" in excinfo.value.errors
    entry = record(owner, monthly, as_of="2023-01-31", completed_on="2023-01-20", for_month="1")
    assert (entry.for_month, entry.completed_on) == (1, date(2023, 1, 20))


def test_correction_supersedes_and_history_keeps_both(db, owner):
    from tracker.models import AuditLog
    from tracker.services import progress

    ind = indicator(db, "≥12次")
    first = record(owner, ind, as_of="2023-03-31", value="3")
    data = progress_forms.parse_value_form(ind, {"as_of": "2023-03-31", "value": "4"})
    second = progress.record_value(owner, ind, data, supersedes=first)
    db.session.commit()
    history = progress.indicator_history(ind)
    assert [e.id for e in history] == [second.id, first.id]
    assert first.value == Decimal("3")  # never overwritten
    assert progress.project_progress(ind.project, [ind]).rows[0].ytd == Decimal("4")
    # Correcting the old entry again is a conflict, and nothing is added.
    with pytest.raises(progress.ConflictError, match="已被更正"):
        progress.record_value(
            owner, ind, progress_forms.parse_value_form(ind, {"as_of": "2023-03-31", "value": "5"}), supersedes=first
        )
    db.session.rollback()
    assert len(progress.indicator_history(ind)) == 2
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "correct_value")) == 1


def test_concurrent_corrections_one_wins(app, db, owner):
    """Two sessions correct the same entry at once: the unique supersedes_id lets one in."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    from tracker.models import ProgressEntry

    ind = indicator(db, "≥12次")
    first = record(owner, ind, as_of="2023-03-31", value="3")
    ids = {"first": first.id, "indicator": ind.id, "project": ind.project_id, "owner": owner.id}
    db.session.commit()
    db.session.close()  # hold no connection while the two writers race
    results = []
    barrier = threading.Barrier(2, timeout=20)

    def correct(value):
        try:
            with app.app_context(), Session(db.engine) as session:
                session.add(
                    ProgressEntry(
                        indicator_id=ids["indicator"],
                        project_id=ids["project"],
                        as_of=date(2023, 3, 31),
                        period_key="2023-03",
                        value=Decimal(value),
                        supersedes_id=ids["first"],
                        created_by_id=ids["owner"],
                    )
                )
                barrier.wait()
                try:
                    session.commit()
                    results.append("ok")
                except IntegrityError:
                    session.rollback()
                    results.append("conflict")
        except Exception as exc:  # surfaced by the assertion below
            results.append(repr(exc))
            barrier.abort()

    threads = [threading.Thread(target=correct, args=(v,)) for v in ("4", "5")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["conflict", "ok"]
    assert (
        db.session.scalar(select(func.count(ProgressEntry.id)).where(ProgressEntry.supersedes_id == ids["first"])) == 1
    )


def test_void_needs_reason_and_removes_from_totals(db, owner):
    from tracker.services import progress

    ind = indicator(db, "≥12次")
    entry = record(owner, ind, as_of="2023-03-31", value="3")
    with pytest.raises(progress.InputError, match="原因"):
        progress.void_value(owner, entry, " ")
    progress.void_value(owner, entry, "重复填报")
    db.session.commit()
    assert progress.project_progress(ind.project, [ind]).rows[0].ytd is None
    assert len(progress.indicator_history(ind)) == 2


def test_other_department_cannot_record(db, dept, make_user, make_department):
    from tracker.services.scope import NotVisible

    stranger = make_user("owner", make_department("县水利局", "520"))
    with pytest.raises(NotVisible):
        record(stranger, indicator(db, "≥12次"), as_of="2023-03-31", value="3")


def test_submitted_period_is_locked_until_returned(db, owner, reviewer, make_user):
    from tracker.models import ProgressEntry
    from tracker.services import progress, review

    ind = indicator(db, "≥12次")
    record(owner, ind, as_of="2023-03-31", value="3")
    review.act(owner, ind.project, "2023-03", "submit")
    with pytest.raises(progress.LockedError, match="2023年3月的填报已提交"):
        record(owner, ind, as_of="2023-03-15", value="1")
    record(owner, ind, as_of="2023-04-10", value="1")  # another period stays open
    review.act(reviewer, ind.project, "2023-03", "dept_return", comment="请补充佐证")
    record(owner, ind, as_of="2023-03-15", value="1")
    review.act(owner, ind.project, "2023-03", "submit")
    review.act(reviewer, ind.project, "2023-03", "dept_approve")
    finance = make_user("finance")
    review.act(finance, ind.project, "2023-03", "approve")
    with pytest.raises(progress.LockedError, match="已审定"):
        record(owner, ind, as_of="2023-03-20", value="1")
    with pytest.raises(DomainError, match=r"原因|意见"):
        review.act(finance, ind.project, "2023-03", "reopen")
    review.act(finance, ind.project, "2023-03", "reopen", comment="发现数据错误，重新打开更正")
    record(owner, ind, as_of="2023-03-20", value="1")
    db.session.commit()
    assert db.session.scalar(select(func.count(ProgressEntry.id))) == 4


def test_review_roles_are_enforced(db, owner, reviewer, make_user, make_department):
    from tracker.domain.workflow import WorkflowError
    from tracker.services import review
    from tracker.services.scope import NotVisible

    project = indicator(db, "≥12次").project
    with pytest.raises(WorkflowError):
        review.act(owner, project, "2023-03", "dept_approve")
    review.act(owner, project, "2023-03", "submit")
    other_reviewer = make_user("reviewer", make_department("县水利局", "520"))
    with pytest.raises(NotVisible):
        review.act(other_reviewer, project, "2023-03", "dept_approve")
    finance = make_user("finance")
    with pytest.raises(WorkflowError):
        review.act(finance, project, "2023-03", "approve")  # the department reviews first
    submission = review.act(reviewer, project, "2023-03", "dept_approve")
    assert submission.state == "dept_approved"
    assert [e.action for e in submission.events] == ["submit", "dept_approve"]
    # A stale page: the version the user saw is older than the row.
    from tracker.services.progress import ConflictError

    with pytest.raises(ConflictError, match="已被其他人处理"):
        review.act(finance, project, "2023-03", "approve", expected_version=1)
    with pytest.raises(WorkflowError, match="2024"):
        review.act(owner, project, "2024-01", "submit")


def test_evidence_checked_by_content(db, owner, app, tmp_path):
    from pathlib import Path

    from tracker.models import Evidence, ProgressEntry
    from tracker.services import evidence
    from tracker.services.evidence import EvidenceError

    ind = indicator(db, "≥12次")
    entry = record(owner, ind, files=[("维保记录.pdf", PDF)], as_of="2023-03-31", value="3")
    db.session.commit()
    stored = db.session.scalar(select(Evidence).where(Evidence.progress_entry_id == entry.id))
    assert stored.content_type == "application/pdf" and evidence.path_of(stored).read_bytes() == PDF
    assert str(Path(app.config["UPLOAD_DIR"]).resolve()) in str(evidence.path_of(stored).resolve())

    before = (count(db, ProgressEntry), count(db, Evidence))
    files_before = set(evidence._dir().iterdir())
    for name, data, message in [
        ("病毒.pdf", b"MZ\x90\x00" + bytes(100), "文件内容是无法识别的内容"),
        ("照片.pdf", b"\x89PNG\r\n\x1a\n" + bytes(50), "文件内容是PNG 图片"),
        ("脚本.exe", b"MZ", "类型不支持"),
        ("空.pdf", b"", "空文件"),
    ]:
        with pytest.raises(EvidenceError, match=message):
            record(owner, ind, files=[("ok.pdf", PDF), (name, data)], as_of="2023-03-31", value="1")
        db.session.rollback()
    assert (count(db, ProgressEntry), count(db, Evidence)) == before
    assert set(evidence._dir().iterdir()) == files_before  # the rejected uploads left no files


def test_evidence_size_limit_is_configurable(db, owner):
    from tracker.services import evidence, settings

    settings.put("evidence_max_mb", 1, user=None)
    with pytest.raises(evidence.EvidenceError, match="超过上限 1 MB"):
        evidence.check("大.pdf", PDF + bytes(1024 * 1024 + 1))
    assert evidence.check("小.pdf", PDF).label == "PDF"


def test_spending_and_execution(db, owner):
    from tracker.services import progress

    project = indicator(db, "≥12次").project
    project.initial_budget = Decimal("12")
    for form in (
        {"spent_on": "2023-02-10", "amount": "30000", "unit": "元"},
        {"spent_on": "2023-05-10", "amount": "3", "unit": "万元"},
    ):
        progress.record_spending(owner, project, progress_forms.parse_spending_form(project, form))
    db.session.commit()
    summary = progress.project_progress(project, [])
    assert summary.spent == Decimal("6")
    assert summary.execution_rate == Decimal("0.5")
    assert summary.monthly_spent == {2: Decimal("3"), 5: Decimal("3")}
    with pytest.raises(progress.InputError) as excinfo:
        progress_forms.parse_spending_form(project, {"spent_on": "2023-13-01", "amount": "5", "unit": "美元"})
    assert set(excinfo.value.errors) == {"spent_on", "amount"}


def test_budget_edit_needs_reason_and_detects_conflict(db, make_user, dept):
    from tracker.models import AuditLog
    from tracker.services import progress

    finance = make_user("finance")
    project = indicator(db, "≥12次").project
    seen = project.version
    with pytest.raises(progress.InputError, match="原因"):
        progress.update_budget(finance, project, progress.BudgetInput(Decimal("120"), None, ""), expected_version=seen)
    progress.update_budget(
        finance, project, progress.BudgetInput(Decimal("120"), None, "年初批复"), expected_version=seen
    )
    db.session.commit()
    assert project.initial_budget == Decimal("120")
    with pytest.raises(progress.ConflictError):
        progress.update_budget(
            finance, project, progress.BudgetInput(Decimal("130"), None, "调整"), expected_version=seen
        )
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "budget"))
    assert "年初批复" in log.summary and "120" in log.new_value


def test_todo_lists_missing_returned_and_reviews(db, owner, reviewer, make_user, monkeypatch):
    from tracker.services import progress, review, todo

    monkeypatch.setattr(progress, "today", lambda: date(2023, 3, 20))
    monkeypatch.setattr(todo, "today", lambda: date(2023, 3, 20))
    assert todo.todo_for(reviewer).missing == []  # reviewers are not chased for values
    ind = indicator(db, "≥12次")
    first = todo.todo_for(owner)
    assert first.period.key == "2023-03"
    assert sum(n for _, n in first.missing) == 184
    record(owner, ind, as_of="2023-03-15", value="1")
    review.act(owner, ind.project, "2023-03", "submit")
    assert sum(n for _, n in todo.todo_for(owner).missing) == 183
    assert [s.period_key for s in todo.todo_for(reviewer).to_review] == ["2023-03"]
    review.act(reviewer, ind.project, "2023-03", "dept_return", comment="请补充")
    assert [s.period_key for s in todo.todo_for(owner).returned] == ["2023-03"]
    from tracker.models import Notification

    note = db.session.scalar(
        select(Notification).where(Notification.user_id == owner.id, Notification.kind == "returned")
    )
    assert "部门退回：请补充" in note.message and "2023年3月" in note.message
    finance = make_user("finance")
    assert todo.todo_for(finance).count == 0
    # After the year has ended, owners are no longer chased for monthly values.
    monkeypatch.setattr(todo, "today", lambda: date(2024, 2, 1))
    assert todo.todo_for(owner).missing == [] and todo.todo_for(owner).count == 1


def test_switching_frequency_does_not_unlock_approved_months(db, owner, reviewer, make_user):
    from tracker.services import progress, review, settings

    ind = indicator(db, "≥12次")
    record(owner, ind, as_of="2023-01-31", value="1")
    finance = make_user("finance")
    for user, action in ((owner, "submit"), (reviewer, "dept_approve"), (finance, "approve")):
        review.act(user, ind.project, "2023-01", action)
    settings.put("reporting_frequency", "quarterly", user=None)
    with pytest.raises(progress.LockedError, match="2023年1月的填报已审定"):
        record(owner, ind, as_of="2023-01-20", value="1")
    record(owner, ind, as_of="2023-02-20", value="1")  # February was never submitted


def test_archived_year_is_read_only_everywhere(db, owner, make_user):
    from datetime import date as d

    from tracker.services import evaluation, jobs, monitoring_form, progress, review

    ind = indicator(db, "≥12次")
    record(owner, ind, as_of="2023-03-31", value="3")
    run_job(jobs.monitoring_job(d(2023, 6, 30)))
    evaluation.open_forms(2023)
    ind.project.year.is_closed = True
    db.session.commit()
    finance = make_user("finance")
    from tracker.models import MonitoringSnapshot

    snapshot = db.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.project_id == ind.project_id))
    form = next(f for f in evaluation.summary_all(2023) if f.project_id == ind.project_id)
    for attempt in (
        lambda: record(owner, ind, as_of="2023-04-30", value="1"),
        lambda: progress.update_budget(
            finance, ind.project, progress.BudgetInput(Decimal(1), None, "x"), expected_version=None
        ),
        lambda: monitoring_form.save(owner, snapshot, monitoring_form.MonitoringEdit(), expected_version=None),
        lambda: monitoring_form.set_disposition(finance, snapshot, needs=True, requirements="整改"),
        lambda: evaluation.save(owner, form, evaluation.EvaluationEdit(), expected_version=None),
        lambda: review.act(owner, ind.project, "2023-04", "submit"),
    ):
        with pytest.raises(progress.LockedError, match="已归档"):
            attempt()
        db.session.rollback()


@pytest.mark.parametrize(
    "value, message",
    [("99999999999999999999", "过大"), ("1e400", "过大|不是有效的数值"), ("0.0000001", "最多保留 6 位小数")],
)
def test_absurd_values_are_refused(db, owner, value, message):
    from tracker.services.progress import InputError

    with pytest.raises(InputError, match=message):
        record(owner, indicator(db, "≥12次"), as_of="2023-03-31", value=value)


def test_absurd_amounts_are_refused(db, owner):
    from tracker.services import progress

    project = indicator(db, "≥12次").project
    for amount, unit, message in (("0.001", "元", "最多保留 2 位小数"), ("99999999999999999999", "元", "过大")):
        with pytest.raises(progress.InputError, match=message):
            progress_forms.parse_spending_form(project, {"spent_on": "2023-03-01", "amount": amount, "unit": unit})


def test_history_is_ordered_by_as_of_date_not_by_entry_time(db, owner):
    """Issue 10, daily use 6: a value for March typed after the one for June is listed below it."""
    from tracker.services import dashboard, progress

    ind = indicator(db, "≥12次")
    june = record(owner, ind, as_of="2023-06-30", value="6")
    march = record(owner, ind, as_of="2023-03-31", value="3")
    db.session.commit()
    assert [e.id for e in progress.indicator_history(ind)] == [june.id, march.id]
    assert [e.id for e in dashboard.indicator_history_page(ind, 1).items] == [june.id, march.id]
