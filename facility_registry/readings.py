"""The readings a check weighs: a facility's standing evidence per standard, as Readings.

Standing means not superseded, not rejected and not recorded as corrected. For a limit, the
newest verified and the newest self-reported entry (a newer self-reported limit may be worse:
bad news counts at once). For a measurement, every entry inside the widest freshness window,
plus the newest verified and self-reported ones before it (to say since when it is stale).
Averages a rule defines over several tests are computed from the tests (`standards.averaging`).
Evidence for many facilities is read in one windowed query per chunk.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Date, and_, bindparam, func, or_, select

from facility_registry.models import Evidence
from facility_registry.queries import not_superseded
from standards.averaging import OVER_MONTHS, averages_of_tests
from standards.equivalence import Reading, freshness_cutoff

CHUNK = 500  # facility ids per evidence query: well under every driver's parameter limit

Key = tuple[int, str, str]  # (facility id, standard code, kind)


def standing_readings(session, facility_ids: Sequence[int], standards: Iterable,
                      on: date) -> dict[Key, list[Reading]]:
    """(facility, standard, kind) → the Readings observed on or before `on` that count."""
    standards = list(standards)
    practices = {s.code for s in standards if s.direction == "required"}
    computed = [s for s in standards if getattr(s, "computed_from", None)]
    codes = sorted({s.code for s in standards} | {s.computed_from for s in computed})
    found: dict[Key, list[Reading]] = {}
    if not codes:
        return found
    since = min(freshness_cutoff(on, s.freshness_months) for s in standards)
    if computed:  # a test's average reaches back over the six months before it
        since = freshness_cutoff(since, OVER_MONTHS)
    for start in range(0, len(facility_ids), CHUNK):
        chunk = list(facility_ids[start:start + CHUNK])
        parameters = {"facility_ids": chunk, "codes": codes, "on": on, "since": since}
        for row in session.connection().execute(_statement(), parameters):
            code = row.standard_code
            # A practice is stored as 1.0/0.0; the comparison wants True/False.
            value = row.value == 1.0 if code in practices else row.value
            found.setdefault((row.facility_id, code, row.kind), []).append(Reading(
                value=value, unit=row.unit, basis=row.basis, observed_on=row.observed_on,
                verified=bool(row.verified), evidence_id=row.id, source=row.source,
                comparator=row.comparator, shift_hours=row.shift_hours, subject=row.subject,
                instrument=row.instrument))
    for standard in computed:
        _add_averages(found, standard)
    return found


def _add_averages(found: dict[Key, list[Reading]], standard) -> None:
    for (facility_id, code, kind), tests in list(found.items()):
        if code != standard.computed_from or kind != "measurement":
            continue
        same_unit = [t for t in tests if t.unit == standard.unit]
        averages = averages_of_tests(same_unit, basis=standard.basis)
        if averages:
            found.setdefault((facility_id, standard.code, "measurement"), []).extend(averages)


@functools.cache
def _statement():
    # Built once: constructing this statement costs more than running it for one facility.
    rank = func.row_number().over(
        partition_by=(Evidence.facility_id, Evidence.standard_code, Evidence.kind,
                      Evidence.verified),
        order_by=(Evidence.observed_on.desc(), Evidence.id.desc()),
    ).label("rank")
    ranked = (
        select(Evidence.id, Evidence.facility_id, Evidence.standard_code, Evidence.kind,
               Evidence.value, Evidence.unit, Evidence.basis, Evidence.observed_on,
               Evidence.verified, Evidence.source, Evidence.comparator, Evidence.shift_hours,
               Evidence.subject, Evidence.instrument, rank)
        .where(Evidence.facility_id.in_(bindparam("facility_ids", expanding=True)),
               Evidence.standard_code.in_(bindparam("codes", expanding=True)),
               Evidence.observed_on <= bindparam("on", type_=Date),
               Evidence.rejected_at.is_(None), Evidence.corrected_at.is_(None),
               not_superseded())
        .subquery()
    )
    return select(ranked).where(or_(
        ranked.c.rank == 1,
        and_(ranked.c.kind == "measurement",
             ranked.c.observed_on >= bindparam("since", type_=Date)),
    ))
