"""双监控 pages: run, the form's explanation rules, review, 需整改, snapshots frozen, scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.edge import run_daily, run_job
from tracker.progress import forms as progress_forms

AS_OF = "2023-06-30"


@pytest.fixture
def dept(db, seeded):
    from tracker.models import Department

    return db.session.scalar(select(Department).where(Department.code == "430"))


def _indicator(db, raw):
    from tracker.models import Indicator

    return db.session.scalars(select(Indicator).where(Indicator.target_raw == raw).order_by(Indicator.id)).first()


def _record(user, ind, **form):
    from tracker.services import progress

    return progress.record_value(user, ind, progress_forms.parse_value_form(ind, form))


@pytest.fixture
def scenario(db, dept, make_user):
    """A project behind on a count and on spending, so its form has red rows to explain."""
    owner = make_user("owner", dept)
    ind = _indicator(db, "≥12次")  # cumulative: 3 by mid-year of 12 → p = 3 / 6 = 50 % → red
    _record(owner, ind, as_of="2023-05-31", value="3")
    project = ind.project
    project.initial_budget = Decimal("12")
    from tracker.services import progress

    progress.record_spending(
        owner,
        project,
        progress_forms.parse_spending_form(project, {"spent_on": "2023-03-01", "amount": "1", "unit": "万元"}),
    )
    db.session.commit()
    return {"owner": owner, "indicator": ind, "project": project}


def test_finance_runs_monitoring_and_sees_lights(client, scenario, make_user, login, db):
    from tracker import job_queue
    from tracker.models import JobRun, MonitoringSnapshot, Notification

    login(make_user("finance"))
    response = client.post("/monitoring/run", data={"as_of": AS_OF})
    assert response.status_code == 302
    job_queue.tick()  # the scheduler process runs what the page queued
    assert db.session.scalar(select(func.count(MonitoringSnapshot.id))) == 18
    snap = db.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.project_id == scenario["project"].id))
    assert snap.budget_light == "red"  # 1 / 12 = 8.3 % against 50 %
    row = next(r for r in snap.rows if r.indicator_id == scenario["indicator"].id)
    assert (row.current_value, row.light, row.forecast) == (Decimal("3"), "red", Decimal("6"))
    html = client.get(f"/monitoring/?period={AS_OF}").get_data(as_text=True)
    assert "dept-chart" in html and "light-chart" in html and scenario["project"].name in html
    # Run again: nothing new (the page says so at once; a second run of the job is skipped).
    client.post("/monitoring/run", data={"as_of": AS_OF})
    job_queue.tick()
    from tracker.services import jobs

    run_job(jobs.monitoring_job(date(2023, 6, 30)), trigger="manual")
    assert db.session.scalar(select(func.count(MonitoringSnapshot.id))) == 18
    assert [r.status for r in db.session.scalars(select(JobRun).order_by(JobRun.id))] == ["succeeded", "skipped"]
    owner_notes = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == scenario["owner"].id)
    )
    assert owner_notes == 1  # one summary per department, not one per project
    note = db.session.scalar(select(Notification).where(Notification.user_id == scenario["owner"].id))
    assert "18 个项目" in note.message and "红灯" in note.message


def test_snapshot_does_not_change_with_later_entries(db, scenario):
    from tracker.models import MonitoringSnapshot
    from tracker.services import jobs

    run_job(jobs.monitoring_job(date(2023, 6, 30)))
    _record(scenario["owner"], scenario["indicator"], as_of="2023-06-15", value="5")  # a late entry for June
    db.session.commit()
    snap = db.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.project_id == scenario["project"].id))
    row = next(r for r in snap.rows if r.indicator_id == scenario["indicator"].id)
    assert row.current_value == Decimal("3")


def test_owner_must_explain_red_rows_before_submitting(client, scenario, make_user, login, db):
    from tracker.models import MonitoringSnapshot, Submission
    from tracker.services import jobs

    run_job(jobs.monitoring_job(date(2023, 6, 30)))
    snap = db.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.project_id == scenario["project"].id))
    row = next(r for r in snap.rows if r.light == "red")
    login(scenario["owner"])
    url = f"/monitoring/{snap.project_id}/{AS_OF}"
    response = client.post(
        url, data={"action": "submit", "expected_completion": "预计全年可完成", "version": snap.version}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "红灯指标须填写偏差原因类别、偏差原因分析、纠偏措施后才能提交" in html
    assert "预算执行进度偏慢" in html
    assert 'value="预计全年可完成"' in html or "预计全年可完成</textarea>" in html  # input kept
    data = {
        "action": "submit",
        "version": snap.version,
        "expected_completion": "预计全年可完成",
        "budget_explanation": "维保合同下半年结算，9月集中支付",
    }
    for r in snap.rows:
        if r.light in ("red", "yellow", "blue"):
            data[f"row-{r.id}-reasons"] = ["人员保障", "其他"]
            data[f"row-{r.id}-analysis"] = "上半年设备检修人员不足"
            data[f"row-{r.id}-likelihood"] = "有可能"
            data[f"row-{r.id}-measure"] = "下半年增加检查频次"
    data[f"row-{row.id}-forecast_override"] = "12"  # override without a reason is refused
    response = client.post(url, data=data)
    assert response.status_code == 400 and "须说明原因" in response.get_data(as_text=True)
    data[f"row-{row.id}-forecast_reason"] = "下半年每月检查一次以上"
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.expire_all()
    submission = db.session.scalar(
        select(Submission).where(Submission.kind == "monitoring", Submission.project_id == snap.project_id)
    )
    assert submission.state == "submitted"
    row = db.session.get(type(row), row.id)
    assert row.forecast_override == Decimal("12") and "人员保障" in row.reasons


def test_finance_marks_rectification_and_owner_answers(client, scenario, make_user, login, db):
    from tracker.models import MonitoringSnapshot, Notification
    from tracker.services import jobs

    run_job(jobs.monitoring_job(date(2023, 6, 30)))
    snap = db.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.project_id == scenario["project"].id))
    url = f"/monitoring/{snap.project_id}/{AS_OF}"
    login(make_user("finance"))
    response = client.post(
        url + "/disposition", data={"needs_rectification": "1", "rectification_requirements": ""}, follow_redirects=True
    )
    assert "必须填写整改要求" in response.get_data(as_text=True)
    client.post(
        url + "/disposition", data={"needs_rectification": "1", "rectification_requirements": "9月底前完成支付"}
    )
    db.session.expire_all()
    assert db.session.get(MonitoringSnapshot, snap.id).needs_rectification
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "rectification")) == 1
    client.post("/logout")
    login(scenario["owner"])
    html = client.get(url).get_data(as_text=True)
    assert "9月底前完成支付" in html
    client.post(url + "/rectification", data={"rectification_result": "已于9月20日支付"})
    db.session.expire_all()
    assert db.session.get(MonitoringSnapshot, snap.id).rectification_result == "已于9月20日支付"


def test_exports_and_print(client, scenario, login, db):
    from tracker.services import jobs

    run_job(jobs.monitoring_job(date(2023, 6, 30)))
    login(scenario["owner"])
    url = f"/monitoring/{scenario['project'].id}/{AS_OF}"
    assert "项目支出绩效目标执行监控表" in client.get(url + "/print").get_data(as_text=True)
    response = client.get(url + "/export.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    summary = client.get(f"/monitoring/summary.xlsx?period={AS_OF}")
    assert summary.status_code == 200 and summary.data[:2] == b"PK"


def test_other_department_cannot_see_forms(client, scenario, make_user, make_department, login, db):
    from tracker.services import jobs

    run_job(jobs.monitoring_job(date(2023, 6, 30)))
    login(make_user("owner", make_department("县水利局", "520")))
    url = f"/monitoring/{scenario['project'].id}/{AS_OF}"
    for suffix in ("", "/print", "/export.xlsx"):
        assert client.get(url + suffix).status_code == 404
    html = client.get(f"/monitoring/?period={AS_OF}").get_data(as_text=True)
    assert scenario["project"].name not in html


def test_scheduled_jobs_remind_and_check_deadlines(db, scenario, make_user):
    from tracker.models import Notification
    from tracker.services import jobs

    finance = make_user("finance")
    runs = run_daily(date(2023, 7, 1))  # reminder day 1, monitoring for 6-30 is due, deadline check
    assert {r.job: r.status for r in runs} == {
        "monitoring": "succeeded",
        "monthly_reminder": "succeeded",
        "deadline_check": "succeeded",
        "form_deadlines": "succeeded",
    }
    reminders = db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "reminder"))
    assert reminders == 1  # the owner, about June
    again = run_daily(date(2023, 7, 1))
    assert {r.status for r in again} == {"skipped"}
    # 每月25日前发放到位: the day after the 25th of July, not done → missed.
    from tracker.models import Indicator

    monthly = db.session.scalar(select(func.count(Indicator.id)).where(Indicator.deadline_monthly_day == 25))
    assert monthly >= 1
    run = run_job(jobs.deadline_check_job(date(2023, 7, 26)))
    assert f'"missed": {monthly}' in run.counts
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "deadline_missed")) == monthly
    )
    # Monitoring forms left in draft: reminded 3 days before the due date, then overdue to finance.
    run_job(jobs.form_deadlines_job(date(2023, 7, 28)))  # due 6-30 + 31 days = 7-31
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "form_due")) == 18
    run_job(jobs.form_deadlines_job(date(2023, 8, 1)))
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.kind == "form_overdue", Notification.user_id == finance.id
            )
        )
        == 18
    )


def test_opening_a_notification_marks_it_read(client, scenario, login, db):
    from tracker.models import Notification
    from tracker.services import jobs

    run_job(jobs.monitoring_job(date(2023, 6, 30)))
    login(scenario["owner"])
    note = db.session.scalar(select(Notification).where(Notification.user_id == scenario["owner"].id))
    assert 'id="unread-count">1<' in client.get("/todo").get_data(as_text=True)
    response = client.get(f"/monitoring/notifications/{note.id}")
    assert response.status_code == 302 and response.headers["Location"] == note.link
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    assert 'id="unread-count"' not in client.get("/todo").get_data(as_text=True)


def test_admin_jobs_page_shows_next_runs_and_runs_now(client, dept, make_user, login, db):
    from tracker.models import JobRun
    from tracker.services import jobs

    assert jobs.next_runs(date(2023, 5, 10))["monitoring"] == date(2023, 7, 1)
    assert jobs.next_runs(date(2023, 5, 10))["monthly_reminder"] == date(2023, 6, 1)
    assert jobs.next_runs(date(2023, 5, 10))["evaluation_open"] == date(2024, 1, 5)
    login(make_user("admin"))
    response = client.post("/admin/jobs", data={"job": "monitoring", "date": AS_OF})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    from tracker import job_queue

    job_queue.tick()
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "双监控快照" in html and "完成" in html and "下次运行" in html
    assert db.session.scalar(select(func.count(JobRun.id)).where(JobRun.trigger == "manual")) == 1
    assert jobs.next_runs(date(2023, 7, 2))["monitoring"] is None  # this year's checkpoint has run
