"""The administrators' pages: their home, users, organizations, account requests, the audit
trail, the scheduler's job runs and the audit verification. Admins only; every change audited."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.routing import BuildError

from facility_registry.models import Facility
from permits.accounts import requests as account_requests
from permits.accounts import services as accounts
from permits.accounts.auth import guard
from permits.accounts.forms import ConfirmForm
from permits.accounts.models import AccountRequest, Organization, User
from permits.admin import queries
from permits.admin.forms import (
    AuditFilterForm,
    DenyForm,
    OrganizationForm,
    UserForm,
    country_choices,
    role_choices,
)
from permits.audit import chain as audit
from permits.audit import verification
from permits.core import db
from permits.scheduler.process import JOBS
from permits.web.paging import page_number
from standards.vocabulary import ROLES

bp = Blueprint("admin", __name__, url_prefix="/admin")
ADMIN = "admin"
# Past this many entries the page does not verify in a request: the command line does.
VERIFY_IN_PAGE_MAX = 20_000
FACILITY_CHOICES = 50  # a pick-list one can read; the search narrows the register to it


def _place(form, exc: accounts.AccountError, unplaced: list) -> None:
    """The service's message under the field it names, or above the form."""
    field = getattr(form, exc.field, None)
    if field is not None and hasattr(field, "errors") and field.type != "HiddenField":
        field.errors = [*field.errors, exc.message]
    else:
        unplaced.append(exc.message)


def _id_or_none(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


# --- home --------------------------------------------------------------------------------------

@bp.get("/")
@guard(ADMIN)
def home():
    session = db.session()
    return render_template(
        "admin/home.html", counts=queries.home_counts(session), roles=queries.users_by_role(session),
        jobs=queries.job_statuses(session, JOBS), verification=queries.last_verification(session),
        requests=account_requests.pending(session)[:5])


# --- users -------------------------------------------------------------------------------------

@bp.get("/users")
@guard(ADMIN)
def users():
    session = db.session()
    filters = {"q": request.args.get("q", "")[:100], "role": request.args.get("role", ""),
               "state": request.args.get("state", "")}
    if filters["role"] not in ("", *ROLES):
        filters["role"] = ""
    rows, total, page, pages = queries.paged(session, queries.users(**filters), page_number())
    orgs = {o.id: o.name for o in session.exec(select(Organization))}
    facilities = _facility_names(session, {u.facility_id for u in rows})
    return render_template("admin/users.html", users=rows, total=total, page=page, pages=pages,
                           filters=filters, roles=ROLES, orgs=orgs, facilities=facilities)


def _facility_names(session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(Facility.id, Facility.name).where(Facility.id.in_(ids))).all())


def _user_form(session, *, new: bool, obj=None, data=None) -> UserForm:
    form = UserForm(obj=obj, data=data)
    if not new:
        del form.email
    form.role.choices = role_choices(ROLES)
    form.organization_id.choices = [("", _("— none —"))] + [
        (str(o.id), f"{o.name} ({o.country})")
        for o in session.exec(select(Organization).order_by(Organization.name))]
    form.country.choices = country_choices(_("— none —"))
    form.facility_country.choices = country_choices(_("any country"))
    if obj is not None and request.method == "GET":
        form.organization_id.data = str(obj.organization_id or "")
        form.facility_id.data = str(obj.facility_id or "")
        form.country.data = obj.country or ""
    _facility_choices(session, form)
    return form


def _facility_choices(session, form: UserForm) -> None:
    """At most FACILITY_CHOICES facilities matching the search, and always the one chosen."""
    found = queries.facility_choices(session, form.facility_search.data or "",
                                     form.facility_country.data or "", FACILITY_CHOICES + 1)
    more, shown = len(found) > FACILITY_CHOICES, found[:FACILITY_CHOICES]
    chosen = _id_or_none(form.facility_id.data)
    if chosen is not None and chosen not in {f.id for f in shown}:
        current = session.get(Facility, chosen)
        shown = ([current] if current is not None else []) + shown
    form.facility_id.choices = [("", _("— none —"))] + [
        (str(f.id), f"{f.name} ({f.country})") for f in shown]
    if more:
        form.facility_id.description = _(
            "Only the first %(num)s matching facilities are listed: narrow the search by name "
            "or country.", num=FACILITY_CHOICES)


