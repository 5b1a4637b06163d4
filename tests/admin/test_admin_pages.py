"""The administrators' pages: only admins reach them, every change is audited, bad input names
its field and stores nothing; users, organizations, account requests, the audit trail, job runs
and the audit verification."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session, select

from permits.accounts import requests as account_requests
from permits.accounts import services as accounts
from permits.accounts.models import AccountRequest, ApiToken, Organization, User
from permits.audit.models import AuditEntry, VerificationRun
from permits.scheduler import process as scheduler
from permits.scheduler.models import JobFailure
from tests.helpers import bearer, login, make_facility, make_user

ADMIN_GETS = ["/admin/", "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/organizations",
              "/admin/organizations/new", "/admin/requests", "/admin/audit", "/admin/jobs",
              "/admin/verification"]
ADMIN_POSTS = ["/admin/users/new", "/admin/users/1", "/admin/users/1/deactivate",
               "/admin/users/1/reactivate", "/admin/users/1/force-reset", "/admin/organizations/new",
               "/admin/requests/1/deny", "/admin/verification"]


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    login(client, admin)
    return client


def _entries(db, action: str) -> list[AuditEntry]:
    with Session(db) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)
                                 .order_by(AuditEntry.seq)))


def _errors(response) -> dict[str, list[str]]:
    html = response.get_data(as_text=True)
    return {name: re.findall(r"<li>(.*?)</li>", items)
            for name, items in re.findall(r'<ul id="([\w-]+)-errors" class="errors">(.*?)</ul>', html, re.S)}


def _user(db, email) -> User | None:
    with Session(db) as session:
        return accounts.find_user(session, email)


def test_only_admins_reach_the_admin_pages(app, db, admin, shipper, inspector):
    facility = _facility(db)
    others = [shipper, inspector, make_user(db, "facility", facility_id=facility),
              make_user(db, "authority", country="CA")]
    for person in others:
        client = app.test_client()
        login(client, person)
        for url in ADMIN_GETS:
            assert client.get(url).status_code == 403, (person.role, url)
        for url in ADMIN_POSTS:
            assert client.post(url, data={"email": "x@example.com", "role": "admin"}).status_code == 403, url
    anonymous = app.test_client()
    assert anonymous.get("/admin/users").headers["Location"].startswith("/login")
    assert _user(db, "x@example.com") is None
    admin_client = app.test_client()
    login(admin_client, admin)
    for url in ADMIN_GETS:
        assert admin_client.get(url).status_code == 200, url


def _facility(db) -> int:
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        session.commit()
        return facility.id


def test_an_admin_creates_a_bound_user_with_a_temporary_password(app, db, admin, admin_client):
    with Session(db, expire_on_commit=False) as session:
        org = accounts.get_or_create_organization(session, "Borderline Metals", "MX")
        session.commit()
    page = admin_client.post("/admin/users/new", data={
        "email": "New.Person@Example.com", "name": "New Person", "role": "shipper",
        "organization_id": str(org.id), "facility_id": "", "country": ""})
    assert page.status_code == 200
    password = re.search(r'<code class="secret">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    created = _user(db, "new.person@example.com")
    assert created.role == "shipper" and created.organization_id == org.id
    assert created.password_reset_required and created.active
    [entry] = _entries(db, "user.created")[-1:]
    assert entry.actor_id == admin.id and entry.entity_id == str(created.id)
    assert entry.after["organization_id"] == org.id
    newcomer = app.test_client()
    assert newcomer.post("/login", data={"email": created.email, "password": password}
                         ).headers["Location"].endswith("/account/password")


def test_bad_input_names_the_field_keeps_what_was_typed_and_stores_nothing(db, admin_client):
    before = len(_entries(db, "user.created"))
    cases = [
        ({"email": "not-an-email", "role": "inspector"}, "email"),
        ({"email": "f@example.com", "role": "facility"}, "facility_id"),
        ({"email": "f@example.com", "role": "facility", "facility_id": "999"}, "facility_id"),
        ({"email": "s@example.com", "role": "shipper"}, "organization_id"),
        ({"email": "a@example.com", "role": "authority", "country": ""}, "country"),
        ({"email": "a@example.com", "role": "wizard"}, "role"),
    ]
    for data, field in cases:
        response = admin_client.post("/admin/users/new", data={"name": "Typed Name", **data})
        assert response.status_code == 422, data
        assert field in _errors(response), (data, _errors(response))
        assert 'value="Typed Name"' in response.get_data(as_text=True)
    assert len(_entries(db, "user.created")) == before
    taken = admin_client.post("/admin/users/new", data={"email": "s@example.com", "role": "inspector"})
    assert taken.status_code == 200
    again = admin_client.post("/admin/users/new", data={"email": "S@example.com", "role": "inspector"})
    assert again.status_code == 422 and "already has an account" in _errors(again)["email"][0]


def test_an_admin_changes_a_role_and_its_binding(db, admin, admin_client, shipper):
    response = admin_client.post(f"/admin/users/{shipper.id}", data={
        "name": "Now Authority", "role": "authority", "organization_id": "1", "country": "CA"})
    assert response.status_code == 302
    changed = _user(db, shipper.email)
    assert (changed.role, changed.country, changed.organization_id) == ("authority", "CA", None)
    [entry] = _entries(db, "user.updated")
    assert entry.before["role"] == "shipper" and entry.after == {
        "name": "Now Authority", "role": "authority", "organization_id": None, "country": "CA"}
    assert entry.actor_id == admin.id
    missing = admin_client.post(f"/admin/users/{shipper.id}", data={"role": "authority", "country": ""})
    assert missing.status_code == 422 and "country" in _errors(missing)
    own = admin_client.post(f"/admin/users/{admin.id}", data={"role": "inspector"})
    assert own.status_code == 422 and "role" in _errors(own)
    assert _user(db, admin.email).role == "admin"


def test_deactivating_ends_sessions_and_tokens_and_reactivating_restores(app, db, admin, admin_client, shipper):
    headers = bearer(db, shipper)
    own = app.test_client()
    login(own, shipper)
    assert own.get("/account").status_code == 200
    assert admin_client.post(f"/admin/users/{shipper.id}/deactivate").status_code == 302
    assert own.get("/account").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert login(app.test_client(), shipper).status_code == 422
    admin_client.post(f"/admin/users/{shipper.id}/deactivate")  # twice: one entry
    assert [e.after for e in _entries(db, "user.deactivated")] == [{"active": False}]
    assert admin_client.post(f"/admin/users/{shipper.id}/reactivate").status_code == 302
    assert _entries(db, "user.activated")[0].actor_id == admin.id
    assert login(app.test_client(), shipper).status_code == 302
    admin_client.post(f"/admin/users/{admin.id}/deactivate")  # never oneself: no lock-out
    assert _user(db, admin.email).active


def test_a_forced_reset_also_revokes_the_users_api_tokens(app, db, admin_client, shipper):
    headers = bearer(db, shipper)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    assert admin_client.post(f"/admin/users/{shipper.id}/force-reset").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    with Session(db) as session:
        assert all(t.revoked_at for t in session.exec(select(ApiToken).where(ApiToken.user_id == shipper.id)))
    assert _entries(db, "user.password_reset_forced") and _entries(db, "token.revoked")


def test_admin_forms_need_the_csrf_token(app, db, admin_client, shipper):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert admin_client.post(f"/admin/users/{shipper.id}/deactivate").status_code == 400
        assert admin_client.post("/admin/organizations/new", data={"name": "X", "country": "US"}
                                 ).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _user(db, shipper.email).active


def test_organizations_are_created_and_edited_and_names_stay_unique(db, admin_client, shipper):
    assert admin_client.post("/admin/organizations/new", data={"name": "Río Bravo Metales", "country": "MX"}
                             ).status_code == 302
    with Session(db) as session:
        org = session.exec(select(Organization).where(Organization.name == "Río Bravo Metales")).one()
    taken = admin_client.post(f"/admin/organizations/{org.id}", data={"name": "acme metals", "country": "MX"})
    assert taken.status_code == 422 and "name" in _errors(taken)
    assert 'value="acme metals"' in taken.get_data(as_text=True)
    bad = admin_client.post("/admin/organizations/new", data={"name": "Elsewhere", "country": "GT"})
    assert bad.status_code == 422 and "country" in _errors(bad)
    assert admin_client.post(f"/admin/organizations/{org.id}", data={"name": "Río Bravo", "country": "MX"}
                             ).status_code == 302
    assert [e.action for e in _entries(db, "organization.created") + _entries(db, "organization.updated")] == [
        "organization.created", "organization.updated"]
    assert _entries(db, "organization.updated")[0].before == {"name": "Río Bravo Metales", "country": "MX"}


def test_someone_asks_for_an_account_and_an_admin_approves_or_denies(app, db, admin, admin_client):
    public = app.test_client()
    assert public.get("/account/request").status_code == 200
    ask = {"email": "maria@ejemplo.mx", "name": "María", "role": "authority", "country": "MX",
           "organization_name": "SEMARNAT", "note": ""}
    assert public.post("/account/request", data=ask).status_code == 200
    again = public.post("/account/request", data=ask)
    assert again.status_code == 422 and "email" in _errors(again)
    bad = public.post("/account/request", data={**ask, "email": "x@example.com", "role": "admin"})
    assert bad.status_code == 422 and "role" in _errors(bad)
    assert _entries(db, "account_request.created")[0].actor_id is None
    with Session(db) as session:
        asked = session.exec(select(AccountRequest)).one()
    form = admin_client.get(f"/admin/users/new?request={asked.id}").get_data(as_text=True)
    assert 'value="maria@ejemplo.mx"' in form
    created = admin_client.post("/admin/users/new", data={
        "email": "maria@ejemplo.mx", "name": "María", "role": "authority", "country": "MX",
        "request_id": str(asked.id)})
    assert created.status_code == 200
    with Session(db) as session:
        asked = session.get(AccountRequest, asked.id)
        assert asked.status == "approved" and asked.user_id == accounts.find_user(session, "maria@ejemplo.mx").id
        with pytest.raises(accounts.AccountError):  # decided once: a second approval is refused
            account_requests.approve(session, request=asked, email="other@example.com", name="",
                                     role="inspector", organization_id=None, facility_id=None,
                                     country=None, actor_id=admin.id)
    public.post("/account/request", data={**ask, "email": "spam@example.com"})
    with Session(db) as session:
        spam = session.exec(select(AccountRequest).where(AccountRequest.email == "spam@example.com")).one()
    no_reason = admin_client.post(f"/admin/requests/{spam.id}/deny", data={"reason": " "})
    assert no_reason.status_code == 422 and any(k.startswith("reason") for k in _errors(no_reason))
    assert admin_client.post(f"/admin/requests/{spam.id}/deny", data={"reason": "Not an agency address"}
                             ).status_code == 302
    assert [e.after["status"] for e in _entries(db, "account_request.approved") + _entries(db, "account_request.denied")
            ] == ["approved", "denied"]
    assert "No request is waiting" in admin_client.get("/admin/requests").get_data(as_text=True)


def test_the_audit_trail_filters_and_links_each_entry_to_its_subject(db, admin, admin_client, shipper):
    admin_client.post(f"/admin/users/{shipper.id}/force-reset")
    page = admin_client.get(f"/admin/audit?entity=user&entity_id={shipper.id}").get_data(as_text=True)
    assert "user.password_reset_forced" in page and "user.created" in page
    assert f'href="/admin/users/{shipper.id}"' in page
    by_admin = admin_client.get(f"/admin/audit?actor={admin.email}").get_data(as_text=True)
    assert "user.password_reset_forced" in by_admin and "user.created" not in by_admin
    by_action = admin_client.get("/admin/audit?action=user.password").get_data(as_text=True)
    assert "user.password_reset_forced" in by_action and "user.created" not in by_action
    system = admin_client.get("/admin/audit?actor=system").get_data(as_text=True)
    assert "user.created" in system  # the fixtures' users were made by no one
    today = date(2026, 12, 2)
    assert "user.created" in admin_client.get(f"/admin/audit?since={today}&until={today}").get_data(as_text=True)
    assert "No entry matches" in admin_client.get("/admin/audit?since=2026-12-03").get_data(as_text=True)
    wrong = admin_client.get("/admin/audit?since=2026-12-05&until=2026-12-01")
    assert wrong.status_code == 422 and "until" in _errors(wrong)
    nobody = admin_client.get("/admin/audit?actor=nobody@example.com")
    assert nobody.status_code == 422 and "actor" in _errors(nobody)
    assert admin_client.get("/admin/audit?since=yesterday").status_code == 422


def test_job_runs_show_their_last_result_and_failures(db, admin_client, monkeypatch):
    def boom(session, day):
        raise RuntimeError("the registry feed is down")

    failing = scheduler.Job("flaky-job", "a job that fails", boom, hour=1)
    working = scheduler.Job("steady-job", "a job that works", lambda s, d: f"did {d}", hour=1)
    monkeypatch.setattr("permits.admin.views.JOBS", (failing, working))
    scheduler.catch_up(db, date(2026, 12, 2), jobs=(failing,))
    scheduler.run_once(db, working, date(2026, 12, 2))
    with Session(db) as session:
        [failure] = session.exec(select(JobFailure)).all()
    assert failure.job_id == "flaky-job" and "registry feed is down" in failure.error
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert "the registry feed is down" in page and "did 2026-12-02" in page
    home = admin_client.get("/admin/").get_data(as_text=True)
    assert re.search(r'<span class="count">1</span> <span class="what">Scheduler jobs failing', home)


def test_verify_now_records_the_result_and_the_cli_does_too(app, db, admin, admin_client, runner):
    assert "never been verified" in admin_client.get("/admin/verification").get_data(as_text=True)
    assert admin_client.post("/admin/verification").status_code == 302
    with Session(db, expire_on_commit=False) as session:
        [run] = session.exec(select(VerificationRun)).all()
    assert run.ok and run.source == "page" and run.actor_id == admin.id and run.entries >= 1
    assert _entries(db, "audit.verified")[0].after["ok"] is True
    with Session(db) as session:  # a role raised by hand, behind Parity's back
        session.get(User, admin.id).role = "inspector"
        session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    with Session(db, expire_on_commit=False) as session:
        last = session.exec(select(VerificationRun).order_by(VerificationRun.id.desc())).first()
        session.get(User, admin.id).role = "admin"
        session.commit()
    assert last.source == "cli" and not last.ok and last.problems >= 1 and "role" in last.first_problem
    page = admin_client.get("/admin/verification").get_data(as_text=True)
    assert "does not verify" in page
    app.config["PARITY_VERIFY_IN_PAGE_MAX"] = 0
    admin_client.post("/admin/verification")
    with Session(db) as session:
        assert len(session.exec(select(VerificationRun)).all()) == 2  # too long: the CLI's job
