"""Signing in and out, and the account page with its API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from permits.accounts import services as accounts
from permits.accounts.auth import guard, public
from permits.accounts.forms import ConfirmForm, LoginForm, TokenForm
from permits.core import db
from permits.core.extensions import limiter

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["PARITY_LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login is a phishing tool."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message="Too many sign-in attempts; wait a minute.")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        session = db.session()
        user = accounts.find_user(session, form.email.data)
        if accounts.check_password(user, form.password.data) and user.active:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Email or password is not right."))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@guard()
def logout():
    session = db.session()
    user = session.merge(current_user._get_current_object())
    accounts.end_sessions(session, user)
    session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@guard()
def account():
    tokens = accounts.tokens_of(db.session(), current_user)
    return render_template("accounts/account.html", tokens=tokens, form=TokenForm(), confirm=ConfirmForm())


@bp.post("/account/tokens")
@guard()
def create_token():
    form = TokenForm()
    session = db.session()
    if not form.validate_on_submit():
        tokens = accounts.tokens_of(session, current_user)
        return render_template("accounts/account.html", tokens=tokens, form=form, confirm=ConfirmForm()), 422
    issued = accounts.issue_token(session, user=current_user, name=form.name.data or "")
    session.commit()
    tokens = accounts.tokens_of(session, current_user)
    return render_template("accounts/account.html", tokens=tokens, form=TokenForm(formdata=None),
                           confirm=ConfirmForm(), new_secret=issued.secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@guard()
def revoke_token(token_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        session = db.session()
        try:
            accounts.revoke_token(session, user=current_user, token_id=token_id)
        except accounts.AccountError:
            flash(_("No such token."), "error")
        else:
            session.commit()
            flash(_("The token is revoked."), "info")
    return redirect(url_for("auth.account"))
