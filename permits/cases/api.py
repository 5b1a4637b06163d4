"""Cases over the API: petitions and the public case list (no token), and the inspectors'
moves through the stages."""
from __future__ import annotations

from typing import Literal

from flask import current_app
from pydantic import Field
from sqlmodel import select

from facility_registry.models import CASE_CATEGORIES, CASE_ORIGINS, EnforcementCase
from permits.api.blueprint import api
from permits.api.common import paginate
from permits.api.endpoint import endpoint
from permits.api.shapes import Body, Day, Page, Public, Query, UtcTimestamp, whole_number
from permits.cases import deadlines, services
from permits.cases.models import Petition, PetitionAttachment
from permits.cases.public import inspector_counts, public_cases
from permits.cases.state import STAGES
from permits.core import db
from permits.core.extensions import limiter
from permits.core.ids import MAX_ID
from permits.permitting.holds import held_by_case
from permits.registry.api_inspections import uploads
from permits.registry.api_shapes import Attachment, actor
from standards.clock import today
from standards.errors import NotFound
from standards.messages import N_, Message

# Shapes ----------------------------------------------------------------------------------

class PetitionCreate(Body):
    facility_id: int
    category: str = Field(json_schema_extra={"enum": list(CASE_CATEGORIES)})
    allegation: str = Field(json_schema_extra={"maxLength": services.MAX_ALLEGATION})
    contact_email: str | None = Field(None, description="never published")
    attachments: list[Attachment] | None = Field(
        None, json_schema_extra={"maxItems": services.MAX_PETITION_ATTACHMENTS})


class Due(Public):
    screening: Day


class PetitionReceipt(Public):
    reference: str
    status: Literal["received"] = "received"
    stage: str
    facility_id: int
    category: str
    received_on: Day
    due: Due


class StagePublic(Public):
    stage: str
    started_on: Day
    due_on: Day | None
    completed_on: Day | None
    decision: str | None
    method: str | None
    met: bool | None
    overdue: bool
    days_late: int


class FacilityName(Public):
    id: int
    name: str
    country: str


class RemedyAction(Public):
    action: str
    due_on: Day


class PublicCase(Public):
    reference: str | None
    facility: FacilityName
    origin: Literal[CASE_ORIGINS]
    category: str | None
    stage: Literal[STAGES]
    opened_on: Day
    closed_on: Day | None
    days_open: int
    overdue: bool
    deadlines_missed: int
    outcome: str | None
    screening_reasons: str | None
    stages: list[StagePublic]
    remedy: list[RemedyAction]


class PetitionFile(Public):
    id: int
    filename: str
    content_type: str
    size: int


class PetitionAsFiled(Public):
    allegation: str
    contact_email: str | None
    received_at: UtcTimestamp
    attachments: list[PetitionFile]


class Case(PublicCase):
    id: int
    petition: PetitionAsFiled | None = None
    held_permits: list[str] = Field(default_factory=list,
                                    description="the permits this case holds while it is investigated")


class PermitHold(Body):
    organization_id: int | None = Field(None, description="the shipper whose permits to hold; "
                                        "absent: every permit naming the facility")


class CaseFilter(Query):
    facility_id: whole_number(1, MAX_ID) | None = None
    stage: Literal[STAGES] | None = None


class StageFilter(Query):
    stage: Literal[STAGES] | None = None


class Period(Public):
    stage: str
    days: int | None
    starts: str
    citation: str
    checked: str


class Periods(Public):
    items: list[Period]


class Counts(Public):
    open_cases: int
    overdue_stages: int
    escalated_stages: int
    awaiting_screening: int


class Screening(Body):
    decision: str = Field(json_schema_extra={"enum": ["accept", "dismiss"]})
    reasons: str = Field(description="published with the case")


class Investigation(Body):
    method: str = Field(json_schema_extra={"enum": list(services.INVESTIGATION_METHODS)})
    country_agreed: bool = Field(description="whether the facility's country agreed to review")
    request: str | None = Field(None, description="what is requested (a request for evidence)")


class Findings(Body):
    violation: bool
    summary: str
    inspection_id: int | None = Field(None, description="the inspection the findings rest on")


class PlanAction(Body):
    action: str
    due_on: str = Field(json_schema_extra={"format": "date"})


class Plan(Body):
    actions: list[PlanAction]


class Closing(Body):
    outcome: str = Field(json_schema_extra={"enum": list(services.CLOSING_OUTCOMES)})
    summary: str


# Public ----------------------------------------------------------------------------------

def petition_limit() -> str:
    return current_app.config["PARITY_PETITION_RATE_LIMIT"]


@api.post("/v1/public/petitions")
@limiter.limit(petition_limit, methods=["POST"],
               error_message="Too many petitions from this address; try again later.")
@endpoint(is_public=True, status=201, body=PetitionCreate, returns=PetitionReceipt, errors=(429,))
def file_petition(body: PetitionCreate):
    """File a petition about a facility (no token; limited per address)"""
    session = db.session()
    case = services.file_petition(
        session, facility_id=body.facility_id, category=body.category,
        allegation=body.allegation, contact_email=body.contact_email,
        attachments=uploads(body.attachments))
    stage = services.current_stage(session, case)
    return {"reference": case.reference, "stage": case.stage, "facility_id": case.facility_id,
            "category": case.category, "received_on": case.opened_on,
            "due": {"screening": stage.due_on}}


