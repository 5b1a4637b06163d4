"""Stored standings: each facility's last computed evidence verdict per byproduct (see
`models.FacilityStanding`). This module only reads and writes them; `eligibility` computes."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date

from sqlalchemy import String, cast, delete, insert, select
from sqlmodel import Session

from facility_registry.models import Facility, FacilityStanding


def encode_blockers(pairs: Iterable[tuple[str, str]]) -> str:
    return " ".join(f"{code}={verdict}" for code, verdict in pairs)


class StoredReasons(Sequence):
    """The stored blockers as the finder shows them ("code: verdict"), decoded only when read:
    a search lists thousands of facilities and shows fifty."""

    __slots__ = ("_blockers", "_reasons")

    def __init__(self, blockers: str):
        self._blockers, self._reasons = blockers, None

    def _decoded(self) -> list[str]:
        if self._reasons is None:
            self._reasons = [item.replace("=", ": ", 1) for item in self._blockers.split()]
        return self._reasons

    def __getitem__(self, index):
        return self._decoded()[index]

    def __len__(self) -> int:
        return len(self._decoded())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(self._decoded())

FOREVER = date(9999, 12, 31)  # no measurement to go stale: only new evidence changes the verdict


def valid_standings(session: Session, *, byproduct: str, standards_version: str | Collection[str],
                    on: date, operation: str | None = None, country: str | None = None
                    ) -> dict[int, tuple[bool, str, str]]:
    """facility id → (checks meet, blockers as stored, standards version) for standings that
    still hold on `on`, computed under one of `standards_version` (a facility's standards depend
    on its receiving processes, so the caller checks the label is its own), of active facilities
    (performing `operation`, in `country`, when given) only."""
    versions = [standards_version] if isinstance(standards_version, str) else sorted(standards_version)
    statement = (
        select(FacilityStanding.facility_id, FacilityStanding.checks_meet, FacilityStanding.blockers,
               FacilityStanding.standards_version)
        .join(Facility, Facility.id == FacilityStanding.facility_id)
        .where(FacilityStanding.byproduct == byproduct,
               FacilityStanding.standards_version.in_(versions),
               FacilityStanding.computed_on <= on, FacilityStanding.valid_until > on,
               Facility.status == "active"))
    if operation:  # the stored JSON text holds each code quoted
        statement = statement.where(cast(Facility.operations, String).contains(f'"{operation}"'))
    if country:
        statement = statement.where(Facility.country == country)
    # The driver's rows as they are (integers and text, fetched at once): a search reads
    # thousands, and SQLAlchemy's row processing cost more than the query.
    result = session.connection().execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return {fid: (bool(meets), blockers, version) for fid, meets, blockers, version in rows}


def forget(session: Session, facility_ids: Iterable[int]) -> None:
    ids = sorted(set(facility_ids))
    for start in range(0, len(ids), 500):
        session.execute(delete(FacilityStanding)
                        .where(FacilityStanding.facility_id.in_(ids[start:start + 500]))
                        .execution_options(synchronize_session=False))


def store(session: Session, facility_ids: Sequence[int], rows: list[dict]) -> None:
    """Replace the standings of `facility_ids` with `rows`."""
    forget(session, facility_ids)
    if rows:
        session.execute(insert(FacilityStanding), rows)
