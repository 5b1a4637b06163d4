"""The one place consents and a permit's `consent_status` change.

Which countries a permit needs (the importing country when it is not the origin, and every
transit country), opening their requests when the notice is sent, deciding a request
(by the authority, from paper, or tacitly), superseding one (a revision, an amendment), and
settling the permit's `consent_status` and `consent_until`, which the shipment cap's
conditional UPDATE reads. Every change writes its audit entry in the caller's transaction.

On PostgreSQL every writer holds the writer lock from its first write (permits.core.db) and
SQLite has one writer: a decision and a shipment never interleave, and the shipment's UPDATE
reads the status the decision left.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy import select as select_columns
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.audit import chain as audit
from permits.consents.models import Consent
from permits.core.db import Prepared
from permits.core.rows import insert_row
from permits.permitting.models import Permit
from standards.clock import utcnow
from standards.errors import InvalidTransition
from standards.messages import N_, Message, define

# Importing countries whose consent is tacit after so many days without objection.
TACIT_DAYS = {"CA": 30}
# Permits whose consents still matter: those that may ship now or again.
STANDING = ("approved", "suspended", "on_hold")


# Built once, run as plain Core: the receiving facility's country is all this reads of it.
_COUNTRY_OF = select_columns(Facility.__table__.c.country).where(
    Facility.__table__.c.id == bindparam("id"))


def required_countries(session: Session, permit: Permit) -> dict[str, str]:
    """Country -> role ("importing" or "transit") of every country that must consent."""
    destination = session.connection().execute(
        _COUNTRY_OF, {"id": permit.receiving_facility_id}).scalar()
    origin = (permit.origin or {}).get("country")
    needed: dict[str, str] = {}
    if destination and destination != origin:
        needed[destination] = "importing"
    for country in (permit.route or {}).get("transit_countries") or []:
        if country not in (origin, destination):
            needed.setdefault(country, "transit")
    return needed


# Built once: every read of a permit shows its consents.
_LIVE_CONSENTS = (
    select(Consent).where(Consent.permit_id == bindparam("permit_id"), Consent.superseded_at.is_(None))
    .order_by(Consent.country).execution_options(populate_existing=True)
)


def live_consents(session: Session, permit_id: int) -> list[Consent]:
    """The standing consent (or request) of each country, read afresh."""
    return list(session.exec(_LIVE_CONSENTS, params={"permit_id": permit_id}).all())


_CONSENT = Consent.__table__
# The same rows' columns as plain values, the paper's bytes left in the table: for reads that
# only show them (the permit read joins them to the permit's row).
_LIVE_ROWS = Prepared(
    select(*[c for c in _CONSENT.c if c.name != "document"])
    .where(_CONSENT.c.permit_id == bindparam("permit_id"), _CONSENT.c.superseded_at.is_(None))
    .order_by(_CONSENT.c.country)
)
_LIVE_NAMES = tuple(column.name for column in _LIVE_ROWS.statement.selected_columns)


def live_consents_joined(permit_id_column):
    """For a read that joins a permit's live consents to its row (one row per consent, ordered
    by `LIVE_ORDER`): the consent table under an alias of its own (an EXISTS on `consent`
    elsewhere in the statement stays uncorrelated), the join's condition, the columns as
    `consent_row` takes them, and the order."""
    live = _CONSENT.alias("live_consent")
    names = set(_LIVE_NAMES)
    return (live, and_(live.c.permit_id == permit_id_column, live.c.superseded_at.is_(None)),
            [c for c in live.c if c.name in names], live.c.country)


def consent_row(values: tuple):
    """A consent read as `_LIVE_ROWS`'s columns, with `live`, as `consent_json` takes it."""
    return _ConsentRow(zip(_LIVE_NAMES, values, strict=True))


class _ConsentRow:
    """A consent's columns as attributes, and `live` as `Consent.live` says it."""

    def __init__(self, values):
        self.__dict__.update(values)  # (name, value) pairs

    @property
    def live(self) -> bool:
        return self.superseded_at is None


