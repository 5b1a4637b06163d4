"""Inspections and the enforcement cases they open.

A `violation` suspends the facility at once and opens a case; a compliant inspection dated
after the suspension's cause reinstates it and resolves its open cases. Findings are recorded
as verified measurements, so an inspection is also evidence: whatever its outcome label, the
permits naming the facility are re-checked against them in the same transaction.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from facility_registry import validation
from facility_registry.announce import audited, evidence_changed
from facility_registry.eligibility import refresh_standings
from facility_registry.errors import CaseNotFound
from facility_registry.evidence import clean_evidence, record_entry
from facility_registry.facilities import (
    get_facility,
    latest_clearing_inspection,
    reinstate_facility,
    suspend_facility,
)
from facility_registry.models import (
    INSPECTION_OUTCOMES,
    Attachment,
    EnforcementCase,
    Finding,
    Inspection,
    utcnow,
)
from facility_registry.reference import load_reference
from standards import problems
from standards.errors import InvalidTransition, NotAllowed, ValidationFailed
from standards.messages import N_, Message
from standards.vocabulary import OVERSEERS

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Declared type → the bytes such a file starts with. The declared type alone is the client's
# word; the signature is the file's.
ATTACHMENT_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes


def check_attachment(upload: Upload, field: str) -> Upload:
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in ATTACHMENT_SIGNATURES:
        raise validation.fail(field, Message.of("registry.file_type", N_("must be a PDF, PNG or JPEG file")))
    if not upload.content:
        raise validation.fail(field, Message.of("registry.file_empty", N_("is empty")))
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        raise validation.fail(field, Message.of("registry.file_large", N_("is larger than %(size)s MiB"), size=MAX_ATTACHMENT_BYTES // (1024 * 1024)))
    if not upload.content.startswith(ATTACHMENT_SIGNATURES[content_type]):
        raise validation.fail(field, Message.of("registry.file_fake", N_("is not really a %(type)s file"), type=content_type))
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "attachment"
    return Upload(filename=name[:255], content_type=content_type, content=upload.content)


def record_inspection(session: Session, *, facility_id: int, inspected_on, outcome: str,
                      findings: list[dict] | None = None, summary: str = "",
                      attachments: list[Upload] | None = None, actor_id: int | None,
                      actor_role: str, today: date | None = None) -> Inspection:
    if actor_role not in OVERSEERS:
        raise NotAllowed(Message.of("registry.may_not_inspect", N_("a %(role)s may not record an inspection"), role=actor_role),
                         {"role": [Message.of("registry.inspectors_inspect", N_("only an inspector records inspections"))]})
    facility = get_facility(session, facility_id, fresh=True)
    today = today or utcnow().date()
    clean = validation.collect({
        "inspected_on": lambda: validation.past_date(inspected_on, "inspected_on", today=today),
        "outcome": lambda: _outcome(outcome),
        "summary": lambda: validation.text(summary, "summary", max_length=5000,
                                           required=outcome == "violation"),
        "attachments": lambda: check_attachments(attachments),
    })
    if facility.status == "revoked":
        raise InvalidTransition.on("facility_id", Message.of("registry.revoked", N_("the facility is revoked")))
    inspection = Inspection(facility_id=facility.id, inspected_on=clean["inspected_on"],
                            outcome=clean["outcome"], summary=clean["summary"] or "",
                            inspector_id=actor_id)
    session.add(inspection)
    session.flush()
    _record_findings(session, facility, inspection, findings, actor_id=actor_id,
                     actor_role=actor_role, today=today)
    for upload in clean["attachments"]:
        session.add(Attachment(inspection_id=inspection.id, filename=upload.filename,
                               content_type=upload.content_type, size=len(upload.content),
                               sha256=hashlib.sha256(upload.content).hexdigest(),
                               content=upload.content))
    audited(session, actor_id=actor_id, action="inspection.record", entity="inspection",
            entity_id=inspection.id, after=inspection_record(inspection))
    evidence_changed(session, [facility.id], actor_id=actor_id,
                     reason=f"inspection #{inspection.id} on {inspection.inspected_on.isoformat()}")
    if inspection.outcome == "violation":
        _on_violation(session, facility, inspection, actor_id=actor_id, actor_role=actor_role)
    else:
        _on_compliant(session, facility, inspection, actor_id=actor_id, actor_role=actor_role)
    return inspection


def _outcome(value) -> str:
    if value not in INSPECTION_OUTCOMES:
        raise validation.fail("outcome", Message.of("registry.outcome", N_("must be compliant or violation")))
    return value


def check_attachments(uploads, limit: int = MAX_ATTACHMENTS) -> list[Upload]:
    """Each upload checked (`attachments[i]` names a bad one), and at most `limit` of them."""
    uploads = list(uploads or [])
    if len(uploads) > limit:
        raise validation.fail("attachments", Message.of("registry.max_files", N_("at most %(max)s files"), max=limit))
    return [check_attachment(u, f"attachments[{i}]") for i, u in enumerate(uploads)]


def _record_findings(session, facility, inspection, findings, *, actor_id, actor_role, today):
    if findings is not None and not isinstance(findings, list):
        raise ValidationFailed.on("findings", problems.problem(problems.LIST))
    reference = load_reference(session)
    cleaned, errors = [], {}
    for i, finding in enumerate(findings or []):
        if not isinstance(finding, dict):
            errors[f"findings[{i}]"] = [problems.problem(problems.OBJECT)]
            continue
        body = {**finding, "kind": "measurement", "observed_on": inspection.inspected_on,
                "source": f"inspection #{inspection.id} on {inspection.inspected_on.isoformat()}"}
        try:
            cleaned.append((finding, clean_evidence(body, reference, today=today,
                                                    prefix=f"findings[{i}].")))
        except ValidationFailed as exc:
            validation.gather(errors, exc)
    validation.raise_all(errors)
    for _raw, clean in cleaned:
        entry = record_entry(session, facility, clean, actor_id=actor_id, actor_role=actor_role,
                     inspection_id=inspection.id, refresh=False)
        session.add(Finding(inspection_id=inspection.id, standard_code=clean.standard_code,
                            value_entered=clean.value_entered, unit_entered=clean.unit_entered,
                            basis=clean.basis, evidence_id=entry.id))
    session.flush()
    if cleaned:
        refresh_standings(session, [facility.id])


def _on_violation(session, facility, inspection, *, actor_id, actor_role) -> None:
    reason = f"violation found at inspection #{inspection.id} on {inspection.inspected_on.isoformat()}"
    if facility.status == "active":
        suspend_facility(session, facility_id=facility.id, reason=reason, actor_id=actor_id,
                         actor_role=actor_role, inspection_id=inspection.id)
    case = EnforcementCase(facility_id=facility.id, inspection_id=inspection.id,
                           opened_on=inspection.inspected_on, origin="inspection",
                           stage="remediation")
    session.add(case)
    session.flush()
    case.reference = case_reference(case)
    session.flush()
    audited(session, actor_id=actor_id, action="enforcement_case.open", entity="enforcement_case",
            entity_id=case.id, after=case_record(case), reason=reason)


def _on_compliant(session, facility, inspection, *, actor_id, actor_role) -> None:
    if facility.status != "suspended":
        return
    if latest_clearing_inspection(session, facility) is None:
        return  # this inspection predates the violation that suspended the facility
    reason = f"compliant inspection #{inspection.id} on {inspection.inspected_on.isoformat()}"
    reinstate_facility(session, facility_id=facility.id, reason=reason, actor_id=actor_id,
                       actor_role=actor_role)
    for case in open_cases(session, facility.id):
        if case.opened_on < inspection.inspected_on:
            _resolve(session, case, resolved_on=inspection.inspected_on, resolution=reason,
                     inspection_id=inspection.id, actor_id=actor_id)


def case_reference(case: EnforcementCase) -> str:
    """The public name of a case: its year and number, e.g. RRC-2026-000012."""
    return f"RRC-{case.opened_on.year}-{case.id:06d}"


def open_cases(session: Session, facility_id: int) -> list[EnforcementCase]:
    """The facility's open cases that a compliant inspection resolves: those an inspection
    opened. A petition's case is closed through its own stages (`permits.cases`)."""
    return list(session.exec(
        select(EnforcementCase).where(EnforcementCase.facility_id == facility_id,
                                      EnforcementCase.origin == "inspection",
                                      EnforcementCase.resolved_on.is_(None))
        .order_by(EnforcementCase.opened_on)
    ).all())