def _finding(form: UserForm) -> bool:
    """The "Find facilities" button: the form comes back with the narrowed list, nothing saved."""
    return request.method == "POST" and bool(form.find_facilities.data)


def _binding_of(form: UserForm) -> dict:
    return {"role": form.role.data, "organization_id": _id_or_none(form.organization_id.data),
            "facility_id": _id_or_none(form.facility_id.data), "country": form.country.data or None}


@bp.route("/users/new", methods=["GET", "POST"])
@guard(ADMIN)
def new_user():
    session = db.session()
    asked = _pending_request(session, request.values.get("request_id") or request.args.get("request"))
    data = None
    if asked is not None and request.method == "GET":
        data = {"email": asked.email, "name": asked.name, "role": asked.role,
                "country": asked.country if asked.role == "authority" else "",
                "request_id": str(asked.id)}
        org = session.exec(select(Organization).where(Organization.name == asked.organization_name)).first()
        if org is not None and asked.role == "shipper":
            data["organization_id"] = str(org.id)
    form = _user_form(session, new=True, data=data)
    unplaced: list = []
    if _finding(form):
        return render_template("admin/user_form.html", form=form, asked=asked, unplaced=unplaced)
    if form.validate_on_submit():
        fields = {"email": form.email.data, "name": form.name.data or "", **_binding_of(form),
                  "actor_id": current_user.id}
        try:
            if asked is not None:
                user, password = account_requests.approve(session, request=asked, **fields)
            else:
                user, password = accounts.create_bound_user(session, **fields)
        except accounts.AccountError as exc:
            session.rollback()
            _place(form, exc, unplaced)
        else:
            session.commit()
            return render_template("admin/user_created.html", user=user, password=password)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, asked=asked, unplaced=unplaced), status


def _pending_request(session, raw) -> AccountRequest | None:
    request_id = _id_or_none(raw)
    if request_id is None:
        return None
    asked = session.get(AccountRequest, request_id)
    return asked if asked is not None and asked.status == "pending" else None