def open_requests(session: Session, permit: Permit, *, today: date, actor_id: int | None) -> None:
    """The notice is sent: ask every needed country without a standing answer; drop the rest."""
    needed = required_countries(session, permit)
    live = {c.country: c for c in live_consents(session, permit.id)}
    standing = []
    for country, consent in live.items():
        if country not in needed:
            supersede(session, consent, reason="the permit no longer needs this country's consent",
                      actor_id=actor_id)
        else:
            standing.append(consent)
    for country, role in needed.items():
        if country not in live:
            standing.append(_request(session, permit, country=country, role=role, today=today,
                                     actor_id=actor_id))
    # The permit's standing consents are now exactly these (every writer holds the writer lock).
    refresh(session, permit, actor_id=actor_id, consents=standing)


def _request(session: Session, permit: Permit, *, country: str, role: str, today: date,
             actor_id: int | None) -> Consent:
    tacit = TACIT_DAYS.get(country) if role == "importing" else None
    consent = Consent(permit_id=permit.id, country=country, role=role, requested_on=today,
                      tacit_on=today + timedelta(days=tacit) if tacit else None)
    insert_row(session, consent)
    audit.record(session, actor_id=actor_id, action="consent.requested", entity="consent",
                 entity_id=consent.id, after={"permit_id": permit.id, "country": country,
                                              "role": role, "requested_on": today,
                                              "tacit_on": consent.tacit_on})
    return consent


