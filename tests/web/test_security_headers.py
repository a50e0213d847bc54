"""Issue 10, security 3 / 9 / 10: cookie flags in production, CSP and HSTS, CSRF tokens that
expire, and a Chinese error page when the database is down."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from config import BASE_DIR
from tests.conftest import TEST_PASSWORD


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def production_app(app, monkeypatch):
    """A production app on the test database (CSRF on, secure cookies, HSTS)."""
    from tracker import create_app

    monkeypatch.setenv("SECRET_KEY", "test-production-secret")
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    prod = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_DIR=app.config["UPLOAD_DIR"],
        SERVER_NAME="localhost",
    )
    return prod


def _set_cookie(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_production_cookies_are_secure_httponly_samesite(production_app, make_user, db):
    user = make_user("owner")
    client = production_app.test_client()
    with production_app.app_context():
        page = client.get("/login", base_url="https://localhost")
        response = client.post(
            "/login",
            base_url="https://localhost",
            headers={"Referer": "https://localhost/login"},
            data={
                "username": user.username,
                "password": TEST_PASSWORD,
                "remember": "y",
                "csrf_token": _token(page.get_data(as_text=True)),
            },
        )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    for name in ("remember_token", "session"):
        cookie = _set_cookie(response, name)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_every_page_has_a_strict_content_security_policy(client, make_user, login, seeded):
    login(make_user("finance"))
    for url in ("/login", "/", "/monitoring/", "/evaluation/", "/todo"):
        response = client.get(url)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp, (url, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "object-src 'none'" in csp
        assert "Strict-Transport-Security" not in response.headers  # not in development/testing, not over http


def test_hsts_in_production_over_https(production_app):
    client = production_app.test_client()
    with production_app.app_context():
        https = client.get("/login", base_url="https://localhost")
        http = client.get("/login")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=31556926")
    assert "Strict-Transport-Security" not in http.headers  # a browser ignores it over http anyway
    assert "Content-Security-Policy" in https.headers


def test_templates_have_no_inline_scripts_styles_or_handlers():
    """The CSP refuses them, so none may be left (they would silently stop working)."""
    offenders = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=\"", r"\son[a-z]+=\"", r"javascript:"):
            offenders += [f"{path.relative_to(BASE_DIR)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []


def test_csrf_token_expires(app, make_user, monkeypatch):
    import itsdangerous.timed

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user("owner")
    real = itsdangerous.timed.time.time
    for hours, expected in ((3, 302), (13, 400)):  # an afternoon is fine; after a working day it is not
        client = app.test_client()
        token = _token(client.get("/login").get_data(as_text=True))
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda h=hours: real() + h * 3600)
        response = client.post(
            "/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token}
        )
        monkeypatch.setattr(itsdangerous.timed.time, "time", real)
        assert response.status_code == expected, hours
        if expected == 400:
            assert "CSRF" in response.get_data(as_text=True)


def test_csrf_token_dies_with_the_session(client, app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user("owner")
    token = _token(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    token = _token(client.get("/todo").get_data(as_text=True))  # a form rendered while logged in
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    # The old page's token no longer works, even after logging in again.
    fresh = _token(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": fresh}
        ).status_code
        == 302
    )
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 400


def _logged_in_cookie(app, client, user_id: str = "1:token") -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://tracker@127.0.0.1:1/tracker?connect_timeout=3",  # nothing listens there
        "sqlite:////nonexistent-dir-for-tracker-test/tracker.sqlite",  # cannot be opened
    ],
)
def test_database_down_gives_a_chinese_page_without_the_database(url, monkeypatch, tmp_path):
    from tracker import create_app

    monkeypatch.setenv("SECRET_KEY", "test-production-secret")
    monkeypatch.setenv("DATABASE_URL", url)
    down = create_app("production", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path), SESSION_COOKIE_SECURE=False)
    client = down.test_client()
    with down.app_context():
        _logged_in_cookie(down, client)
        for path in ("/", "/monitoring/", "/todo"):
            response = client.get(path)
            html = response.get_data(as_text=True)
            assert response.status_code == 503, (path, html[:300])
            assert "数据库暂时不可用" in html and "Internal Server Error" not in html
            assert response.headers["Retry-After"] == "30"
            assert "Content-Security-Policy" in response.headers
        from tracker.extensions import db

        db.engine.dispose()


def test_connection_dropped_mid_request(client, app, make_user, login, db):
    login(make_user("finance"))

    def drop(conn, cursor, statement, params, context, executemany):
        raise OperationalError(statement, params, Exception("server closed the connection unexpectedly"))

    event.listen(db.engine, "before_cursor_execute", drop)
    try:
        response = client.get("/monitoring/")
    finally:
        event.remove(db.engine, "before_cursor_execute", drop)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "数据库暂时不可用" in html
    assert client.get("/monitoring/").status_code == 200  # back once the database is


def test_error_page_for_a_bug_needs_no_database(production_app, monkeypatch):
    """A 500 renders without the layout (which reads the user and the 待办 badge)."""
    from tracker import web

    client = production_app.test_client()

    def broken(*a, **k):
        raise RuntimeError("bug")

    with production_app.app_context():
        monkeypatch.setitem(production_app.view_functions, "auth.login", broken)
        response = client.get("/login")
    assert response.status_code == 500 and "服务器内部错误" in response.get_data(as_text=True)
    assert web  # imported for the handler registration
