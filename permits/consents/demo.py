"""The consents step of `seed-demo`: an authority login per country, and permits in every
consent story: consented, waiting, objected, and a Canadian consent that became tacit.

Runs after the permits' step (approval sent the notices) and before the shipments' (which
ship only under consented permits).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from permits.accounts import services as accounts
from permits.accounts.demo import demo_user
from permits.accounts.models import User
from permits.consents import gate, services
from permits.consents.models import Consent
from permits.permitting import services as permit_services
from permits.permitting.models import Permit
from standards import clock

AUTHORITIES = {"US": ("authority@epa.example", "Ursula EPA"),
               "MX": ("autoridad@semarnat.example", "Marta SEMARNAT"),
               "CA": ("authority@eccc.example", "Claire ECCC")}
LOGINS = [(email, "authority") for email, _name in AUTHORITIES.values()]


def seed_consents(session: Session, people: dict) -> list[tuple[str, str]]:
    """Idempotent: does nothing once the authorities exist."""
    if accounts.find_user(session, AUTHORITIES["US"][0]) is not None:
        return []
    authorities = {country: demo_user(session, email, "authority", name, country=country)
                   for country, (email, name) in AUTHORITIES.items()}
    _stories(session, people, authorities)
    return list(LOGINS)


def _stories(session: Session, people: dict, authorities: dict) -> None:
    today = clock.today()
    waiting = session.exec(select(Permit).where(Permit.status == "approved",
                                                Permit.consent_status == "pending")
                           .order_by(Permit.id)).all()
    if not waiting:
        print("seed-demo: no approved permit waits for consent, so no consent stories")
        return
    for permit in waiting:  # consented: the shipments step ships under these
        for consent in gate.live_consents(session, permit.id):
            _decide(session, authorities[consent.country], permit, consent.country, "consent",
                    today, conditions="Sealed, labelled containers; the carrier tells the port "
                                      "48 h ahead")
    # More applications like them: one the importing country objects to, one still waiting
    # (its days left in the queue when Canada is asked), and one to Canada whose consent
    # became tacit after 30 days without objection.
    canadian = next((p for p in waiting if any(c.tacit_on for c in gate.live_consents(session, p.id))),
                    None)
    # The one left waiting goes to a facility no later story puts on hold or suspends, so that
    # it stays "approved, waiting for consent" (waiting[0]'s facility is re-checked into a hold).
    quiet = next((p for p in reversed(waiting) if p.receiving_facility_id != waiting[0].receiving_facility_id
                  and p is not canadian and not any(c.tacit_on for c in gate.live_consents(session, p.id))),
                 waiting[0])
    for story, template in (("objected", waiting[0]), ("waiting", quiet), ("tacit", canadian)):
        if template is None:
            continue
        permit, decision = permit_services.apply(session, actor=_shipper(session, template),
                                                 body=gate_body(template), today=today)
        importing = next((c for c in gate.live_consents(session, permit.id)
                          if c.role == "importing"), None)
        if decision.outcome != "approved" or importing is None:
            continue
        if story == "objected":
            _decide(session, authorities[importing.country], permit, importing.country,
                    "objection", today,
                    reason="The receiving facility's operating licence is under review")
        elif story == "tacit":
            _tacit(session, importing, today)


def _shipper(session: Session, permit: Permit):
    return session.get(User, permit.applicant_id)


def gate_body(permit: Permit) -> dict:
    """A smaller application on the terms of `permit`."""
    return {"byproduct": permit.byproduct, "waste_codes": list(permit.waste_codes),
            "quantity_tonnes": 60, "shipments_planned": 4,
            # Applications start today at the earliest, even when the template began earlier.
            "valid_from": max(permit.valid_from, clock.today()).isoformat(),
            "valid_to": permit.valid_to.isoformat(),
            "receiving_facility_id": permit.receiving_facility_id,
            "operation_code": permit.operation_code,
            **({"final_facility_id": permit.final_facility_id,
                "final_operation_code": permit.final_operation_code}
               if permit.final_facility_id else {}),
            "origin": dict(permit.origin), "route": dict(permit.route),
            "transporters": list(permit.transporters)}


def _decide(session: Session, authority, permit: Permit, country: str, decision: str, today,
            **extra) -> None:
    body = {"country": country, "decision": decision, "decided_on": today.isoformat(),
            "reference": f"{country}-AOC-{today.year}-{permit.id:04d}", **extra}
    services.record(session, actor=authority, permit_id=permit.id, body=body, today=today)


def _tacit(session: Session, consent: Consent, today) -> None:
    # As if the notice had gone out 31 days ago: the scheduler's own job then records the
    # tacit consent, as it would have on the 30th day.
    sent = today - timedelta(days=31)
    session.execute(update(Consent).where(Consent.id == consent.id)
                    .values(requested_on=sent, tacit_on=sent + timedelta(days=30))
                    .execution_options(synchronize_session=False))
    gate.grant_tacit_due(session, today=today)
