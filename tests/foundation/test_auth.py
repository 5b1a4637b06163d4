"""Signing in and out: logout and deactivation really end sessions; login is rate-limited; CSRF holds."""
import re

import pytest
from sqlmodel import Session, select

from permits.accounts import services as accounts
from permits.accounts.models import User
from permits.app import create_app
from tests.helpers import PASSWORD, bearer, login, make_user


def test_wrong_password_is_refused_without_saying_which_part(client, db):
    user = make_user(db, "inspector")
    response = client.post("/login", data={"email": user.email, "password": "not it at all"})
    assert response.status_code == 422
    assert b"Email or password is not right" in response.data
    assert client.get("/account").status_code == 302  # still signed out


def test_a_cookie_replayed_after_logout_is_refused(app, db):
    user = make_user(db, "inspector")
    client = app.test_client()
    login(client, user)
    stolen = client.get_cookie("session").value
    assert client.get("/account").status_code == 200
    client.post("/logout")
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deactivation_ends_sessions_and_tokens(app, client, db):
    user = make_user(db, "shipper")
    headers = bearer(db, user)
    login(client, user)
    with Session(db) as session:
        accounts.deactivate(session, user=session.get(User, user.id), actor_id=None)
        session.commit()
    assert client.get("/account").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_next_parameter_cannot_redirect_off_site(client, db):
    user = make_user(db, "admin")
    response = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_attempts_are_rate_limited(db, database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                      "PARITY_LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    codes = [client.post("/login", data={"email": "x@example.com", "password": "nope"}).status_code
             for _ in range(5)]
    assert codes[:3] == [422, 422, 422]
    assert codes[3:] == [429, 429]
    app.extensions["parity.engine"].dispose()


def test_form_post_without_csrf_token_is_rejected(db, database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                      "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    user = make_user(db, "admin")
    client = app.test_client()
    page = client.get("/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    # Signed in: a state-changing form without the token still fails.
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
    app.extensions["parity.engine"].dispose()


def test_api_posts_need_no_csrf_token_but_a_bearer_token(db, database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                      "WTF_CSRF_ENABLED": True})
    user = make_user(db, "admin")
    client = app.test_client()
    assert client.post("/api/v1/tokens/1/revoke").status_code == 401
    assert client.post("/api/v1/tokens/999/revoke", headers=bearer(db, user)).status_code == 404
    app.extensions["parity.engine"].dispose()


class TestTokens:
    def test_token_is_stored_only_as_a_hash(self, db):
        user = make_user(db, "inspector")
        with Session(db) as session:
            issued = accounts.issue_token(session, user=session.get(User, user.id))
            session.commit()
            assert issued.secret not in issued.token.token_hash
            assert len(issued.token.token_hash) == 64

    def test_revoked_token_stops_working(self, client, db):
        user = make_user(db, "inspector")
        headers = bearer(db, user)
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        token_id = client.get("/api/v1/tokens", headers=headers).get_json()["items"][0]["id"]
        assert client.post(f"/api/v1/tokens/{token_id}/revoke", headers=headers).status_code == 200
        assert client.get("/api/v1/me", headers=headers).status_code == 401

    def test_account_page_lists_and_issues_tokens(self, client, db):
        user = make_user(db, "shipper")
        login(client, user)
        page = client.post("/account/tokens", data={"name": "our ERP"})
        assert page.status_code == 200
        secret = re.search(rb'<code class="secret">(par_[^<]+)</code>', page.data).group(1).decode()
        assert b"our ERP" in page.data
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    @pytest.mark.parametrize("header", ["", "Bearer", "Bearer nonsense", "Basic abc", "Bearer par_unknown"])
    def test_bad_authorization_headers_are_401_json(self, client, db, header):
        response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"



def test_a_token_use_is_stamped_after_the_response(client, db):
    from permits.accounts.models import ApiToken

    user = make_user(db, "inspector")
    headers = bearer(db, user)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    response.close()  # what a WSGI server does once the body is sent
    with Session(db) as session:
        token = session.exec(select(ApiToken)).one()
        assert token.last_used_at is not None
