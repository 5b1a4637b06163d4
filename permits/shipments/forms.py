"""The shipment forms. Field names are the API's, so a service error naming a field lands on it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import TextInput

from permits.web.formats import LocalDecimalField
from standards.errors import DomainError

_TONNES_HINT = _l("Metric tonnes, up to 3 decimals.")
# A text box, not <input type=number>: a browser empties a number box it cannot read (a decimal
# comma, as typed in Mexico and Quebec), and the form must show back exactly what was typed.
_TONNES_BOX = {"widget": TextInput(), "render_kw": {"inputmode": "decimal", "autocomplete": "off"}}


class ShipmentForm(FlaskForm):
    movement_document = StringField(_l("Movement document number"), validators=[InputRequired(), Length(max=64)],
                                    description=_l("The number on the document that travels with the load."))
    quantity_tonnes = LocalDecimalField(_l("Quantity (tonnes)"), validators=[InputRequired()], description=_TONNES_HINT,
                                   **_TONNES_BOX)
    carrier = SelectField(_l("Carrier"), choices=[], validate_choice=False,
                          description=_l("Only a transporter named on the permit may carry the load."))
    departed_on = DateField(_l("Planned departure"), validators=[InputRequired()],
                            description=_l("Today or a later day within the permit’s validity."))
    expected_arrival_on = DateField(_l("Expected arrival"), validators=[InputRequired()])
    submit = SubmitField(_l("Log shipment"))


class ReceiptForm(FlaskForm):
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    quantity_tonnes = LocalDecimalField(_l("Quantity received (tonnes)"), validators=[InputRequired()],
                                   description=_l("As weighed at the gate."), **_TONNES_BOX)
    refused_tonnes = LocalDecimalField(_l("Of which refused (tonnes)"), validators=[Optional()],
                                  description=_l("Leave empty when all of it is accepted. A refused part must be returned."),
                                  **_TONNES_BOX)
    refusal_reason = StringField(_l("Why that part is refused"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Confirm receipt"))


class RefusalForm(FlaskForm):
    refused_on = DateField(_l("Refused on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=1000)])
    submit = SubmitField(_l("Refuse the whole load"))


class RecoveryForm(FlaskForm):
    completed_on = DateField(_l("Recovery or disposal completed on"), validators=[InputRequired()])
    operation_code = SelectField(_l("Operation carried out"), choices=[], validate_choice=False,
                                 description=_l("The operation the permit names; another one needs a new permit."))
    submit = SubmitField(_l("Confirm recovery"))


class ReturnForm(FlaskForm):
    returned_on = DateField(_l("Returned on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why it came back (optional)"), validators=[Length(max=2000)],
                           render_kw={"rows": 2},
                           description=_l("Left empty, the refusal's reason is reported."))
    new_destination = StringField(_l("Where it goes now (optional)"), validators=[Length(max=500)],
                                  description=_l("Left empty: back to the permit's origin."))
    submit = SubmitField(_l("Confirm the return"))


class FinalReceiptForm(FlaskForm):
    received_on = DateField(_l("Received at the final facility on"), validators=[InputRequired()])
    quantity_tonnes = LocalDecimalField(_l("Quantity received (tonnes)"), validators=[InputRequired()],
                                   **_TONNES_BOX)
    submit = SubmitField(_l("Confirm receipt at the final facility"))


class FinalRecoveryForm(FlaskForm):
    completed_on = DateField(_l("Final recovery or disposal completed on"), validators=[InputRequired()])
    operation_code = SelectField(_l("Final operation carried out"), choices=[], validate_choice=False,
                                 description=_l("The final operation the permit names."))
    submit = SubmitField(_l("Confirm the final recovery or disposal"))


class ResolveForm(FlaskForm):
    note = TextAreaField(_l("How it was resolved"), validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField(_l("Resolve"))


# One form per confirmation, under a prefix so that several can share a page.
CONFIRMATION_FORMS = {"receive": ReceiptForm, "refuse": RefusalForm, "recover": RecoveryForm, "return": ReturnForm,
                      "final_receive": FinalReceiptForm, "final_recover": FinalRecoveryForm}


def confirmation_form(event: str, **kwargs) -> FlaskForm:
    return CONFIRMATION_FORMS[event](prefix=event, **kwargs)


def attach(form: FlaskForm, error: DomainError) -> bool:
    """Put the error's field messages on the form's fields; False when none of them is on this form."""
    placed = False
    for name, messages in error.fields.items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, *messages]
            placed = True
    return placed
