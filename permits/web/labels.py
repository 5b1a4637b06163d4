"""The words people read for stored values: statuses, verdicts, byproducts, bases, countries,
roles and kinds, translated, as template filters for every page.

A value the tables below do not know reads as itself with spaces for underscores, so a new
status shows up legibly before anyone adds its words here.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Blueprint
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l

from standards.processes import processes

bp = Blueprint("labels", __name__)

# Every state a badge can show: permit, amendment, shipment, facility, evidence request and
# inspection statuses, decision outcomes and check verdicts. The English words are the stored
# values with spaces, so that a page reads the same in English as it always did.
STATES = {
    "draft": _l("draft"), "under_review": _l("under review"), "approved": _l("approved"),
    "denied": _l("denied"), "suspended": _l("suspended"), "on_hold": _l("on hold"), "revoked": _l("revoked"),
    "expired": _l("expired"), "withdrawn": _l("withdrawn"), "active": _l("active"),
    "meets": _l("meets"), "fails": _l("fails"), "no_evidence": _l("no evidence"),
    "stale": _l("stale"), "incomparable": _l("incomparable"), "unverified": _l("unverified"),
    "verified": _l("verified"), "rejected": _l("rejected"), "corrected": _l("corrected"),
    "in_transit": _l("in transit"), "received": _l("received"),
    "refused": _l("refused"), "recovered": _l("recovered"), "returned": _l("returned"),
    "open": _l("open"), "answered": _l("answered"), "closed": _l("closed"),
    "resolved": _l("resolved"), "compliant": _l("compliant"), "violation": _l("violation"),
    "overdue": _l("overdue"),
    # A country's consent, and a permit's as a whole.
    "interim_completed": _l("interim operation done, waiting for the final facility"),
    "final_received": _l("at the final facility"),
    "pending": _l("waiting for consent"), "granted": _l("consented"), "objected": _l("objected"),
    # Cases: their stages and outcomes.
    "screening": _l("screening"), "review_request": _l("review requested"),
    "investigation": _l("investigation"), "remediation_plan": _l("remediation plan due"),
    "remediation": _l("remediation"), "dismissed": _l("dismissed"),
    "unfounded": _l("unfounded"), "remedied": _l("remedied"),
    "violation_confirmed": _l("violation confirmed"),
    # Carbon: a report typed before the methods, and the receiving processes reported on.
    "legacy": _l("legacy, not verifiable"),
    "secondary_lead_smelting": _l("secondary lead smelting"),
    "metals_recovery_kiln": _l("metals recovery kiln"),
    "slag_processing": _l("slag processing"), "land_disposal": _l("land disposal"),
    # The steel mill's furnace that makes EAF dust: a process a facility may declare (catalogue).
    "eaf_steelmaking": _l("electric arc furnace steelmaking"),
}
BYPRODUCTS = {
    "lead_acid_battery_dust": _l("Lead-acid battery dust"),
    "eaf_dust": _l("EAF dust"),
    "slag": _l("Slag"),
}
BASES = {
    "8h_twa": _l("8-hour time-weighted average"),
    "rolling_3_month": _l("rolling 3-month mean"),
    "24h": _l("24-hour"),
    "annual": _l("annual mean"),
    "tclp": _l("TCLP extract"),
    "daily_max": _l("maximum for any one day"),
    "monthly_avg": _l("monthly average"),
    "per_test": _l("per test"),
    "average_of_last_three": _l("average of the last three tests"),
    "method_9": _l("six-minute average (EPA Method 9)"),
    "practice": _l("in place or not"),
}
# The receiving processes of the catalogue (standards.processes); one the catalogue adds later
# reads as its catalogue title until its words are added here.
PROCESSES = {
    "secondary_lead_smelting": _l("Secondary lead smelter"),
    "metals_recovery_kiln": _l("High-temperature metals recovery (Waelz kiln)"),
    "slag_processing": _l("Slag processing"),
    "land_disposal": _l("Land disposal"),
}
COUNTRIES = {"US": _l("United States"), "MX": _l("Mexico"), "CA": _l("Canada")}
ROLES = {"shipper": _l("shipper"), "inspector": _l("inspector"), "facility": _l("facility"),
         "admin": _l("administrator"), "authority": _l("competent authority")}
# Basel Annex IV in a few words each; the code stays beside the words (professionals use it).
OPERATIONS = {
    "R1": _l("use as a fuel (energy recovery)"), "R2": _l("solvent reclamation"),
    "R3": _l("recycling of organic substances"),
    "R4": _l("recycling or reclamation of metals and metal compounds"),
    "R5": _l("recycling of other inorganic materials"), "R6": _l("regeneration of acids or bases"),
    "R7": _l("recovery of pollution-abatement components"),
    "R8": _l("recovery of catalyst components"), "R9": _l("used oil re-refining"),
    "R10": _l("land treatment benefiting agriculture"),
    "R11": _l("use of residuals from R1–R10"), "R12": _l("exchange for R1–R11 (interim)"),
    "R13": _l("storage pending R1–R12 (interim)"),
    "D1": _l("deposit into or onto land"), "D2": _l("land treatment"),
    "D3": _l("deep injection"), "D4": _l("surface impoundment"),
    "D5": _l("specially engineered landfill"), "D6": _l("release into water"),
    "D7": _l("release into seas or oceans"), "D8": _l("biological treatment"),
    "D9": _l("physico-chemical treatment"), "D10": _l("incineration on land"),
    "D11": _l("incineration at sea"), "D12": _l("permanent storage"),
    "D13": _l("blending before D1–D12 (interim)"), "D14": _l("repackaging before D1–D13 (interim)"),
    "D15": _l("storage pending D1–D14 (interim)"),
}
# Kinds of things: evidence, decisions, missed deadlines, report triggers.
KINDS = {
    "limit": _l("binding limit"), "measurement": _l("measurement"),
    "submission": _l("submission"), "re_evaluation": _l("re-evaluation"),
    "inspector_approval": _l("approval by an inspector"),
    "inspector_denial": _l("denial by an inspector"), "amendment": _l("amendment"),
    "reinstatement": _l("reinstatement of the facility"),
    "receipt_overdue": _l("receipt overdue"), "recovery_overdue": _l("recovery overdue"),
    "return_overdue": _l("return overdue"), "return_reported": _l("return reported"),
    "final_recovery_overdue": _l("final recovery overdue"),
    "scheduler": _l("scheduler"), "cli": _l("command line"), "web": _l("web page"),
    "importing": _l("importing country"), "transit": _l("transit country"),
    "consent": _l("consent"), "objection": _l("objection"),
    "authority": _l("by the authority"), "paper": _l("from paper, recorded by an inspector"),
    "tacit": _l("tacit (no objection within 30 days)"),
    # Cases: allegation categories, where a case came from, how a review is made, decisions.
    "environmental": _l("environmental"), "occupational": _l("occupational"),
    "petition": _l("public petition"), "inspection": _l("inspection"),
    "evidence_request": _l("request for evidence"), "accepted": _l("accepted"),
    "review_agreed": _l("the facility's country agreed to review"),
    "no_agreement": _l("reviewed without the country's agreement"),
    "plan_set": _l("plan set"),
}
# The permit rules a decision records, by name (reports chart how often each was broken).
RULES = {
    "facility_active": _l("facility active"), "accepts_byproduct": _l("facility accepts the byproduct"),
    "performs_operation": _l("facility performs the operation"),
    "period_within_12_months": _l("period of at most 12 months"),
    "transit_within_usmca": _l("route within the United States, Mexico and Canada"),
}
# The application's fields as an amendment names them.
TERMS = {
    "quantity_tonnes": _l("Quantity (tonnes)"), "shipments_planned": _l("Shipments planned"),
    "receiving_facility_id": _l("Receiving facility"), "operation_code": _l("Operation"),
    "final_facility_id": _l("Final facility"), "final_operation_code": _l("Final operation"),
    "exit_port": _l("Exit port"), "entry_port": _l("Entry port"),
    "transit_countries": _l("Transit countries"), "transporters": _l("Transporters"),
    "route": _l("Route"), "valid_from": _l("Valid from"), "valid_to": _l("Valid to"),
    "waste_codes": _l("Waste codes"), "byproduct": _l("Byproduct"),
}
# The order a reader wants the checks in: what blocks a permit first, then what is missing.
VERDICT_ORDER = ("fails", "incomparable", "stale", "unverified", "no_evidence", "meets")


def label(words: dict, value: Any) -> str:
    """The translated word for `value`; an unforeseen one reads as itself."""
    if value is None:
        return ""
    return str(words[value]) if value in words else str(value).replace("_", " ")


def _verdict(check) -> str:
    return check["verdict"] if isinstance(check, dict) else check.verdict


@bp.app_template_filter("state_label")
def state_label(value) -> str:
    # A report's status column also holds kinds of exception ("final recovery overdue").
    return label(STATES if value in STATES or value not in KINDS else KINDS, value)


@bp.app_template_filter("byproduct_label")
def byproduct_label(value) -> str:
    return label(BYPRODUCTS, value)


@bp.app_template_filter("process_label")
def process_label(value) -> str:
    if value in PROCESSES:
        return str(PROCESSES[value])
    titles = {p.code: p.title for p in processes()}
    return titles.get(value) or label({}, value)


@bp.app_template_filter("basis_label")
def basis_label(value) -> str:
    return label(BASES, value)


@bp.app_template_filter("country_label")
def country_label(value) -> str:
    """The three countries in our words; any other ISO code by the locale's own name for it."""
    if value in COUNTRIES or not isinstance(value, str):
        return label(COUNTRIES, value)
    return territory_names().get(value.upper(), value)


