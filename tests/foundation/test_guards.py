"""Every route declares who may call it, and the guard holds for every route and role."""
import re

import pytest

from permits.accounts.auth import guard_of
from tests.helpers import bearer, login, make_user

NOT_VIEWS = {"static"}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in NOT_VIEWS]


def _url(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]


def test_every_route_declares_a_guard(app):
    unguarded = [r.endpoint for r in _rules(app) if guard_of(app.view_functions[r.endpoint]) is None]
    assert unguarded == [], f"routes without @guard/@public/@endpoint: {unguarded}"


def test_guards_name_only_known_roles(app):
    for rule in _rules(app):
        declared = guard_of(app.view_functions[rule.endpoint])
        assert declared == "public" or set(declared) <= {"shipper", "inspector", "facility", "admin", "authority"}


@pytest.mark.parametrize("role", ["shipper", "facility", "inspector"])
def test_each_role_is_refused_every_route_not_meant_for_it(app, client, db, role):
    kwargs = {"facility_id": _any_facility(db)} if role == "facility" else {}
    user = make_user(db, role, **kwargs)
    headers = bearer(db, user)
    login(client, user)
    checked = 0
    for rule in _rules(app):
        declared = guard_of(app.view_functions[rule.endpoint])
        if declared == "public" or role in declared:
            continue
        is_api = rule.rule.startswith("/api/")
        response = client.open(_url(rule), method=_method(rule), headers=headers if is_api else {},
                               json={} if is_api and _method(rule) == "POST" else None)
        assert response.status_code == 403, f"{role} reached {rule.rule} ({response.status_code})"
        if is_api:
            assert response.get_json()["error"]["code"] == "forbidden"
        checked += 1
    if role != "inspector":
        assert checked > 0


def test_signed_out_visitors_are_sent_to_login_or_told_401(app, client, db):
    for rule in _rules(app):
        if guard_of(app.view_functions[rule.endpoint]) == "public":
            continue
        response = client.open(_url(rule), method=_method(rule))
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


def _any_facility(engine):
    """A facility user needs a facility to belong to; make the smallest one."""
    from sqlmodel import Session

    from facility_registry.models import Facility

    with Session(engine) as session:
        facility = Facility(name="Guard Test Plant", country="US", address="1 Test Rd",
                            operations=["R4"], accepts=["eaf_dust"], annual_capacity_tonnes=10)
        session.add(facility)
        session.commit()
        return facility.id
