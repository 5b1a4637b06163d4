"""Waste codes (RCRA, Basel Annexes VIII and IX) and Basel Annex IV operations, and their checks."""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, select

from standards.messages import N_, Message, define
from standards.models import OperationCode, WasteCode

__all__ = [
    "consistency_problems",
    "is_interim",
    "listing_codes",
    "operation_codes",
    "packaged_codes",
    "validate_waste_codes",
    "waste_codes",
]

CODES_FILE = "codes.json"
SYSTEM_NAMES = {"rcra": "RCRA", "basel_annex_viii": "Basel Annex VIII", "basel_annex_ix": "Basel Annex IX"}


@functools.cache
def packaged_codes() -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """The waste-code and operation-code rows of the packaged data file, read once per process."""
    raw = json.loads(resources.files("standards.data").joinpath(CODES_FILE).read_text("utf-8"))
    return tuple(raw["waste_codes"]), tuple(raw["operation_codes"])


@functools.cache
def packaged_rules() -> dict[str, Any]:
    """The consistency rules of the packaged code list (`rules` in codes.json): the codes a
    byproduct must carry by listing, and the green-list codes a hazardous waste may not carry.
    They are data, each with its citation and why, so that a reviewer reads them beside the codes."""
    raw = json.loads(resources.files("standards.data").joinpath(CODES_FILE).read_text("utf-8"))
    return raw.get("rules") or {}


def listing_codes(byproduct: str) -> list[str]:
    """The codes `byproduct` must carry by listing (K061 for EAF dust), from codes.json's rules."""
    return [code for rule in packaged_rules().get("required", ())
            if rule.get("byproduct") == byproduct for code in rule.get("any_of") or ()]


# Consistency of the codes with the byproduct (the rules themselves are in codes.json).
MUST_CARRY = define("codes.must_carry", N_(
    "%(byproduct)s is %(codes)s by listing (%(citation)s): the waste codes must include %(codes)s"))
GREEN_LIST = define("codes.green_list", N_(
    "%(code)s is a green-list code (Basel Annex IX), for wastes that are not hazardous; a waste "
    "also coded %(hazardous)s is hazardous, and a residue derived from hazardous waste stays "
    "hazardous (%(citation)s)"))


@functools.cache
def _interim_codes() -> frozenset[str]:
    return frozenset(row["code"] for row in packaged_codes()[1] if row["interim"])


def is_interim(code: str) -> bool:
    """True for R12, R13, D13, D14 and D15: operations that only prepare waste for another one."""
    return isinstance(code, str) and code.strip().upper() in _interim_codes()


def waste_codes(session: Session) -> list[WasteCode]:
    return list(session.exec(select(WasteCode).order_by(WasteCode.system, WasteCode.code)))


def operation_codes(session: Session) -> list[OperationCode]:
    rows = session.exec(select(OperationCode)).all()
    # R before D, then by number: "R10" after "R9", not after "R1".
    return sorted(rows, key=lambda op: (op.kind != "recovery", int(op.code[1:])))


@functools.cache
def _codes_named():
    # Built once: every application checks its codes, and building the statement cost more.
    return select(WasteCode).where(WasteCode.code.in_(bindparam("codes", expanding=True)))


def validate_waste_codes(session: Session, codes: Iterable[str], byproduct: str) -> list[str | Message]:
    """Sentences naming every problem with `codes` for a shipment of `byproduct` (empty: valid):
    unknown or repeated codes, codes that do not describe it, and the consistency rules."""
    if isinstance(codes, str) or codes is None:
        return ["Waste codes must be a list of codes, e.g. [\"K061\"]."]
    given = list(codes)
    if not given:
        return ["At least one waste code is required."]
    errors: list[str] = []
    wanted: list[str] = []
    for code in given:
        if not isinstance(code, str) or not code.strip():
            errors.append(f"Waste code {code!r} is not a code.")
            continue
        normal = code.strip().upper()
        if normal in wanted:
            errors.append(f"Waste code {normal} is listed twice.")
            continue
        wanted.append(normal)
    known = {
        row.code: row
        for row in session.exec(_codes_named(), params={"codes": wanted})
    } if wanted else {}
    for code in wanted:
        row = known.get(code)
        if row is None:
            errors.append(f"Waste code {code} is not a known RCRA or Basel code.")
        elif byproduct not in row.byproducts:
            system = SYSTEM_NAMES.get(row.system, row.system)
            described = row.description.rstrip(".")
            errors.append(
                f"Waste code {code} ({system}: {described[0].lower()}{described[1:]}) "
                f"does not describe {byproduct}."
            )
    if errors:
        return errors
    return consistency_problems({code: row.system for code, row in known.items()}, byproduct)


def consistency_problems(systems: dict[str, str], byproduct: str,
                         rules: dict[str, Any] | None = None) -> list[Message]:
    """What the codes (code -> system, as given) lack or combine wrongly for `byproduct`, by the
    rules of codes.json: a listed waste must carry its listing code (EAF dust is K061), and a
    green-list code may not describe a waste that also carries a hazardous code."""
    rules = packaged_rules() if rules is None else rules
    problems: list[Message] = []
    for rule in rules.get("required", ()):
        wanted = list(rule.get("any_of") or ())
        if rule.get("byproduct") == byproduct and wanted and not set(wanted) & set(systems):
            problems.append(Message(MUST_CARRY, {"byproduct": byproduct, "codes": wanted,
                                                 "citation": rule.get("citation", "")}))
    green = rules.get("green_list") or {}
    hazardous = sorted(c for c, system in systems.items()
                       if system in (green.get("hazardous_systems") or ()))
    if hazardous:
        for code in sorted(c for c, system in systems.items() if system in (green.get("systems") or ())):
            problems.append(Message(GREEN_LIST, {"code": code, "hazardous": hazardous,
                                                 "citation": green.get("citation", "")}))
    return problems
