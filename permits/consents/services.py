"""Recording a country's decision on a permit: who may, what a decision must say, revisions,
and the queue of requests each authority answers.

An authority records its own country's decision; an inspector records one received on paper,
with the paper attached. Every field is checked before anything is written; the writing
itself is `permits.consents.gate`'s.
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlmodel import Session, select

from facility_registry.inspections import Upload, check_attachment
from facility_registry.validation import iso_date
from permits.accounts.models import User
from permits.consents import gate
from permits.consents.models import DECISIONS, Consent
from permits.permitting.errors import ApplicationWrongType, InvalidApplication, PermitNotFound
from permits.permitting.models import Permit
from permits.permitting.rules import last_valid_day
from permits.permitting.services import get_permit, visible_to
from standards.errors import InvalidTransition, NotAllowed, ValidationFailed
from standards.messages import N_, Message
from standards.problems import REQUIRED, TOO_LONG, problem
from standards.vocabulary import OVERSEERS

FIELDS = ("country", "decision", "reference", "decided_on", "valid_to", "conditions", "reason")
REFERENCE_LENGTH, TEXT_LENGTH = 100, 2000


# --- who may record ----------------------------------------------------------------------------

def _channel(actor: User, country: str | None) -> str:
    """How `actor` may record `country`'s decision: as its authority, or from paper; else 403."""
    if actor.role == "authority":
        if country and country != actor.country:
            raise NotAllowed(
                Message.of("consent.other_country", N_("An authority of %(own)s may not decide for %(country)s."),
                           own=actor.country, country=country),
                {"country": [Message.of("consent.own_country_only", N_("you speak for %(country)s only"),
                                        country=actor.country)]})
        return "authority"
    if actor.role == "inspector":
        return "paper"
    raise NotAllowed(Message.of("consent.who_records", N_(
        "Only a country's authority, or an inspector recording a paper consent, records a consent.")),
        {"role": [Message.of("consent.role_may_not", N_("may not record a consent"))]})


# --- what a decision must say ------------------------------------------------------------------

