"""The deadline engine: each stage's clock starts when the stage does, with the period from the
one table; a stage ended late is missed, a stage open past its date is overdue and flagged by
the daily sweep the next day (once), and the dashboard counts it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from permits.audit.models import AuditEntry
from permits.cases import deadlines, services, sweep
from permits.cases.errors import InvalidPetition, InvalidStage
from permits.cases.models import CaseStage
from permits.cases.public import inspector_counts, public_cases
from tests.cases.conftest import DAY0, INSPECTOR, file, make_facility


def _stages(session, case):
    return {s.stage: s for s in session.exec(select(CaseStage).where(CaseStage.case_id == case.id))}


def d(n):
    return DAY0 + timedelta(days=n)


def test_every_stage_takes_its_period_from_the_table_and_its_clock_from_its_start(session):
    case = file(session, make_facility(session))
    assert case.stage == "screening" and case.reference.startswith("RRC-2026-")
    assert _stages(session, case)["screening"].due_on == d(30)

    services.screen(session, case_id=case.id, decision="accept", reasons="Credible, specific",
                    today=d(5), **INSPECTOR)
    assert _stages(session, case)["review_request"].due_on == d(15)  # 10 days from acceptance

    services.investigate(session, case_id=case.id, method="inspection", country_agreed=True,
                         today=d(12), **INSPECTOR)
    stages = _stages(session, case)
    assert stages["review_request"].decision == "review_agreed"
    assert stages["investigation"].due_on == d(57)  # 45 days to conduct the review
    assert stages["investigation"].method == "inspection"

    services.record_findings(session, case_id=case.id, violation=True, summary="Baghouse bypass",
                             today=d(40), **INSPECTOR)
    assert _stages(session, case)["remediation_plan"].due_on == d(50)

    services.plan_remediation(session, case_id=case.id, today=d(45), actions=[
        {"action": "Repair the baghouse", "due_on": d(60).isoformat()},
        {"action": "Sample the school yard soil", "due_on": d(90).isoformat()}], **INSPECTOR)
    assert _stages(session, case)["remediation"].due_on == d(90)  # the plan's last action
    assert case.stage == "remediation"

    [shown] = public_cases(session, [case], d(46))
    assert [s["stage"] for s in shown["stages"]] == [
        "screening", "review_request", "investigation", "remediation_plan", "remediation"]
    assert all(s["met"] for s in shown["stages"][:4]) and shown["stages"][4]["met"] is None
    assert shown["deadlines_missed"] == 0 and shown["days_open"] == 46
    assert [r["due_on"] for r in shown["remedy"]] == [d(60).isoformat(), d(90).isoformat()]


def test_a_stage_ended_after_its_date_is_missed_and_the_public_sees_by_how_much(session):
    case = file(session, make_facility(session))
    services.screen(session, case_id=case.id, decision="accept", reasons="ok", today=d(33),
                    **INSPECTOR)
    [shown] = public_cases(session, [case], d(34))
    screening = shown["stages"][0]
    assert (screening["met"], screening["days_late"], screening["overdue"]) == (False, 3, False)
    assert shown["deadlines_missed"] == 1


def test_the_sweep_flags_a_stage_the_day_after_its_last_day_once_and_escalates_it(session):
    case = file(session, make_facility(session))
    assert sweep.flag_overdue(session, d(30)) == []  # the last day is still on time
    assert inspector_counts(session, d(30))["overdue_stages"] == 0
    [flagged] = sweep.flag_overdue(session, d(31))
    assert (flagged.stage, flagged.overdue_since) == ("screening", d(31))
    assert flagged.escalated_at is not None
    assert sweep.flag_overdue(session, d(32)) == []  # once
    counts = inspector_counts(session, d(32))
    assert counts == {"open_cases": 1, "overdue_stages": 1, "escalated_stages": 1,
                      "awaiting_screening": 1}
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "case.stage_overdue")).all()
    assert [e.entity_id for e in entries] == [str(case.id)]
    [shown] = public_cases(session, [case], d(32))
    assert shown["overdue"] and shown["stages"][0]["days_late"] == 2

    # Ending the stage clears it from the dashboard; the next stage's clock starts fresh.
    services.screen(session, case_id=case.id, decision="accept", reasons="ok", today=d(32),
                    **INSPECTOR)
    assert inspector_counts(session, d(32))["overdue_stages"] == 0
    assert sweep.flag_overdue(session, d(42)) == []
    assert [s.stage for s in sweep.flag_overdue(session, d(43))] == ["review_request"]


def test_the_daily_scheduler_job_runs_the_sweep_once_per_day(db):
    from sqlmodel import Session

    from permits.scheduler.process import JOBS, run_once

    with Session(db, expire_on_commit=False) as session:
        case = file(session, make_facility(session))
        session.commit()
    job = next(j for j in JOBS if j.id == "case-deadlines")
    assert run_once(db, job, d(31)) == "1 case stages flagged overdue and escalated"
    assert run_once(db, job, d(31)) is None
    with Session(db) as session:
        stage = session.exec(select(CaseStage).where(CaseStage.case_id == case.id)).one()
        assert stage.overdue_since == d(31)


def test_the_periods_are_configurable_and_a_bad_setting_names_itself(session):
    deadlines.configure("screening=20, investigation=60")
    case = file(session, make_facility(session))
    assert _stages(session, case)["screening"].due_on == d(20)
    with pytest.raises(ValueError, match="remediation"):
        deadlines.configure("remediation=5")
    with pytest.raises(ValueError, match="screening=0"):
        deadlines.configure("screening=0")


def test_a_dismissal_closes_the_case_with_its_reasons_and_no_outcome(session):
    case = file(session, make_facility(session))
    services.screen(session, case_id=case.id, decision="dismiss",
                    reasons="The facility named closed in 2019", today=d(3), **INSPECTOR)
    assert (case.stage, case.outcome, case.resolved_on) == ("dismissed", None, d(3))
    [shown] = public_cases(session, [case], d(10))
    assert shown["screening_reasons"] == "The facility named closed in 2019"
    with pytest.raises(InvalidStage):
        services.investigate(session, case_id=case.id, method="inspection", country_agreed=True,
                             **INSPECTOR)


def test_findings_without_a_violation_close_the_case_unfounded(session):
    case = file(session, make_facility(session))
    services.screen(session, case_id=case.id, decision="accept", reasons="ok", today=d(1), **INSPECTOR)
    services.investigate(session, case_id=case.id, method="evidence_request", country_agreed=False,
                         request="Stack test results for 2025", today=d(2), **INSPECTOR)
    services.record_findings(session, case_id=case.id, violation=False,
                             summary="Stack tests within limits", today=d(20), **INSPECTOR)
    assert (case.stage, case.outcome, case.resolved_on) == ("closed", "unfounded", d(20))


@pytest.mark.parametrize("change, field", [
    ({"decision": "maybe"}, "decision"), ({"reasons": "  "}, "reasons")])
def test_screening_without_a_decision_or_reasons_is_refused_naming_the_field(session, change, field):
    case = file(session, make_facility(session))
    with pytest.raises(InvalidPetition) as caught:
        services.screen(session, case_id=case.id, **{"decision": "accept", "reasons": "ok", **change},
                        **INSPECTOR)
    assert field in caught.value.fields
    assert case.stage == "screening"


def test_a_plan_needs_actions_with_future_deadlines(session):
    case = file(session, make_facility(session))
    services.screen(session, case_id=case.id, decision="accept", reasons="ok", today=d(1), **INSPECTOR)
    services.investigate(session, case_id=case.id, method="inspection", country_agreed=True,
                         today=d(2), **INSPECTOR)
    services.record_findings(session, case_id=case.id, violation=True, summary="x", today=d(3),
                             **INSPECTOR)
    with pytest.raises(InvalidPetition) as caught:
        services.plan_remediation(session, case_id=case.id, today=d(4), actions=[
            {"action": "", "due_on": d(10).isoformat()}, {"action": "Fix", "due_on": d(2).isoformat()}],
            **INSPECTOR)
    assert set(caught.value.fields) == {"actions[0].action", "actions[1].due_on"}
    assert case.stage == "remediation_plan"


def test_only_an_inspector_moves_a_case(session):
    case = file(session, make_facility(session))
    with pytest.raises(services.NotAllowed):
        services.screen(session, case_id=case.id, decision="accept", reasons="ok",
                        actor_id=None, actor_role="facility")


def test_the_public_enforcement_report_shows_each_cases_deadlines_met_and_missed(session):
    from permits import reports

    facility = make_facility(session)
    late = file(session, facility)
    services.screen(session, case_id=late.id, decision="accept", reasons="ok", today=d(35), **INSPECTOR)
    on_time = file(session, facility, today=d(10))
    services.screen(session, case_id=on_time.id, decision="dismiss", reasons="vague", today=d(12),
                    **INSPECTOR)
    report = reports.build(session, "enforcement_public", "2026")
    section = next(s for s in report.sections if s.key == "timeliness")
    rows = {r[0]: r for r in section.tables[0].rows}
    # reference, facility, country, origin, category, stage, outcome, met, missed, overdue
    assert rows[late.reference][5:] == ["review_request", "", 0, 2, "yes"]  # screening late, review overdue
    assert rows[on_time.reference][5:] == ["screening", "", 1, 0, "no"]
    by_stage = {r[0]: r[1:] for r in section.tables[1].rows}
    assert by_stage["Screening"] == [2, 1, 1, 0]
    totals = {t.key: t.value for t in report.totals}
    assert (totals["petitions"], totals["deadlines_met"], totals["deadlines_missed"]) == (2, 1, 2)
