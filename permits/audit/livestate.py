"""The live records against the chain: what the audit entries say each row must be, and where
the row disagrees.

Every audited change writes the values it set in its entry's `after`. Folding those, entity by
entity in the order they were written, gives what each permit, facility and shipment must hold
now; a row edited behind Parity's back (a denied permit set to approved, a quantity multiplied,
a shipment deleted) no longer matches. The fold is generic: whatever an entry set is expected,
so statuses added later (on hold, consent) are covered as soon as they are audited.

Each entity is read in id order from the chain and from its table and merged, so memory stays
flat however long the chain is.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from facility_registry.models import Facility
from permits.accounts.models import User
from permits.audit.chain import _jsonable
from permits.audit.models import AuditEntry
from permits.permitting import decisions
from permits.permitting.decision_models import Decision
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from standards.messages import N_, Message, define

BATCH = 5000
# Each checked table, with the status a row has before any entry sets one (None: a row
# must be in the chain). Facilities come in by bulk import too, which audits the batch.
ENTITIES: dict[str, tuple[type, str | None]] = {
    "facility": (Facility, "active"),
    "permit": (Permit, None),
    "shipment": (Shipment, None),
    # A role raised to admin by hand is a privilege no one granted.
    "user": (User, None),
}
# Shown in full; past this many only the count goes on (the first ones are what to look at).
MAX_LISTED = 1000


@dataclass(frozen=True)
class Problem:
    entity: str
    id: int
    field: str | None
    chain: Any
    live: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "field": self.field,
                "chain": self.chain, "live": self.live, "problem": self.message}

    def public(self) -> str:
        """The finding without the values (the public register shows no personal data), as a
        Message: the certificate and the verification page say it in the reader's language."""
        entity = Message(_ENTITIES[self.entity]) if self.entity in _ENTITIES else self.entity
        if self.field is not None:
            return Message(_DIFFERS, {"entity": entity, "id": self.id, "field": self.field})
        if self.live is None and self.chain == "recorded":
            return Message(_ROW_GONE, {"entity": entity, "id": self.id})
        if self.chain is None and self.live == "present":
            return Message(_NOT_AUDITED, {"entity": entity, "id": self.id})
        return self.message


# The public findings' sentences (their English is what they always said).
_ENTITIES = {name: define(f"livestate.entity.{name}", word) for name, word in (
    ("facility", N_("facility")), ("permit", N_("permit")), ("shipment", N_("shipment")),
    ("user", N_("user")), ("decision", N_("decision")))}
_DIFFERS = define("livestate.differs", N_("%(entity)s %(id)s: the live %(field)s differs from the record"))
_ROW_GONE = define("livestate.row_gone", N_("%(entity)s %(id)s is in the audit chain but its row is gone"))
_NOT_AUDITED = define("livestate.not_audited",
                      N_("%(entity)s %(id)s has no audit entry: it was not made through Parity"))


@dataclass
class Findings:
    problems: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)


# --- folding the chain --------------------------------------------------------------------------

def fold(afters: Iterable[dict | None]) -> dict[str, Any]:
    """What a record must hold after these entries: each entry's values over the ones before."""
    state: dict[str, Any] = {}
    for after in afters:
        if after:
            state.update(after)
    return state


