"""The catalogue's public pages (no sign-in): the treaties and whether each binds under the
two-of-three rule, and the foreign source instruments that binding limits cite."""
from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from permits.accounts.auth import public
from permits.catalogue.views import bp, label
from permits.core import db
from standards import instruments as instrument_register
from standards.clock import utcnow
from standards.treaties import treaty_overview

EVENT_LABELS = {
    "signature": _l("Signature"),
    "ratification": _l("Ratification"),
    "accession": _l("Accession"),
    "acceptance": _l("Acceptance"),
    "approval": _l("Approval"),
    "adherence": _l("Adherence"),
    "entry_into_force": _l("Entry into force"),
}
GAZETTES = {
    "dof": _l("Diario Oficial de la Federación (DOF)"),
    "canada_gazette_ii": _l("Canada Gazette, Part II"),
    "ontario_gazette": _l("The Ontario Gazette"),
    "ontario_revised_regulations": _l("Revised Regulations of Ontario, 1990"),
    "gazette_officielle_quebec": _l("Gazette officielle du Québec"),
}
JURISDICTIONS = {"ON": _l("Ontario"), "QC": _l("Québec")}
INSTRUMENT_KINDS = {
    "nom": _l("Official Mexican Standard (NOM)"),
    "law": _l("Law"),
    "regulation": _l("Regulation"),
}


def is_link(source: str | None) -> bool:
    return bool(source) and source.startswith(("https://", "http://"))


@bp.get("/treaties")
@public
def treaties():
    today = utcnow().date()
    return render_template(
        "catalogue/treaties.html", treaties=treaty_overview(db.session(), today), today=today,
        event_label=lambda key: label(EVENT_LABELS, key), is_link=is_link)


def reader_language() -> str:
    return str(get_locale() or "en")[:2]


def title_language(instrument) -> str:
    """The language the reader sees the official title in."""
    return "fr" if reader_language() == "fr" and instrument.title_fr else instrument.language


# Template globals (the registry's evidence tables and the checks tables show the instrument a
# limit cites, from macros imported without the page's context).
bp.add_app_template_global(title_language, "title_language")
bp.add_app_template_global(instrument_register.get_instrument, "instrument_for")


@bp.app_template_global("official_title")
def official_title(instrument) -> str:
    return instrument.title_in(reader_language())


@bp.get("/instruments")
@public
def instruments():
    return render_template(
        "catalogue/instruments.html", instruments=instrument_register.instruments(),
        kind_label=lambda key: label(INSTRUMENT_KINDS, key),
        gazette_label=lambda key: label(GAZETTES, key),
        jurisdiction_label=lambda key: label(JURISDICTIONS, key))
