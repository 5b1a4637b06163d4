"""The language switch in the header: a link per offered language, no script.

The choice lasts for the browser's session and wins over the account's setting and the
browser's Accept-Language (see permits.core.extensions.select_locale).
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_babel import get_locale

from permits.accounts.auth import public
from permits.accounts.views import safe_next
from permits.core.extensions import offered_languages
from permits.core.translations import own_name

bp = Blueprint("language", __name__)


def switch_links() -> list[dict]:
    """One link per offered language, the current one marked for aria-current."""
    current = str(get_locale())
    here = request.full_path.rstrip("?")
    return [{"code": code, "name": own_name(code), "current": code == current,
             "href": url_for("language.choose", code=code, next=here)}
            for code in offered_languages()]


@bp.get("/language/<code>")
@public
def choose(code: str):
    if code not in offered_languages():
        abort(404)
    session["language"] = code
    return redirect(safe_next(request.args.get("next")))
