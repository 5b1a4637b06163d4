"""Field rules shared by the services and the importer: identifiers, codes, dates, numbers.

Each rule returns a clean value or raises `ValidationFailed` naming its field, so that a form,
the API and a CSV line all report the same sentence.
"""
from __future__ import annotations

import math
import re
from datetime import date

from standards import problems
from standards.errors import ValidationFailed
from standards.messages import N_, Message, define
from standards.vocabulary import COUNTRIES, epa_id_problem

# SEMARNAT's environmental registration number (NRA) and the provinces' generator/receiver
# registration numbers have no published format we could confirm, so they are checked only
# for a plausible shape: letters, digits and the separators they are printed with.
_REGISTRY_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]{2,39}$")

# The identifier each country's receiving facilities must have.
NATIONAL_IDENTIFIER = {"US": "epa_id", "MX": "semarnat_nra", "CA": "canada_id"}


def fail(field: str, message: Message | str) -> ValidationFailed:
    return ValidationFailed(problems.on_field(field, message), {field: [message]})


def text(value, field: str, *, max_length: int, required: bool = True) -> str | None:
    clean = ("" if value is None else str(value)).strip()
    if not clean:
        if required:
            raise fail(field, problems.problem(problems.REQUIRED))
        return None
    if len(clean) > max_length:
        raise fail(field, problems.problem(problems.TOO_LONG, max=max_length))
    return clean


def country(value) -> str:
    clean = (text(value, "country", max_length=2) or "").upper()
    if clean not in COUNTRIES:
        raise fail("country", problems.problem(problems.ONE_OF, choices=", ".join(COUNTRIES)))
    return clean


def epa_id(value) -> str | None:
    clean = text(value, "epa_id", max_length=40, required=False)
    if clean is None:
        return None
    clean = clean.upper().replace("-", "").replace(" ", "")
    problem = epa_id_problem(clean)
    if problem:
        raise fail("epa_id", problem)
    return clean


def registry_number(value, field: str) -> str | None:
    clean = text(value, field, max_length=40, required=False)
    if clean is None:
        return None
    clean = clean.upper()
    if not _REGISTRY_NUMBER.match(clean):
        raise fail(field, Message.of("registry.number_shape", N_(
            "must be 3 to 40 letters or digits (spaces, '.', '/' and '-' allowed)")))
    return clean


_UNKNOWN = {"operations": define("registry.unknown_operation", N_("%(item)s is not a known operation code")),
            "accepts": define("registry.unknown_byproduct", N_("%(item)s is not a known byproduct")),
            "processes": define("registry.unknown_process",
                                N_("%(item)s is not a known receiving process"))}


def code_list(values, field: str, known: set[str] | frozenset[str], *, what: str) -> list[str]:
    """A list of codes from a list or a comma/space/semicolon separated string, deduplicated."""
    if values is None:
        values = []
    if isinstance(values, str):
        values = [v for v in re.split(r"[\s,;|]+", values) if v]
    if not isinstance(values, list | tuple):
        raise fail(field, problems.problem(problems.LIST))
    clean: list[str] = []
    for raw in values:
        item = str(raw).strip()
        if field == "operations":
            item = item.upper()
        if item not in known:
            said = _UNKNOWN.get(field) or Message.of("registry.unknown_code", N_(
                "%(item)s is not a known %(what)s"), what=what).code
            raise fail(field, Message(said, {"item": item or "(empty)", "what": what}))
        if item not in clean:
            clean.append(item)
    return clean


def number(value, field: str, *, minimum: float | None = 0.0, allow_equal: bool = True) -> float:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise fail(field, problems.problem(problems.NUMBER))
    try:
        clean = float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise fail(field, problems.problem(problems.NUMBER)) from None
    if not math.isfinite(clean):
        raise fail(field, problems.problem(problems.FINITE))
    if minimum is not None and (clean < minimum or (clean == minimum and not allow_equal)):
        said = problems.AT_LEAST if allow_equal else problems.GREATER_THAN
        raise fail(field, problems.problem(said, minimum=minimum))
    return clean


def boolean(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    clean = str(value).strip().lower() if value is not None else ""
    if clean in {"true", "yes", "1", "y"}:
        return True
    if clean in {"false", "no", "0", "n"}:
        return False
    raise fail(field, problems.problem(problems.BOOLEAN))


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> date:
    """`YYYY-MM-DD` and nothing else; raises ValueError.

    `date.fromisoformat` also takes "20261101" and week dates ("2026-W01-1"): the contract
    fixes one spelling, so a record never depends on which one a client happened to send.
    """
    clean = text.strip()
    if not _ISO_DATE.fullmatch(clean):
        raise ValueError(f"{text!r} is not a date as YYYY-MM-DD")
    return date.fromisoformat(clean)


def past_date(value, field: str, *, today: date) -> date:
    """A date that has happened: evidence and inspections are never dated in the future."""
    if isinstance(value, date):
        clean = value
    else:
        try:
            clean = iso_date(str(value or ""))
        except ValueError:
            raise fail(field, problems.problem(problems.DATE)) from None
    if clean > today:
        raise fail(field, problems.problem(problems.NOT_FUTURE))
    return clean


def collect(checks: dict[str, callable]) -> dict:
    """Run each field's rule and raise once with every field's message, not just the first."""
    clean, errors = {}, {}
    for field, rule in checks.items():
        try:
            clean[field] = rule()
        except ValidationFailed as exc:
            gather(errors, exc)
    raise_all(errors)
    return clean


def gather(errors: dict[str, list[str]], failure: ValidationFailed) -> None:
    """Add a failure's messages to `errors`, field by field."""
    for name, messages in failure.fields.items():
        errors.setdefault(name, []).extend(messages)


def raise_all(errors: dict[str, list[str]]) -> None:
    """Raise one `ValidationFailed` naming every field in `errors` (nothing when empty)."""
    if errors:
        raise ValidationFailed(problems.summary(errors), errors)
