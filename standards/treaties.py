"""The treaties of the catalogue: who joined each one when, and what it binds under the two-of-three rule.

Read-only. The rule itself is `standards.catalogue`'s: a `treaty` entry is in force once two of the
three countries have joined (its `treaty_accession` rows) and its own effective date has come. This
module only gathers, per treaty, what a reader needs to see that: each country's recorded steps
(signature, ratification, accession, ... with their source) from the catalogue's own `treaties`
list (`data/catalogue.json`, the one place a treaty's dates are written), the dates the rule
counts, and the entries it makes binding.

A `treaty` entry that no treaty of the register claims (its `obligations`) is shown as a treaty of
its own, named by its title, with its citation as the source: the page shows whatever is in the
catalogue, register or not.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from sqlmodel import Session, select

from standards.catalogue import standards_in_force, treaty_binding_from
from standards.messages import N_
from standards.models import Standard, TreatyAccession
from standards.vocabulary import COUNTRIES

__all__ = ["EVENTS", "JOINING_EVENTS", "Event", "Obligation", "Party", "TreatyRecord",
           "TreatyStatus", "register", "treaty_overview"]

CATALOGUE_FILE = "catalogue.json"
# The steps a country takes towards a treaty, as the depositary records them.
EVENTS = ("signature", "ratification", "accession", "acceptance", "approval", "adherence",
          "entry_into_force")
# A country has joined from the first of these (a signature alone binds it to nothing).
JOINING_EVENTS = frozenset(EVENTS) - {"signature"}

# The names of the treaties the register is meant to hold, marked so that each is translated
# (a name in the register must be one of these: tests/standards/test_treaties.py).
NAMES = (
    N_("Basel Convention on the Control of Transboundary Movements of Hazardous Wastes and "
       "their Disposal"),
    N_("Amendment to the Basel Convention (Ban Amendment)"),
    N_("Stockholm Convention on Persistent Organic Pollutants"),
    N_("Rotterdam Convention on the Prior Informed Consent Procedure for Certain Hazardous "
       "Chemicals and Pesticides in International Trade"),
    N_("Minamata Convention on Mercury"),
    N_("OECD Council Decision C(2001)107/FINAL on the control of transboundary movements of "
       "wastes destined for recovery operations"),
    N_("La Paz Agreement, Annex III: transboundary shipments of hazardous wastes and hazardous "
       "substances (United States–Mexico)"),
    N_("Agreement between Canada and the United States concerning the Transboundary Movement "
       "of Hazardous Waste (1986)"),
)


@dataclass(frozen=True, slots=True)
class Event:
    """One step of one country towards a treaty, with where it is recorded."""

    kind: str  # one of EVENTS
    on: date
    source: str


@dataclass(frozen=True, slots=True)
class TreatyRecord:
    """A treaty as the register states it."""

    code: str
    name: str
    obligations: tuple[str, ...]  # the catalogue entries (`source: treaty`) that carry it
    events: dict[str, tuple[Event, ...]]  # country -> its steps, oldest first


@dataclass(slots=True)
class Party:
    """One country's standing towards one treaty."""

    country: str
    joined_on: date | None  # the date the two-of-three rule counts (None: not joined)
    events: list[Event] = field(default_factory=list)
    source: str | None = None  # where the date comes from, when no step is recorded


@dataclass(slots=True)
class Obligation:
    """A catalogue entry a treaty carries, and whether it binds."""

    standard: Standard
    binding_from: date | None  # two countries joined and the entry took effect (None: not yet)
    in_force: bool  # binding on the day asked about (the same rule the checks apply)


@dataclass(slots=True)
class TreatyStatus:
    """One treaty on one day: who joined, whether it binds, and from when."""

    code: str
    name: str
    registered: bool  # named by the register (its name is translated), not only by an entry
    parties: list[Party]
    binding_from: date | None  # the day the second country joined (None: not two yet)
    binding: bool  # binding_from is on or before the day asked about
    obligations: list[Obligation]


# ---- the register ---------------------------------------------------------------------------


@functools.cache
def register() -> tuple[TreatyRecord, ...]:
    """The catalogue's treaties, read and checked once per process."""
    raw = json.loads(resources.files("standards.data").joinpath(CATALOGUE_FILE).read_text("utf-8"))
    return parse_register(from_catalogue(raw.get("treaties") or []))


def from_catalogue(treaties: list[dict[str, Any]]) -> dict[str, Any]:
    """The catalogue's treaty list in the register's form. The catalogue records, per country,
    the day the treaty came into force for it (`joined_on`) and where that is read (`source`):
    one step each, the one the two-of-three rule counts (none where the date was not read)."""
    return {"treaties": [
        {"code": treaty.get("code"), "name": treaty.get("title"),
         "obligations": treaty.get("obligations") or [],
         "parties": {country: [{"event": "entry_into_force", "on": joined.get("joined_on"),
                                "source": joined.get("source")}]
                     for country, joined in (treaty.get("accessions") or {}).items()
                     if joined and joined.get("joined_on")}}
        for treaty in treaties]}


