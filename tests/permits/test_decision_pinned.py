"""A decision's full recorded content, pinned: every check's facility values, U.S. values, units,
verdicts and reasons, every rule, reason, evidence row and the standards label, exactly as
recorded before the decision path was made faster. A change here changes what a regulator reads.

Row ids differ between runs and databases: they are replaced by their order of appearance
(E1, E2... for evidence, F1, F2... for facilities) before comparing. Regenerate the pinned file
only for a deliberate change of the record: PARITY_REPIN=1 pytest tests/permits/test_decision_pinned.py
"""
from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from facility_registry import services as registry
from tests.helpers import SYSTEM_INSPECTOR, make_facility
from tests.permits.conftest import LAST_MONTH, PEL, TODAY, apply, failing_value, record_evidence

PINNED = Path(__file__).with_name("decision_pinned.json")
FACILITY_USER = {"actor_id": None, "actor_role": "facility"}
TCLP = "epa-tclp-lead"


def entry(session, facility, standard, kind, value, unit, basis, observed_on=LAST_MONTH,
          actor=SYSTEM_INSPECTOR, **extra):
    registry.record_evidence(session, facility_id=facility.id, standard=standard, kind=kind,
                             value=value, unit=unit, basis=basis, observed_on=observed_on,
                             source=f"pinned {kind}", **actor, **extra)


def approved_with_conversions(session):
    """Every standard met; the PEL in mg/m³ (converted), two measurements in its window."""
    facility = make_facility(session, "MX")
    record_evidence(session, facility, skip={PEL})
    entry(session, facility, PEL, "limit", 0.05, "mg/m³", "8h_twa", comparator="<=")
    entry(session, facility, PEL, "measurement", 0.031, "mg/m³", "8h_twa")
    entry(session, facility, PEL, "measurement", 27, "µg/m³", "8h_twa",
          observed_on=TODAY - timedelta(days=90))
    return facility


def every_verdict(session):
    """fails, stale, unverified, incomparable and missing evidence side by side."""
    facility = make_facility(session, "MX")
    record_evidence(session, facility, skip={PEL, TCLP, "epa-tclp-cadmium", "epa-tclp-chromium"},
                    overrides={"osha-arsenic-pel": failing_value})
    entry(session, facility, PEL, "limit", 50, "µg/m³", "8h_twa")
    entry(session, facility, PEL, "measurement", 20, "µg/m³", "24h")  # another basis
    entry(session, facility, TCLP, "limit", 5, "mg/L", "tclp")
    entry(session, facility, TCLP, "measurement", 3000, "µg/L", "tclp",  # converted, and stale
          observed_on=TODAY - timedelta(days=500))
    entry(session, facility, "epa-tclp-cadmium", "limit", 0.5, "mg/L", "tclp", actor=FACILITY_USER)
    entry(session, facility, "epa-tclp-cadmium", "measurement", 0.2, "mg/L", "tclp")
    return facility  # epa-tclp-chromium: no evidence at all


FACILITY_KEYS = ("facility_id", "receiving_facility_id", "final_facility_id")
ENTRY = re.compile(r"(entry #)(\d+)")
FACILITY_IN_TEXT = re.compile(r"(\(id )(\d+)")


def normalized(decision) -> dict:
    """The record without row ids: each id replaced by its order of appearance (E1, E2... for
    evidence, F1... for facilities), found by where it stands, not by its number (an evidence id
    and a facility id may be the same number)."""
    names: dict[tuple[str, int], str] = {}

    def name(kind: str, number) -> str:
        key = (kind, int(number))
        if key not in names:
            names[key] = f"{kind}{sum(k == kind for k, _ in names) + 1}"
        return names[key]

    def walk(value, in_rules: bool):
        if isinstance(value, dict):
            found = {}
            for key in sorted(value):
                item = value[key]
                if isinstance(item, int) and not isinstance(item, bool) and (
                        key in FACILITY_KEYS or (key == "id" and in_rules)):
                    found[key] = name("F", item)
                elif isinstance(item, int) and not isinstance(item, bool) and key in ("evidence_id", "id"):
                    found[key] = name("E", item)
                else:
                    found[key] = walk(item, in_rules)
            return found
        if isinstance(value, list):
            return [walk(item, in_rules) for item in value]
        if isinstance(value, str):
            value = ENTRY.sub(lambda m: m.group(1) + name("E", m.group(2)), value)
            return FACILITY_IN_TEXT.sub(lambda m: m.group(1) + name("F", m.group(2)), value)
        return value

    record = {"outcome": decision.outcome, "standards_version": decision.standards_version,
              "terms": decision.terms, "rules": decision.rules, "checks": decision.checks,
              "reasons": decision.reasons, "evidence": decision.evidence, "note": decision.note,
              "kind": decision.kind}
    # Facilities first (the terms name them), then in a fixed order of the record's parts.
    return {key: walk(record[key], key == "rules")
            for key in ("terms", "rules", "checks", "reasons", "evidence", "outcome",
                        "standards_version", "note", "kind")}


CASES = {"approved_with_conversions": approved_with_conversions, "every_verdict": every_verdict}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_decisions_recorded_content_is_pinned(session, shipper, case):
    facility = CASES[case](session)
    permit, decision = apply(session, shipper, facility.id)
    found = normalized(decision)
    pinned = json.loads(PINNED.read_text()) if PINNED.exists() else {}
    if os.environ.get("PARITY_REPIN"):
        pinned[case] = found
        PINNED.write_text(json.dumps(pinned, sort_keys=True, ensure_ascii=False, indent=1) + "\n")
    assert found == pinned[case]
    # And the stored row reads back as recorded.
    session.commit()
    session.expire_all()
    from permits.permitting import decisions
    stored = decisions.current_decision(session, permit.id)
    assert normalized(stored) == pinned[case]
    assert decisions.verify(stored)
