"""Two inspectors suspending one facility at the same moment: exactly one state change."""
from __future__ import annotations

import threading

from sqlmodel import Session, func, select

from facility_registry import services
from facility_registry.models import FacilityStatusChange
from standards.errors import InvalidTransition
from tests.registry.conftest import INSPECTOR


def test_two_concurrent_suspensions_make_exactly_one_change(db, session, make_facility):
    facility = make_facility()
    session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def suspend(reason: str) -> None:
        with Session(db) as own:
            barrier.wait()
            try:
                services.suspend_facility(own, facility_id=facility.id, reason=reason, **INSPECTOR)
                own.commit()
                outcomes.append("suspended")
            except InvalidTransition:
                own.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=suspend, args=(f"inspector {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "suspended"]
    changes = session.exec(select(func.count()).select_from(FacilityStatusChange)
                           .where(FacilityStatusChange.facility_id == facility.id)).one()
    assert changes == 1
