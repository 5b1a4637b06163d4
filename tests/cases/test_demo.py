"""The cases' step of `seed-demo`: a petition received, a case under investigation and a case
closed, on the public list with their deadlines; seeding twice adds nothing."""
from __future__ import annotations

from sqlmodel import Session, select

from facility_registry.carbon import reports_of
from facility_registry.models import Facility
from permits.cases.demo import seed_cases


def test_the_demo_has_a_petition_a_case_in_investigation_and_a_closed_case(registry_demo_db, db,
                                                                          client):
    # The registry's step as the run's one seed_registry left it, after an inspector signed up.
    with Session(db, expire_on_commit=False) as session:
        people = {"inspector": registry_demo_db.inspector}
        seed_cases(session, people)
        session.commit()
        assert seed_cases(session, people) == []
        # The registry's demo carbon: by methods, one of them waiting for an inspector.
        ids = session.exec(select(Facility.id)).all()
        statuses = {r.status for f in ids for r in reports_of(session, f)}
        assert statuses == {"verified", "unverified"}
    cases = client.get("/api/v1/public/cases").json["items"]
    assert sorted(c["stage"] for c in cases) == ["closed", "investigation", "screening"]
    closed = next(c for c in cases if c["stage"] == "closed")
    assert closed["outcome"] == "unfounded"
