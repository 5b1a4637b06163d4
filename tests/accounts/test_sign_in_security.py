"""Sign-in hardening: the session and its CSRF token are renewed at sign-in and cleared at
sign-out; failed sign-ins are limited per account with growing waits, beside the per-address
limit; addresses behind a trusted proxy are the clients'; the limit's counts are shared through
Redis when configured; signed-in answers are never cached."""
import re
import uuid

import pytest

from permits.app import create_app
from permits.core.extensions import warn_unshared_limits, worker_count
from tests.helpers import PASSWORD, bearer, login, make_user


def _app(database_url, **overrides):
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
    config.update(overrides)
    return create_app(config)


def _csrf(client, path="/login") -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                     client.get(path).get_data(as_text=True)).group(0).split('value="')[1].rstrip('"')


def test_the_csrf_token_from_before_sign_in_dies_at_sign_in(db, database_url):
    app = _app(database_url, WTF_CSRF_ENABLED=True)
    user = make_user(db, "shipper")
    client = app.test_client()
    planted = _csrf(client)  # what an attacker who set the victim's cookie would know
    signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                            "csrf_token": planted})
    assert signed_in.status_code == 302
    refused = client.post("/account/tokens", data={"name": "evil", "csrf_token": planted})
    assert refused.status_code == 400
    fresh = _csrf(client, "/account")
    assert fresh != planted
    assert client.post("/account/tokens", data={"name": "mine", "csrf_token": fresh}).status_code == 200


def test_sign_out_clears_the_session(app, db):
    user = make_user(db, "shipper")
    client = app.test_client()
    login(client, user)
    with client.session_transaction() as before:
        before["leftover"] = "from the signed-in session"
    client.post("/logout")
    with client.session_transaction() as after:
        assert "leftover" not in after and "_user_id" not in after


def test_failed_sign_ins_for_one_account_are_limited_from_any_address(db, database_url):
    app = _app(database_url, RATELIMIT_ENABLED=True, PARITY_LOGIN_RATE_LIMIT="1000 per minute",
               PARITY_ACCOUNT_LOGIN_LIMITS="3 per minute; 5 per hour",
               RATELIMIT_KEY_PREFIX=uuid.uuid4().hex)
    user = make_user(db, "inspector")
    codes = []
    for n in range(4):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": "wrong guess here"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        codes.append(response.status_code)
    assert codes == [422, 422, 422, 429]
    # Even the right password waits: the guesser cannot tell it was right.
    right = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert "try again in" in right.get_data(as_text=True)
    # Another account is not held back by this one.
    other = make_user(db, "inspector")
    assert app.test_client().post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302


def test_the_per_address_limit_counts_the_forwarded_client_behind_a_trusted_proxy(db, database_url):
    app = _app(database_url, RATELIMIT_ENABLED=True, PARITY_LOGIN_RATE_LIMIT="2 per minute",
               PARITY_TRUSTED_PROXIES=1, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex)
    client = app.test_client()

    def attempt(client_address):
        return client.post("/login", data={"email": "x@example.com", "password": "nope"},
                           headers={"X-Forwarded-For": client_address},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code

    assert [attempt("203.0.113.5") for _ in range(3)] == [422, 422, 429]
    assert attempt("203.0.113.6") == 422  # another client behind the same proxy


def test_without_trusted_proxies_a_forwarded_header_is_ignored(db, database_url):
    app = _app(database_url, RATELIMIT_ENABLED=True, PARITY_LOGIN_RATE_LIMIT="2 per minute",
               RATELIMIT_KEY_PREFIX=uuid.uuid4().hex)
    client = app.test_client()
    codes = [client.post("/login", data={"email": "x@example.com", "password": "nope"},
                         headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)]
    assert codes == [422, 422, 429]  # a forged header does not buy fresh attempts


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")


def test_with_redis_the_counts_are_shared_between_workers(db, database_url):
    """Two app instances stand for two workers: with shared storage the second continues
    the first's count instead of starting from zero."""
    _redis_or_skip()
    prefix = uuid.uuid4().hex
    settings = dict(RATELIMIT_ENABLED=True, PARITY_LOGIN_RATE_LIMIT="3 per minute",
                    RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", RATELIMIT_KEY_PREFIX=prefix)
    first = _app(database_url, **settings).test_client()
    assert [first.post("/login", data={"email": "x@example.com", "password": "nope"}).status_code
            for _ in range(2)] == [422, 422]
    second = _app(database_url, **settings).test_client()
    codes = [second.post("/login", data={"email": "x@example.com", "password": "nope"}).status_code
             for _ in range(2)]
    assert codes == [422, 429]


def test_the_environment_setting_names_the_shared_storage(monkeypatch):
    from permits.core.config import from_environment

    found = from_environment({"PARITY_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    assert found["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"


def test_several_workers_without_shared_storage_are_warned_about(app, caplog):
    assert worker_count({"WEB_CONCURRENCY": "1"}, ["gunicorn", "--workers", "4", "permits:create_app()"]) == 4
    assert worker_count({"GUNICORN_CMD_ARGS": "-w 3"}, ["python"]) == 3
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with caplog.at_level("WARNING"):
        assert warn_unshared_limits(app, {"WEB_CONCURRENCY": "4"}, ["gunicorn"])
    assert "PARITY_RATELIMIT_STORAGE_URI" in caplog.text
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379"
    assert not warn_unshared_limits(app, {"WEB_CONCURRENCY": "4"}, ["gunicorn"])
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    assert not warn_unshared_limits(app, {"WEB_CONCURRENCY": "1"}, ["flask"])


def test_signed_in_answers_are_not_cached(client, db):
    user = make_user(db, "shipper")
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client, user)
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    issued = client.post("/account/tokens", data={"name": "erp"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/me", headers=bearer(db, user))
    assert api.headers["Cache-Control"] == "no-store"


def test_a_forced_reset_ends_sessions_and_leads_to_the_change_page(app, db):
    user = make_user(db, "shipper")
    admin = make_user(db, "admin")
    victim = app.test_client()
    login(victim, user)
    admin_client = app.test_client()
    login(admin_client, admin)
    assert admin_client.post(f"/admin/users/{user.id}/force-reset").status_code == 302
    assert victim.get("/account").status_code == 302  # signed out everywhere
    login(victim, user)
    assert victim.get("/permits/").headers["Location"].endswith("/account/password")
    changed = victim.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})
    assert changed.status_code == 302
    assert victim.get("/account").status_code == 200
    shipper_client = app.test_client()
    login(shipper_client, user, "a brand new passphrase")
    assert shipper_client.post(f"/admin/users/{admin.id}/force-reset").status_code == 403
