"""The register of foreign source instruments (NOMs, laws, regulations) that a binding limit cites.

Read-only: packaged as `data/instruments.json`, read and checked once per process. Each
instrument has its title in its official language (a bilingual Canadian one also in French) and
an English gloss, which is marked below so that pages translate it.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources

from standards.messages import N_

__all__ = ["GAZETTES", "Instrument", "get_instrument", "instruments"]

INSTRUMENTS_FILE = "instruments.json"
COUNTRIES = ("MX", "CA")
KINDS = ("nom", "law", "regulation")
GAZETTES = ("dof", "canada_gazette_ii", "ontario_gazette", "ontario_revised_regulations",
            "gazette_officielle_quebec")
LANGUAGES = ("es", "en", "fr")

# Every gloss in the register, marked for translation (a test holds the register to this list).
GLOSSES = (
    N_("Characteristics, identification procedure, classification and lists of hazardous wastes"),
    N_("Control of air emissions from secondary lead smelting"),
    N_("Environmental protection: waste incineration, operating specifications and emission "
       "limits"),
    N_("Chemical agents contaminating the workplace: recognition, evaluation and control"),
    N_("Environmental health: biological exposure indices for workers occupationally exposed to "
       "chemical substances"),
    N_("Environmental health: criterion for assessing ambient air quality with respect to lead "
       "(Pb), and the standard value for lead in ambient air"),
    N_("General Law for the Prevention and Integral Management of Waste"),
    N_("Cross-border Movement of Hazardous Waste and Hazardous Recyclable Material Regulations"),
    N_("Control of Exposure to Biological or Chemical Agents (Ontario)"),
    N_("Designated Substances (Ontario: lead, mercury, silica and others)"),
    N_("Regulation respecting occupational health and safety (Québec)"),
)


@dataclass(frozen=True, slots=True)
class Instrument:
    """One instrument as the register states it."""

    code: str  # as cited: NOM-166-SEMARNAT-2014, SOR/2021-25, ...
    country: str  # MX | CA
    jurisdiction: str  # federal, or the province (ON, QC)
    kind: str  # nom | law | regulation
    language: str  # the language of `title`
    title: str
    title_en: str  # the English gloss (translated on pages)
    authority: str  # the issuing authority, by its own name
    gazette: str  # where it was published (one of GAZETTES)
    published_on: date | None
    reference: str | None  # volume, number, decree, as the gazette gives it
    confirmed: bool  # the publication was found in a stored copy (`checked_at`)
    checked_at: str | None
    title_fr: str | None = None  # the French title of a bilingual Canadian instrument

    def title_in(self, language: str) -> str:
        """The official title, in `language` where the instrument has one in it."""
        return self.title_fr if language == "fr" and self.title_fr else self.title


@functools.cache
def _register() -> dict[str, Instrument]:
    raw = json.loads(resources.files("standards.data").joinpath(INSTRUMENTS_FILE).read_text("utf-8"))
    found: dict[str, Instrument] = {}
    for entry in raw["instruments"]:
        instrument = _instrument(entry)
        if instrument.code.upper() in found:
            raise ValueError(f"instrument {instrument.code} appears twice")
        found[instrument.code.upper()] = instrument
    return found


def _instrument(entry: dict) -> Instrument:
    code = str(entry.get("code") or "?")
    for field, allowed in (("country", COUNTRIES), ("kind", KINDS), ("gazette", GAZETTES),
                           ("language", LANGUAGES)):
        if entry.get(field) not in allowed:
            raise ValueError(f"instrument {code}: {field} must be one of {', '.join(allowed)}")
    for field in ("title", "title_en", "authority", "jurisdiction"):
        if not str(entry.get(field) or "").strip():
            raise ValueError(f"instrument {code}: {field} is missing")
    published = entry.get("published_on")
    return Instrument(
        code=code, country=entry["country"], jurisdiction=entry["jurisdiction"],
        kind=entry["kind"], language=entry["language"], title=entry["title"],
        title_en=entry["title_en"], authority=entry["authority"], gazette=entry["gazette"],
        published_on=date.fromisoformat(published) if published else None,
        reference=entry.get("reference"), confirmed=bool(entry.get("confirmed")),
        checked_at=entry.get("checked_at"), title_fr=entry.get("title_fr"))


def instruments() -> list[Instrument]:
    """Every instrument, Mexico's then Canada's, each country's in the register's order."""
    return sorted(_register().values(), key=lambda i: COUNTRIES.index(i.country))


def get_instrument(code: str | None) -> Instrument | None:
    """The instrument cited as `code` (letter case aside), or None."""
    if not isinstance(code, str):
        return None
    return _register().get(code.strip().upper())
