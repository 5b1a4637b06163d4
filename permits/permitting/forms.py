"""The permit forms: the application, an amendment, and an inspector's reason or request.

They carry what was typed, as typed; `permits.permitting.rules` validates (one set of rules for the
pages and the API), and `show_errors` puts each error under its field, naming the field.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from permits.web.formats import decimal_text


class PlainSelect(SelectField):
    """A select whose value the service checks, naming the field when it is wrong."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class PlainMultiSelect(SelectMultipleField):
    """A multiple choice whose values the service checks, naming the field when one is wrong."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class CheckboxGroup(PlainMultiSelect):
    """A short pick-list as checkboxes in a fieldset (rendered by _forms.html's field macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


COUNTRY_CHOICES = [SelectChoice("US", _l("United States")), SelectChoice("MX", _l("Mexico")),
                   SelectChoice("CA", _l("Canada"))]
_DATE = {"type": "date"}


class TermsFields:
    """Fields an application and an amendment share: quantity, facility, route, transporters."""

    quantity_tonnes = StringField(_l("Quantity (tonnes)"), render_kw={"inputmode": "decimal"},
                                  description=_l("Metric tonnes, up to 3 decimals."))
    shipments_planned = StringField(_l("Shipments planned"), render_kw={"inputmode": "numeric"})
    receiving_facility_id = PlainSelect(_l("Receiving facility"), choices=[])
    operation_code = PlainSelect(_l("Operation"), choices=[],
                                 description=_l("Basel Annex IV. R12, R13 and D13–D15 are interim: "
                                                "name the final facility and operation below."))
    final_facility_id = PlainSelect(_l("Final facility (interim operations only)"), choices=[])
    final_operation_code = PlainSelect(_l("Final operation (interim operations only)"), choices=[])
    exit_port = StringField(_l("Exit port"))
    entry_port = StringField(_l("Entry port"))
    transit_countries = PlainMultiSelect(
        _l("Transit countries"), choices=[], render_kw={"size": 6},
        description=_l("Only countries the load crosses between the exit and the entry port; "
                       "choose none for a direct route. Hold Ctrl (⌘ on a Mac) to choose several."))
    transporters = TextAreaField(_l("Transporters"), render_kw={"rows": 3},
                                 description=_l("One per line: name, two-letter country code."))


class ApplicationForm(TermsFields, FlaskForm):
    byproduct = PlainSelect(_l("Byproduct"), choices=[])
    waste_codes = CheckboxGroup(_l("Waste codes"), choices=[],
                                description=_l("Every RCRA and Basel code that describes the load."))
    valid_from = StringField(_l("Valid from"), render_kw=_DATE)
    valid_to = StringField(_l("Valid to"), render_kw=_DATE,
                           description=_l("At most 12 months after the first day."))
    origin_name = StringField(_l("Origin site"))
    origin_country = PlainSelect(_l("Origin country"), choices=COUNTRY_CHOICES)
    origin_epa_id = StringField(_l("Origin EPA ID"), description=_l("Required for a U.S. origin."))
    save_draft = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit application"))

    def values(self) -> dict[str, Any]:
        """The application body (API.md's shape) as typed."""
        return {
            "byproduct": self.byproduct.data,
            "waste_codes": _words(" ".join(self.waste_codes.data or []), upper=True),
            "quantity_tonnes": decimal_text(_stripped(self.quantity_tonnes.data)),
            "shipments_planned": _stripped(self.shipments_planned.data),
            "valid_from": _stripped(self.valid_from.data),
            "valid_to": _stripped(self.valid_to.data),
            "receiving_facility_id": _stripped(self.receiving_facility_id.data),
            "operation_code": _stripped(self.operation_code.data),
            "final_facility_id": _stripped(self.final_facility_id.data),
            "final_operation_code": _stripped(self.final_operation_code.data),
            "origin": {"name": _stripped(self.origin_name.data),
                       "country": self.origin_country.data,
                       "epa_id": _stripped(self.origin_epa_id.data)},
            **_route_and_transporters(self),
        }

    def fill(self, body: dict[str, Any]) -> None:
        """Show a stored application (a draft) in the form."""
        origin = body.get("origin") or {}
        self.byproduct.data = body.get("byproduct")
        self.waste_codes.data = list(body.get("waste_codes") or [])
        self.valid_from.data = body.get("valid_from")
        self.valid_to.data = body.get("valid_to")
        self.origin_name.data = origin.get("name")
        self.origin_country.data = origin.get("country") or "US"
        self.origin_epa_id.data = origin.get("epa_id")
        fill_terms(self, body)


class AmendmentForm(TermsFields, FlaskForm):
    reason = TextAreaField(_l("Why the change"), render_kw={"rows": 2})
    submit = SubmitField(_l("Propose amendment"))

    def values(self) -> dict[str, Any]:
        return {
            "quantity_tonnes": decimal_text(_stripped(self.quantity_tonnes.data)),
            "shipments_planned": _stripped(self.shipments_planned.data),
            "receiving_facility_id": _stripped(self.receiving_facility_id.data),
            "operation_code": _stripped(self.operation_code.data),
            "final_facility_id": _stripped(self.final_facility_id.data),
            "final_operation_code": _stripped(self.final_operation_code.data),
            **_route_and_transporters(self),
        }


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})
    submit = SubmitField(_l("Confirm"))


