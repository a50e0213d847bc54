"""Admin pages: users, departments, years — and that only admins reach them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.conftest import TEST_PASSWORD


def test_admin_creates_user(client, make_user, make_department, login, db):
    from tracker.models import User

    admin = login(make_user("admin"))
    dept = make_department("某某局", "501")
    response = client.post(
        "/admin/users",
        data={
            "username": "zhang",
            "display_name": "张三",
            "role": "owner",
            "department_id": dept.id,
            "password": "Zhang2023x",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    assert user.role == "owner" and user.department_id == dept.id and user.check_password("Zhang2023x")
    assert admin.id != user.id


def test_weak_password_and_duplicate_are_refused(client, make_user, make_department, login, db):
    from tracker.models import User

    login(make_user("admin"))
    dept = make_department()
    response = client.post(
        "/admin/users",
        data={"username": "li", "role": "owner", "department_id": dept.id, "password": "123"},
        follow_redirects=True,
    )
    assert "密码至少需要 8 位" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "li")) is None
    existing = make_user("owner", dept)
    response = client.post(
        "/admin/users",
        data={
            "username": existing.username.upper(),
            "role": "owner",
            "department_id": dept.id,
            "password": "Abcdefg123",
        },
        follow_redirects=True,
    )
    assert "已存在" in response.get_data(as_text=True)


def test_admin_edits_role_and_department(client, make_user, make_department, login, db):
    login(make_user("admin"))
    user = make_user("owner")
    other = make_department("另一个局", "777")
    response = client.post(
        f"/admin/users/{user.id}", data={"display_name": "王五", "role": "reviewer", "department_id": other.id}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.role, user.department_id, user.display_name) == ("reviewer", other.id, "王五")


def test_disable_and_enable_user(client, make_user, login, db):
    login(make_user("admin"))
    user = make_user("owner")
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    db.session.refresh(user)
    assert not user.is_active
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    db.session.refresh(user)
    assert user.is_active


def test_admin_cannot_disable_self(client, make_user, login, db):
    admin = login(make_user("admin"))
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.is_active


def test_reset_password_logs_out_user(app, make_user, login, db):
    admin_client = app.test_client()
    user_client = app.test_client()
    admin = make_user("admin")
    user = make_user("owner")
    admin_client.post("/login", data={"username": admin.username, "password": TEST_PASSWORD})
    user_client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert user_client.get("/").status_code == 200
    response = admin_client.post(f"/admin/users/{user.id}/password", data={"password": "NewPass2024"})
    assert response.status_code == 302
    assert user_client.get("/").status_code == 302  # the old session is gone
    db.session.refresh(user)
    assert user.check_password("NewPass2024")


def test_departments_and_years(client, make_user, login, db):
    from tracker.models import BudgetYear, Department

    login(make_user("admin"))
    client.post("/admin/departments", data={"name": "县教育局", "code": "301"})
    dept = db.session.scalar(select(Department).where(Department.code == "301"))
    assert dept.name == "县教育局"
    response = client.post("/admin/departments", data={"name": "重复编码局", "code": "301"}, follow_redirects=True)
    assert "已被" in response.get_data(as_text=True)
    client.post(f"/admin/departments/{dept.id}", data={"name": "县教育和体育局", "code": "301"})
    db.session.refresh(dept)
    assert dept.name == "县教育和体育局"

    client.post("/admin/years", data={"year": "2024"})
    client.post("/admin/years", data={"year": "2025"})
    y2025 = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2025))
    client.post(f"/admin/years/{y2025.id}/current")
    currents = db.session.scalars(select(BudgetYear).where(BudgetYear.is_current.is_(True))).all()
    assert [y.year for y in currents] == [2025]
    response = client.post("/admin/years", data={"year": "1999"}, follow_redirects=True)
    assert "2000–2100" in response.get_data(as_text=True)


def test_non_admins_cannot_reach_admin(client, make_user, login):
    for role in ("owner", "reviewer", "finance"):
        client.post("/logout")
        login(make_user(role))
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/years", data={"year": "2030"}).status_code == 403


def test_settings_change_frequency_and_thresholds(client, make_user, login, db):
    from tracker.services import monitoring, settings

    login(make_user("admin"))
    response = client.post(
        "/admin/settings",
        data={
            "reporting_frequency": "quarterly",
            "evidence_max_mb": "30",
            "threshold-budget_red_below": "50",
            "threshold-budget_yellow_below": "75",
            "threshold-indicator_red_below": "60",
            "threshold-indicator_yellow_below": "80",
            "threshold-indicator_blue_from": "130",
        },
    )
    assert response.status_code == 302
    assert settings.get("reporting_frequency") == "quarterly" and settings.get("evidence_max_mb") == 30
    limits = monitoring.thresholds()
    assert (limits.budget_red_below, limits.indicator_blue_from) == (Decimal("0.5"), Decimal("1.3"))
    response = client.post(
        "/admin/settings",
        data={"threshold-budget_red_below": "90", "threshold-budget_yellow_below": "80"},
        follow_redirects=True,
    )
    assert "不能高于黄灯阈值" in response.get_data(as_text=True)
    assert monitoring.thresholds().budget_red_below == Decimal("0.5")  # nothing half-saved
