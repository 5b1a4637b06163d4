"""The administrators' forms; the choices that come from the database are set by the views."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from permits.web.labels import COUNTRIES as COUNTRY_WORDS
from permits.web.labels import ROLES as ROLE_WORDS


def role_choices(roles) -> list[tuple[str, str]]:
    return [(r, str(ROLE_WORDS.get(r, r))) for r in roles]


def country_choices(blank) -> list[tuple[str, str]]:
    return [("", str(blank))] + [(c, str(w)) for c, w in COUNTRY_WORDS.items()]


class UserForm(FlaskForm):
    """A new user (email editable) or an existing one (the view removes the email)."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    organization_id = SelectField(_l("Organization"), choices=[], validate_choice=False,
                                  description=_l("Shippers only: the company they apply for."))
    # The register holds thousands of facilities: the list shows those matching a search (name
    # and country), sent with the "Find" button; no script needed, nothing typed is lost.
    facility_search = StringField(_l("Find a facility"), validators=[Length(max=100)],
                                  description=_l("Part of its name; then press “Find facilities”."))
    facility_country = SelectField(_l("Facility country"), choices=[], validate_choice=False)
    find_facilities = SubmitField(_l("Find facilities"))
    facility_id = SelectField(_l("Facility"), choices=[], validate_choice=False,
                              description=_l("Facility users only: the receiving facility they speak for."))
    country = SelectField(_l("Country"), choices=[], validate_choice=False,
                          description=_l("Competent authorities only: the country they consent for."))
    request_id = HiddenField()
    submit = SubmitField(_l("Save"))


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))


class DenyForm(FlaskForm):
    reason = TextAreaField(_l("Why the request is denied"), validators=[Length(max=500)],
                           description=_l("The person reads this; say what they can do instead."))
    submit = SubmitField(_l("Deny"))


class AuditFilterForm(FlaskForm):
    """The audit trail's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    entity = StringField(_l("Record type"), validators=[Optional(), Length(max=40)],
                         description=_l("For example permit, facility, shipment, user."))
    entity_id = StringField(_l("Record number"), validators=[Optional(), Length(max=40)])
    actor = StringField(_l("Who"), validators=[Optional(), Length(max=254)],
                        description=_l("An email address, a user number, or “system”."))
    action = StringField(_l("Action"), validators=[Optional(), Length(max=80)],
                         description=_l("The start is enough: “user.” finds every change to users."))
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))
