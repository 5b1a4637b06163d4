"""The carbon report's form: a method's activity data as rows, so that the page asks exactly for
what the method needs (the method is chosen first, then its fields are shown)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, FormField, SelectField, StringField, SubmitField
from wtforms.fields import FieldList

from facility_registry.carbon_methods import Q_INPUTS, Q_OUTPUTS, R_MATERIALS
from permits.registry.forms import options
from permits.web.formats import decimal_text

ROWS = 5

FUEL_NAMES = {
    "natural_gas": _l("Natural gas"), "distillate_fuel_oil_no2": _l("Distillate fuel oil No. 2"),
    "residual_fuel_oil_no6": _l("Residual fuel oil No. 6"), "propane": _l("Propane"),
    "bituminous_coal": _l("Bituminous coal"), "coal_coke": _l("Coal coke"),
    "petroleum_coke": _l("Petroleum coke"),
}
MATERIAL_NAMES = {
    "lead_ore": _l("Lead ore"), "lead_scrap": _l("Lead scrap (batteries, dust)"),
    "flux": _l("Flux (limestone, dolomite)"), "carbonaceous": _l("Carbonaceous material (coal, coke)"),
    "other": _l("Other carbon-bearing material"), "scrap": _l("Scrap and dust charged"),
    "direct_reduced_iron": _l("Direct reduced iron"), "electrode": _l("Electrodes"),
    "steel": _l("Steel or metal product"), "slag": _l("Slag"), "dust": _l("Dust and residues"),
}
MATERIALS = {"ghgrp_subpart_r": {"inputs": R_MATERIALS},
             "ghgrp_subpart_q": {"inputs": Q_INPUTS, "outputs": Q_OUTPUTS}}


class FuelRow(Form):
    fuel = SelectField(_l("Fuel"), choices=options([("", "—"), *FUEL_NAMES.items()]),
                       validate_choice=False)
    quantity = StringField(_l("Quantity burned in the year"), render_kw={"inputmode": "decimal"})
    unit = StringField(_l("Unit"))


class CarbonRow(Form):
    material = SelectField(_l("Material"), choices=[], validate_choice=False)
    tonnes = StringField(_l("Tonnes in the year"), render_kw={"inputmode": "decimal"})
    carbon_fraction = StringField(_l("Carbon content (fraction, 0 to 1)"),
                                  render_kw={"inputmode": "decimal"})


class SourceRow(Form):
    source = StringField(_l("Source"))
    scope = SelectField(_l("Scope"), choices=options([("1", _l("1: direct")),
                                                      ("2", _l("2: purchased energy"))]),
                        validate_choice=False)
    amount = StringField(_l("Activity amount"), render_kw={"inputmode": "decimal"})
    factor_tco2e_per_unit = StringField(_l("Emission factor (t CO₂e per unit)"),
                                        render_kw={"inputmode": "decimal"})


class CarbonForm(FlaskForm):
    year = StringField(_l("Reporting year"), render_kw={"inputmode": "numeric"})
    receiving_process = SelectField(_l("Receiving process reported on"), choices=[], validate_choice=False)
    tonnes_received = StringField(_l("Tonnes received in the year"), render_kw={"inputmode": "decimal"})
    tonnes_processed = StringField(_l("Tonnes processed in the year"), render_kw={"inputmode": "decimal"})
    measured_co2_tonnes = StringField(_l("CO₂ measured by the CEMS (tonnes)"),
                                      render_kw={"inputmode": "decimal"})
    fuels = FieldList(FormField(FuelRow), min_entries=ROWS, max_entries=ROWS)
    inputs = FieldList(FormField(CarbonRow), min_entries=ROWS, max_entries=ROWS)
    outputs = FieldList(FormField(CarbonRow), min_entries=ROWS, max_entries=ROWS)
    sources = FieldList(FormField(SourceRow), min_entries=ROWS, max_entries=ROWS)
    submit = SubmitField(_l("Report carbon"))

    def set_choices(self, method: str, processes: list[tuple[str, str]]) -> None:
        self.receiving_process.choices = options(processes)
        for name, codes in MATERIALS.get(method, {}).items():
            for entry in getattr(self, name):
                entry.form.material.choices = options(
                    [("", "—"), *((c, MATERIAL_NAMES[c]) for c in codes)])

    def activity(self, lists: tuple[str, ...]) -> dict:
        """The method's activity data; an empty row is skipped (its index is kept for errors)."""
        if not lists:
            return {"measured_co2_tonnes": decimal_text(self.measured_co2_tonnes.data)}
        activity = {}
        self.row_maps = {}
        for name in lists:
            rows, self.row_maps[name] = [], []
            for index, entry in enumerate(getattr(self, name)):
                values = {k: (v.strip() if isinstance(v, str) else v)
                          for k, v in entry.form.data.items() if k != "csrf_token"}
                if any(v for k, v in values.items() if k != "scope"):
                    rows.append({k: decimal_text(v) if k in _NUMBERS else v
                                 for k, v in values.items()})
                    self.row_maps[name].append(index)
            activity[name] = rows
        return activity


    def place_errors(self, fields: dict) -> list[str]:
        """Each service error beside its field (`activity.fuels[0].quantity` on the row typed);
        the ones no field shows are returned."""
        unplaced = []
        for name, messages in fields.items():
            target = self._target(name)
            if target is None:
                unplaced.extend(f"{name}: {m}" for m in messages)
            else:
                target.errors = [*list(target.errors or []), *messages]
        return unplaced

    def _target(self, name: str):
        plain = name.removeprefix("activity.")
        plain = "receiving_process" if plain == "process" else plain
        if plain in self and plain not in ("fuels", "inputs", "outputs", "sources"):
            return self[plain]
        list_name, _, rest = plain.partition("[")
        if not rest or list_name not in getattr(self, "row_maps", {}):
            return None
        index, _, sub = rest.partition("].")
        try:
            entry = getattr(self, list_name)[self.row_maps[list_name][int(index)]]
        except (ValueError, IndexError):
            return None
        return entry.form[sub] if sub in entry.form else None


_NUMBERS = {"quantity", "tonnes", "carbon_fraction", "amount", "factor_tco2e_per_unit"}