@api.get("/v1/public/cases")
@endpoint(is_public=True, query=CaseFilter, returns=Page[PublicCase], paged=True)
def list_public_cases(query: CaseFilter):
    """Every case: facility, category, stage, dates, deadlines met or missed, outcome (no token)"""
    statement = select(EnforcementCase)
    if query.facility_id is not None:
        statement = statement.where(EnforcementCase.facility_id == query.facility_id)
    if query.stage:
        statement = statement.where(EnforcementCase.stage == query.stage)
    page = paginate(statement, EnforcementCase.id, lambda c: c)
    page["items"] = public_cases(db.session(), page["items"], today())
    return page


@api.get("/v1/public/cases/<reference>")
@endpoint(is_public=True, returns=PublicCase)
def get_public_case(reference: str):
    """One case by its reference (no token)"""
    session = db.session()
    case = session.exec(select(EnforcementCase).where(EnforcementCase.reference == reference)).first()
    if case is None:
        raise NotFound(Message.of("case.no_reference", N_("No case with reference %(reference)s."),
                                  reference=reference))
    return public_cases(session, [case], today())[0]


@api.get("/v1/public/case-periods")
@endpoint(is_public=True, returns=Periods)
def case_periods():
    """The period of each stage and the text it comes from (no token)"""
    return {"items": deadlines.periods()}


# The inspectors' side --------------------------------------------------------------------

def _case(case: EnforcementCase) -> dict:
    """The full case for inspectors: the public view plus the petition as filed."""
    session = db.session()
    body = public_cases(session, [case], today())[0]
    body["id"] = case.id
    petition = session.exec(select(Petition).where(Petition.case_id == case.id)).first()
    if petition is not None:
        files = session.exec(select(PetitionAttachment).where(
            PetitionAttachment.petition_id == petition.id)).all()
        body["petition"] = {"allegation": petition.allegation,
                            "contact_email": petition.contact_email,
                            "received_at": petition.received_at, "attachments": files}
    body["held_permits"] = [p.number for p in held_by_case(session, case.id)
                            if p.status == "on_hold"]
    return body


@api.get("/v1/cases")
@endpoint("inspector", "admin", query=StageFilter, returns=Page[Case], paged=True)
def list_cases(query: StageFilter):
    """Petition cases with the petitions as filed (inspectors)"""
    statement = select(EnforcementCase).where(EnforcementCase.origin == "petition")
    if query.stage:
        statement = statement.where(EnforcementCase.stage == query.stage)
    return paginate(statement, EnforcementCase.id, _case)


@api.get("/v1/cases/dashboard")
@endpoint("inspector", "admin", returns=Counts)
def dashboard():
    """Counts for the inspectors' dashboard: open cases, overdue and escalated stages"""
    return inspector_counts(db.session(), today())


@api.get("/v1/cases/<int:case_id>")
@endpoint("inspector", "admin", returns=Case)
def get_case(case_id: int):
    """One petition case (inspectors)"""
    return _case(services.get_case(db.session(), case_id))


@api.post("/v1/cases/<int:case_id>/screening")
@endpoint("inspector", "admin", body=Screening, returns=Case, errors=(409,))
def screen(case_id: int, body: Screening):
    """Screening: accept (the facility's country is asked to review) or dismiss, with reasons"""
    return _case(services.screen(db.session(), case_id=case_id, **body.given(), **actor()))


@api.post("/v1/cases/<int:case_id>/investigation")
@endpoint("inspector", "admin", body=Investigation, returns=Case, errors=(409,))
def investigate(case_id: int, body: Investigation):
    """The review starts: an inspection or a request for evidence"""
    return _case(services.investigate(db.session(), case_id=case_id, **body.given(), **actor()))


@api.post("/v1/cases/<int:case_id>/hold-permits")
@endpoint("inspector", "admin", body=PermitHold, body_required=False, returns=Case, errors=(409,))
def hold_permits(case_id: int, body: PermitHold | None = None):
    """While the case is investigated: hold the approved permits naming its facility (of one shipper, or all); its closure releases them"""
    session = db.session()
    services.hold_permits(session, case_id=case_id, **(body.given() if body else {}), **actor())
    return _case(services.get_case(session, case_id))


@api.post("/v1/cases/<int:case_id>/findings")
@endpoint("inspector", "admin", body=Findings, returns=Case, errors=(409,))
def findings(case_id: int, body: Findings):
    """Findings: none closes the case unfounded; a violation suspends the facility and its permits"""
    return _case(services.record_findings(db.session(), case_id=case_id, **body.given(), **actor()))


@api.post("/v1/cases/<int:case_id>/remediation")
@endpoint("inspector", "admin", body=Plan, returns=Case, errors=(409,))
def remediation(case_id: int, body: Plan):
    """The remediation plan: actions with their own deadlines"""
    actions = [a.model_dump() for a in body.actions]
    return _case(services.plan_remediation(db.session(), case_id=case_id, actions=actions, **actor()))


@api.post("/v1/cases/<int:case_id>/close")
@endpoint("inspector", "admin", body=Closing, returns=Case, errors=(409,))
def close(case_id: int, body: Closing):
    """Close: remedied (the facility reinstated) or violation_confirmed"""
    return _case(services.close_case(db.session(), case_id=case_id, **body.given(), **actor()))