def parse_register(raw: dict[str, Any]) -> tuple[TreatyRecord, ...]:
    records, seen_codes, claimed = [], set(), {}
    for entry in raw.get("treaties", []):
        code = entry.get("code") or "?"

        def bad(problem: str, code=code) -> ValueError:
            return ValueError(f"treaty {code}: {problem}")

        if code in seen_codes:
            raise bad("appears twice")
        seen_codes.add(code)
        if not str(entry.get("name") or "").strip():
            raise bad("has no name")
        parties = entry.get("parties") or {}
        if set(parties) - set(COUNTRIES):
            raise bad(f"names a country other than {', '.join(COUNTRIES)}")
        events: dict[str, tuple[Event, ...]] = {}
        for country in COUNTRIES:
            steps = []
            for step in parties.get(country) or []:
                if step.get("event") not in EVENTS:
                    raise bad(f"{country}: an event must be one of {', '.join(EVENTS)}")
                if not str(step.get("source") or "").strip():
                    raise bad(f"{country} {step['event']}: no step without its source")
                try:
                    on = date.fromisoformat(step.get("on") or "")
                except ValueError:
                    raise bad(f"{country} {step['event']}: `on` must be a date") from None
                steps.append(Event(step["event"], on, step["source"].strip()))
            events[country] = tuple(sorted(steps, key=lambda e: (e.on, EVENTS.index(e.kind))))
        obligations = tuple(entry.get("obligations") or ())
        for obligation in obligations:
            if obligation in claimed:
                raise bad(f"{obligation} is already an obligation of {claimed[obligation]}")
            claimed[obligation] = code
        records.append(TreatyRecord(code, entry["name"].strip(), obligations, events))
    return tuple(records)


def joined_on(events: tuple[Event, ...] | list[Event]) -> date | None:
    """The day a country became bound by its own steps: its first step beyond a signature."""
    return min((e.on for e in events if e.kind in JOINING_EVENTS), default=None)


# ---- the overview ---------------------------------------------------------------------------


def treaty_overview(session: Session, on: date,
                    records: tuple[TreatyRecord, ...] | None = None) -> list[TreatyStatus]:
    """Every treaty of the register and every treaty entry of the catalogue, on `on`: the
    register's treaties first in its order, then the catalogue's unclaimed entries by code."""
    records = register() if records is None else records
    entries = _treaty_entries(session, on)
    accessions = _accessions(session, list(entries))
    in_force = {s.code for s in standards_in_force(session, on) if s.source == "treaty"}
    claimed: set[str] = set()
    statuses = []
    for record in records:
        obligations = [_obligation(entries[c], accessions.get(c, {}), in_force)
                       for c in record.obligations if c in entries]
        claimed.update(record.obligations)
        parties = [Party(country, joined_on(record.events[country]), list(record.events[country]))
                   for country in COUNTRIES]
        if not any(p.events for p in parties) and obligations:
            # The register names the treaty but records no step: the catalogue's dates stand.
            parties = _parties_from_catalogue(obligations[0].standard, accessions)
        statuses.append(_status(record.code, record.name, True, parties, obligations, on))
    for code in sorted(set(entries) - claimed):
        standard = entries[code]
        obligation = _obligation(standard, accessions.get(code, {}), in_force)
        statuses.append(_status(code, standard.title, False,
                                _parties_from_catalogue(standard, accessions), [obligation], on))
    return statuses


def _status(code, name, registered, parties, obligations, on) -> TreatyStatus:
    binding_from = treaty_binding_from(p.joined_on for p in parties)
    return TreatyStatus(code=code, name=name, registered=registered, parties=parties,
                        binding_from=binding_from,
                        binding=binding_from is not None and binding_from <= on,
                        obligations=obligations)


def _parties_from_catalogue(standard: Standard, accessions) -> list[Party]:
    joined = accessions.get(standard.code, {})
    return [Party(country, joined.get(country), source=standard.citation) for country in COUNTRIES]


def _obligation(standard: Standard, joined: dict[str, date | None], in_force: set[str]) -> Obligation:
    binds = treaty_binding_from(joined.values())
    return Obligation(standard=standard,
                      binding_from=None if binds is None else max(binds, standard.effective_from),
                      in_force=standard.code in in_force)


def _treaty_entries(session: Session, on: date) -> dict[str, Standard]:
    """Each treaty entry's version in force on `on`, or its first one while none is yet."""
    chosen: dict[str, Standard] = {}
    for row in session.exec(select(Standard).where(Standard.source == "treaty")
                            .order_by(Standard.code, Standard.version)):
        current = chosen.get(row.code)
        if current is None or row.effective_from <= on:
            chosen[row.code] = row
    return chosen


def _accessions(session: Session, codes: list[str]) -> dict[str, dict[str, date | None]]:
    found: dict[str, dict[str, date | None]] = {}
    if codes:
        # A corrected accession is a new version's rows: the newest version's are read last.
        for row in session.exec(select(TreatyAccession)
                                .where(TreatyAccession.standard_code.in_(codes))
                                .order_by(TreatyAccession.standard_version)):
            found.setdefault(row.standard_code, {})[row.country] = row.joined_on
    return found
