"""Waste codes (RCRA, Basel Annexes VIII and IX) and Basel Annex IV operations, and their checks."""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from sqlmodel import Session, select

from standards.models import OperationCode, WasteCode

__all__ = [
    "is_interim",
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


def validate_waste_codes(session: Session, codes: Iterable[str], byproduct: str) -> list[str]:
    """Sentences naming every problem with `codes` for a shipment of `byproduct` (empty: valid)."""
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
        for row in session.exec(select(WasteCode).where(WasteCode.code.in_(wanted)))
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
    return errors
