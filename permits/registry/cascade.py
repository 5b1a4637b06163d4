"""What the registry's events do to permits, in the registry's own transaction.

A suspended (or revoked) facility suspends every approved permit naming it at once; a
reinstated facility's suspended permits are decided again; any change of what counts as a
facility's evidence (recorded, verified, rejected, corrected, an inspection, an import) decides
its applications and amendments under review again, and re-checks its approved and held
permits (`permits.permitting.holds`). Handlers write with the `session`
they are given and never commit.
"""
from __future__ import annotations

from sqlmodel import select

from facility_registry import events
from facility_registry.models import Facility
from facility_registry.readings import CHUNK
from permits.permitting import amendments, holds
from permits.permitting import services as permit_services
from standards.clock import utcnow


def on_facility_suspended(facility, *, session, actor_id=None, reason=None, **_):
    permit_services.suspend_for_facility(session, facility=facility, actor_id=actor_id,
                                         reason=reason)


def on_facility_reinstated(facility, *, session, actor_id=None, **_):
    permit_services.redecide_for_facility(session, facility=facility, actor_id=actor_id,
                                          today=utcnow().date())


def on_evidence_changed(_sender, *, session, facility_ids, actor_id=None, reason=None, **_):
    today = utcnow().date()
    ids = list(facility_ids)
    for start in range(0, len(ids), CHUNK):  # an import may name thousands of facilities
        chunk = ids[start:start + CHUNK]
        for facility in session.exec(select(Facility).where(Facility.id.in_(chunk))).all():
            permit_services.re_evaluate_for_facility(session, facility=facility, today=today)
            amendments.re_evaluate_for_facility(session, facility=facility, today=today)
        # Continuous equivalence: approved permits whose facility stopped meeting go on hold,
        # held ones whose facility meets again are released - in this same transaction.
        holds.recheck_for_facilities(session, chunk, today=today, actor_id=actor_id,
                                     cause=reason or "the facility's evidence changed")


events.facility_suspended.connect(on_facility_suspended, weak=False)
events.facility_reinstated.connect(on_facility_reinstated, weak=False)
events.evidence_changed.connect(on_evidence_changed, weak=False)
