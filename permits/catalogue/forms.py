"""The catalogue's HTML forms: the day-and-byproduct filter and a new version of a standard.

The forms check that what was typed parses; the catalogue service decides whether it is
acceptable, and `place_errors` puts each of its errors next to the field it names.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import TextInput

from permits.web.formats import LocalDecimalField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CatalogueFilterForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    on = DateField(_l("In force on"), validators=[Optional()])
    byproduct = SelectField(_l("Byproduct"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Show"))


class NewVersionForm(FlaskForm):
    """A new value of a standard from a date. A required practice has no value and no unit:
    `for_standard` drops those two fields and keeps `in_place` in their stead."""

    # A text box, not <input type=number>: a browser empties a number box it cannot read,
    # and the form must show back exactly what was typed.
    value = LocalDecimalField(_l("U.S. value"), places=None, widget=TextInput(),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"},
                         validators=[InputRequired(message=_l("A value is required."))])
    unit = StringField(_l("Unit"), filters=[_strip],
                       validators=[InputRequired(message=_l("A unit is required."))])
    in_place = BooleanField(_l("The practice must be in place"), validators=[
        DataRequired(message=_l("A required practice has no other value: tick the box."))])
    effective_from = DateField(_l("Effective from"), render_kw={"type": "date"},
                               validators=[InputRequired(message=_l("An effective date is required."))])
    citation = StringField(_l("Citation"), filters=[_strip], validators=[
        InputRequired(message=_l("A citation is required: no value enters the catalogue without one.")),
        Length(max=500)],
        description=_l("The rule text that sets the value, e.g. 29 CFR 1910.1025(c)."))
    note = TextAreaField(_l("Note"), filters=[_strip], validators=[Optional(), Length(max=2000)],
                         description=_l("Optional: what changed and why."))
    submit = SubmitField(_l("Add version"))

    @classmethod
    def for_standard(cls, standard, **kwargs) -> NewVersionForm:
        form = cls(**kwargs)
        if standard.direction == "required":
            del form.value
            del form.unit
        else:
            del form.in_place
            form.unit.description = _(
                "Any unit convertible to %(unit)s; the value is stored converted to %(unit)s.",
                unit=standard.unit)
        return form

    def values(self) -> dict:
        """The service's keyword arguments, from what was typed."""
        if "in_place" in self:
            value, unit = (True if self.in_place.data else None), None
        else:
            value, unit = float(self.value.data), self.unit.data
        return {"value": value, "unit": unit, "effective_from": self.effective_from.data,
                "citation": self.citation.data, "note": self.note.data or None}


def place_errors(form, fields: dict[str, list[str]]) -> list[str]:
    """Put each service error next to its field; return the ones no field shows."""
    unplaced = []
    for name, messages in fields.items():
        if name == "value" and "in_place" in form:
            name = "in_place"
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            unplaced.extend(f"{name}: {message}" for message in messages)
    return unplaced
