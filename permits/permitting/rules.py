"""The application itself: its terms, and the rules each field must meet before anything is decided.

`clean_application` checks every field of an application (API.md's body) and returns the
permit's column values, or raises `InvalidApplication` naming every bad field at once. Only what
an application can get wrong by itself is checked here; whatever depends on the receiving
facility or the standards is for the decision (`permits.permitting.decisions`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from facility_registry.models import Facility
from facility_registry.validation import iso_date
from permits.core.ids import is_record_id
from permits.permitting.errors import ApplicationWrongType, InvalidApplication
from standards import codes, problems
from standards.clock import add_months
from standards.messages import N_, Message
from standards.models import OperationCode
from standards.vocabulary import BYPRODUCTS, COUNTRIES, epa_id_problem, kg_to_tonnes, tonnes_to_kg

MAX_PERIOD_MONTHS = 12
MAX_TONNES = Decimal(1_000_000)
MAX_SHIPMENTS = 10_000
MAX_TRANSPORTERS = 20
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")

# Fields an application needs even as a draft: the permit's columns that cannot be empty.
DRAFT_REQUIRED = ("byproduct", "quantity_tonnes", "shipments_planned", "valid_from", "valid_to",
                  "receiving_facility_id", "operation_code")
FIELDS = (*DRAFT_REQUIRED, "waste_codes", "final_facility_id", "final_operation_code", "origin",
          "route", "transporters")
# What an amendment may change on an approved permit (the rest needs a new application).
AMENDABLE = ("quantity_tonnes", "shipments_planned", "receiving_facility_id", "operation_code",
             "final_facility_id", "final_operation_code", "route", "transporters")


@dataclass(frozen=True)
class Terms:
    """What a permit allows: the columns a decision is made on, in storage units (kg)."""

    byproduct: str
    waste_codes: list[str]
    quantity_kg: int
    shipments_planned: int
    valid_from: date
    valid_to: date
    receiving_facility_id: int
    operation_code: str
    final_facility_id: int | None = None
    final_operation_code: str | None = None
    origin: dict[str, Any] = field(default_factory=dict)
    route: dict[str, Any] = field(default_factory=dict)
    transporters: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, permit) -> Terms:
        return cls(**{name: getattr(permit, name) for name in cls.__dataclass_fields__})

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def to_record(self) -> dict[str, Any]:
        """The terms as the API names them (tonnes, ISO dates): what a decision record stores."""
        record = self.columns()
        record["quantity_tonnes"] = kg_to_tonnes(record.pop("quantity_kg"))
        record["valid_from"] = self.valid_from.isoformat()
        record["valid_to"] = self.valid_to.isoformat()
        return record

    def to_body(self) -> dict[str, Any]:
        """The terms as an application body (what `clean_application` reads back)."""
        body = self.to_record()
        return {name: value for name, value in body.items() if not _blank(value)}

    @property
    def facility_ids(self) -> list[int]:
        ids = [self.receiving_facility_id]
        if self.final_facility_id is not None and self.final_facility_id not in ids:
            ids.append(self.final_facility_id)
        return ids


def last_valid_day(valid_from: date) -> date:
    """The last day a permit starting on `valid_from` may run: just under 12 calendar months."""
    return add_months(valid_from, MAX_PERIOD_MONTHS) - timedelta(days=1)


def period_within_limit(valid_from: date, valid_to: date) -> bool:
    return valid_from <= valid_to <= last_valid_day(valid_from)


class _Bad(Exception):
    def __init__(self, message: Message, *, wrong_type: bool = False):
        super().__init__(message)
        self.message = message
        self.wrong_type = wrong_type


@dataclass
class _Errors:
    fields: dict[str, list[str]] = field(default_factory=dict)
    wrong_type: bool = False

    def add(self, name: str, message: Message, *, wrong_type: bool = False) -> None:
        self.fields.setdefault(name, []).append(message)
        self.wrong_type = self.wrong_type or wrong_type

    def run(self, name: str, rule: Callable[[], Any]) -> Any:
        try:
            return rule()
        except _Bad as bad:
            self.add(name, bad.message, wrong_type=bad.wrong_type)
            return None


def clean_application(session: Session, body: dict[str, Any], *, today: date,
                      min_notice_days: int = 0, draft: bool = False,
                      running: bool = False) -> dict[str, Any]:
    """The permit's column values from an application body, or `InvalidApplication`.

    A draft needs only `DRAFT_REQUIRED`; the other fields are checked when given. `running`
    is for an amendment of a permit already in force, whose start may lie in the past.
    """
    errors = _Errors()
    for name in sorted(set(body) - set(FIELDS)):
        errors.add(name, Message.of("application.unknown_field", N_("is not a field of an application")))
    required = set(DRAFT_REQUIRED) if draft else set(FIELDS) - {"final_facility_id",
                                                                "final_operation_code"}
    for name in FIELDS:
        if name in required and _blank(body.get(name)):
            errors.add(name, problems.problem(problems.REQUIRED))
    given = {name: body[name] for name in FIELDS if not _blank(body.get(name))}
    clean: dict[str, Any] = {}

    def take(name: str, rule: Callable[[Any], Any]) -> None:
        if name in given:
            value = errors.run(name, lambda: rule(given[name]))
            if name not in errors.fields:
                clean[name] = value

    take("byproduct", lambda v: _byproduct(session, v))
    take("quantity_tonnes", _quantity)
    take("shipments_planned", lambda v: _whole(v, 1, MAX_SHIPMENTS))
    earliest = None if running else today + timedelta(days=min_notice_days)
    take("valid_from", lambda v: _date(v, not_before=earliest, notice_days=min_notice_days))
    take("valid_to", _date)
    take("receiving_facility_id", lambda v: _facility_id(session, v))
    take("operation_code", lambda v: _operation(session, v))
    take("final_facility_id", lambda v: _facility_id(session, v))
    take("final_operation_code", lambda v: _operation(session, v))
    take("origin", lambda v: _origin(v, errors))
    take("route", lambda v: _route(v, errors))
    take("transporters", lambda v: _transporters(v, errors))
    if "waste_codes" in given:
        _waste_codes(session, given["waste_codes"], clean, errors)
    _cross_checks(clean, errors, draft=draft)
    if errors.fields:
        raise (ApplicationWrongType if errors.wrong_type else InvalidApplication)(errors.fields)
    return _columns(clean)


def _blank(value) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | dict) and not value)


def _columns(clean: dict[str, Any]) -> dict[str, Any]:
    columns = dict(clean)
    if "quantity_tonnes" in columns:
        columns["quantity_kg"] = tonnes_to_kg(columns.pop("quantity_tonnes"))
    return columns


def _text(value, *, max_length: int = 200) -> str:
    if not isinstance(value, str):
        raise _Bad(problems.problem(problems.TEXT), wrong_type=True)
    clean = value.strip()
    if not clean:
        raise _Bad(problems.problem(problems.REQUIRED))
    if len(clean) > max_length:
        raise _Bad(problems.problem(problems.TOO_LONG, max=max_length))
    return clean


def _byproduct(session: Session, value) -> str:
    clean = _text(value, max_length=60)
    if clean in BYPRODUCTS:  # the contract's: known without reading the catalogue's codes
        return clean
    known = set(BYPRODUCTS)
    for row in codes.waste_codes(session):
        known.update(row.byproducts or [])
    if clean not in known:
        raise _Bad(problems.problem(problems.ONE_OF, choices=", ".join(sorted(known))))
    return clean


def _quantity(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Bad(Message.of("application.tonnes", N_("must be a number of tonnes")), wrong_type=True)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Bad(Message.of("application.tonnes", N_("must be a number of tonnes")),
                   wrong_type=isinstance(value, int | float)) from None
    if not number.is_finite() or number <= 0:
        raise _Bad(problems.problem(problems.GREATER_THAN, minimum=0))
    # The ceiling first: quantizing 1e300 to whole kilograms overflows Decimal's precision.
    if number > MAX_TONNES:
        raise _Bad(Message.of("application.max_tonnes", N_("must be at most %(max)s tonnes"), max=int(MAX_TONNES)))
    if number != number.quantize(Decimal("0.001")):
        raise _Bad(Message.of("application.decimals", N_("may have at most 3 decimals (whole kilograms)")))
    return number


def _whole(value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(problems.problem(problems.WHOLE), wrong_type=True)
    try:
        number = int(value)
    except ValueError:
        raise _Bad(problems.problem(problems.WHOLE)) from None
    if not low <= number <= high:
        raise _Bad(problems.problem(problems.BETWEEN, low=low, high=high))
    return number


def _date(value, *, not_before: date | None = None, notice_days: int = 0) -> date:
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = iso_date(value)
        except ValueError:
            raise _Bad(Message.of("application.date", N_("is not a valid date (YYYY-MM-DD)"))) from None
    else:
        raise _Bad(Message.of("application.date_string", N_("must be a date string YYYY-MM-DD")), wrong_type=True)
    if not_before is not None and parsed < not_before:
        if notice_days:
            raise _Bad(Message.of("application.notice", N_(
                "must be on or after %(date)s (%(days)s days' notice is required)"),
                date=not_before.isoformat(), days=notice_days))
        raise _Bad(Message.of("application.past", N_("must not be in the past (today is %(date)s)"),
                              date=not_before.isoformat()))
    return parsed


# Built once, run as plain Core: whether the row exists is all an application needs to know.
_FACILITY_EXISTS = select(Facility.__table__.c.id).where(Facility.__table__.c.id == bindparam("id"))
_OPERATION_EXISTS = select(OperationCode.__table__.c.code).where(
    OperationCode.__table__.c.code == bindparam("code"))


def _facility_id(session: Session, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(Message.of("application.facility_id", N_("must be a facility id (a whole number)")), wrong_type=True)
    try:
        facility_id = int(value)
    except ValueError:
        raise _Bad(Message.of("application.facility_id", N_("must be a facility id (a whole number)"))) from None
    # An id beyond the column's range names no facility (and SQLite cannot even look it up).
    if not is_record_id(facility_id) or session.connection().execute(
            _FACILITY_EXISTS, {"id": facility_id}).first() is None:
        raise _Bad(Message.of("application.no_facility", N_("no facility with id %(id)s is registered"), id=facility_id))
    return facility_id


def _operation(session: Session, value) -> str:
    clean = _text(value, max_length=4).upper()
    if session.connection().execute(_OPERATION_EXISTS, {"code": clean}).first() is None:
        raise _Bad(Message.of("application.operation", N_("must be a Basel Annex IV operation code (R1–R13, D1–D15)")))
    return clean


def _country(value) -> str:
    clean = _text(value, max_length=2).upper()
    if not _COUNTRY_CODE.match(clean):
        raise _Bad(Message.of("application.country", N_("must be a two-letter ISO country code")))
    return clean


def _object(value) -> dict:
    if not isinstance(value, dict):
        raise _Bad(problems.problem(problems.OBJECT), wrong_type=True)
    return value


def _part(errors: _Errors, prefix: str, value: dict, name: str, rule, *, required=True):
    """One field of a nested object, its errors named `prefix.name`."""
    if _blank(value.get(name)):
        if required:
            errors.add(f"{prefix}.{name}", problems.problem(problems.REQUIRED))
        return None
    return errors.run(f"{prefix}.{name}", lambda: rule(value[name]))


def _origin(value, errors: _Errors) -> dict:
    value = _object(value)
    name = _part(errors, "origin", value, "name", _text)
    country = _part(errors, "origin", value, "country", _country)
    if country is not None and country not in COUNTRIES:
        errors.add("origin.country", Message.of("application.origin_country", N_("must be US, MX or CA (the shipment leaves one of the three)")))
    epa_id = _part(errors, "origin", value, "epa_id", _epa_id, required=country == "US")
    _unknown_keys(errors, "origin", value, {"name", "country", "epa_id", "address"})
    address = _part(errors, "origin", value, "address", lambda v: _text(v, max_length=500),
                    required=False)
    origin = {"name": name, "country": country, "epa_id": epa_id}
    if address:
        origin["address"] = address
    return origin


def _epa_id(value) -> str:
    clean = _text(value, max_length=12).upper()
    problem = epa_id_problem(clean)
    if problem:
        raise _Bad(problem)
    return clean


def _route(value, errors: _Errors) -> dict:
    value = _object(value)
    exit_port = _part(errors, "route", value, "exit_port", _text)
    entry_port = _part(errors, "route", value, "entry_port", _text)
    transit = errors.run("route.transit_countries",
                         lambda: _country_list(value.get("transit_countries", [])))
    _unknown_keys(errors, "route", value, {"exit_port", "entry_port", "transit_countries"})
    return {"exit_port": exit_port, "entry_port": entry_port, "transit_countries": transit or []}


def _country_list(value) -> list[str]:
    if not isinstance(value, list):
        raise _Bad(Message.of("application.country_list", N_("must be a list of two-letter country codes")), wrong_type=True)
    clean = [_country(item) for item in value]
    if len(set(clean)) != len(clean):
        raise _Bad(Message.of("application.country_twice", N_("lists a country twice")))
    return clean


def _transporters(value, errors: _Errors) -> list[dict]:
    if not isinstance(value, list):
        raise _Bad(Message.of("application.transporters", N_("must be a list of transporters")), wrong_type=True)
    if len(value) > MAX_TRANSPORTERS:
        raise _Bad(Message.of("application.max_transporters", N_("may list at most %(max)s"), max=MAX_TRANSPORTERS))
    clean = []
    for index, item in enumerate(value):
        prefix = f"transporters[{index}]"
        if not isinstance(item, dict):
            errors.add(prefix, Message.of("application.transporter", N_("must be an object with name and country")),
                       wrong_type=True)
            continue
        clean.append({"name": _part(errors, prefix, item, "name", _text),
                      "country": _part(errors, prefix, item, "country", _country)})
        _unknown_keys(errors, prefix, item, {"name", "country"})
    return clean


def _unknown_keys(errors: _Errors, prefix: str, value: dict, known: set[str]) -> None:
    for key in sorted(set(value) - known):
        errors.add(f"{prefix}.{key}", problems.problem(problems.UNKNOWN_FIELD))


def _waste_codes(session: Session, value, clean: dict, errors: _Errors) -> None:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        errors.add("waste_codes", Message.of("application.waste_codes", N_(
            'must be a list of codes, e.g. ["K061"]')), wrong_type=True)
        return
    byproduct = clean.get("byproduct")
    if byproduct is None:  # whether the codes describe it cannot be judged yet
        return
    problems = codes.validate_waste_codes(session, value, byproduct)
    for problem in problems:
        errors.add("waste_codes", problem)
    if not problems:
        clean["waste_codes"] = [c.strip().upper() for c in value]


def _cross_checks(clean: dict, errors: _Errors, *, draft: bool) -> None:
    valid_from, valid_to = clean.get("valid_from"), clean.get("valid_to")
    if valid_from and valid_to:
        if valid_to < valid_from:
            errors.add("valid_to", Message.of("application.valid_to_order", N_("must be on or after valid_from")))
        elif not period_within_limit(valid_from, valid_to):
            errors.add("valid_to", Message.of("application.period", N_(
                "the validity period may be at most %(months)s months (until %(date)s at the latest)"),
                months=MAX_PERIOD_MONTHS, date=last_valid_day(valid_from).isoformat()))
    operation = clean.get("operation_code")
    if operation is None:
        return
    if codes.is_interim(operation):
        for name in ("final_facility_id", "final_operation_code"):
            if not draft and name not in clean and name not in errors.fields:
                errors.add(name, Message.of("application.interim", N_(
                    "is required: %(operation)s is an interim operation, so the application "
                    "must name the final facility and operation"), operation=operation))
        final = clean.get("final_operation_code")
        if final and codes.is_interim(final):
            errors.add("final_operation_code", Message.of("application.final_interim", N_("must be a final (not interim) operation")))
    else:
        for name in ("final_facility_id", "final_operation_code"):
            if clean.get(name) is not None:
                errors.add(name, Message.of("application.not_interim", N_(
                    "only an interim operation (R12, R13, D13–D15) names one; %(operation)s is final"),
                    operation=operation))