def _user_or_404(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@guard(ADMIN)
def user(user_id: int):
    session = db.session()
    person = _user_or_404(session, user_id)
    form = _user_form(session, new=False, obj=person)
    unplaced: list = []
    if not _finding(form) and form.validate_on_submit():
        try:
            changed = accounts.update_user(session, user=person, name=form.name.data or "",
                                           **_binding_of(form), actor_id=current_user.id)
        except accounts.AccountError as exc:
            session.rollback()
            person = _user_or_404(session, user_id)
            _place(form, exc, unplaced)
        else:
            session.commit()
            flash(_("%(email)s is saved.", email=person.email) if changed
                  else _("Nothing changed."), "info")
            return redirect(url_for("admin.user", user_id=user_id))
    history = list(session.exec(queries.audit_entries(queries.AuditFilters(entity="user", entity_id=str(user_id)))
                                .limit(10)))
    tokens = accounts.tokens_of(session, person)
    status = 422 if request.method == "POST" and not _finding(form) else 200
    return render_template("admin/user.html", person=person, form=form, unplaced=unplaced,
                           history=history, tokens=tokens, confirm=ConfirmForm(),
                           actors=queries.emails_of(session, [e.actor_id for e in history])), status


def _user_action(user_id: int, act, done: str, unchanged: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    session = db.session()
    person = _user_or_404(session, user_id)
    try:
        changed = act(session, user=person, actor_id=current_user.id)
    except accounts.AccountError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        session.commit()
        flash((done if changed is not False else unchanged) % {"email": person.email}, "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/deactivate")
@guard(ADMIN)
def deactivate(user_id: int):
    return _user_action(user_id, accounts.deactivate,
                        _("%(email)s is deactivated: signed out everywhere, API tokens refused."),
                        _("%(email)s was already inactive."))


@bp.post("/users/<int:user_id>/reactivate")
@guard(ADMIN)
def reactivate(user_id: int):
    return _user_action(user_id, accounts.reactivate, _("%(email)s may sign in again."),
                        _("%(email)s was already active."))


@bp.post("/users/<int:user_id>/force-reset")
@guard(ADMIN)
def force_password_reset(user_id: int):
    return _user_action(user_id, accounts.force_password_reset,
                        _("%(email)s is signed out everywhere, their API tokens are revoked, and they "
                          "must choose a new password at the next sign-in."), "")


# --- organizations -----------------------------------------------------------------------------

@bp.get("/organizations")
@guard(ADMIN)
def organizations():
    session = db.session()
    statement = select(Organization).order_by(Organization.name)
    rows, total, page, pages = queries.paged(session, statement, page_number())
    members = dict(session.exec(
        select(User.organization_id, queries.func.count()).where(User.organization_id.is_not(None))
        .group_by(User.organization_id)).all())
    return render_template("admin/organizations.html", organizations=rows, total=total, page=page,
                           pages=pages, members=members)


def _organization_form(obj=None) -> OrganizationForm:
    form = OrganizationForm(obj=obj)
    form.country.choices = country_choices(_("— choose —"))
    return form


@bp.route("/organizations/new", methods=["GET", "POST"])
@bp.route("/organizations/<int:organization_id>", methods=["GET", "POST"])
@guard(ADMIN)
def organization(organization_id: int | None = None):
    session = db.session()
    org = None
    if organization_id is not None:
        org = session.get(Organization, organization_id)
        if org is None:
            abort(404)
    form = _organization_form(org)
    unplaced: list = []
    if form.validate_on_submit():
        try:
            if org is None:
                org = accounts.create_organization(session, name=form.name.data, country=form.country.data,
                                                   actor_id=current_user.id)
                changed = True
            else:
                changed = accounts.update_organization(session, organization=org, name=form.name.data,
                                                       country=form.country.data, actor_id=current_user.id)
        except accounts.AccountError as exc:
            session.rollback()
            _place(form, exc, unplaced)
        else:
            session.commit()
            flash(_("%(name)s is saved.", name=org.name) if changed else _("Nothing changed."), "info")
            return redirect(url_for("admin.organizations"))
    members = list(session.exec(select(User).where(User.organization_id == org.id).order_by(User.email))) if org and org.id else []
    status = 422 if request.method == "POST" else 200
    return render_template("admin/organization.html", form=form, organization=org, members=members,
                           unplaced=unplaced), status


# --- account requests --------------------------------------------------------------------------

@bp.get("/requests")
@guard(ADMIN)
def requests_():
    session = db.session()
    decided = list(session.exec(select(AccountRequest).where(AccountRequest.status != "pending")
                                .order_by(AccountRequest.decided_at.desc()).limit(20)))
    return render_template("admin/requests.html", pending=account_requests.pending(session),
                           decided=decided, deny=DenyForm())


@bp.post("/requests/<int:request_id>/deny")
@guard(ADMIN)
def deny_request(request_id: int):
    session = db.session()
    asked = session.get(AccountRequest, request_id)
    if asked is None:
        abort(404)
    form = DenyForm()
    if form.validate_on_submit():
        try:
            account_requests.deny(session, request=asked, reason=form.reason.data or "",
                                  actor_id=current_user.id)
        except accounts.AccountError as exc:
            session.rollback()
            if exc.field == "reason":
                form.reason.errors = [*form.reason.errors, exc.message]
            else:
                flash(exc.message, "error")
                return redirect(url_for("admin.requests_"))
        else:
            session.commit()
            flash(_("The request from %(email)s is denied.", email=asked.email), "info")
            return redirect(url_for("admin.requests_"))
    return render_template("admin/deny.html", asked=asked, form=form), 422


# --- the audit trail ---------------------------------------------------------------------------

# Where an entry's subject is shown: entity -> (endpoint, its id argument).
SUBJECTS = {
    "permit": ("permits.show", "permit_id"),
    "shipment": ("shipments.detail", "shipment_id"),
    "facility": ("registry.facility", "facility_id"),
    "user": ("admin.user", "user_id"),
    "organization": ("admin.organization", "organization_id"),
    "enforcement_case": ("cases.desk_case", "case_id"),
}


def subject_href(entity: str, entity_id: str) -> str | None:
    if entity == "account_request":
        return url_for("admin.requests_")
    target = SUBJECTS.get(entity)
    if target is None or not entity_id.isdigit():
        return None
    try:
        return url_for(target[0], **{target[1]: int(entity_id)})
    except BuildError:
        return None


@bp.get("/audit")
@guard(ADMIN)
def audit_trail():
    session = db.session()
    form = AuditFilterForm(request.args)
    filters, valid = _audit_filters(session, form) if request.args else (queries.AuditFilters(), True)
    if not valid:
        return render_template("admin/audit.html", form=form, entries=[], total=0, page=1, pages=1,
                               actors={}, subject_href=subject_href), 422
    rows, total, page, pages = queries.paged(session, queries.audit_entries(
        filters, session.get_bind().dialect.name), page_number())
    return render_template("admin/audit.html", form=form, entries=rows, total=total, page=page,
                           pages=pages, actors=queries.emails_of(session, [e.actor_id for e in rows]),
                           subject_href=subject_href)


def _audit_filters(session, form: AuditFilterForm) -> tuple[queries.AuditFilters, bool]:
    valid = form.validate()
    actor_id, system = None, False
    who = (form.actor.data or "").strip()
    if who.lower() == "system":
        system = True
    elif who.isdigit() and len(who) < 10:
        actor_id = int(who)
    elif who:
        found = accounts.find_user(session, who)
        if found is None:
            form.actor.errors = [*form.actor.errors, _("no user has this email address")]
            valid = False
        else:
            actor_id = found.id
    if form.since.data and form.until.data and form.until.data < form.since.data:
        form.until.errors = [*form.until.errors, _("must be on or after the “From” date")]
        valid = False
    return queries.AuditFilters(
        entity=(form.entity.data or "").strip().lower(), entity_id=(form.entity_id.data or "").strip(),
        actor_id=actor_id, system=system, action=(form.action.data or "").strip(),
        since=form.since.data, until=form.until.data), valid


# --- the scheduler's job runs ------------------------------------------------------------------

@bp.get("/jobs")
@guard(ADMIN)
def jobs():
    session = db.session()
    rows, total, page, pages = queries.paged(session, queries.recent_runs(), page_number())
    return render_template("admin/jobs.html", jobs=queries.job_statuses(session, JOBS), runs=rows,
                           total=total, page=page, pages=pages,
                           failures=queries.recent_failures(session))


# --- the audit verification --------------------------------------------------------------------

def _verify_max() -> int:
    return int(current_app.config.get("PARITY_VERIFY_IN_PAGE_MAX", VERIFY_IN_PAGE_MAX))


@bp.get("/verification")
@guard(ADMIN)
def verification_page():
    session = db.session()
    entries, _head = audit.head(session)
    return render_template("admin/verification.html", runs=queries.verifications(session),
                           entries=entries, limit=_verify_max(), confirm=ConfirmForm())


@bp.post("/verification")
@guard(ADMIN)
def verify_now():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    session = db.session()
    entries, _head = audit.head(session)
    if entries > _verify_max():
        flash(_("The chain has %(num)s entries: too many to verify in a page. Run "
                "“flask --app permits audit verify”; its result appears here.", num=entries), "error")
        return redirect(url_for("admin.verification_page"))
    result = verification.verify(session)
    run = verification.record(session, result, source="page", actor_id=current_user.id)
    audit.record(session, actor_id=current_user.id, action="audit.verified", entity="audit_verification",
                 entity_id=run.id, after={"ok": result.ok, "entries": result.chain.entries,
                                          "problems": result.count})
    session.commit()
    if result.ok:
        flash(_("The audit chain verifies: %(num)s entries, and every live record agrees with it.",
                num=result.chain.entries), "info")
    else:
        flash(_("The audit chain does not verify: %(problem)s", problem=result.first_problem()), "error")
    return redirect(url_for("admin.verification_page"))