def _resolve(session, case, *, resolved_on, resolution, inspection_id, actor_id) -> None:
    result = session.execute(
        update(EnforcementCase)
        .where(EnforcementCase.id == case.id, EnforcementCase.resolved_on.is_(None))
        .values(resolved_on=resolved_on, resolution=resolution,
                resolved_by_inspection_id=inspection_id, stage="closed", outcome="remedied")
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition.on("case_id", Message.of("registry.case_resolved", N_("case %(id)s is already resolved"), id=case.id))
    session.refresh(case)
    audited(session, actor_id=actor_id, action="enforcement_case.resolve",
            entity="enforcement_case", entity_id=case.id, before={"resolved_on": None},
            after={"resolved_on": resolved_on, "resolution": resolution, "stage": "closed",
                   "outcome": "remedied"})


def notify_case(session: Session, *, case_id: int, notified_on, actor_id: int | None,
                actor_role: str, today: date | None = None) -> EnforcementCase:
    """Record the day the facility was notified of its case (once)."""
    if actor_role not in OVERSEERS:
        raise NotAllowed(Message.of("registry.may_not_update_case", N_("a %(role)s may not update a case"), role=actor_role),
                         {"role": [Message.of("registry.inspectors_only", N_("inspectors only"))]})
    case = session.get(EnforcementCase, case_id) if isinstance(case_id, int) else None
    if case is None:
        raise CaseNotFound.on("case_id", Message.of("registry.no_case", N_("no enforcement case with id %(id)s"), id=repr(case_id)))
    day = validation.past_date(notified_on, "notified_on", today=today or utcnow().date())
    if day < case.opened_on:
        raise ValidationFailed.on("notified_on", Message.of("registry.notified_before_opened", N_("cannot be before the case was opened")))
    result = session.execute(
        update(EnforcementCase)
        .where(EnforcementCase.id == case.id, EnforcementCase.notified_on.is_(None))
        .values(notified_on=day).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition.on("notified_on", Message.of("registry.already_notified", N_("the facility was already notified")))
    session.refresh(case)
    audited(session, actor_id=actor_id, action="enforcement_case.notify",
            entity="enforcement_case", entity_id=case.id, before={"notified_on": None},
            after={"notified_on": day})
    return case


def inspections_of(session: Session, facility_id: int) -> list[Inspection]:
    return list(session.exec(
        select(Inspection).where(Inspection.facility_id == facility_id)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    ).all())


def findings_of(session: Session, inspection_ids: list[int]) -> dict[int, list[Finding]]:
    found: dict[int, list[Finding]] = {i: [] for i in inspection_ids}
    if inspection_ids:
        for finding in session.exec(select(Finding).where(Finding.inspection_id.in_(inspection_ids))):
            found[finding.inspection_id].append(finding)
    return found


def attachments_of(session: Session, inspection_ids: list[int]) -> dict[int, list[tuple]]:
    """(id, filename, content_type, size) per inspection, without loading the bytes."""
    found: dict[int, list[tuple]] = {i: [] for i in inspection_ids}
    if inspection_ids:
        rows = session.exec(
            select(Attachment.inspection_id, Attachment.id, Attachment.filename,
                   Attachment.content_type, Attachment.size)
            .where(Attachment.inspection_id.in_(inspection_ids)).order_by(Attachment.id)
        ).all()
        for inspection_id, *rest in rows:
            found[inspection_id].append(tuple(rest))
    return found


def cases_of(session: Session, facility_id: int) -> list[EnforcementCase]:
    return list(session.exec(
        select(EnforcementCase).where(EnforcementCase.facility_id == facility_id)
        .order_by(EnforcementCase.opened_on.desc(), EnforcementCase.id.desc())
    ).all())


def inspection_record(inspection: Inspection) -> dict:
    return {"id": inspection.id, "facility_id": inspection.facility_id,
            "inspected_on": inspection.inspected_on, "outcome": inspection.outcome,
            "summary": inspection.summary, "inspector_id": inspection.inspector_id}


def case_record(case: EnforcementCase) -> dict:
    return {"id": case.id, "reference": case.reference, "origin": case.origin,
            "facility_id": case.facility_id, "inspection_id": case.inspection_id,
            "stage": case.stage, "outcome": case.outcome, "opened_on": case.opened_on, "notified_on": case.notified_on,
            "resolved_on": case.resolved_on, "resolution": case.resolution,
            "days_to_resolution": case.days_to_resolution}