def _chain_states(session: Session, entity: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(id, folded state) for every `entity` the chain names, in id order."""
    # Digit strings in (length, text) order are in numeric order, with no cast to fail on a
    # tampered id; an id that is not a number is skipped here (the hash check names its entry).
    # Core, not the ORM: a million plain rows without the ORM's loading around each.
    rows = _streamed(session,
        select(AuditEntry.entity_id, AuditEntry.after).where(AuditEntry.entity == entity)
        .order_by(func.length(AuditEntry.entity_id), AuditEntry.entity_id, AuditEntry.seq))
    current, state = None, {}
    for entity_id, after in rows:
        if current is not None and entity_id != current:
            if current.isdigit():
                yield int(current), state
            state = {}
        current = entity_id
        if after:
            state.update(after)
    if current is not None and current.isdigit():
        yield int(current), state


def _live_rows(session: Session, model: type) -> Iterator[tuple[int, dict[str, Any]]]:
    table = model.__table__
    rows = _streamed(session, select(table).order_by(table.c.id))
    for row in rows:
        values = row._asdict()
        yield values["id"], values


def _streamed(session: Session, statement):
    """`statement`'s rows on the session's connection, read in batches of BATCH rows."""
    # The option goes on the statement, not the connection: Connection.execution_options()
    # changes the connection in place, and every later statement in the session's transaction
    # would then open a server-side cursor on PostgreSQL (an INSERT cannot).
    return session.connection().execute(statement.execution_options(yield_per=BATCH))


def _merge(chain: Iterator[tuple[int, Any]], live: Iterator[tuple[int, Any]]):
    """(id, chain state or None, live row or None), in id order."""
    sentinel = (None, None)
    c, lv = next(chain, sentinel), next(live, sentinel)
    while c[0] is not None or lv[0] is not None:
        if lv[0] is None or (c[0] is not None and c[0] < lv[0]):
            yield c[0], c[1], None
            c = next(chain, sentinel)
        elif c[0] is None or lv[0] < c[0]:
            yield lv[0], None, lv[1]
            lv = next(live, sentinel)
        else:
            yield c[0], c[1], lv[1]
            c, lv = next(chain, sentinel), next(live, sentinel)


# --- comparing ----------------------------------------------------------------------------------

_PLAIN = frozenset({str, int, float, bool, type(None)})


def compare(entity: str, record_id: int, expected: dict[str, Any] | None,
            live: dict[str, Any] | None, *, default_status: str | None = None) -> list[Problem]:
    """Where the live row differs from what the chain says it must hold."""
    if live is None:
        return [Problem(entity, record_id, None, "recorded", None,
                        f"{entity} {record_id} is in the audit chain but its row is gone")]
    if expected is None:
        if default_status is None:
            return [Problem(entity, record_id, None, None, "present",
                            f"{entity} {record_id} has no audit entry: it was not made through Parity")]
        expected = {}
    if "status" not in expected and default_status is not None:
        expected = {**expected, "status": default_status}
    problems = []
    for name, want in expected.items():
        if name not in live:
            continue  # not a column of this row
        have = live[name]
        if type(have) not in _PLAIN:  # a plain value is its JSON form already
            if isinstance(have, datetime):
                continue  # a timestamp (written by the clock, not the entry)
            have = _jsonable(have)
        if have != want:
            problems.append(Problem(entity, record_id, name, want, have,
                                    f"{entity} {record_id}: {name} is {have!r} but the audit chain "
                                    f"says {want!r}"))
    return problems


def _compare_table(session: Session, entity: str, findings: Findings,
                   on_state=None) -> None:
    model, default_status = ENTITIES[entity]
    for record_id, expected, live in _merge(_chain_states(session, entity), _live_rows(session, model)):
        if on_state is not None and expected is not None:
            on_state(record_id, expected)
        findings.extend(compare(entity, record_id, expected, live, default_status=default_status))


def _compare_totals(session: Session, findings: Findings, chain_totals: dict[int, list[int]]) -> None:
    """Each permit's running totals against its shipments, in the chain and in the table."""
    table_totals = {row[0]: (int(row[1] or 0), int(row[2])) for row in session.execute(
        select(Shipment.permit_id, func.sum(Shipment.quantity_kg), func.count())
        .group_by(Shipment.permit_id))}
    rows = session.execute(select(Permit.id, Permit.used_kg, Permit.shipments_used)
                           .order_by(Permit.id).execution_options(yield_per=BATCH))
    for permit_id, used_kg, shipments_used in rows:
        findings.extend(totals_problems(permit_id, used_kg, shipments_used,
                                        tuple(chain_totals.get(permit_id, (0, 0))),
                                        table_totals.get(permit_id, (0, 0))))


def totals_problems(permit_id: int, used_kg: int, shipments_used: int,
                    chain: tuple[int, int], table: tuple[int, int]) -> list[Problem]:
    problems = []
    for name, have, from_chain, from_table in (("used_kg", used_kg, chain[0], table[0]),
                                               ("shipments_used", shipments_used, chain[1], table[1])):
        if have != from_chain:
            problems.append(Problem("permit", permit_id, name, from_chain, have,
                                    f"permit {permit_id}: {name} is {have} but its shipments in the "
                                    f"audit chain add up to {from_chain}"))
        if from_table != from_chain:
            problems.append(Problem("permit", permit_id, f"shipments.{name}", from_chain, from_table,
                                    f"permit {permit_id}: its shipment rows add up to {from_table} "
                                    f"{name} but the audit chain logged {from_chain}"))
    return problems


def _compare_decisions(session: Session, findings: Findings) -> None:
    """Each decision still hashes to its record hash, and that hash is the one the chain logged."""
    logged = dict(_chain_states(session, "decision"))
    rows = session.execute(select(Decision).order_by(Decision.id).execution_options(yield_per=500))
    for (decision,) in rows:
        findings.extend(decision_problems(decision, logged.pop(decision.id, None),
                                          decisions.record_hash(decision)))
    for decision_id in logged:
        findings.add(Problem("decision", decision_id, None, "recorded", None,
                             f"decision {decision_id} is in the audit chain but its row is gone"))


def decision_problems(decision: Decision, logged: dict | None, recomputed: str) -> list[Problem]:
    problems = []
    if recomputed != decision.record_hash:
        problems.append(Problem("decision", decision.id, "record_hash", decision.record_hash, recomputed,
                                f"decision {decision.id} of permit {decision.permit_id} no longer "
                                "hashes to its record hash: it was changed after it was made"))
    # Decisions made before their hash went into the chain have no entry; the hash check stands.
    if logged is not None and logged.get("record_hash") != decision.record_hash:
        problems.append(Problem("decision", decision.id, "record_hash", logged.get("record_hash"),
                                decision.record_hash,
                                f"decision {decision.id} of permit {decision.permit_id} carries a "
                                "record hash the audit chain never logged: it was replaced"))
    return problems


def check_everything(session: Session) -> Findings:
    """Every facility, permit, shipment, user and decision against the chain."""
    findings = Findings()
    _compare_table(session, "facility", findings)
    totals: dict[int, list[int]] = {}

    def count_shipment(_shipment_id: int, expected: dict[str, Any]) -> None:
        permit_id, kg = expected.get("permit_id"), expected.get("quantity_kg")
        if isinstance(permit_id, int) and isinstance(kg, int):
            total = totals.setdefault(permit_id, [0, 0])
            total[0] += kg
            total[1] += 1

    _compare_table(session, "shipment", findings, on_state=count_shipment)
    _compare_table(session, "permit", findings)
    _compare_table(session, "user", findings)
    _compare_totals(session, findings, totals)
    _compare_decisions(session, findings)
    return findings


# --- one permit (the public verification page) ---------------------------------------------------

def _entries_of(session: Session, entity: str, ids: list[str]) -> dict[str, list[dict | None]]:
    found: dict[str, list[dict | None]] = {i: [] for i in ids}
    if ids:
        for entity_id, after in session.execute(
                select(AuditEntry.entity_id, AuditEntry.after)
                .where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids))
                .order_by(AuditEntry.seq)):
            found[entity_id].append(after)
    return found


