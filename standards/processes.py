"""Receiving processes: what a plant does with what it receives, which decides the U.S. rules
that govern it (DOMAIN.md, "Standards apply to the receiving process").

The list is data, the top-level `processes` of the packaged catalogue: each with a code, a
title, a description and `derived_from` — the byproducts (`accepts`) and Basel Annex IV
operations (`operations`) from which a facility that declares no process is taken to run it.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from standards.errors import CatalogueError

__all__ = ["Process", "derive_processes", "parse_processes", "process_codes", "processes"]

CATALOGUE_FILE = "catalogue.json"


@dataclass(frozen=True)
class Process:
    code: str
    title: str
    description: str
    # Derivation: the facility accepts one of `accepts` AND performs one of `operations`
    # (an empty list asks nothing of that side). Both empty: never derived, only declared.
    accepts: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()

    def derived_for(self, accepts: Iterable[str], operations: Iterable[str]) -> bool:
        if not self.accepts and not self.operations:
            return False
        takes = not self.accepts or bool(set(self.accepts) & set(accepts or ()))
        does = not self.operations or bool(set(self.operations) & {str(o).upper() for o in operations or ()})
        return takes and does

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "description": self.description,
                "derived_from": {"accepts": list(self.accepts), "operations": list(self.operations)}}


def parse_processes(entries: Any) -> tuple[Process, ...]:
    """The `processes` list of a catalogue, checked; raises CatalogueError naming the bad entry."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise CatalogueError("catalogue: processes must be a list")
    seen: set[str] = set()
    parsed = []
    for entry in entries:
        code = entry.get("code") if isinstance(entry, Mapping) else None
        if not isinstance(code, str) or not code.strip() or code in seen:
            raise CatalogueError(f"catalogue: process {code!r} has no code or appears twice")
        seen.add(code)
        derived = entry.get("derived_from") or {}
        accepts, operations = derived.get("accepts") or [], derived.get("operations") or []
        if not all(isinstance(x, str) for x in [*accepts, *operations]):
            raise CatalogueError(f"catalogue: process {code}: derived_from lists codes")
        if not str(entry.get("title") or "").strip():
            raise CatalogueError(f"catalogue: process {code} has no title")
        parsed.append(Process(code=code, title=entry["title"].strip(),
                              description=str(entry.get("description") or "").strip(),
                              accepts=tuple(accepts),
                              operations=tuple(o.upper() for o in operations)))
    return tuple(parsed)


@functools.cache
def processes() -> tuple[Process, ...]:
    """The packaged catalogue's receiving processes, in the catalogue's order."""
    raw = json.loads(resources.files("standards.data").joinpath(CATALOGUE_FILE).read_text("utf-8"))
    return parse_processes(raw.get("processes"))


def process_codes() -> tuple[str, ...]:
    return tuple(p.code for p in processes())


def derive_processes(accepts: Iterable[str] | None, operations: Iterable[str] | None, *,
                     catalogue: Iterable[Process] | None = None) -> list[str]:
    """The processes a facility accepting `accepts` and performing `operations` is taken to run,
    in the catalogue's order (empty when none fits: only the standards of every process apply)."""
    accepts, operations = list(accepts or ()), list(operations or ())
    return [p.code for p in (processes() if catalogue is None else catalogue)
            if p.derived_for(accepts, operations)]


def applies_to_processes(standard_processes: Iterable[str] | None,
                         facility_processes: Iterable[str] | None) -> bool:
    """A standard naming no process governs every process; otherwise one of the facility's."""
    wanted = list(standard_processes or ())
    return not wanted or bool(set(wanted) & set(facility_processes or ()))