def territory_names() -> dict[str, str]:
    """ISO 3166 two-letter code -> the country's name in the page's language (from CLDR)."""
    try:
        locale = Locale.parse(str(get_locale() or "en"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return {code: name for code, name in locale.territories.items()
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO")}


@bp.app_template_filter("operation_label")
def operation_label(value) -> str:
    """"R4 — recycling or reclamation of metals ...": the code first, as it is printed on papers."""
    if not value:
        return ""
    words = OPERATIONS.get(str(value).upper())
    return f"{value} — {words}" if words else str(value)


@bp.app_template_filter("data_text")
def data_text(text) -> str:
    """A text of the packaged catalogue data (a standard's title or note, a code's description),
    in the reader's language: the catalogues hold them (standards/catalogue_text.py extracts
    them); a text they do not hold (an administrator's own note) reads as stored."""
    if not text or not isinstance(text, str):
        return "" if text is None else str(text)
    return get_translations().ugettext(text)


@bp.app_template_filter("role_label")
def role_label(value) -> str:
    return label(ROLES, value)


@bp.app_template_filter("kind_label")
def kind_label(value) -> str:
    return label(KINDS, value)


@bp.app_template_filter("term_label")
def term_label(value) -> str:
    return label(TERMS, value)


# Stored sentences (decision rules, registry reasons) name values by their codes; a page
# shows them in words. An identifier in parentheses is the database's, not the reader's.
# "inspection #12" says which row; the date beside it says which inspection to a person.
_CODE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\s\(id \d+\)|\binspection #\d+")


@bp.app_template_filter("in_words")
def in_words(text) -> str:
    """A stored sentence with the codes it names (eaf_dust, no_evidence, 8h_twa) as words."""
    if text is None or text == "":
        return ""

    def word(match: re.Match) -> str:
        code = match.group(0)
        if code.startswith(" ("):
            return ""
        if code.startswith("inspection #"):
            return "inspection"
        if code in BYPRODUCTS:  # inside a sentence: "accepts lead-acid battery dust"
            name = str(BYPRODUCTS[code])
            return name if name[:2].isupper() else name[:1].lower() + name[1:]
        for table in (STATES, BASES, KINDS, RULES):
            if code in table:
                return str(table[code])
        return code.replace("_", " ")

    return _CODE.sub(word, str(text))


@bp.app_template_filter("not_met_first")
def not_met_first(checks) -> list:
    """Checks with the ones that hold a permit back first, each group in its stored order."""
    rank = {verdict: index for index, verdict in enumerate(VERDICT_ORDER)}
    return sorted(checks or [], key=lambda c: rank.get(_verdict(c), len(rank)))


@bp.app_template_filter("verdict_counts")
def verdict_counts(checks) -> list[tuple[str, int]]:
    """(verdict, how many) in reading order, only the verdicts present."""
    counts = Counter(_verdict(c) for c in checks or [])
    known = [(v, counts[v]) for v in VERDICT_ORDER if counts[v]]
    return known + sorted((v, n) for v, n in counts.items() if v not in VERDICT_ORDER)


@bp.app_template_filter("change_text")
def change_text(value) -> str:
    """An amended term's value as a person writes it: transporters as "name (country)"."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(change_text(item) for item in value)
    if isinstance(value, dict):
        if "name" in value:
            return f"{value['name']} ({value['country']})" if value.get("country") else str(value["name"])
        return "; ".join(f"{term_label(k)}: {change_text(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