def supersede(session: Session, consent: Consent, *, reason: str, actor_id: int | None) -> None:
    """The consent stops standing (a revision or an amendment replaces it); it stays on record."""
    result = session.execute(
        update(Consent).where(Consent.id == consent.id, Consent.superseded_at.is_(None))
        .values(superseded_at=utcnow(), superseded_reason=reason[:500])
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition(Message.of("consent.replaced_meanwhile", N_(
            "This consent was replaced meanwhile; reload the permit.")),
            {"consent": [Message.of("consent.not_standing", N_("is no longer the standing decision"))]})
    session.refresh(consent)
    audit.record(session, actor_id=actor_id, action="consent.superseded", entity="consent",
                 entity_id=consent.id, before={"status": consent.status}, after={"superseded": True},
                 reason=reason)


def decide(session: Session, consent: Consent, *, values: dict[str, Any], actor_id: int | None,
           action: str) -> Consent:
    """Write a country's decision on its pending request (still pending and standing, or 409)."""
    status = "granted" if values["decision"] == "consent" else "objected"
    result = session.execute(
        update(Consent).where(Consent.id == consent.id, Consent.status == "pending",
                              Consent.superseded_at.is_(None))
        .values(status=status, recorded_by_id=actor_id, recorded_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition(
            Message.of("consent.decided_meanwhile", N_(
                "This country's decision was recorded meanwhile; a change is a revision.")),
            {"country": [Message.of("consent.already_decided_field",
                                    N_("already decided; revise its decision instead"))]},
            code="consent_already_decided")

    session.refresh(consent)
    _audit_decision(session, consent, action=action, actor_id=actor_id)
    refresh(session, session.get(Permit, consent.permit_id), actor_id=actor_id)
    return consent


def revise(session: Session, consent: Consent, *, values: dict[str, Any], reason: str,
           actor_id: int | None) -> Consent:
    """Replace a country's standing decision with a new one, both kept, the change audited."""
    supersede(session, consent, reason=f"revised: {reason}", actor_id=actor_id)
    status = "granted" if values["decision"] == "consent" else "objected"
    revised = Consent(permit_id=consent.permit_id, country=consent.country, role=consent.role,
                      requested_on=consent.requested_on, tacit_on=consent.tacit_on, status=status,
                      recorded_by_id=actor_id, recorded_at=utcnow(), revises_id=consent.id,
                      revision_reason=reason, **values)
    session.add(revised)
    session.flush()
    _audit_decision(session, revised, action="consent.revised", actor_id=actor_id,
                    before={"consent_id": consent.id, "status": consent.status,
                            "decision": consent.decision, "reference": consent.reference,
                            "valid_to": consent.valid_to})
    refresh(session, session.get(Permit, consent.permit_id), actor_id=actor_id)
    return revised


def _audit_decision(session: Session, consent: Consent, *, action: str, actor_id: int | None,
                    before: dict | None = None) -> None:
    audit.record(session, actor_id=actor_id, action=action, entity="consent", entity_id=consent.id,
                 before=before or {"status": "pending"},
                 after={"permit_id": consent.permit_id, "country": consent.country,
                        "status": consent.status, "decision": consent.decision,
                        "reference": consent.reference, "decided_on": consent.decided_on,
                        "valid_to": consent.valid_to, "conditions": consent.conditions,
                        "channel": consent.channel, "document_sha256": consent.document_sha256},
                 reason=consent.reason or consent.revision_reason)


def settle(consents: list[Consent]) -> tuple[str, date | None]:
    """The permit's consent status from its standing consents, and the day the first expires."""
    statuses = {c.status for c in consents}
    if "objected" in statuses:
        status = "objected"
    elif statuses <= {"granted"}:  # also when no country needs to consent (a domestic move)
        status = "granted"
    else:
        status = "pending"
    expiries = [c.valid_to for c in consents if c.status == "granted" and c.valid_to]
    return status, min(expiries) if expiries else None


def refresh(session: Session, permit: Permit, *, actor_id: int | None,
            consents: list[Consent] | None = None) -> str:
    """Settle the permit's `consent_status` (the one place it is written), audited when it moves.
    `consents`: its standing consents when the caller has just written them (else read here)."""
    status, until = settle(live_consents(session, permit.id) if consents is None else consents)
    before = {"consent_status": permit.consent_status, "consent_until": permit.consent_until}
    if (status, until) != (permit.consent_status, permit.consent_until):
        session.execute(update(Permit).where(Permit.id == permit.id)
                        .values(consent_status=status, consent_until=until)
                        .execution_options(synchronize_session=False))
        set_committed_value(permit, "consent_status", status)
        set_committed_value(permit, "consent_until", until)
        audit.record(session, actor_id=actor_id, action="permit.consent_status", entity="permit",
                     entity_id=permit.id, before=before,
                     after={"consent_status": status, "consent_until": until})
    return status


# The terms an amendment may change that the countries must consent to again.
RENEWAL_TERMS = ("quantity_kg", "transporters", "receiving_facility_id")


_ADDS_QUANTITY = define("consent.renewal.quantity", N_("the amendment adds quantity"))
_ADDS_TRANSPORTER = define("consent.renewal.transporter", N_("the amendment adds a transporter"))
_CHANGES_FACILITY = define("consent.renewal.facility", N_("the amendment changes the receiving facility"))


def renewal_reasons(before: dict[str, Any], after: dict[str, Any]) -> list[Message]:
    reasons = []
    if after["quantity_kg"] > before["quantity_kg"]:
        reasons.append(Message(_ADDS_QUANTITY))
    names = {str(t.get("name", "")).strip().casefold() for t in before["transporters"] or []}
    if any(str(t.get("name", "")).strip().casefold() not in names for t in after["transporters"] or []):
        reasons.append(Message(_ADDS_TRANSPORTER))
    if after["receiving_facility_id"] != before["receiving_facility_id"]:
        reasons.append(Message(_CHANGES_FACILITY))
    return reasons


def renew_for_amendment(session: Session, permit: Permit, *, before: dict[str, Any],
                        today: date, actor_id: int | None) -> list[str]:
    """After an amendment: what it adds needs every country's consent again; a new transit
    country is asked anyway. Returns why consents were asked again (empty: none were)."""
    reasons = renewal_reasons(before, {k: getattr(permit, k) for k in before})
    if reasons:
        why = "; ".join(reasons)
        for consent in live_consents(session, permit.id):
            supersede(session, consent, reason=why, actor_id=actor_id)
    open_requests(session, permit, today=today, actor_id=actor_id)
    return reasons


def grant_tacit_due(session: Session, *, today: date) -> list[int]:
    """Requests whose tacit day has come without objection become consents (idempotent)."""
    due = session.exec(
        select(Consent).join(Permit, Permit.id == Consent.permit_id)
        .where(Consent.status == "pending", Consent.superseded_at.is_(None),
               Consent.tacit_on.is_not(None), Consent.tacit_on <= today,
               Permit.status.in_(STANDING))
        .order_by(Consent.id)).all()
    granted = []
    for consent in due:
        try:
            decide(session, consent, actor_id=None, action="consent.tacit", values={
                "decision": "consent", "channel": "tacit", "decided_on": consent.tacit_on,
                "reference": f"tacit {consent.tacit_on.isoformat()}",
                "conditions": None, "valid_to": None, "reason": None})
        except InvalidTransition:  # decided meanwhile by its authority: nothing to do
            continue
        granted.append(consent.id)
    return granted
