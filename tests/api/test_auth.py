"""Who may call the API: bearer tokens only (hashed at rest), revoked/expired/deactivated
tokens refused, the session cookie never accepted, the token page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.api.conftest import ApiClient


@pytest.fixture
def owner(api_world):
    return api_world["users"]["owner"]


def _body(response):
    data = response.get_json()
    assert data is not None, response.get_data(as_text=True)[:300]
    return data


def test_missing_header_is_401_with_chinese_message(client, api_world):
    response = client.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization" in _body(response)["message"]


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer trk_notatoken", "trk_x", "Bearer " + "x" * 500]
)
def test_bad_headers_are_401(client, api_world, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert _body(response)["code"] == 401


def test_valid_token_acts_as_its_user_and_stamps_last_use(api_as, owner, db):
    from tracker.models import ApiToken

    api = api_as(owner)
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    me = _body(response)
    assert me["id"] == owner.id and me["role"] == "owner" and me["sees_all_departments"] is False
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_token_is_stored_as_sha256_only(token_for, owner, db):
    from tracker.models import ApiToken

    secret = token_for(owner)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.token_hash, token.prefix, token.name}
    assert secret.startswith(token.prefix) and len(token.prefix) < 10


def test_revoked_token_is_refused(app, token_for, owner, db):
    from tracker.models import ApiToken
    from tracker.services import api_tokens

    secret = token_for(owner)
    api = ApiClient(app.test_client(), secret)
    assert api.get("/api/v1/me").status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    api_tokens.revoke(owner, token.id)
    db.session.commit()
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert "撤销" in _body(response)["message"]


def test_expired_token_is_refused(app, token_for, owner, db):
    from tracker.models import ApiToken
    from tracker.models.base import utcnow

    secret = token_for(owner, days=30)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = ApiClient(app.test_client(), secret).get("/api/v1/me")
    assert response.status_code == 401
    assert "过期" in _body(response)["message"]


def test_deactivated_users_tokens_stop_working(app, token_for, api_world, db):
    from tracker.services import accounts

    owner, admin = api_world["users"]["owner"], api_world["users"]["admin"]
    api = ApiClient(app.test_client(), token_for(owner))
    assert api.get("/api/v1/projects").status_code == 200
    accounts.set_active(owner, False, acting=admin)
    db.session.commit()
    response = api.get("/api/v1/projects")
    assert response.status_code == 401
    assert "停用" in _body(response)["message"]
    # and writes too
    assert api.post("/api/v1/spending", json={"project_id": api_world["own_project"].id}).status_code == 401


def test_session_cookie_is_never_accepted(client, login, owner, api_world):
    """Logged in to the pages, without a token: the API does not know the browser."""
    login(owner)
    assert client.get(f"/projects/{api_world['own_project'].id}").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    response = client.post(
        "/api/v1/spending", json={"project_id": api_world["own_project"].id, "spent_on": "2023-03-01", "amount": "100"}
    )
    assert response.status_code == 401


def test_api_needs_no_csrf_but_pages_still_do(app, api_as, owner, api_world, client, login):
    from tracker.models import Expenditure

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        api = api_as(owner)
        response = api.post(
            "/api/v1/spending",
            json={"project_id": api_world["own_project"].id, "spent_on": "2023-03-01", "amount": "100"},
        )
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["amount"] == "0.01"
        login_response = client.post("/login", data={"username": owner.username, "password": "x"})
        assert login_response.status_code == 400  # the login form without its CSRF token
        assert Expenditure.query.count() == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_role_change_applies_at_once(api_as, api_world, db):
    from tracker.services import accounts

    owner, admin = api_world["users"]["owner"], api_world["users"]["admin"]
    api = api_as(owner)
    assert _body(api.get("/api/v1/departments"))["total"] == 1
    accounts.update_user(owner, role="finance", department=owner.department, display_name="x", acting=admin)
    db.session.commit()
    from tracker.models import Department

    assert _body(api.get("/api/v1/departments"))["total"] == Department.query.count() > 1


# ----------------------------------------------------------------------------- the token page


def test_token_page_creates_shows_once_and_revokes(client, login, owner, db):
    from tracker.models import ApiToken, AuditLog

    login(owner)
    page = client.get("/account/api-tokens")
    assert page.status_code == 200 and "新建令牌" in page.get_data(as_text=True)
    created = client.post("/account/api-tokens", data={"name": "财务系统对接", "days": "90"})
    assert created.status_code == 200
    html = created.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    start = html.index('value="trk_') + len('value="')
    secret = html[start : html.index('"', start)]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.token_hash
    assert token.expires_at is not None and token.name == "财务系统对接"
    # shown once: the list page shows the prefix only
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again
    assert "Cache-Control" in created.headers and "no-store" in created.headers["Cache-Control"]
    # it works, then the page revokes it
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "api_token")).all()
    assert sorted(actions) == ["api_token_create", "api_token_revoke"]


def test_token_page_refuses_bad_input(client, login, owner, db):
    from tracker.models import ApiToken

    login(owner)
    response = client.post("/account/api-tokens", data={"name": "  ", "days": "90"})
    assert response.status_code == 400 and "请填写令牌名称" in response.get_data(as_text=True)
    response = client.post("/account/api-tokens", data={"name": "x", "days": "7"})
    assert response.status_code == 400 and "有效期" in response.get_data(as_text=True)
    response = client.post("/account/api-tokens", data={"name": "永久", "days": "none"})
    assert response.status_code == 200
    assert db.session.scalar(select(ApiToken.expires_at).where(ApiToken.name == "永久")) is None
    assert ApiToken.query.count() == 1


def test_nobody_revokes_another_users_token(client, login, token_for, api_world, db):
    from tracker.models import ApiToken

    victim = api_world["users"]["reviewer"]
    token_for(victim)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == victim.id))
    login(api_world["users"]["admin"])
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None