def check_permit(session: Session, permit: Permit) -> list[Problem]:
    """One permit, its shipments, its facility and its decisions against the chain."""
    problems: list[Problem] = []
    live = Permit.__table__
    row = session.execute(select(live).where(live.c.id == permit.id)).first()
    afters = _entries_of(session, "permit", [str(permit.id)])[str(permit.id)]
    problems += compare("permit", permit.id, fold(afters) if afters else None,
                        row._asdict() if row else None)
    shipments = {r.id: r._asdict() for r in session.execute(
        select(Shipment.__table__).where(Shipment.permit_id == permit.id))}
    logged = _entries_of(session, "shipment", [str(i) for i in shipments])
    chain_kg = chain_n = 0
    for shipment_id, values in shipments.items():
        expected = fold(logged[str(shipment_id)]) if logged[str(shipment_id)] else None
        problems += compare("shipment", shipment_id, expected, values)
        if expected and isinstance(expected.get("quantity_kg"), int):
            chain_kg, chain_n = chain_kg + expected["quantity_kg"], chain_n + 1
    table = (sum(v["quantity_kg"] for v in shipments.values()), len(shipments))
    problems += totals_problems(permit.id, permit.used_kg, permit.shipments_used,
                                (chain_kg, chain_n), table)
    facility = session.get(Facility, permit.receiving_facility_id)
    if facility is not None:
        facility_afters = _entries_of(session, "facility", [str(facility.id)])[str(facility.id)]
        problems += [p for p in compare("facility", facility.id, fold(facility_afters),
                                        {"status": facility.status}, default_status="active")]
    standing = decisions.current_decision(session, permit.id)
    if standing is not None and row is not None:
        problems += terms_problems(permit.id, decisions.live_terms(permit), standing.terms)
    history = decisions.history(session, permit.id)
    logged_decisions = _entries_of(session, "decision", [str(d.id) for d in history])
    for decision in history:
        entries = logged_decisions[str(decision.id)]
        problems += decision_problems(decision, fold(entries) if entries else None,
                                      decisions.record_hash(decision))
    return problems


def terms_problems(permit_id: int, live: dict[str, Any], decided: dict[str, Any]) -> list[Problem]:
    """The live permit's terms against those of the decision record it stands on."""
    return [Problem("permit", permit_id, name, want, live.get(name),
                    f"permit {permit_id}: {name} is {live.get(name)!r} but the decision record "
                    f"says {want!r}")
            for name, want in decided.items() if live.get(name) != want]
