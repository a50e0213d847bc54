"""Login, logout, next-redirects, disabled users, hashed passwords, CSRF."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD


def test_login_page_is_chinese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_and_logout(client, make_user):
    user = make_user("owner")
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_gets_chinese_message(client, make_user):
    user = make_user("owner")
    response = client.post("/login", data={"username": user.username, "password": "wrong-password1"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_user_gets_same_message(client, db):
    response = client.post("/login", data={"username": "nobody", "password": "whatever1"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_disabled_user_cannot_log_in(client, make_user, db):
    user = make_user("owner")
    user.is_active_flag = False
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 401
    assert "已停用" in response.get_data(as_text=True)


def test_disabling_ends_an_open_session(client, make_user, login, db):
    from tracker.services import accounts

    admin = make_user("admin")
    user = make_user("owner")
    login(user)
    assert client.get("/").status_code == 200
    accounts.set_active(user, False, acting=admin)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_password_is_hashed(make_user):
    user = make_user("owner")
    assert TEST_PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/projects/1", "/projects/1"),
        ("/admin/users?x=1", "/admin/users?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_only_redirects_locally(client, make_user, target, expected):
    user = make_user("owner")
    response = client.post(
        "/login", query_string={"next": target}, data={"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert location == expected


def test_post_without_csrf_token_is_rejected(app, client, make_user):
    user = make_user("owner")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
