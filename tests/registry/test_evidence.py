"""Evidence: converted once, never edited, corrected by supersession, verified by inspectors."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from facility_registry import services
from facility_registry.evidence import history
from facility_registry.models import Evidence
from standards.errors import (
    InvalidTransition,
    NotAllowed,
    UnknownStandard,
    UnknownUnit,
    ValidationFailed,
)
from tests.registry.conftest import FACILITY_USER, INSPECTOR, LAST_MONTH, TODAY, sent

PEL = {"standard": "osha-lead-pel", "kind": "measurement", "value": 0.03, "unit": "mg/m3",
       "basis": "8h_twa", "observed_on": LAST_MONTH.isoformat(), "source": "lab report 4411"}


def record(session, facility, actor=INSPECTOR, **overrides):
    return services.record_evidence(session, facility_id=facility.id, **actor, **{**PEL, **overrides})


def test_a_value_is_converted_once_to_the_standards_unit_and_kept_as_typed(session, make_facility):
    entry = record(session, make_facility())
    assert entry.value == pytest.approx(30.0)
    assert entry.unit == "µg/m³"
    assert (entry.value_entered, entry.unit_entered) == ("0.03", "mg/m3")
    assert entry.observed_on == LAST_MONTH


def test_an_unknown_unit_is_refused_as_unknown_unit(session, make_facility):
    with pytest.raises(UnknownUnit) as caught:
        record(session, make_facility(), unit="furlongs per fortnight")
    assert caught.value.code == "unknown_unit"
    assert "unit" in caught.value.fields


def test_a_unit_of_another_dimension_cannot_be_recorded(session, make_facility):
    with pytest.raises(UnknownUnit) as caught:
        record(session, make_facility(), unit="mg/kg")
    assert "unit" in caught.value.fields


def test_an_unknown_standard_is_refused(session, make_facility):
    with pytest.raises(UnknownStandard) as caught:
        record(session, make_facility(), standard="osha-unobtainium-pel")
    assert caught.value.code == "unknown_standard"
    assert "standard" in caught.value.fields


def test_the_basis_must_be_one_the_catalogue_knows(session, make_facility):
    with pytest.raises(ValidationFailed) as caught:
        record(session, make_facility(), basis="fortnightly")
    assert "basis" in caught.value.fields


def test_evidence_cannot_be_dated_in_the_future(session, make_facility):
    with pytest.raises(ValidationFailed) as caught:
        record(session, make_facility(), observed_on=(TODAY + timedelta(days=1)).isoformat())
    assert "observed_on" in caught.value.fields


def test_a_required_practice_takes_true_or_false_and_no_unit(session, make_facility):
    facility = make_facility()
    practice = {"standard": "osha-lead-blood-surveillance", "unit": None, "basis": None}
    entry = record(session, facility, **practice, value=True)
    assert (entry.value, entry.unit, entry.value_entered) == (1.0, None, "true")
    assert record(session, facility, **practice, value="no").value == 0.0
    with pytest.raises(ValidationFailed) as caught:
        record(session, facility, **{**practice, "unit": "%"}, value=True)
    assert "unit" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        record(session, facility, **practice, value="maybe")
    assert "value" in caught.value.fields


def test_a_facility_users_entry_is_unverified(session, make_facility, signals):
    entry = record(session, make_facility(), actor=FACILITY_USER)
    assert entry.verified is False
    assert entry.entered_by_role == "facility"
    assert sent(signals, "evidence_verified") == []


def test_an_inspectors_entry_is_verified_at_once(session, make_facility, signals):
    facility = make_facility()
    entry = record(session, facility)
    assert entry.verified is True
    assert entry.verified_by_id == INSPECTOR["actor_id"]
    (sender, kwargs), = sent(signals, "evidence_verified")
    assert sender.id == facility.id


def test_an_inspector_verifies_unverified_evidence(session, make_facility, signals):
    entry = record(session, make_facility(), actor=FACILITY_USER)
    services.verify_evidence(session, evidence_id=entry.id, **INSPECTOR)
    assert entry.verified is True and entry.verified_at is not None
    assert len(sent(signals, "evidence_verified")) == 1
    with pytest.raises(InvalidTransition):
        services.verify_evidence(session, evidence_id=entry.id, **INSPECTOR)


def test_a_facility_user_cannot_verify(session, make_facility):
    entry = record(session, make_facility(), actor=FACILITY_USER)
    with pytest.raises(NotAllowed):
        services.verify_evidence(session, evidence_id=entry.id, **FACILITY_USER)


def test_a_correction_supersedes_and_the_old_entry_stays_unchanged(session, make_facility):
    facility = make_facility()
    old = record(session, facility, value=0.09)
    new = services.supersede_evidence(session, evidence_id=old.id, reason="transcription error",
                                      value=0.03, unit="mg/m3", basis="8h_twa",
                                      observed_on=LAST_MONTH, source="lab report 4411 rev 1",
                                      **INSPECTOR)
    session.expire_all()
    stored_old = session.get(Evidence, old.id)
    assert stored_old.value == pytest.approx(90.0)  # never updated
    assert new.supersedes_id == old.id and new.correction_reason == "transcription error"
    assert {e.id: by for e, by in history(session, facility.id)} == {old.id: new.id, new.id: None}
    assert len(session.exec(select(Evidence)).all()) == 2  # nothing deleted


def test_an_entry_is_corrected_only_once(session, make_facility):
    old = record(session, make_facility())
    body = {k: v for k, v in PEL.items() if k not in ("standard", "kind")}
    services.supersede_evidence(session, evidence_id=old.id, reason="first", **body, **INSPECTOR)
    with pytest.raises(InvalidTransition):
        services.supersede_evidence(session, evidence_id=old.id, reason="second", **body,
                                    **INSPECTOR)


def test_a_correction_needs_a_reason_and_keeps_the_standard(session, make_facility):
    old = record(session, make_facility())
    body = {k: v for k, v in PEL.items() if k not in ("standard", "kind")}
    with pytest.raises(ValidationFailed) as caught:
        services.supersede_evidence(session, evidence_id=old.id, reason=" ", **body, **INSPECTOR)
    assert "reason" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.supersede_evidence(session, evidence_id=old.id, reason="x", **body,
                                    standard="osha-cadmium-pel", **INSPECTOR)
    assert "standard" in caught.value.fields


def test_a_facility_users_correction_is_unverified_again(session, make_facility):
    old = record(session, make_facility())
    body = {k: v for k, v in PEL.items() if k not in ("standard", "kind")}
    new = services.supersede_evidence(session, evidence_id=old.id, reason="re-sampled", **body,
                                      **FACILITY_USER)
    assert new.verified is False


def test_a_superseded_entry_cannot_be_verified(session, make_facility):
    old = record(session, make_facility(), actor=FACILITY_USER)
    body = {k: v for k, v in PEL.items() if k not in ("standard", "kind")}
    services.supersede_evidence(session, evidence_id=old.id, reason="typo", **body, **FACILITY_USER)
    with pytest.raises(InvalidTransition):
        services.verify_evidence(session, evidence_id=old.id, **INSPECTOR)


def test_the_unverified_queue_lists_standing_unverified_entries(session, make_facility):
    facility = make_facility()
    waiting = record(session, facility, actor=FACILITY_USER)
    record(session, facility)  # verified: not in the queue
    corrected = record(session, facility, actor=FACILITY_USER, value=0.5)
    body = {k: v for k, v in PEL.items() if k not in ("standard", "kind")}
    correction = services.supersede_evidence(session, evidence_id=corrected.id, reason="typo",
                                             **body, **FACILITY_USER)
    rows, total = services.unverified_queue(session)
    assert [entry.id for entry, _facility in rows] == [waiting.id, correction.id]
    assert total == 2