def clean_decision(body: dict[str, Any], *, permit: Permit, needed: dict[str, str],
                   document: Upload | None, channel: str, today: date) -> dict[str, Any]:
    """The decision's column values, or `InvalidApplication` naming every bad field."""
    errors: dict[str, list[str]] = {}

    def bad(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in sorted(set(body) - set(FIELDS)):
        bad(name, Message.of("consent.not_a_field", N_("is not a field of a consent")))
    country = _text(body.get("country"), "country", 2, bad)
    if country and country.upper() not in needed:
        if needed:
            bad("country", Message.of("consent.not_needed", N_(
                "this permit does not need %(country)s's consent (it needs: %(countries)s)"),
                country=country.upper(), countries=sorted(needed)))
        else:
            bad("country", Message.of("consent.none_needed", N_(
                "this permit does not need %(country)s's consent (it needs none: no border is crossed)"),
                country=country.upper()))
    decision = body.get("decision")
    if decision in (None, ""):
        bad("decision", _required())
    elif decision not in DECISIONS:
        bad("decision", Message.of("consent.decision_kind", N_("must be consent or objection")))
    reference = _text(body.get("reference"), "reference", REFERENCE_LENGTH, bad)
    decided_on = _date(body.get("decided_on"), "decided_on", bad, required=True)
    if decided_on:
        if decided_on > today:
            bad("decided_on", Message.of("consent.future", N_("cannot be in the future (today is %(date)s)"),
                                         date=today.isoformat()))
        elif decided_on > permit.valid_to:
            bad("decided_on", _after_end(permit))
    valid_to = _date(body.get("valid_to"), "valid_to", bad, required=False)
    if valid_to and decision == "objection":
        bad("valid_to", Message.of("consent.objection_no_expiry", N_("an objection has no expiry")))
    elif valid_to and decided_on:
        _check_expiry(valid_to, decided_on, permit, bad)
    conditions = _text(body.get("conditions"), "conditions", TEXT_LENGTH, bad, required=False)
    reason = _text(body.get("reason"), "reason", TEXT_LENGTH, bad, required=decision == "objection")
    if channel == "paper" and document is None:
        bad("document", Message.of("consent.paper_needed",
                                   N_("is required: attach the paper the decision was received on")))
    if document is not None:
        try:
            document = check_attachment(document, "document")
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise InvalidApplication(errors)
    values = {"decision": decision, "reference": reference, "decided_on": decided_on,
              "valid_to": valid_to, "conditions": conditions, "reason": reason, "channel": channel}
    if document is not None:
        values.update(document_name=document.filename, document_type=document.content_type,
                      document=document.content,
                      document_sha256=hashlib.sha256(document.content).hexdigest())
    return values


def _required() -> Message:
    return problem(REQUIRED)


def _after_end(permit: Permit) -> Message:
    return Message.of("consent.after_permit_end", N_("is after the permit's end, %(date)s"),
                      date=permit.valid_to.isoformat())


def _check_expiry(valid_to: date, decided_on: date, permit: Permit, bad) -> None:
    if valid_to < decided_on:
        bad("valid_to", Message.of("consent.expiry_before_decision", N_("must be on or after decided_on")))
    elif valid_to > permit.valid_to:
        bad("valid_to", _after_end(permit))
    elif valid_to > last_valid_day(decided_on):
        bad("valid_to", Message.of("consent.twelve_months", N_(
            "a consent covers at most 12 months (until %(date)s at the latest)"),
            date=last_valid_day(decided_on).isoformat()))


def _text(value: Any, name: str, limit: int, bad, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            bad(name, _required())
        return None
    if not isinstance(value, str):
        raise ApplicationWrongType({name: [Message.of("consent.string", N_("must be a string"))]})
    clean = value.strip()
    if len(clean) > limit:
        bad(name, problem(TOO_LONG, max=limit))
        return None
    return clean


def _date(value: Any, name: str, bad, *, required: bool) -> date | None:
    if value is None or value == "":
        if required:
            bad(name, _required())
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ApplicationWrongType({name: [Message.of("api.date_type", N_("must be a date string YYYY-MM-DD"))]})
    try:
        return iso_date(value)
    except ValueError:
        bad(name, Message.of("api.date_invalid", N_("is not a valid date (YYYY-MM-DD)")))
        return None


# --- recording and revising --------------------------------------------------------------------

def record(session: Session, *, actor: User, permit_id: int, body: dict[str, Any],
           document: Upload | None = None, today: date) -> Consent:
    """A country's first decision on the notice of a permit."""
    country = _country_of(body)
    channel = _channel(actor, country)
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    needed = gate.required_countries(session, permit)
    values = clean_decision(body, permit=permit, needed=needed, document=document,
                            channel=channel, today=today)
    _permit_standing(permit)
    consent = _standing_of(session, permit.id, country)
    if consent is None:  # needed, but not asked: the permit was never approved
        raise InvalidTransition(Message.of("consent.notice_not_sent", N_(
            "This permit's notice has not been sent: it is not approved.")),
            {"status": [_is_status(permit)]}, code="permit_not_active")
    if consent.status != "pending":
        raise InvalidTransition(
            Message.of("consent.already_decided", N_(
                "%(country)s already decided (%(decision)s, %(reference)s); a change is an explicit "
                "revision of consent %(consent_id)s."),
                country=country, decision=consent.decision, reference=consent.reference or "",
                consent_id=consent.id),
            {"country": [_already_decided()]},
            code="consent_already_decided")
    return gate.decide(session, consent, values=values, actor_id=actor.id, action="consent.recorded")


def revise(session: Session, *, actor: User, consent_id: int, body: dict[str, Any],
           document: Upload | None = None, today: date) -> Consent:
    """Replace a country's standing decision; the revision says why, the old one stays on record."""
    body = dict(body)
    revision_reason = body.pop("revision_reason", None)
    consent = get_consent(session, consent_id=consent_id, actor=actor)
    if body.get("country") not in (None, "", consent.country):
        raise InvalidApplication({"country": [Message.of(
            "consent.revision_country", N_("a revision is of %(country)s's decision"), country=consent.country)]})
    body["country"] = consent.country
    channel = _channel(actor, consent.country)
    permit = get_permit(session, permit_id=consent.permit_id, actor=actor)
    needed = gate.required_countries(session, permit)
    errors: dict[str, list[str]] = {}
    reason = _text(revision_reason, "revision_reason", TEXT_LENGTH,
                   lambda n, m: errors.setdefault(n, []).append(m))
    try:
        values = clean_decision(body, permit=permit, needed=needed, document=document,
                                channel=channel, today=today)
    except InvalidApplication as exc:
        raise InvalidApplication({**exc.fields, **errors}) from None
    if errors:
        raise InvalidApplication(errors)
    _permit_standing(permit)
    if not consent.live:
        raise InvalidTransition(Message.of("consent.superseded", N_(
            "This decision was already replaced; revise the standing one.")),
            {"consent": [_not_standing()]}, code="consent_superseded")
    if consent.status == "pending":
        raise InvalidTransition(Message.of("consent.nothing_to_revise", N_(
            "There is no decision to revise yet; record it instead.")),
            {"consent": [Message.of("consent.still_pending", N_("is still pending"))]}, code="consent_pending")
    return gate.revise(session, consent, values=values, reason=reason, actor_id=actor.id)


def _country_of(body: dict[str, Any]) -> str | None:
    country = body.get("country")
    if country is not None and not isinstance(country, str):
        raise ApplicationWrongType({"country": [Message.of("consent.string", N_("must be a string"))]})
    return country.strip().upper() if country else None


def _permit_standing(permit: Permit) -> None:
    if permit.status not in gate.STANDING:
        raise InvalidTransition(
            Message.of("consent.permit_not_standing", N_(
                "The permit is %(status)s; consents are recorded for an approved permit."),
                status=permit.status),
            {"status": [_is_status(permit)]}, code="permit_not_active")


def _is_status(permit: Permit) -> Message:
    return Message.of("consent.is_status", N_("is %(status)s"), status=permit.status)


def _already_decided() -> Message:
    return Message.of("consent.already_decided_field", N_("already decided; revise its decision instead"))


def _not_standing() -> Message:
    return Message.of("consent.not_standing", N_("is no longer the standing decision"))


def _standing_of(session: Session, permit_id: int, country: str | None) -> Consent | None:
    return next((c for c in gate.live_consents(session, permit_id) if c.country == country), None)


# --- reading -----------------------------------------------------------------------------------

def get_consent(session: Session, *, consent_id: int, actor: User) -> Consent:
    """The consent, if the actor may see its permit (404 otherwise, existence not leaked)."""
    consent = session.exec(select(Consent).where(Consent.id == consent_id)
                           .execution_options(populate_existing=True)).first()
    if consent is None or not may_see(session, actor, consent):
        raise PermitNotFound(Message.of("consent.not_found", N_("No consent with id %(consent_id)s."),
                                        consent_id=consent_id),
                             {"consent_id": [Message.of("consent.no_such", N_("no such consent"))]})

    return consent


def may_see(session: Session, actor: User, consent: Consent) -> bool:
    if actor.role == "authority" and consent.country != actor.country:
        return False
    return session.exec(select(Permit.id).where(Permit.id == consent.permit_id,
                                                visible_to(actor))).first() is not None


def of_permit(session: Session, permit_id: int) -> list[Consent]:
    """Every consent of the permit, standing and replaced, newest first."""
    return list(session.exec(select(Consent).where(Consent.permit_id == permit_id)
                             .order_by(Consent.id.desc())).all())


def queue(actor: User, *, state: str = "pending") -> Select:
    """(Consent, Permit) rows an authority answers (inspectors see every country's)."""
    statement = (select(Consent, Permit).join(Permit, Permit.id == Consent.permit_id)
                 .where(Consent.superseded_at.is_(None)))
    if state != "all":
        statement = statement.where(Consent.status == state)
    if state == "pending":
        statement = statement.where(Permit.status.in_(gate.STANDING))
    if actor.role == "authority":
        return statement.where(Consent.country == actor.country)
    if actor.role in OVERSEERS:
        return statement
    return statement.where(False)


def days_left(consent: Consent, today: date) -> int | None:
    """Days until a pending request becomes a tacit consent (None: no tacit consent runs)."""
    if consent.status != "pending" or consent.tacit_on is None:
        return None
    return max((consent.tacit_on - today).days, 0)
