"""The catalogue's public API (no token): the treaties under the two-of-three rule, and the
register of source instruments that binding limits cite."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Day, Public
from permits.core import db
from standards import instruments as instrument_register
from standards.clock import utcnow
from standards.treaties import EVENTS, treaty_overview
from standards.vocabulary import COUNTRIES


class TreatyStep(Public):
    event: Literal[EVENTS]
    on: Day
    source: str


class TreatyParty(Public):
    country: Literal[COUNTRIES]
    joined_on: Day | None = Field(description="the date the two-of-three rule counts (null: not joined)")
    steps: list[TreatyStep]
    source: str | None = Field(description="where joined_on comes from when no step is recorded")


class TreatyObligation(Public):
    code: str
    title: str
    citation: str
    version: int
    effective_from: Day
    binding_from: Day | None = Field(description="two countries joined and the entry took effect")
    in_force: bool = Field(description="checked like a U.S. standard today")


class TreatyPublic(Public):
    code: str
    name: str
    binding: bool = Field(description="joined by at least two of the three countries today")
    binding_from: Day | None = Field(description="the day the second country joined")
    parties: list[TreatyParty]
    obligations: list[TreatyObligation]


class TreatyList(Public):
    on: Day
    items: list[TreatyPublic]


class InstrumentPublic(Public):
    code: str
    country: Literal["MX", "CA"]
    jurisdiction: str = Field(description="federal, or the province (ON, QC)")
    kind: Literal[instrument_register.KINDS]
    title: str = Field(description="in its official language (`language`)")
    title_fr: str | None = Field(description="the French title of a bilingual Canadian instrument")
    title_en: str = Field(description="an English gloss")
    language: str
    authority: str
    gazette: Literal[instrument_register.GAZETTES]
    published_on: Day | None
    reference: str | None
    confirmed: bool = Field(description="the publication was checked against a stored copy")


class InstrumentList(Public):
    items: list[InstrumentPublic]


@api.get("/v1/public/treaties")
@endpoint(is_public=True, returns=TreatyList)
def public_treaties():
    """Each treaty in the catalogue: who joined when, whether it binds under the two-of-three rule, and the obligations it makes binding (no token)"""
    today = utcnow().date()
    items = []
    for treaty in treaty_overview(db.session(), today):
        items.append({
            "code": treaty.code, "name": treaty.name, "binding": treaty.binding,
            "binding_from": treaty.binding_from,
            "parties": [{"country": p.country, "joined_on": p.joined_on, "source": p.source,
                         "steps": [{"event": e.kind, "on": e.on, "source": e.source}
                                   for e in p.events]} for p in treaty.parties],
            "obligations": [{"code": o.standard.code, "title": o.standard.title,
                             "citation": o.standard.citation, "version": o.standard.version,
                             "effective_from": o.standard.effective_from,
                             "binding_from": o.binding_from, "in_force": o.in_force}
                            for o in treaty.obligations]})
    return TreatyList.model_validate({"on": today, "items": items})


@api.get("/v1/public/instruments")
@endpoint(is_public=True, returns=InstrumentList)
def public_instruments():
    """The Mexican and Canadian instruments a binding limit may cite by code (no token)"""
    return InstrumentList.model_validate(
        {"items": [InstrumentPublic.model_validate(i, from_attributes=True)
                   for i in instrument_register.instruments()]})
