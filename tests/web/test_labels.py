"""The words pages show for stored values: a check table reads what blocks a permit first,
counts verdicts, and writes amended terms the way a person would."""
from __future__ import annotations

from permits.web.labels import (
    change_text,
    kind_label,
    not_met_first,
    state_label,
    verdict_counts,
)


def _checks(*verdicts):
    return [{"standard": f"s{i}", "verdict": v} for i, v in enumerate(verdicts)]


def test_the_checks_that_hold_a_permit_back_come_first_in_their_stored_order():
    checks = _checks("meets", "no_evidence", "fails", "meets", "stale", "fails")
    ordered = [(c["standard"], c["verdict"]) for c in not_met_first(checks)]
    assert ordered == [("s2", "fails"), ("s5", "fails"), ("s4", "stale"), ("s1", "no_evidence"),
                       ("s0", "meets"), ("s3", "meets")]


def test_verdicts_are_counted_in_reading_order():
    assert verdict_counts(_checks("meets", "no_evidence", "meets", "fails")) == [
        ("fails", 1), ("no_evidence", 1), ("meets", 2)]
    assert verdict_counts([]) == []


def test_a_state_reads_as_words_and_an_unforeseen_one_as_itself(app):
    with app.test_request_context():
        assert state_label("under_review") == "under review"
        assert state_label("no_evidence") == "no evidence"
        assert state_label("awaiting_customs") == "awaiting customs"
        assert kind_label("receipt_overdue") == "receipt overdue"


def test_amended_terms_read_as_a_person_writes_them(app):
    with app.test_request_context():
        transporters = [{"name": "Rio Bravo Freight", "country": "US"},
                        {"name": "Transportes del Golfo", "country": "MX"}]
        assert change_text(transporters) == "Rio Bravo Freight (US); Transportes del Golfo (MX)"
        assert change_text(400.0) == "400"
        assert change_text([]) == "—" and change_text(None) == "—"


def test_stored_sentences_lose_the_database_s_ids(app):
    from permits.web.labels import in_words

    with app.test_request_context():
        assert in_words("violation found at inspection #12 on 2026-12-02") == \
            "violation found at inspection on 2026-12-02"
        assert in_words("the receiving facility Great Lakes Metals (id 3) is active") == \
            "the receiving facility Great Lakes Metals is active"
