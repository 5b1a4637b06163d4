"""Error pages for the HTML side (the API's errors are JSON, see permits.api.errors)."""
from flask import render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def _titles() -> dict[int, str]:
    return {
        400: _("The request was not understood"),
        403: _("You may not do this"),
        404: _("Not found"),
        405: _("Not allowed here"),
        409: _("That is not possible in the record's current state"),
        413: _("The upload is too large"),
        422: _("Some fields are not valid"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }


def html_error(err: HTTPException):
    status = err.code or 500
    title = _titles().get(status, err.name)
    # Werkzeug's own description of a status is English only; the title and the page say it in
    # the reader's language. A description a view gave (abort(403, ...)) is kept.
    detail = None if err.description == type(err).description else err.description
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def html_domain_error(err, status: int):
    """A domain error no view caught (`standards.errors`), at the status the API's table gives it."""
    title = _titles().get(status, err.code)
    return render_template("errors/error.html", status=status, title=title, detail=err.message), status


def html_internal_error():
    return render_template("errors/error.html", status=500, title=_titles()[500],
                           detail=_("The error has been logged.")), 500
