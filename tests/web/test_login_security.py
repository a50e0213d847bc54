"""Brute-force protection and server-side sessions (issue 10, security 1 and 2)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import TEST_PASSWORD


def _fail(client, username, n, addr="10.0.0.1"):
    codes = []
    for _ in range(n):
        r = client.post(
            "/login", data={"username": username, "password": "wrong-Passw0rd"}, environ_base={"REMOTE_ADDR": addr}
        )
        codes.append(r.status_code)
    return codes


def test_account_locks_after_repeated_failures_even_for_the_right_password(client, make_user, db):
    from tracker.models import AuditLog

    user = make_user("owner")
    codes = _fail(client, user.username, 5)
    assert codes[:4] == [401] * 4 and codes[4] == 429
    response = client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "已暂时锁定" in text and "分钟后" in text
    assert client.get("/").status_code == 302  # not logged in
    # from another address too: the lock is on the account
    response = client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert response.status_code == 429
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "login_locked")).all()
    assert len(audit) == 1 and user.username in audit[0].summary


def test_lock_ends_after_the_window(client, make_user, db):
    from tracker.models.security import LoginAttempt

    user = make_user("owner")
    _fail(client, user.username, 5)
    for row in db.session.scalars(select(LoginAttempt)):
        row.at = row.at - timedelta(minutes=16)
    db.session.commit()
    response = client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert response.status_code == 302


def test_refused_attempts_do_not_extend_the_lock(client, make_user, db):
    from tracker.models.security import LoginAttempt

    user = make_user("owner")
    _fail(client, user.username, 5)
    _fail(client, user.username, 10)  # while locked
    assert len(db.session.scalars(select(LoginAttempt)).all()) == 5


def test_success_resets_the_count(client, make_user, login):
    user = make_user("owner")
    _fail(client, user.username, 4)
    login(user)
    client.post("/logout")
    assert _fail(client, user.username, 4) == [401] * 4


def test_address_is_throttled_across_user_names(client, make_user, app):
    user = make_user("owner")
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_ADDR"]):
        client.post(
            "/login", data={"username": f"guess{i}", "password": "x1234567"}, environ_base={"REMOTE_ADDR": "10.6.6.6"}
        )
    response = client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "10.6.6.6"}
    )
    assert response.status_code == 429 and "此电脑登录失败次数过多" in response.get_data(as_text=True)
    # another client address is not affected
    response = client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "10.6.6.7"}
    )
    assert response.status_code == 302


def test_unknown_user_costs_a_password_hash_check(client, db, monkeypatch):
    """Same work for an unknown and a known user name: the response time reveals nothing."""
    import tracker.services.login_security as ls

    calls = []
    real = ls.check_password_hash
    monkeypatch.setattr(ls, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    response = client.post("/login", data={"username": "nobody", "password": "whatever1"})
    assert response.status_code == 401
    assert len(calls) == 1


def test_admin_unlocks_an_account(client, make_user, db):
    from tracker.models import AuditLog
    from tracker.services import login_security

    admin = make_user("admin")
    user = make_user("owner")
    _fail(client, user.username, 5)
    login_security.unlock(user, acting=admin)
    db.session.commit()
    response = client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "login_unlock")) is not None


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_session_cookie_copied_before_logout_is_dead_after_it(app, make_user, login, client):
    user = make_user("owner")
    login(user)
    stolen = _cookie(client, "session")
    assert stolen
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/").status_code == 200  # the copy works while logged in
    client.post("/logout")
    assert other.get("/").status_code == 302  # … and not after logout


def test_remember_me_cookie_dies_with_logout(app, make_user, client):
    user = make_user("owner")
    client.post("/login", data={"username": user.username, "password": TEST_PASSWORD, "remember": "y"})
    remember = _cookie(client, "remember_token")
    assert remember
    replay = app.test_client()
    replay.set_cookie("remember_token", remember)
    assert replay.get("/").status_code == 200
    client.post("/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/").status_code == 302


def test_logout_ends_only_that_login(app, make_user):
    user = make_user("owner")
    a, b = app.test_client(), app.test_client()
    for c in (a, b):
        assert c.post("/login", data={"username": user.username, "password": TEST_PASSWORD}).status_code == 302
    a.post("/logout")
    assert a.get("/").status_code == 302
    assert b.get("/").status_code == 200


def test_password_reset_and_role_change_end_every_session(app, make_user, db, make_department):
    from tracker.services import accounts

    admin = make_user("admin")
    user = make_user("owner")
    c = app.test_client()
    assert c.post("/login", data={"username": user.username, "password": TEST_PASSWORD}).status_code == 302
    accounts.reset_password(user, "NewPassw0rd1")
    db.session.commit()
    assert c.get("/").status_code == 302
    assert c.post("/login", data={"username": user.username, "password": "NewPassw0rd1"}).status_code == 302
    accounts.update_user(user, role="reviewer", department=user.department, display_name="x", acting=admin)
    db.session.commit()
    assert c.get("/").status_code == 302


def test_sessions_are_stored_hashed(client, make_user, db):
    """The cookies carry the token; the table holds only its sha256 (a leaked table gives no live cookie)."""
    import hashlib

    from tracker.models.security import LoginSession

    user = make_user("owner")
    client.post("/login", data={"username": user.username, "password": TEST_PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token").value  # "id:token|digest"
    token = cookie.split("|")[0].partition(":")[2]
    row = db.session.scalar(select(LoginSession))
    assert token and row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash


def test_two_admins_editing_one_user_do_not_overwrite_each_other(app, make_user, db):
    """Issue 10 security 8: the second save of a stale page is refused with the newer data shown."""
    import re

    from tracker.models import User

    admin1, admin2 = make_user("admin"), make_user("admin")
    user = make_user("owner")
    c1, c2 = app.test_client(), app.test_client()
    for c, a in ((c1, admin1), (c2, admin2)):
        assert c.post("/login", data={"username": a.username, "password": TEST_PASSWORD}).status_code == 302
    pages = [c.get(f"/admin/users/{user.id}").get_data(as_text=True) for c in (c1, c2)]
    versions = [re.search(r'name="version"[^>]*value="(\d+)"', p).group(1) for p in pages]
    assert versions[0] == versions[1]
    r1 = c1.post(
        f"/admin/users/{user.id}",
        data={"display_name": "张三", "role": "owner", "department_id": user.department_id, "version": versions[0]},
    )
    assert r1.status_code == 302
    r2 = c2.post(
        f"/admin/users/{user.id}",
        data={"display_name": "李四", "role": "owner", "department_id": user.department_id, "version": versions[1]},
    )
    assert r2.status_code == 409
    text = r2.get_data(as_text=True)
    assert "已被其他管理员修改" in text and "张三" in text
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "张三"
    # a mangled version is a conflict, never "no check"
    r3 = c2.post(
        f"/admin/users/{user.id}",
        data={"display_name": "王五", "role": "owner", "department_id": user.department_id, "version": "abc"},
    )
    assert r3.status_code == 409


def test_logins_do_not_count_as_edits(app, make_user, db):
    from tracker.models import User

    user = make_user("owner")
    before = user.profile_version
    c = app.test_client()
    c.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, user.id).profile_version == before


def test_admin_sees_the_lock_and_unlocks_from_the_page(app, make_user, db):
    admin = make_user("admin")
    user = make_user("owner")
    attacker = app.test_client()
    _fail(attacker, user.username, 5)
    c = app.test_client()
    assert c.post("/login", data={"username": admin.username, "password": TEST_PASSWORD}).status_code == 302
    page = c.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "已锁定至" in page
    assert c.post(f"/admin/users/{user.id}/unlock").status_code == 302
    assert "已锁定至" not in c.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert (
        attacker.post(
            "/login",
            data={"username": user.username, "password": TEST_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        ).status_code
        == 302
    )
