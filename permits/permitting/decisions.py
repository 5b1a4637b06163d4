"""Deciding an application: the permit rules and the facility's checks in, an immutable record out.

`evaluate` applies DOMAIN.md's rule to a permit's terms: approved only when every applicable
standard `meets` and every permit rule holds (facility active, accepts the byproduct, performs
the operation, period within 12 months, no transit outside the United States, Mexico and
Canada); any `fails` or broken rule denies; anything else (missing, stale, incomparable or
unverified evidence) is under review. `record` stores the result with a SHA-256 of its
canonical form, so that `verify` can tell, years later, whether the row is still what was decided.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as select_columns
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from facility_registry.eligibility import check_facility
from facility_registry.models import Facility
from permits.audit import chain as audit
from permits.core.canonical import canonical_json
from permits.core.rows import insert_row
from permits.permitting import verdicts
from permits.permitting.decision_models import Decision
from permits.permitting.models import Permit
from permits.permitting.rules import MAX_PERIOD_MONTHS, Terms, period_within_limit
from standards.catalogue import standards_version
from standards.clock import utc_text, utcnow
from standards.messages import N_, TEMPLATES, Message, define
from standards.vocabulary import COUNTRIES

# The permit rules' sentences (standards.messages): stored as canonical English for the hash,
# with their code and parameters so that every reader sees them in their own language.
FACILITY = {"": define("rule.receiving_facility", N_("the receiving facility %(name)s (id %(id)s)")),
            "final_": define("rule.final_facility", N_("the final facility %(name)s (id %(id)s)"))}
_STATUS = define("rule.facility_status", N_("%(facility)s is %(status)s"))
_ACCEPTS = {True: define("rule.accepts", N_("%(facility)s accepts %(byproduct)s")),
            False: define("rule.does_not_accept", N_("%(facility)s does not accept %(byproduct)s"))}
_PERFORMS = {True: define("rule.performs", N_("%(facility)s performs operation %(operation)s")),
             False: define("rule.does_not_perform",
                           N_("%(facility)s does not perform operation %(operation)s"))}
_PERIOD = {
    True: define("rule.period_within", N_("the validity period %(valid_from)s to %(valid_to)s "
                                          "(%(days)s days) is within the %(months)s-month limit")),
    False: define("rule.period_longer", N_("the validity period %(valid_from)s to %(valid_to)s "
                                           "(%(days)s days) is longer than the %(months)s-month limit")),
}
_TRANSSHIPMENT = define("rule.transshipment", N_(
    "transshipment: the route transits %(countries)s, outside the United States, Mexico and Canada"))
_TRANSIT = define("rule.transit", N_("the route transits %(places)s"))
_NO_THIRD_COUNTRY = define("rule.no_third_country", N_("no third country"))
_COUNTRY_NAMES = {"US": define("country.the_united_states", N_("the United States")),
                  "MX": define("country.mexico", N_("Mexico")),
                  "CA": define("country.canada", N_("Canada"))}
CHECK_NOT_MET = define("decision.check_not_met", N_("%(standard)s: %(verdict)s"))
CANNOT_APPROVE = define("decision.cannot_approve", N_("It cannot be approved: %(unmet)s."))
AMENDMENT_CANNOT_APPROVE = define("decision.amendment_cannot_approve",
                                  N_("The amendment cannot be approved: %(unmet)s."))
DENIED_BY_INSPECTOR = define("decision.denied_by_inspector", N_("denied by an inspector: %(reason)s"))
NO_STANDARD = define("decision.no_standard_in_force",
                     N_("no U.S. standard is in force for %(byproduct)s on %(date)s"))



def denied_by_inspector(reason: str) -> str:
    """The reason a decision record keeps (its canonical English, under the hash)."""
    return Message(DENIED_BY_INSPECTOR, {"reason": reason}).english()


def reason_message(reason: str) -> Message | str:
    """A stored reason as a Message when it is one of ours (read in the reader's language),
    else as stored (an older wording, a person's words)."""
    prefix = TEMPLATES[DENIED_BY_INSPECTOR].split("%(", 1)[0]
    if isinstance(reason, str) and reason.startswith(prefix):
        return Message(DENIED_BY_INSPECTOR, {"reason": reason[len(prefix):]})
    return reason


@dataclass(frozen=True)
class Rule:
    """One permit rule, met or not, with the sentence a person reads (a Message)."""

    rule: str
    met: bool
    message: Message

    @property
    def detail(self) -> str:
        return self.message.english()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "met": self.met, "detail": self.detail,
                "message": self.message.to_dict()}


@dataclass(frozen=True)
class Evaluation:
    outcome: str
    rules: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    reasons: list[str]
    evidence: list[dict[str, Any]]
    standards_version: str
    # The facilities' rows as read (`_FACILITY_ROWS`): everything the evaluation read of them, their
    # evidence and the catalogue summed up by their stamps. Not part of what was found.
    facts: tuple = field(default=(), compare=False, repr=False)

    @property
    def unmet(self) -> list[Message]:
        """What stands between this evaluation and an approval (empty when approved)."""
        return [*(Message.from_dict(r["message"]) for r in self.rules if not r["met"]),
                *(Message(CHECK_NOT_MET, {"standard": c["standard"], "verdict": c["verdict"]})
                  for c in self.checks if c["verdict"] != "meets")]

    @cached_property
    def canonical_parts(self) -> dict[str, tuple[Any, bytes]]:
        """Its three largest parts, which a decision record stores as they are, each with its
        canonical text: asked for once, it can be written before the writer lock (`canonical`)."""
        return {name: (value, canonical_json(value)) for name, value in
                (("rules", self.rules), ("checks", self.checks), ("evidence", self.evidence))}

    def content(self) -> dict[str, Any]:
        """What was found, without when or by whom: equal contents mean nothing changed."""
        return {"outcome": self.outcome, "rules": self.rules, "checks": self.checks,
                "standards_version": self.standards_version}


def evaluate(session: Session, terms: Terms, *, on: date) -> Evaluation:
    """The decision DOMAIN.md's rule gives for `terms` on day `on` (reads, never writes)."""
    facilities = _facility_rows(session, terms.facility_ids)
    receiving = facilities[terms.receiving_facility_id]
    rules = facility_rules(receiving, terms.byproduct, terms.operation_code)
    checks = _checks(session, receiving, terms.byproduct, on)
    if terms.final_facility_id is not None:
        # An interim operation only passes the waste on: where it ends up must meet too.
        final = facilities[terms.final_facility_id]
        rules += facility_rules(final, terms.byproduct, terms.final_operation_code, prefix="final_")
        checks += _checks(session, final, terms.byproduct, on)
    rules += [period_rule(terms.valid_from, terms.valid_to), transit_rule(terms.route)]
    return replace(_conclude(rules, checks, terms.byproduct, on), facts=_facts(facilities))


def evaluate_ahead(reader: Session, terms: Terms, *, on: date) -> Evaluation:
    """`evaluate` in a read transaction before the writer lock is taken, with the record's
    largest parts written ahead too (`Evaluation.canonical_parts`); under the lock,
    `still_current` says whether it stands."""
    evaluation = evaluate(reader, terms, on=on)
    _ = evaluation.canonical_parts
    return evaluation


def still_current(session: Session, terms: Terms, evaluation: Evaluation) -> bool:
    """Whether `evaluation` of `terms`, made in another transaction, is the one `session` would
    make now: every facility it read is as it read it (name, status, operations, byproducts
    accepted, processes), with the same equivalence stamp, which database triggers change with
    any change to its evidence or to the catalogue (`facility_registry.equivalence_stamp`). The
    rest of an evaluation is the terms and the day. A facility without a stamp is never current:
    its evidence could have changed unseen."""
    facts = evaluation.facts
    if not facts or any(row.equivalence_stamp is None for row in facts):
        return False
    return _facts(_facility_rows(session, terms.facility_ids)) == facts


def _facts(facilities: dict[int, Any]) -> tuple:
    return tuple(facilities[key] for key in sorted(facilities))


_FACILITY = Facility.__table__
# Built once, read as plain rows in the caller's transaction: the stamp as it stands now, not as
# an object loaded earlier in the session remembers it.
_FACILITY_ROWS = select_columns(
    _FACILITY.c.id, _FACILITY.c.name, _FACILITY.c.status, _FACILITY.c.operations,
    _FACILITY.c.accepts, _FACILITY.c.processes, _FACILITY.c.equivalence_stamp,
).where(_FACILITY.c.id.in_(bindparam("ids", expanding=True)))


def _facility_rows(session: Session, ids: list[int]) -> dict[int, Any]:
    return {row.id: row for row in session.connection().execute(_FACILITY_ROWS, {"ids": list(ids)})}


def facility_rules(facility: Facility, byproduct: str, operation: str | None, *,
                   prefix: str = "") -> list[Rule]:
    name = Message(FACILITY[prefix], {"name": facility.name, "id": facility.id})
    performs = operation in (facility.operations or [])
    accepts = byproduct in (facility.accepts or [])
    return [
        Rule(f"{prefix}facility_active", facility.status == "active",
             Message(_STATUS, {"facility": name, "status": facility.status})),
        Rule(f"{prefix}accepts_byproduct", accepts,
             Message(_ACCEPTS[accepts], {"facility": name, "byproduct": byproduct})),
        Rule(f"{prefix}performs_operation", performs,
             Message(_PERFORMS[performs], {"facility": name, "operation": operation})),
    ]


def period_rule(valid_from: date, valid_to: date) -> Rule:
    days = (valid_to - valid_from).days + 1
    met = period_within_limit(valid_from, valid_to)
    return Rule("period_within_12_months", met, Message(_PERIOD[met], {
        "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat(), "days": days,
        "months": MAX_PERIOD_MONTHS}))


def transit_rule(route: dict[str, Any]) -> Rule:
    transit = list((route or {}).get("transit_countries") or [])
    outside = [c for c in transit if c not in COUNTRIES]
    if outside:
        return Rule("transit_within_usmca", False, Message(_TRANSSHIPMENT, {"countries": outside}))
    places = [Message(_COUNTRY_NAMES[c]) for c in transit] or Message(_NO_THIRD_COUNTRY)
    return Rule("transit_within_usmca", True, Message(_TRANSIT, {"places": places}))


def _checks(session: Session, facility, byproduct: str, on: date) -> list[dict]:
    """The facility's checks as plain dicts (what the record stores), each with its facility id.

    A facility's checks are a function of its evidence, the catalogue, its processes, the
    byproduct and the day; the first two are summed up by its equivalence stamp, which database
    triggers change in the statement that changes either (`facility_registry.equivalence_stamp`).
    So they are remembered under (facility, stamp, processes, byproduct, day): every decision on
    the same facility that day reads the same checks without weighing them again, and a change of
    evidence or catalogue makes a new key. A facility without a stamp is never remembered."""
    processes = tuple(facility.processes or ())
    key = (None if facility.equivalence_stamp is None else
           ("decision", facility.id, facility.equivalence_stamp, processes, byproduct, on))

    def compute() -> list[dict]:
        eligibility = check_facility(session, facility, byproduct, on)
        return [{**check.to_dict(), "facility_id": facility.id} for check in eligibility.checks]

    return verdicts.remembered_plain(key, compute)


def _conclude(rules: list[Rule], checks: list[dict], byproduct: str, on: date) -> Evaluation:
    broken = [r.detail for r in rules if not r.met]
    short = [f"{c['standard']}: {c['verdict']} — {c['reason']}" for c in checks
             if c["verdict"] != "meets"]
    reasons = [*broken, *short]
    if broken or any(c["verdict"] == "fails" for c in checks):
        outcome = "denied"
    elif not checks:
        outcome = "under_review"
        reasons.append(Message(NO_STANDARD, {"byproduct": byproduct, "date": on.isoformat()}).english())
    elif short:
        outcome = "under_review"
    else:
        outcome = "approved"
    used = {(c["standard"], c["version"]) for c in checks}  # a final facility repeats them
    version = standards_version([SimpleNamespace(code=code, version=v) for code, v in used])
    # The checks come plain already (as the JSON column gives them back): see `_checks`.
    return Evaluation(outcome=outcome, rules=_plain([r.to_dict() for r in rules]), checks=checks,
                      reasons=reasons, evidence=_evidence_used(checks),
                      standards_version=version)


def _evidence_used(checks: list[dict]) -> list[dict[str, Any]]:
    """Each evidence row a check read, with the values it was judged on (in canonical units)."""
    used: dict[int, dict[str, Any]] = {}
    for check in checks:
        for kind, reading in (("limit", check["facility_limit"]),
                              ("measurement", check["facility_measured"])):
            if reading and reading.get("evidence_id") is not None:
                used[reading["evidence_id"]] = {
                    "id": reading["evidence_id"], "facility_id": check["facility_id"],
                    "standard": check["standard"], "kind": kind, "value": reading["value"],
                    "unit": reading["unit"], "basis": reading["basis"],
                    "observed_on": reading["observed_on"], "verified": reading["verified"]}
    return [used[key] for key in sorted(used)]


def live_terms(permit) -> dict[str, Any]:
    """The permit row's terms in the form a decision record stores them (to compare)."""
    return _plain(Terms.of(permit).to_record())


def _plain(value: Any) -> Any:
    """Exactly what the JSON column gives back, so the stored record hashes as it was hashed."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def same_content(evaluation: Evaluation, decision: Decision) -> bool:
    """The evaluation finds what the stored decision found. The message beside each rule's
    detail and each check's reason only says it again (older records have none)."""
    def plain(items):
        return [{k: v for k, v in item.items() if k != "message"} for item in items or []]

    return (evaluation.outcome, plain(evaluation.rules), plain(evaluation.checks),
            evaluation.standards_version) == (decision.outcome, plain(decision.rules),
                                              plain(decision.checks), decision.standards_version)


# --- the record --------------------------------------------------------------------------------

def record(session: Session, *, permit_id: int, terms: Terms, evaluation: Evaluation, kind: str,
           decided_by_id: int | None, outcome: str | None = None, note: str | None = None,
           amendment_id: int | None = None, extra_reasons: list[str] | None = None) -> Decision:
    """Store the decision with its hash (flushes). `outcome` overrides the evaluation's (deny)."""
    decision = Decision(
        permit_id=permit_id, amendment_id=amendment_id, kind=kind,
        outcome=outcome or evaluation.outcome, decided_at=utcnow(), decided_by_id=decided_by_id,
        standards_version=evaluation.standards_version, terms=_plain(terms.to_record()),
        rules=evaluation.rules, checks=evaluation.checks,
        reasons=[*(extra_reasons or []), *evaluation.reasons], evidence=evaluation.evidence,
        note=note, record_hash="",
    )
    decision.record_hash = record_hash(decision, evaluation.canonical_parts)
    insert_row(session, decision)
    if amendment_id is None or decision.outcome == "approved":  # the decision that stands
        codes = sorted({c["standard"] for c in evaluation.checks})
        permit = Permit.__table__
        session.connection().execute(permit.update().where(permit.c.id == permit_id)
                                     .values(decided_standards=codes))
        loaded = session.identity_map.get(identity_key(Permit, permit_id))
        if loaded is not None:
            set_committed_value(loaded, "decided_standards", codes)
    # The record's hash goes into the chain: a decision row replaced later (with a hash
    # recomputed to match) no longer carries the hash the chain logged, and a published
    # checkpoint then proves which decision was made (see permits.audit.merkle).
    audit.record(session, actor_id=decided_by_id, action="decision.recorded", entity="decision",
                 entity_id=decision.id,
                 after={"permit_id": permit_id, "amendment_id": amendment_id, "kind": kind,
                        "outcome": decision.outcome, "record_hash": decision.record_hash})
    return decision


def canonical(decision: Decision, parts: dict[str, tuple[Any, bytes]] | None = None) -> bytes:
    """The bytes the hash covers: every field but the hash and the row id, in a fixed form.

    `parts`: field -> (value, its canonical text), written earlier (`Evaluation.canonical_parts`).
    The canonical JSON of an object is its sorted members' canonical texts joined, so the bytes
    are the same; a text is used only if the field holds the very object it was written from."""
    body = {
        "permit_id": decision.permit_id,
        "amendment_id": decision.amendment_id,
        "kind": decision.kind,
        "outcome": decision.outcome,
        "decided_at": utc_text(decision.decided_at),
        "decided_by_id": decision.decided_by_id,
        "standards_version": decision.standards_version,
        "terms": decision.terms,
        "rules": decision.rules,
        "checks": decision.checks,
        "reasons": decision.reasons,
        "evidence": decision.evidence,
        "note": decision.note,
    }
    if not parts:
        return canonical_json(body)
    written = {name: text for name, (value, text) in parts.items() if body.get(name) is value}
    return b"{" + b",".join(
        canonical_json(name) + b":" + (written[name] if name in written else canonical_json(body[name]))
        for name in sorted(body)) + b"}"


def record_hash(decision: Decision, parts: dict[str, tuple[Any, bytes]] | None = None) -> str:
    return hashlib.sha256(canonical(decision, parts)).hexdigest()


def verify(decision: Decision) -> bool:
    """True when the stored decision is still exactly what was decided."""
    return hmac.compare_digest(record_hash(decision), decision.record_hash or "")


# --- reading -----------------------------------------------------------------------------------

def _standing():
    # A permit's standing decision: on the application, or on an amendment that was approved
    # (an amendment still under review or denied leaves the permit's terms as they were).
    return or_(Decision.amendment_id.is_(None), Decision.outcome == "approved")


# Built once: every read of a permit asks for its standing decision.
_CURRENT_DECISION = (
    select(Decision).where(Decision.permit_id == bindparam("permit_id"), _standing())
    .order_by(Decision.id.desc()).limit(1)
)


def current_decision(session: Session, permit_id: int) -> Decision | None:
    return session.exec(_CURRENT_DECISION, params={"permit_id": permit_id}).first()


def current_decisions(session: Session, permit_ids: list[int]) -> dict[int, Decision]:
    """permit id → its standing decision, in two queries whatever the number of permits."""
    if not permit_ids:
        return {}
    newest = (select(func.max(Decision.id)).where(Decision.permit_id.in_(permit_ids), _standing())
              .group_by(Decision.permit_id))
    rows = session.exec(select(Decision).where(Decision.id.in_(newest.scalar_subquery()))).all()
    return {d.permit_id: d for d in rows}


def history(session: Session, permit_id: int) -> list[Decision]:
    return list(session.exec(
        select(Decision).where(Decision.permit_id == permit_id).order_by(Decision.id)).all())
