"""What the registry's events do to permits, in the registry's own transaction.

A suspended (or revoked) facility suspends every approved permit naming it at once; a
reinstated facility's suspended permits are decided again; new verified evidence decides the
facility's applications and amendments under review again. Handlers write with the `session`
they are given and never commit.
"""
from __future__ import annotations

from facility_registry import events
from permits.permitting import amendments
from permits.permitting import services as permit_services
from standards.clock import utcnow


def on_facility_suspended(facility, *, session, actor_id=None, reason=None, **_):
    permit_services.suspend_for_facility(session, facility=facility, actor_id=actor_id,
                                         reason=reason)


def on_facility_reinstated(facility, *, session, actor_id=None, **_):
    permit_services.redecide_for_facility(session, facility=facility, actor_id=actor_id,
                                          today=utcnow().date())


def on_evidence_verified(facility, *, session, **_):
    today = utcnow().date()
    permit_services.re_evaluate_for_facility(session, facility=facility, today=today)
    amendments.re_evaluate_for_facility(session, facility=facility, today=today)


events.facility_suspended.connect(on_facility_suspended, weak=False)
events.facility_reinstated.connect(on_facility_reinstated, weak=False)
events.evidence_verified.connect(on_evidence_verified, weak=False)
