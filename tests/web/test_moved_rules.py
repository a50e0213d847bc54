"""Rules that moved from the views into services: archiving a year is audited, 需整改 reaches
the project department's owners and reviewers, a user's notifications and unread count."""

from __future__ import annotations

from sqlalchemy import func, select


def test_archiving_a_year_is_audited_and_makes_it_read_only(client, make_user, login, db):
    from tracker.models import AuditLog, BudgetYear

    admin = login(make_user("admin"))
    client.post("/admin/years", data={"year": "2024"})
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2024))
    response = client.post(f"/admin/years/{year.id}/closed", data={"closed": "1"}, follow_redirects=True)
    assert "2024 年已归档（只读）" in response.get_data(as_text=True)
    db.session.refresh(year)
    assert year.is_closed
    client.post(f"/admin/years/{year.id}/closed", data={"closed": "1"})  # again: no second entry
    client.post(f"/admin/years/{year.id}/closed", data={"closed": "0"})  # no reason: refused (issue 12 §4)
    db.session.refresh(year)
    assert year.is_closed
    client.post(f"/admin/years/{year.id}/closed", data={"closed": "0", "reason": "补录支出"})
    db.session.refresh(year)
    assert not year.is_closed
    log = db.session.scalars(select(AuditLog).where(AuditLog.entity == "budget_year").order_by(AuditLog.id)).all()
    assert [(e.action, e.actor_id, e.entity_id) for e in log] == [
        ("year_closed", admin.id, year.id),
        ("year_reopened", admin.id, year.id),
    ]
    assert "2024 年度归档" in log[0].summary


def test_rectification_notifies_owners_and_reviewers_of_the_department_only(db, seeded, make_user, make_department):
    from datetime import date

    from tracker.edge import run_job
    from tracker.models import Department, MonitoringSnapshot, Notification
    from tracker.services import jobs, monitoring_form, notify

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    owner, reviewer = make_user("owner", dept), make_user("reviewer", dept)
    other = make_user("owner", make_department("县水利局", "520"))
    finance = make_user("finance")
    run_job(jobs.monitoring_job(date(2023, 6, 30)))
    snap = db.session.scalars(select(MonitoringSnapshot).order_by(MonitoringSnapshot.id)).first()
    before = {u.id: notify.unread_count(u) for u in (owner, reviewer, other, finance)}

    monitoring_form.set_disposition(finance, snap, needs=True, requirements="9月底前完成支付")
    monitoring_form.set_disposition(finance, snap, needs=True, requirements="9月底前完成支付")  # unchanged: told once
    monitoring_form.set_disposition(
        finance, snap, needs=True, requirements="9月底前完成支付并报送"
    )  # changed: told again
    monitoring_form.set_disposition(finance, snap, needs=False, requirements="")  # lifted: nobody told
    db.session.commit()
    told = db.session.scalars(select(Notification).where(Notification.kind == "rectification")).all()
    assert sorted(n.user_id for n in told) == sorted([owner.id, reviewer.id] * 2)
    assert all(
        n.link == f"/monitoring/{snap.project_id}/{snap.period_key}" and "9月底前完成支付" in n.message for n in told
    )
    assert sum("并报送" in n.message for n in told) == 2
    after = {u.id: notify.unread_count(u) for u in (owner, reviewer, other, finance)}
    assert after == {
        owner.id: before[owner.id] + 2,
        reviewer.id: before[reviewer.id] + 2,
        other.id: before[other.id],
        finance.id: before[finance.id],
    }


def test_notifications_page_marks_read_only_the_users_own(client, make_user, login, db):
    from tracker.models import Notification
    from tracker.services import notify

    me, someone = make_user("owner"), make_user("owner")
    notify.notify([me, someone], kind="reminder", message="请填报", link="/todo", dedupe_key="k1")
    db.session.commit()
    login(me)
    assert "请填报" in client.get("/monitoring/notifications").get_data(as_text=True)
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == someone.id))
    assert client.get(f"/monitoring/notifications/{theirs.id}").status_code == 404
    mine = db.session.scalar(select(Notification).where(Notification.user_id == me.id))
    response = client.get(f"/monitoring/notifications/{mine.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/todo")
    db.session.expire_all()
    assert notify.unread_count(me) == 0 and notify.unread_count(someone) == 1
    notify.notify([me], kind="reminder", message="再次提醒", link="", dedupe_key="k2")
    db.session.commit()
    client.post("/monitoring/notifications")
    db.session.expire_all()
    assert notify.unread_count(me) == 0 and notify.unread_count(someone) == 1
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.read_at.is_(None))) == 1
