"""The inbox page (one's own notices), marking them read, and the header's unread count."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from permits.accounts.auth import guard
from permits.core import db
from permits.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def safe_link(target: str | None) -> str:
    """Links kept in notices are paths inside Parity; anything else leads back to the inbox."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("notifications.inbox")


@bp.get("/")
@guard()
def inbox():
    session = db.session()
    notices = services.inbox(session, current_user.id)
    unread = sum(1 for n in notices if n.read_at is None)
    return render_template("notifications/inbox.html", notices=notices, unread=unread,
                           message_of=services.message_of, safe_link=safe_link)


@bp.get("/<int:notification_id>/open")
@db.writes_on_get
@guard()
def open_notice(notification_id: int):
    """Follow a notice's link from the inbox: marks it read (a flag of one's own, so a GET may set
    it), then goes to the page it is about. Another user's notice, or none, is a 404."""
    session = db.session()
    link = services.open_notice(session, user_id=current_user.id, notification_id=notification_id)
    if link is None:
        abort(404)
    session.commit()
    return redirect(safe_link(link))


@bp.post("/<int:notification_id>/read")
@guard()
def mark_read(notification_id: int):
    session = db.session()
    services.mark_read(session, user_id=current_user.id, notification_id=notification_id)
    session.commit()
    target = request.form.get("next")
    return redirect(safe_link(target) if target else url_for("notifications.inbox"))


@bp.post("/read")
@guard()
def mark_all_read():
    session = db.session()
    services.mark_read(session, user_id=current_user.id)
    session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.app_context_processor
def _unread_helper():
    return {"unread_notices": unread_notices, "notices_label": notices_label}


def unread_notices() -> int:
    """The signed-in user's unread notices: one indexed COUNT, at most once per page."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notices" not in g:
        # A read session of its own: on SQLite the request's session may hold the write lock.
        with db.read_session() as session:
            g.unread_notices = services.unread_count(session, current_user.id)
    return g.unread_notices


def notices_label(count: int) -> str:
    return _("%(num)s unread", num=count)
