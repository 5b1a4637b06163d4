"""The public verification page: anyone holding a certificate can check that the decision
stored under its number still hashes to the record hash printed on it."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from permits.accounts.auth import public
from permits.audit import livestate
from permits.core import db
from permits.permitting import decisions
from permits.permitting.decision_view import standard_scopes, standard_titles
from permits.permitting.models import Permit
from permits.permitting.services import on_public_register

bp = Blueprint("verify", __name__)


@bp.get("/verify")
@public
def lookup():
    """The home page's box: a number typed in goes to its verification page."""
    number = (request.args.get("number") or "").strip().upper()
    if not number:
        return redirect(url_for("main.home"))
    return redirect(url_for("verify.permit", number=number))


@bp.get("/verify/<number>")
@public
@db.reads_one_snapshot  # the live rows and the chain as of one moment: no false disagreement
def permit(number: str):
    session = db.session()
    row = on_public_register(session, number)
    if row is None:
        # Said plainly to anyone: the register of certificates is public, so "not visible to
        # your account" would mislead a visitor holding a forged or mistyped number.
        return render_template("permitting/verify/unknown.html", number=number), 404
    found, facility = row
    history = decisions.history(session, found.id)
    results = [(decision, decisions.record_hash(decision)) for decision in history]
    standing = decisions.current_decision(session, found.id)
    recomputed = decisions.record_hash(standing) if standing is not None else None
    titles = standard_titles(session, [c["standard"] for c in standing.checks]) if standing else {}
    # What is shown comes from the hashed decision record; the live row is only compared.
    disagreements = [p.public() for p in livestate.check_permit(session, found)]
    return render_template("permitting/verify/permit.html", permit=found, facility=facility,
                           results=results, decision=standing, recomputed=recomputed,
                           titles=titles, terms=recorded_terms(found, standing),
                           scopes=standard_scopes(session, standing.checks if standing else []),
                           disagreements=disagreements)


def recorded_terms(permit: Permit, decision) -> dict:
    """The terms as the decision record holds them (the live row's when nothing was decided)."""
    if decision is not None and decision.terms:
        return dict(decision.terms)
    return decisions.live_terms(permit)
