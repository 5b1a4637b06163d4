"""A check's reason is a message (code and parameters) beside its canonical English: the English
is what a decision record stores and hashes, worded as it always was; a page renders the
message in the reader's language; a record stored before messages still reads (in English)
and is not decided again only because it has none."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlmodel import Session

from permits.permitting import decisions
from permits.permitting import services as permit_services
from permits.permitting.decision_models import Decision
from permits.web.messages import check_reason, say
from standards.equivalence import Reading, StandardTerms, evaluate
from standards.messages import Message
from tests.helpers import make_facility, make_user
from tests.permits.conftest import BYPRODUCT, TODAY, apply, as_user, record_evidence

ON = date(2026, 6, 1)
OPACITY = StandardTerms(code="epa-eaf-control-device-opacity", version=1, value=3.0, unit="%",
                        basis="method_9", direction="max", exclusive=True)
LEAD = StandardTerms(code="osha-lead-pel", version=1, value=50.0, unit="µg/m³", basis="8h_twa",
                     direction="max", shift_adjusted=True)


def _reading(value, *, on=date(2026, 5, 1), verified=True, comparator=None, shift_hours=None,
             unit="µg/m³", basis="8h_twa", evidence_id=12):
    return Reading(value=value, unit=unit, basis=basis, observed_on=on, verified=verified,
                   evidence_id=evidence_id, comparator=comparator, shift_hours=shift_hours)


def test_the_reason_is_a_message_whose_english_is_the_stored_sentence():
    check = evaluate(OPACITY, _reading(2.5, comparator="<", unit="%", basis="method_9"),
                     [_reading(2.97, unit="%", basis="method_9"),
                      _reading(1.2, unit="%", basis="method_9", on=date(2026, 4, 1))], ON)
    assert check.verdict == "meets"
    english = ("Binding limit < 2.5% and measured 2.97% (Method 9 opacity, 2026-05-01, entry #12) "
               "are below the U.S. limit of 3%; the worst of 2 measurements since 2025-06-01.")
    assert check.reason == english == check.message.english()
    stored = check.to_dict()
    assert stored["reason"] == english and stored["message"]["code"] == "check.meets"
    assert Message.from_dict(stored["message"]).english() == english  # rebuilt from the record


@pytest.mark.parametrize(("language", "expected"), [
    ("es", "El valor medido de 72 µg/m³ (PPT de 8 h en una jornada de 10 horas, 1 may 2026, "
           "registro n.º 12, autodeclarada) supera el límite de EE. UU. de 40 µg/m³ para una "
           "jornada de 10 horas (400 ÷ 10 h)."),
    ("fr", "La valeur mesurée de 72 µg/m³ (VEMP sur 8 h sur un quart de 10 heures, 1 mai 2026, "
           "entrée nº 12, autodéclarée) est supérieure à la limite américaine de 40 µg/m³ pour un "
           "quart de 10 heures (400 ÷ 10 h)."),
])
def test_a_reader_gets_the_reason_in_their_language_with_their_dates_and_numbers(
        app, language, expected):
    check = evaluate(LEAD, _reading(40.0), _reading(72.0, verified=False, shift_hours=10), ON)
    assert check.verdict == "fails"
    assert check.reason.startswith("Measured 72 µg/m³ (8-h TWA over a 10-hour shift, 2026-05-01")
    with app.test_request_context(headers={"Accept-Language": language}):
        assert say(check.message) == expected
        assert check_reason(check.to_dict()) == expected
        # A record made before reasons were messages reads as stored.
        assert check_reason({"reason": "Measured 72 µg/m³."}) == "Measured 72 µg/m³."


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_kind_of_reason_renders_in_spanish_and_french(app, language):
    percent = {"unit": "%", "basis": "method_9"}
    cases = [
        (OPACITY, None, None),                                               # missing
        (OPACITY, _reading(2.0, **percent), None),                           # missing measurement
        (OPACITY, _reading(2.0, unit="%", basis="24h"), _reading(1.0, **percent)),  # basis
        (OPACITY, _reading(2.0, unit="ppm", basis="method_9"), _reading(1.0, **percent)),  # unit
        (OPACITY, _reading(2.0, verified=False, **percent), _reading(1.0, verified=False, **percent)),
        (OPACITY, _reading(3.0, comparator="<=", **percent), _reading(1.0, **percent)),  # permits 3%
        (OPACITY, _reading(5.0, verified=False, **percent), _reading(1.0, **percent)),  # limit worse
        (OPACITY, _reading(2.0, **percent), _reading(1.0, on=date(2025, 1, 1), **percent)),  # stale
        (OPACITY, _reading(2.0, **percent), _reading(4.0, **percent)),       # measured worse
    ]
    english = {evaluate(s, limit, measured, ON).reason for s, limit, measured in cases}
    with app.test_request_context(headers={"Accept-Language": language}):
        said = {say(evaluate(s, limit, measured, ON).message) for s, limit, measured in cases}
    assert len(said) == len(cases) and not said & english
    assert all("%(" not in text and "check." not in text for text in said)


def test_a_record_stored_without_messages_keeps_its_hash_and_is_not_decided_again(db, shipper):
    inspector = make_user(db, "inspector")
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        record_evidence(session, facility, BYPRODUCT, skip=("osha-lead-pel",))
        permit, decision = apply(session, shipper, facility.id)
        assert decision.outcome == "under_review"
        assert all("message" in c for c in decision.checks)
        # As a record made before checks carried messages: the same content, hashed again.
        session.execute(update(Decision).where(Decision.id == decision.id).values(
            checks=[{k: v for k, v in c.items() if k != "message"} for c in decision.checks],
            rules=[{k: v for k, v in r.items() if k != "message"} for r in decision.rules]))
        session.flush()
        session.expire(decision)
        old = session.get(Decision, decision.id)
        old.record_hash = decisions.record_hash(old)
        session.flush()
        assert decisions.verify(old)
        _, again = permit_services.re_evaluate(session, actor=as_user(session, inspector),
                                               permit_id=permit.id, today=TODAY, only_if_changed=True)
        assert again is None
        assert decisions.verify(session.get(Decision, decision.id))
