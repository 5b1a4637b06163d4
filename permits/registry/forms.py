"""The registry's HTML forms. They only carry what was typed: the registry's services validate,
and `apply_errors` puts each error the service names next to its field."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from permits.web.formats import decimal_text


class CheckboxGroup(SelectMultipleField):
    """A pick-list shown as checkboxes in a fieldset (see _forms.html); the service validates."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' choice objects."""
    return [SelectChoice(value, label) for value, label in pairs]


COUNTRY_CHOICES = options([("US", _l("United States")), ("MX", _l("Mexico")), ("CA", _l("Canada"))])
FINDING_ROWS = 5


class FacilityForm(FlaskForm):
    name = StringField(_l("Name"))
    country = SelectField(_l("Country"), choices=COUNTRY_CHOICES)
    epa_id = StringField(_l("EPA ID"), description=_l("12 characters: a two-letter state code and 10 letters or digits. Required for a U.S. facility."))
    semarnat_nra = StringField(_l("SEMARNAT registration (NRA)"), description=_l("Required for a Mexican facility."))
    canada_id = StringField(_l("Canadian (provincial) identifier"), description=_l("Required for a Canadian facility."))
    address = TextAreaField(_l("Address"))
    operations = CheckboxGroup(_l("Operations"), choices=[], description=_l("Basel Annex IV: every operation the facility is permitted to perform."))
    accepts = CheckboxGroup(_l("Byproducts accepted"), choices=[])
    processes = CheckboxGroup(_l("Receiving processes"), choices=[], description=_l(
        "What the plant does with what it receives: it decides which U.S. standards govern it. "
        "None ticked: derived from the byproducts and operations."))
    annual_capacity_tonnes = StringField(_l("Annual capacity (tonnes)"))
    submit = SubmitField(_l("Save facility"))

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in (
            "name", "country", "epa_id", "semarnat_nra", "canada_id", "address", "operations",
            "accepts", "processes", "annual_capacity_tonnes")}
        # Ticked boxes, or (from a script) one box of codes separated by spaces.
        for name in ("operations", "accepts", "processes"):
            values[name] = " ".join(values[name] or [])
        values["annual_capacity_tonnes"] = decimal_text(values["annual_capacity_tonnes"])
        return values


class EvidenceForm(FlaskForm):
    standard = SelectField(_l("Standard"), choices=[], validate_choice=False)
    kind = SelectField(_l("Kind"), choices=options([("limit", _l("Binding limit")),
                                                   ("measurement", _l("Measurement"))]))
    value = StringField(_l("Value"), description=_l("A number, or true/false for a required practice."))
    unit = StringField(_l("Unit"), description=_l("As on the document, e.g. mg/m3 or µg/m³; none for a practice."))
    basis = SelectField(_l("Basis"), choices=[], validate_choice=False)
    observed_on = StringField(_l("Observed on"), render_kw={"type": "date"})
    instrument = SelectField(
        _l("Source instrument"), choices=[], validate_choice=False,
        description=_l("For a binding limit set by a Mexican or Canadian NOM, law or regulation: choose it, and the source document may be left empty. A limit set by the facility's own operating permit is described in the source document."))
    source = StringField(_l("Source document"), description=_l("The law, permit or lab report it comes from."))
    comparator = SelectField(
        _l("The limit as phrased"), validate_choice=False,
        choices=options([("", _l("— (a measurement, or \"at most\" / \"at least\")")),
                         ("<", _l("less than (<)")), ("<=", _l("at most (≤)")),
                         (">", _l("more than (>)")), (">=", _l("at least (≥)"))]),
        description=_l("For a binding limit: how the facility's rule words it. \"Less than 3 percent\" equals a U.S. rule that forbids 3 percent itself; \"at most 3 percent\" is weaker."))
    shift_hours = StringField(_l("Shift length (hours)"), render_kw={"inputmode": "decimal"},
                              description=_l("For an 8-hour TWA measurement over a longer shift: the U.S. lead limit becomes 400 ÷ hours."))
    subject = StringField(_l("Worker (pseudonymous code)"),
                          description=_l("For a per-test blood result: the same code on each test of one worker, so that averages over the last tests can be computed. Never a name."))
    reason = TextAreaField(_l("Reason for the correction"))
    submit = SubmitField(_l("Record evidence"))

    def values(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "standard", "kind", "value", "unit", "basis", "observed_on", "source")}
        for name in ("comparator", "shift_hours", "subject", "instrument"):
            if (getattr(self, name).data or "").strip():
                data[name] = getattr(self, name).data.strip()
        if "shift_hours" in data:
            data["shift_hours"] = decimal_text(data["shift_hours"])
        return {**data, "value": decimal_text(data["value"])}


