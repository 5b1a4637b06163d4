"""Canada's tacit consent, amendments that need consent again, and the authority's account."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from permits.audit.models import AuditEntry
from permits.consents import gate
from permits.consents.models import Consent
from permits.permitting import amendments
from permits.permitting.models import Permit
from permits.scheduler import process as scheduler
from tests.consents.conftest import TODAY, approved_permit, as_user, decision, shipment


def _status(db, permit_id: int) -> str:
    with Session(db) as s:
        return s.get(Permit, permit_id).consent_status


def test_a_canadian_permit_becomes_shippable_30_days_after_approval_without_objection(client, db, world):
    permit = approved_permit(db, world, world.ca_facility_id)
    job = next(j for j in scheduler.JOBS if j.id == "tacit-consent")
    assert scheduler.run_once(db, job, TODAY + timedelta(days=29)) == "0 tacit consents recorded"
    assert _status(db, permit.id) == "pending"
    assert scheduler.run_once(db, job, TODAY + timedelta(days=30)) == "1 tacit consents recorded"
    assert scheduler.run_once(db, job, TODAY + timedelta(days=30)) is None  # once a day
    with Session(db) as s:  # and a second pass of the same work finds nothing left
        assert gate.grant_tacit_due(s, today=TODAY + timedelta(days=31)) == []
        consent = s.exec(select(Consent)).one()
        assert (consent.status, consent.channel, consent.decided_on) == (
            "granted", "tacit", TODAY + timedelta(days=30))
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "consent.tacit")).one()
    assert _status(db, permit.id) == "granted"
    shipped = client.post(f"/api/v1/permits/{permit.id}/shipments",
                          headers=world.headers(db, world.shipper), json=shipment(1))
    assert shipped.status_code == 201, shipped.get_json()


def test_a_canadian_objection_before_the_30_days_stops_the_tacit_consent(client, db, world):
    permit = approved_permit(db, world, world.ca_facility_id)
    response = client.post(f"/api/v1/permits/{permit.id}/consents",
                           headers=world.headers(db, world.ca), json=decision("CA", "objection"))
    assert response.status_code == 201
    with Session(db) as s:
        assert gate.grant_tacit_due(s, today=TODAY + timedelta(days=40)) == []
        s.commit()
    assert _status(db, permit.id) == "objected"


def _consent_mx(client, db, world, permit_id: int) -> None:
    response = client.post(f"/api/v1/permits/{permit_id}/consents",
                           headers=world.headers(db, world.mx), json=decision("MX"))
    assert response.status_code == 201, response.get_json()


def _amend(db, world, permit_id: int, changes: dict):
    with Session(db, expire_on_commit=False) as s:
        amendment, decided = amendments.propose(s, actor=as_user(s, world.shipper), permit_id=permit_id,
                                                changes=changes, today=TODAY)
        s.commit()
    assert amendment.status == "approved", decided.reasons


def test_an_amendment_adding_quantity_needs_the_consent_again(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    _consent_mx(client, db, world, permit.id)
    _amend(db, world, permit.id, {"quantity_tonnes": 900})
    assert _status(db, permit.id) == "pending"
    refused = client.post(f"/api/v1/permits/{permit.id}/shipments",
                          headers=world.headers(db, world.shipper), json=shipment(1))
    assert refused.get_json()["error"]["code"] == "consent_pending"
    _consent_mx(client, db, world, permit.id)
    assert _status(db, permit.id) == "granted"


def test_an_amendment_adding_a_transporter_needs_the_consent_again(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    _consent_mx(client, db, world, permit.id)
    _amend(db, world, permit.id, {"transporters": [
        {"name": "Border Haulage LLC", "country": "US"}, {"name": "Fletes Norte", "country": "MX"}]})
    assert _status(db, permit.id) == "pending"


def test_an_amendment_adding_a_transit_country_asks_that_country_only(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    _consent_mx(client, db, world, permit.id)
    _amend(db, world, permit.id, {"route": {"exit_port": "Detroit, MI", "entry_port": "Nogales",
                                            "transit_countries": ["CA"]}})
    with Session(db) as s:
        live = {c.country: c.status for c in gate.live_consents(s, permit.id)}
    assert live == {"MX": "granted", "CA": "pending"}
    assert _status(db, permit.id) == "pending"


def test_fewer_shipments_need_no_new_consent(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    _consent_mx(client, db, world, permit.id)
    _amend(db, world, permit.id, {"shipments_planned": 10})
    assert _status(db, permit.id) == "granted"


def test_users_create_binds_an_authority_to_its_country(runner, db):
    made = runner.invoke(args=["users", "create", "officer@semarnat.example", "--role", "authority",
                               "--country", "mx", "--password-stdin"], input="long enough password\n")
    assert made.exit_code == 0, made.output
    from permits.accounts.models import User

    with Session(db) as s:
        assert s.exec(select(User.country).where(User.email == "officer@semarnat.example")).one() == "MX"
    missing = runner.invoke(args=["users", "create", "nobody@example.gov", "--role", "authority",
                                  "--password-stdin"], input="long enough password\n")
    assert missing.exit_code != 0 and "--country" in missing.output
    stray = runner.invoke(args=["users", "create", "ship@example.com", "--role", "shipper",
                                "--organization", "Acme", "--country", "MX", "--password-stdin"],
                          input="long enough password\n")
    assert stray.exit_code != 0 and "--country" in stray.output
