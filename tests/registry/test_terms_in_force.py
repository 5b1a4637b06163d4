"""The standards in force are compiled once per catalogue: remembered while the witness
facility's equivalence stamp is unchanged, read again after any change to the catalogue."""
from __future__ import annotations

from facility_registry.eligibility import _IN_FORCE, check_facility, terms_in_force
from standards import clock
from standards.catalogue import add_version
from tests.helpers import make_facility

PEL = "osha-lead-pel"


def test_the_terms_are_remembered_until_the_catalogue_changes(session):
    _IN_FORCE.clear()
    today = clock.today()
    first = make_facility(session, "MX")
    other = make_facility(session, "MX")
    terms = terms_in_force(session, today, "eaf_dust", witness=first.id)
    # Asked again, through another facility: the same compiled list, not read again.
    assert terms_in_force(session, today, "eaf_dust", witness=other.id) is terms
    old = next(t for t in terms if t.code == PEL)
    add_version(session, code=PEL, value=40.0, unit="µg/m³", effective_from=today,
                citation="a stricter PEL, for this test")
    fresh = terms_in_force(session, today, "eaf_dust", witness=other.id)
    assert fresh is not terms
    assert next(t for t in fresh if t.code == PEL).version == old.version + 1
    # And a check reads the new version.
    check = next(c for c in check_facility(session, other, "eaf_dust", today).checks
                 if c.standard == PEL)
    assert (check.version, check.us_limit["value"]) == (old.version + 1, 40.0)


def test_a_stamp_the_caller_read_is_trusted_and_not_read_again(session, db):
    """`stamps`: what the caller read in its transaction (a shipment's capped UPDATE returns
    them). The witness's own stamp given, the remembered terms come without a statement; a
    stamp that no longer matches means the terms are read again."""
    from sqlalchemy import event, select

    from facility_registry.models import Facility

    _IN_FORCE.clear()
    today = clock.today()
    facility = make_facility(session, "MX")
    session.flush()
    stamp = session.execute(select(Facility.equivalence_stamp).where(Facility.id == facility.id)).scalar()
    assert stamp is not None
    terms = terms_in_force(session, today, "eaf_dust", witness=facility.id)
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    event.listen(db, "before_cursor_execute", count)
    try:
        assert terms_in_force(session, today, "eaf_dust", witness=facility.id,
                              stamps={facility.id: stamp}) is terms
        assert statements == []
        changed = terms_in_force(session, today, "eaf_dust", witness=facility.id,
                                 stamps={facility.id: stamp + 1})
    finally:
        event.remove(db, "before_cursor_execute", count)
    assert changed is not terms and statements  # read again
    assert [t.code for t in changed] == [t.code for t in terms]
