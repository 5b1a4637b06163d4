"""The continuous-equivalence step of `seed-demo`, after the shipments: evidence that tells the
sharper rules' stories, each through the registry's services (so each re-checks the permits).

- Keystone Lead Recovery: its EAF opacity limit phrased as the U.S. rule is ("less than 3
  percent": meets where "3 percent or less" would not); blood-lead tests per worker, averaged by
  Parity over each worker's last three; an airborne-lead exceedance of 62 µg/m³ that put its
  permits on hold until the inspector recorded the repaired enclosure and a re-measurement of
  24 µg/m³ (the permits returned to approved by themselves).
- Then Keystone reports its own 12-hour-shift lead reading of 38 µg/m³ (a weekend double shift):
  under the 50 µg/m³ 8-hour PEL, but above 400 ÷ 12 = 33.3 µg/m³ for that shift. Bad news counts
  before it is verified, so its approved permit goes on hold at once.
- Reciclados del Norte reported a PM2.5 annual mean from a monitor that was not calibrated; the
  inspector rejected it with that reason.
"""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from facility_registry import services
from facility_registry.models import Evidence, Facility
from standards.clock import today

MARK = "demo: continuous equivalence"


def seed_equivalence(session: Session, people: dict) -> list[tuple[str, str]]:
    """Idempotent: does nothing once its evidence exists (or the registry's demo is missing)."""
    if session.exec(select(Evidence.id).where(Evidence.source.startswith(MARK)).limit(1)).first():
        return []
    named = {f.name: f for f in session.exec(select(Facility))}
    keystone, lakes = named.get("Keystone Lead Recovery"), named.get("Great Lakes Metals")
    norte = named.get("Reciclados del Norte")
    if not (keystone and lakes and norte):
        return []
    inspector = {"actor_id": people["inspector"].id, "actor_role": "inspector"}
    day = today()
    _keystone(session, keystone, day, inspector)
    services.record_evidence(
        session, facility_id=keystone.id, standard="osha-lead-pel", kind="measurement", value=38,
        unit="µg/m³", basis="8h_twa", shift_hours=12, observed_on=day - timedelta(days=3),
        source=f"{MARK}: self-reported, personal sampling over a 12-hour shift",
        actor_id=None, actor_role="facility")
    claimed = services.record_evidence(
        session, facility_id=norte.id, standard="epa-pm25-naaqs-annual", kind="measurement",
        value=7.5, unit="µg/m³", basis="annual", observed_on=day - timedelta(days=20),
        source=f"{MARK}: self-reported, plant fence-line monitor",
        actor_id=people["facility"].id if people.get("facility") else None, actor_role="facility")
    services.reject_evidence(session, evidence_id=claimed.id,
                             reason="The fence-line monitor had no calibration record for the year.",
                             **inspector)
    return []


def _keystone(session: Session, facility: Facility, day, inspector: dict) -> None:
    services.record_evidence(
        session, facility_id=facility.id, standard="epa-eaf-control-device-opacity", kind="limit",
        value=3, comparator="<", unit="%", basis="method_9", observed_on=day - timedelta(days=15),
        source=f"{MARK}: operating permit condition 4.2, 'less than 3 percent opacity'",
        **inspector)
    blood = {"standard": "osha-lead-blood-removal", "kind": "measurement", "unit": "µg/100 g",
             "basis": "per_test", **inspector}
    for worker, results in (("W-01", (22, 25, 19)), ("W-02", (31, 34, 29)), ("W-03", (12, 15, 14))):
        for months_ago, value in zip((5, 3, 1), results, strict=True):
            services.record_evidence(
                session, facility_id=facility.id, value=value, subject=worker,
                observed_on=day - timedelta(days=30 * months_ago),
                source=f"{MARK}: biological monitoring, accredited laboratory", **blood)
    pel = {"standard": "osha-lead-pel", "kind": "measurement", "unit": "µg/m³", "basis": "8h_twa",
           **inspector}
    high = services.record_evidence(
        session, facility_id=facility.id, value=62, observed_on=day - timedelta(days=12),
        source=f"{MARK}: inspector's spot sampling, charging floor", **pel)
    again = services.record_evidence(
        session, facility_id=facility.id, value=24, observed_on=day - timedelta(days=5),
        source=f"{MARK}: re-measurement after the repair", **pel)
    services.correct_evidence(
        session, evidence_id=high.id, remeasurement_evidence_id=again.id,
        corrective_action="Charging-floor enclosure door repaired and local exhaust rebalanced.",
        **inspector)