class RejectionForm(FlaskForm):
    reason = TextAreaField(_l("Why the entry is rejected"),
                           description=_l("The facility sees this reason beside its entry."))
    submit = SubmitField(_l("Reject the entry"))


class CorrectionForm(FlaskForm):
    corrective_action = TextAreaField(_l("Corrective action"),
                                      description=_l("What was done to end the exceedance."))
    remeasurement_evidence_id = SelectField(_l("Re-measurement"), choices=[], validate_choice=False,
                                            description=_l("A newer measurement of the same standard that shows the result of the action."))
    submit = SubmitField(_l("Record the correction"))


class FindingForm(Form):
    # The registry checks codes and bases and names the row; an empty row is simply skipped.
    standard = SelectField(_l("Standard"), choices=[], validate_choice=False)
    value = StringField(_l("Measured value"))
    unit = StringField(_l("Unit"))
    basis = SelectField(_l("Basis"), choices=[], validate_choice=False)


class InspectionForm(FlaskForm):
    inspected_on = StringField(_l("Inspected on"), render_kw={"type": "date"})
    outcome = SelectField(_l("Outcome"), choices=options([
        ("compliant", _l("Compliant")), ("violation", _l("Violation: suspends the facility at once"))]))
    summary = TextAreaField(_l("Summary"))
    findings = FieldList(FormField(FindingForm), min_entries=FINDING_ROWS, max_entries=FINDING_ROWS)
    attachments = MultipleFileField(_l("Attachments"), description=_l("PDF, PNG or JPEG, up to 10 MiB each."))
    submit = SubmitField(_l("Record inspection"))

    def set_choices(self, standards: list[tuple[str, str]], bases: list[tuple[str, str]]) -> None:
        for entry in self.findings:
            entry.form.standard.choices = options([("", "—"), *standards])
            entry.form.basis.choices = options([("", "—"), *bases])

    def finding_values(self) -> list[dict]:
        rows = []
        for entry in self.findings:
            data = {k: entry.form[k].data for k in ("standard", "value", "unit", "basis")}
            data["value"] = decimal_text(data["value"])
            if data["standard"] or (data["value"] or "").strip():
                rows.append(data)
        return rows


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"))
    submit = SubmitField(_l("Confirm"))


class NotifyForm(FlaskForm):
    notified_on = StringField(_l("Facility notified on"), render_kw={"type": "date"})
    submit = SubmitField(_l("Record notification"))


def apply_errors(form, fields: dict[str, list[str]], *, findings_map: list[int] | None = None) -> list[str]:
    """Put each service error next to its form field; return the ones no field shows."""
    unplaced = []
    for name, messages in fields.items():
        target = _field(form, name, findings_map)
        if target is None:
            unplaced.extend(f"{name}: {m}" for m in messages)
        else:
            target.errors = [*list(target.errors or []), *messages]
    return unplaced


def _field(form, name: str, findings_map: list[int] | None):
    if name.startswith("findings[") and findings_map is not None:
        index, _, sub = name[len("findings["):].partition("].")
        try:
            row = form.findings[findings_map[int(index)]]
        except (ValueError, IndexError):
            return None
        return row.form[sub] if sub in row.form else None
    if name.startswith("attachments"):
        name = "attachments"
    return form[name] if name in form else None
