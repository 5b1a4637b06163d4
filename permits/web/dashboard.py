"""What waits for each role on the home page: counts of the work in front of them, each a link
to the list where it is done. Reads only; one COUNT per tile."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.routing import BuildError

from facility_registry.models import EnforcementCase, Evidence
from facility_registry.queries import not_superseded
from permits.accounts.models import AccountRequest, User
from permits.audit.models import VerificationRun
from permits.cases.public import inspector_counts
from permits.consents.services import queue as consent_queue
from permits.permitting.decision_models import EvidenceRequest
from permits.permitting.models import Permit
from permits.scheduler.models import JobRun
from permits.shipments.models import Shipment
from permits.shipments.queries import exceptions_visible_to, shipments_visible_to
from standards.clock import today


@dataclass(frozen=True)
class Tile:
    """One count on the home page: what it counts, how many, where to act on it."""

    label: str
    count: int
    href: str
    hint: str = ""
    urgent: bool = False  # a count above zero here means something is late


def _count(session: Session, statement) -> int:
    return session.exec(select(func.count()).select_from(statement.subquery())).one()


def _href(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:  # an area not installed (yet)
        return None


def _tile(label, count, endpoint, hint="", urgent=False, **values) -> Tile | None:
    href = _href(endpoint, **values)
    return Tile(str(label), count, href, str(hint), urgent) if href else None


def _permits_in(session: Session, *statuses: str, organization_id: int | None = None) -> int:
    statement = select(Permit.id).where(Permit.status.in_(statuses))
    if organization_id is not None:
        statement = statement.where(Permit.organization_id == organization_id)
    return _count(session, statement)


def _overseer(session: Session, user: User) -> list[Tile | None]:
    unverified = select(Evidence.id).where(Evidence.verified.is_(False), not_superseded())
    return [
        _tile(_l("Applications to review"), _permits_in(session, "under_review"), "review.queue",
              _l("Waiting for evidence or a decision, oldest first.")),
        _tile(_l("Evidence to verify"), _count(session, unverified), "registry.unverified",
              _l("Self-reported by facilities; it counts only once verified.")),
        _tile(_l("Permits on hold"), _permits_in(session, "on_hold"), "permits.index",
              _l("Their facility stopped meeting a standard; shipments are refused."),
              status="on_hold"),
        _tile(_l("Missed deadlines"), _count(session, exceptions_visible_to(user)),
              "shipments.exceptions", _l("Confirmations that did not arrive in time."), urgent=True),
        _tile(_l("Open enforcement cases"),
              _count(session, select(EnforcementCase.id).where(EnforcementCase.resolved_on.is_(None))),
              "registry.facilities", _l("Violations not yet resolved; their facilities are suspended."),
              status="suspended"),
        *_case_tiles(session),
    ]


def _case_tiles(session: Session) -> list[Tile | None]:
    counts = inspector_counts(session, today())
    return [
        _tile(_l("Case stages past their deadline"), counts["overdue_stages"], "cases.desk",
              _l("Escalated by the daily sweep; overdue cases come first."), urgent=True),
        _tile(_l("Petitions to screen"), counts["awaiting_screening"], "cases.desk",
              _l("Screening is due within 30 days of receipt.")),
    ]


def _shipper(session: Session, user: User) -> list[Tile | None]:
    org = user.organization_id
    return [
        _tile(_l("Drafts to finish"), _permits_in(session, "draft", organization_id=org),
              "permits.index", _l("Nothing is decided until you submit."), status="draft"),
        _tile(_l("Applications under review"), _permits_in(session, "under_review", organization_id=org),
              "permits.index", _l("Waiting for the facility’s evidence or an inspector."),
              status="under_review"),
        _tile(_l("Permits on hold or suspended"),
              _permits_in(session, "on_hold", "suspended", organization_id=org), "permits.index",
              _l("No new load may leave under them."), urgent=True, status="suspended"),
        _tile(_l("Consents pending"),
              _count(session, select(Permit.id).where(Permit.organization_id == org,
                                                      Permit.status == "approved",
                                                      Permit.consent_status != "granted")),
              "shipments.index", _l("Waiting for the importing and transit countries.")),
        _tile(_l("Shipments overdue"), _count(session, exceptions_visible_to(user)),
              "shipments.exceptions", _l("A confirmation or a return is late."), urgent=True),
        _tile(_l("Loads on the road"),
              _count(session, shipments_visible_to(user).where(Shipment.status == "in_transit")),
              "shipments.index", _l("Logged and not yet confirmed by the facility.")),
    ]


def _facility(session: Session, user: User) -> list[Tile | None]:
    loads = shipments_visible_to(user)
    return [
        _tile(_l("Loads to confirm"),
              _count(session, loads.where(Shipment.status.in_(("in_transit", "received")))),
              "shipments.incoming", _l("Confirm receipt on arrival, then recovery.")),
        _tile(_l("Evidence requests"),
              _count(session, select(EvidenceRequest.id).where(
                  EvidenceRequest.facility_id == user.facility_id, EvidenceRequest.status == "open")),
              "review.evidence_requests", _l("What inspectors asked your facility to provide.")),
        _tile(_l("Missed deadlines"), _count(session, exceptions_visible_to(user)),
              "shipments.exceptions", _l("Confirmations that did not arrive in time."), urgent=True),
    ]


def _authority(session: Session, user: User) -> list[Tile | None]:
    return [_tile(_l("Consents to decide"), _count(session, consent_queue(user)),
                  "consents.queue", _l("Notices waiting for your country’s consent."))]


def _admin(session: Session, user: User) -> list[Tile | None]:
    last = session.exec(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
                        .limit(1)).first()
    unfinished = _count(session, select(JobRun.id).where(JobRun.finished_at.is_(None)))
    return [
        _tile(_l("Active users"), _count(session, select(User.id).where(User.active)),
              "admin.users", _l("Create accounts, change roles, deactivate.")),
        _tile(_l("Scheduler job runs"), _count(session, select(JobRun.id)), "admin.jobs",
              _l("Last run: %(job)s, %(when)s", job=last.job_id,
                 when=last.started_at.strftime("%Y-%m-%d %H:%M UTC")) if last else _l("No job has run yet.")),
        _tile(_l("Job runs not finished"), unfinished, "admin.jobs",
              _l("Started and never finished: look at the scheduler's log."), urgent=True),
        _tile(_l("Account requests waiting"),
              _count(session, select(AccountRequest.id).where(AccountRequest.status == "pending")),
              "admin.requests_", _l("People asking for an account: approve or deny.")),
        _verification_tile(session),
        *_overseer(session, user),
    ]


def _verification_tile(session: Session) -> Tile | None:
    last = session.exec(select(VerificationRun).order_by(VerificationRun.at.desc(),
                                                        VerificationRun.id.desc()).limit(1)).first()
    if last is None:
        return _tile(_l("Audit verifications"), 0, "admin.verification_page",
                     _l("The audit chain has never been verified."), urgent=True)
    hint = (_l("Last: %(when)s, verifies", when=last.at.strftime("%Y-%m-%d %H:%M UTC")) if last.ok else
            _l("Last: %(when)s, DOES NOT VERIFY", when=last.at.strftime("%Y-%m-%d %H:%M UTC")))
    return _tile(_l("Problems at the last audit verification"), last.problems, "admin.verification_page",
                 hint, urgent=True)


ROLE_TILES = {"inspector": _overseer, "shipper": _shipper, "facility": _facility,
              "authority": _authority, "admin": _admin}


def tiles_for(session: Session, user) -> list[Tile]:
    """The counts on `user`'s home page, leaving out areas not installed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    build = ROLE_TILES.get(user.role)
    return [t for t in (build(session, user) if build else []) if t is not None]
