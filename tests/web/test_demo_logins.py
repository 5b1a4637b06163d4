"""`seed-demo` prints every login each time it runs, so nobody has to remember them."""
from __future__ import annotations

from sqlmodel import Session

from permits import demo


def test_every_demo_login_is_listed_after_a_second_seeding(demo_db, db):
    # demo_db: the demo as the run's one `seed-demo` made it (tests/conftest.py, seeded_demo).
    with Session(db, expire_on_commit=False) as session:
        assert demo.seed(session) == []  # nothing made the second time ...
        logins = demo.every_login(session)
    assert logins == demo.EVERY_LOGIN  # ... and every login still printed
    assert {role for _email, role in logins} >= {"admin", "inspector", "shipper", "facility"}
