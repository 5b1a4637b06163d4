"""The finder's answer pinned on a small world: which facilities are eligible, in which order,
and each other one's reasons, the same whether the verdicts come from stored standings or are
computed afresh, and the same as `check_facility` says of each facility on its own."""
from __future__ import annotations

from sqlmodel import delete

from facility_registry.eligibility import check_facility, find_facilities
from facility_registry.models import Facility, FacilityStanding
from tests.registry.conftest import TODAY, record_passing

PEL = "osha-lead-pel"


def _world(session, make_facility):
    made = {}
    made["good"] = make_facility("US", name="A Good One")
    record_passing(session, made["good"], "eaf_dust")
    made["kiln"] = make_facility("MX", name="B Kiln", processes=["metals_recovery_kiln"])
    record_passing(session, made["kiln"], "eaf_dust")
    made["lacking"] = make_facility("CA", name="C Lacking")
    record_passing(session, made["lacking"], "eaf_dust", skip={PEL})
    made["bare"] = make_facility("US", name="D Bare")  # no evidence at all
    made["refusing"] = make_facility("MX", name="E Refusing", accepts=["slag"])
    made["no_r4"] = make_facility("MX", name="F Disposal", operations=["D10"], accepts=["eaf_dust"])
    made["suspended"] = make_facility("US", name="G Suspended", accepts=["slag"])
    record_passing(session, made["suspended"], "eaf_dust")
    session.get(Facility, made["suspended"].id).status = "suspended"
    made["twin"] = make_facility("US", name="A Good One")  # same name: the id orders them
    record_passing(session, made["twin"], "eaf_dust")
    session.flush()
    return made


def _answer(found) -> tuple[list[int], list[tuple[int, list[str]]]]:
    return ([row.id for row, reasons in found.eligible if not reasons],
            [(row.id, [str(r) for r in reasons]) for row, reasons in found.ineligible])


def test_the_finders_answer_on_a_small_world(session, make_facility):
    made = _world(session, make_facility)
    ids = {name: f.id for name, f in made.items()}
    found = find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY)
    eligible, ineligible = _answer(found)
    assert eligible == [ids["good"], ids["twin"], ids["kiln"]]
    assert [fid for fid, _ in ineligible] == [ids["lacking"], ids["bare"], ids["refusing"],
                                              ids["no_r4"], ids["suspended"]]
    why = dict(ineligible)
    assert why[ids["lacking"]] == [f"{PEL}: no_evidence"]
    assert why[ids["bare"]] and all(r.endswith(": no_evidence") for r in why[ids["bare"]])
    assert why[ids["refusing"]] == ["the facility does not accept eaf_dust"]
    assert why[ids["no_r4"]] == ["the facility does not perform operation R4"]
    assert why[ids["suspended"]] == ["the facility is suspended",
                                     "the facility does not accept eaf_dust"]
    # The rows carry what the pages and the API show.
    first = found.eligible[0][0]
    assert (first.id, first.name, first.country, first.status) == (ids["good"], "A Good One", "US", "active")

    # Computed afresh (no stored standings), the answer is the same.
    session.exec(delete(FacilityStanding))
    session.flush()
    assert _answer(find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY)) == \
        (eligible, ineligible)

    # And each facility's verdict is what check_facility says of it alone.
    for name, facility in made.items():
        alone = check_facility(session, session.get(Facility, facility.id), "eaf_dust", TODAY,
                               operation="R4")
        assert alone.eligible == (facility.id in eligible), name
        if facility.id in why:
            # The registry's own reasons when there are any (the checks are then not shown),
            # otherwise each check that does not meet.
            assert why[facility.id] == ([str(r) for r in alone.reasons] or [
                f"{c.standard}: {c.verdict}" for c in alone.checks if c.verdict != "meets"]), name


def test_the_finders_lists_read_like_lists(session, make_facility):
    made = _world(session, make_facility)
    found = find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY)
    listed = list(found.ineligible)
    assert len(found.ineligible) == len(listed) == 5
    assert found.ineligible == listed and found.ineligible[1:3] == listed[1:3]
    assert found.ineligible[-1] == listed[4] and found.ineligible[-1][0].id == made["suspended"].id
    assert found.ineligible[10:] == [] and found.eligible[0][1] == []
    assert found.eligible != found.ineligible
    country = find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY, country="CA")
    assert country.eligible == [] and [row.id for row, _ in country.ineligible] == [made["lacking"].id]
