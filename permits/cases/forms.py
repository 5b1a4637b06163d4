"""The cases' HTML forms. They only carry what was typed: `permits.cases.services` validates,
and the registry's `apply_errors` puts each error it names next to its field."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import FieldList, FormField

from permits.registry.forms import options

CATEGORY_CHOICES = options([("environmental", _l("Environmental: air, water, soil, waste")),
                            ("occupational", _l("Occupational: workers' exposure and health"))])
PLAN_ROWS = 5


class PetitionForm(FlaskForm):
    facility_id = SelectField(_l("Facility"), choices=[], validate_choice=False)
    category = SelectField(_l("What the allegation is about"), choices=CATEGORY_CHOICES)
    allegation = TextAreaField(_l("What is happening"), description=_l(
        "What you saw, where and when. This text is read by inspectors and is never published."))
    contact_email = StringField(_l("Your e-mail (optional)"), description=_l(
        "Only for inspectors to reach you. Never published; leave it empty to stay anonymous."),
        render_kw={"type": "email", "autocomplete": "email", "spellcheck": "false"})
    attachments = MultipleFileField(_l("Photos or documents (optional)"), description=_l(
        "Up to 5 files: PDF, PNG or JPEG, 10 MiB each."))
    submit = SubmitField(_l("File the petition"))


class ScreeningForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=options([("accept", _l("Accept for review")),
                                                            ("dismiss", _l("Dismiss"))]))
    reasons = TextAreaField(_l("Reasons"), description=_l("Published with the case: name no person."))
    submit = SubmitField(_l("Record the screening"))


class InvestigationForm(FlaskForm):
    method = SelectField(_l("How the review is made"), choices=options([
        ("inspection", _l("An inspection")), ("evidence_request", _l("A request for evidence"))]))
    country_agreed = SelectField(_l("Did the facility's country agree to review?"), choices=options([
        ("true", _l("Yes")), ("false", _l("No, or no answer: Parity reviews on its own"))]))
    request = TextAreaField(_l("What is requested"), description=_l("Required for a request for evidence."))
    submit = SubmitField(_l("Start the review"))


class FindingsForm(FlaskForm):
    violation = SelectField(_l("Findings"), choices=options([
        ("false", _l("No violation: the case closes unfounded")),
        ("true", _l("Violation confirmed: the facility and its permits are suspended"))]))
    summary = TextAreaField(_l("Summary of the findings"))
    inspection_id = StringField(_l("Inspection number (optional)"), description=_l(
        "The inspection of this facility the findings rest on, if any."))
    submit = SubmitField(_l("Record the findings"))


class PlanRow(Form):
    action = StringField(_l("Action"))
    due_on = StringField(_l("Due on"), render_kw={"type": "date"})


class PlanForm(FlaskForm):
    actions = FieldList(FormField(PlanRow), min_entries=PLAN_ROWS, max_entries=PLAN_ROWS)
    submit = SubmitField(_l("Set the plan"))

    def values(self) -> list[dict]:
        return [{"action": row.form.action.data, "due_on": row.form.due_on.data}
                for row in self.actions
                if (row.form.action.data or "").strip() or (row.form.due_on.data or "").strip()]


class CloseForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=options([
        ("remedied", _l("Remedied: the facility was reinstated after a compliant inspection")),
        ("violation_confirmed", _l("Violation confirmed: the plan was not carried out"))]))
    summary = TextAreaField(_l("Summary"))
    submit = SubmitField(_l("Close the case"))


class HoldPermitsForm(FlaskForm):
    organization_id = SelectField(_l("Whose permits"), choices=[], validate_choice=False,
                                  description=_l("The approved permits naming this facility are "
                                                 "held until the case closes."))
    submit = SubmitField(_l("Hold the permits"))