class EvidenceRequestForm(FlaskForm):
    standard = PlainSelect(_l("Standard"), choices=[])
    message = TextAreaField(_l("What the facility should provide"), render_kw={"rows": 2})
    submit = SubmitField(_l("Request evidence"))


def fill_terms(form, body: dict[str, Any]) -> None:
    route = body.get("route") or {}
    quantity = body.get("quantity_tonnes")
    form.quantity_tonnes.data = None if quantity is None else f"{quantity:g}"
    form.shipments_planned.data = _text(body.get("shipments_planned"))
    form.receiving_facility_id.data = _text(body.get("receiving_facility_id"))
    form.operation_code.data = body.get("operation_code")
    form.final_facility_id.data = _text(body.get("final_facility_id"))
    form.final_operation_code.data = body.get("final_operation_code") or ""
    form.exit_port.data = route.get("exit_port")
    form.entry_port.data = route.get("entry_port")
    form.transit_countries.data = list(route.get("transit_countries") or [])
    form.transporters.data = "\n".join(f"{t.get('name', '')}, {t.get('country', '')}"
                                       for t in body.get("transporters") or [])


def _route_and_transporters(form) -> dict[str, Any]:
    return {
        "route": {"exit_port": _stripped(form.exit_port.data),
                  "entry_port": _stripped(form.entry_port.data),
                  "transit_countries": _words(" ".join(form.transit_countries.data or []),
                                              upper=True)},
        "transporters": [_transporter(line) for line in (form.transporters.data or "").splitlines()
                         if line.strip()],
    }


def _transporter(line: str) -> dict[str, str]:
    name, _, country = line.rpartition(",")
    if not name:  # no comma: the whole line is the name, the country is missing
        return {"name": line.strip(), "country": ""}
    return {"name": name.strip(), "country": country.strip().upper()}


def _words(text: str | None, *, upper: bool = False) -> list[str]:
    words = (text or "").replace(",", " ").split()
    return [w.upper() for w in words] if upper else words


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# The service names nested fields "origin.name" or "transporters[0].country"; the form flattens them.
_FIELD_OF = {"origin.name": "origin_name", "origin.country": "origin_country",
             "origin.epa_id": "origin_epa_id", "origin": "origin_name",
             "route.exit_port": "exit_port", "route.entry_port": "entry_port",
             "route.transit_countries": "transit_countries", "route": "exit_port"}


def show_errors(form, fields: dict[str, list[str]]) -> list[str]:
    """Put each error under its field, as "Label: message"; return those no field shows."""
    unplaced = []
    for name, messages in fields.items():
        target_name, prefix = _FIELD_OF.get(name, name), ""
        if name.startswith("transporters["):
            index, _, sub = name[len("transporters["):].partition("]")
            target_name = "transporters"
            prefix = str(_l("line %(n)s", n=int(index) + 1)) + (f" {sub.lstrip('.')}" if sub else "") + " "
        target = form[target_name] if target_name in form else None
        if target is None:
            unplaced.extend(f"{name}: {m}" for m in messages)
            continue
        label = target.label.text
        target.errors = [*list(target.errors or []), *(f"{label}: {prefix}{m}" for m in messages)]
    return unplaced

