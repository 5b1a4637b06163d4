"""Signing in and out, and the account page with its API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from permits.accounts import requests as account_requests
from permits.accounts import services as accounts
from permits.accounts import throttle
from permits.accounts.auth import guard, public
from permits.accounts.forms import (
    AccountRequestForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
    PasswordForm,
    TokenForm,
)
from permits.core import db
from permits.core.extensions import limiter, offered_languages
from permits.core.translations import own_name
from permits.web.labels import COUNTRIES as COUNTRY_WORDS
from permits.web.labels import ROLES as ROLE_WORDS

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
        email = form.email.data
        account_limit = throttle.current()
        wait = account_limit.wait(email) if account_limit else 0
        if wait:
            # The password is not even checked: a guesser learns nothing while it waits.
            form.email.errors.append(_("Too many failed sign-ins for this account; try again in "
                                       "%(seconds)s seconds.", seconds=wait))
            response = make_response(render_template("accounts/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        session = db.session()
        user = accounts.find_user(session, email)
        if accounts.check_password(user, form.password.data) and user.active:
            if account_limit:
                account_limit.succeeded(email)
            _start_session(user)
            if user.password_reset_required:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
        if account_limit:
            account_limit.failed(email)
        form.password.errors.append(_("Email or password is not right."))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


def _start_session(user) -> None:
    """A new session for the signed-in user: nothing from before sign-in survives, the CSRF
    token included (a token planted in a victim's browser must not ride their session)."""
    _fresh_session()
    login_user(user)


def _fresh_session() -> None:
    language = flask_session.get("language")  # the page's language choice is no secret
    flask_session.clear()
    if language:
        flask_session["language"] = language


@bp.post("/logout")
@guard()
def logout():
    session = db.session()
    user = session.merge(current_user._get_current_object())
    accounts.end_sessions(session, user)
    session.commit()
    logout_user()
    _fresh_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@guard()
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        session = db.session()
        user = session.merge(current_user._get_current_object())
        try:
            accounts.change_password(session, user=user, current=form.current_password.data,
                                     new=form.new_password.data)
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            session.commit()
            _start_session(user)  # this session goes on under the new version; the others end
            flash(_("Your password is changed. Every other session is signed out."), "info")
            return redirect(url_for("auth.account"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/password.html", form=form), status


def _request_limit() -> str:
    return current_app.config.get("PARITY_ACCOUNT_REQUEST_RATE_LIMIT", "5 per hour")


@bp.route("/account/request", methods=["GET", "POST"])
@public
@limiter.limit(_request_limit, methods=["POST"], error_message=lambda: _("Too many requests; wait an hour."))
def request_account():
    """Someone without an account asks for one; an administrator answers on the admin pages."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = AccountRequestForm()
    form.role.choices = [(r, str(ROLE_WORDS[r])) for r in account_requests.REQUESTABLE]
    form.country.choices = [("", _("— choose —"))] + [(c, str(w)) for c, w in COUNTRY_WORDS.items()]
    if form.validate_on_submit():
        session = db.session()
        try:
            account_requests.ask(session, email=form.email.data, name=form.name.data, role=form.role.data,
                                 organization_name=form.organization_name.data or "",
                                 country=form.country.data or None, note=form.note.data or "")
        except accounts.AccountError as exc:
            session.rollback()
            field = getattr(form, exc.field)
            field.errors = [*field.errors, exc.message]
        else:
            session.commit()
            return render_template("accounts/request_sent.html")
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/request.html", form=form), status


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
    flask_session.pop("language", None)  # the saved setting now speaks for this session too
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
