"""Signing in and out, and the account page with its API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from permits.accounts import services as accounts
from permits.accounts.auth import guard, public
from permits.accounts.forms import ConfirmForm, LanguageForm, LoginForm, TokenForm
from permits.core import db
from permits.core.extensions import limiter, offered_languages
from permits.core.translations import own_name

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["PARITY_LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login is a phishing tool."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=lambda: _("Too many sign-in attempts; wait a minute."))
def login():
    form = LoginForm()
    if form.validate_on_submit():
        session = db.session()
        user = accounts.find_user(session, form.email.data)
        if accounts.check_password(user, form.password.data) and user.active:
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
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
    return _account_page(form=TokenForm())


@bp.post("/account/tokens")
@guard()
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(form=form), 422
    issued = accounts.issue_token(db.session(), user=current_user, name=form.name.data or "")
    db.session().commit()
    return _account_page(form=TokenForm(formdata=None), new_secret=issued.secret)


@bp.post("/account/language")
@guard()
def set_language():
    form = _language_form()
    if not form.validate_on_submit():
        return _account_page(form=TokenForm(formdata=None), language=form), 422
    accounts.set_language(db.session(), user=current_user, language=form.language.data or None)
    db.session().commit()
    session.pop("language", None)  # the saved setting now speaks for this session too
    refresh()  # and for this very message
    flash(_("Your language is saved."), "info")
    return redirect(url_for("auth.account"))


def _language_form() -> LanguageForm:
    form = LanguageForm(prefix="account", language=current_user.locale or "")
    form.language.choices = [("", _("The browser's language"))] + [
        (code, own_name(code)) for code in offered_languages()]
    return form


def _account_page(form: TokenForm, language: LanguageForm | None = None, new_secret: str | None = None):
    tokens = accounts.tokens_of(db.session(), current_user)
    return render_template("accounts/account.html", tokens=tokens, form=form, confirm=ConfirmForm(),
                           language=language or _language_form(), new_secret=new_secret)


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
