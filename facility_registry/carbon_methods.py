"""The named methods a facility reports its greenhouse-gas emissions by: what activity data each
needs, which receiving processes it fits, and how it turns that data into tonnes of CO2e.

A report's total and its intensities are computed here from the activity data, never typed.
Masses are metric tonnes throughout (API.md); where a rule states short tons or volumes, the
quantity is converted with the units library, never with a factor typed in a formula.

Sources (read from the rule texts as stored, each cited where it is used):
- 40 CFR 98.33(a)(1), Equation C-1 (Subpart C, general stationary fuel combustion, Tier 1):
  CO2 = 1e-3 x Fuel x HHV x EF, with Fuel the mass or volume of fuel combusted in the year
  "from company records" (solid fuel in short tons, gas in standard cubic feet, liquid in
  gallons), HHV and EF the fuel's default high heat value and CO2 emission factor from
  Table C-1 to Subpart C.
- 40 CFR 98.33(a)(4) (Tier 4): CO2 mass measured by a continuous emission monitoring system;
  98.183(a) and (b)(1) send lead smelting furnaces with a CEMS to it.
- 40 CFR 98.173(b)(1), Equations Q-1 to Q-7 (Subpart Q, iron and steel production): the
  carbon mass balance, 44/12 x (the carbon of every input, mass x carbon content as a decimal
  fraction, less the carbon leaving in the products and residues); Equation Q-5 for an EAF.
  98.170 defines the source category (EAF steelmaking among it).
- 40 CFR 98.183(b)(2), Equation R-1 (Subpart R, lead production): 44/12 x the annual mass of
  each carbon-containing material charged to the smelting furnace (lead ore, lead scrap, flux,
  carbonaceous materials such as coal and coke, other) x its carbon content from analysis
  (decimal fraction). The rule states short tons and converts with 2000/2205; masses here are
  metric tonnes already. 98.180: a secondary lead smelter recycles lead-bearing scrap,
  "including but not limited to lead-acid batteries", by smelting.
- The GHG Protocol Corporate Accounting and Reporting Standard (WRI/WBCSD): scope 1 (direct)
  and scope 2 (purchased electricity, heat, steam) emissions as activity data x an emission
  factor already in CO2e.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pint

from facility_registry import validation
from standards import problems, units
from standards.errors import ValidationFailed
from standards.messages import N_, Message, define

# The receiving processes a method can fit. Until facilities carry their own `processes`
# (API.md "Receiving processes"), a facility's are derived from what it accepts and does.
PROCESSES = ("secondary_lead_smelting", "metals_recovery_kiln", "slag_processing",
             "land_disposal")
_FROM_BYPRODUCT = {"lead_acid_battery_dust": "secondary_lead_smelting",
                   "eaf_dust": "metals_recovery_kiln", "slag": "slag_processing"}

CO2_PER_C = 44.0 / 12.0  # ratio of molecular weights, CO2 to carbon (Equations)


def processes_of(facility) -> list[str]:
    """The facility's receiving processes: its own list where it has one, else derived from the
    byproducts it accepts and (D codes) whether it disposes on land."""
    own = getattr(facility, "processes", None)
    if own:
        return list(own)
    found = [_FROM_BYPRODUCT[b] for b in facility.accepts or [] if b in _FROM_BYPRODUCT]
    if any(str(code).upper().startswith("D") for code in facility.operations or []):
        found.append("land_disposal")
    return [p for p in PROCESSES if p in found]


# --- the fuels of Subpart C Tier 1 --------------------------------------------------------

@dataclass(frozen=True)
class Fuel:
    code: str
    unit: str  # the unit Table C-1 states the fuel's quantity in (pint spelling)
    hhv_mmbtu: float  # default high heat value, mmBtu per `unit`
    ef_kg_co2_per_mmbtu: float  # default CO2 emission factor


# Table C-1 to Subpart C of Part 98 (as amended at 81 FR 89188, Dec. 9, 2016).
FUELS = {f.code: f for f in (
    Fuel("natural_gas", "ft**3", 1.026e-3, 53.06),
    Fuel("distillate_fuel_oil_no2", "gallon", 0.138, 73.96),
    Fuel("residual_fuel_oil_no6", "gallon", 0.150, 75.10),
    Fuel("propane", "gallon", 0.091, 62.87),
    Fuel("bituminous_coal", "short_ton", 24.93, 93.28),
    Fuel("coal_coke", "short_ton", 24.80, 113.67),
    Fuel("petroleum_coke", "short_ton", 30.00, 102.41),
)}

# The materials Equation R-1 names, and the inputs and outputs of Subpart Q's balance.
R_MATERIALS = ("lead_ore", "lead_scrap", "flux", "carbonaceous", "other")
Q_INPUTS = ("scrap", "direct_reduced_iron", "flux", "electrode", "carbonaceous", "other")
Q_OUTPUTS = ("steel", "slag", "dust", "other")


# --- the methods --------------------------------------------------------------------------

@dataclass(frozen=True)
class Method:
    code: str
    title: str  # N_() marked: the page and the API render it in the reader's language
    citation: str
    fits: frozenset[str]  # the receiving processes it may be used for
    lists: tuple[str, ...]  # the lists of rows its activity data holds
    compute: Callable[[dict], tuple[dict, float]]  # activity → (clean activity, t CO2e)


_IMPOSSIBLE_BALANCE = define("carbon.balance_negative", N_(
    "carry more carbon out (%(out)s t) than goes in (%(in)s t): not a possible balance"))
_NOT_A_FUEL = define("carbon.unknown_fuel", N_("%(fuel)s is not a fuel of Table C-1 (%(fuels)s)"))
_NOT_MATERIAL = define("carbon.unknown_material", N_("%(item)s is not one of %(choices)s"))
_WRONG_UNIT = define("carbon.fuel_unit", N_(
    "%(unit)s is not a unit this fuel's quantity can be stated in (%(expected)s)"))
_FRACTION = define("carbon.fraction", N_("must be a decimal fraction from 0 to 1"))
_EMPTY = define("carbon.no_rows", N_("name at least one row"))
_TOO_MANY = define("carbon.too_many_rows", N_("at most %(max)s rows"))
_SCOPE = define("carbon.scope", N_("must be 1 (direct) or 2 (purchased energy)"))
MAX_ROWS = 30


class _Errors:
    """Every bad field of an activity body, named by its path (`activity.fuels[0].quantity`)."""

    def __init__(self):
        self.fields: dict[str, list] = {}

    def add(self, field: str, message) -> None:
        self.fields.setdefault(field, []).append(message)

    def attempt(self, rule, *args, **kwargs):
        try:
            return rule(*args, **kwargs)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                self.fields.setdefault(name, []).extend(messages)
            return None


def _fail(field: str, message) -> ValidationFailed:
    return validation.fail(field, message)


def _quantity(value, field: str, *, positive: bool = False) -> float:
    number = validation.number(value, field, minimum=0.0, allow_equal=not positive)
    if number > 1e12:  # more than a trillion tonnes of anything is a typing slip
        raise _fail(field, problems.problem(problems.BETWEEN, low=0, high="1e12"))
    return number


def _fraction(value, field: str) -> float:
    number = validation.number(value, field, minimum=0.0)
    if number > 1:
        raise _fail(field, Message(_FRACTION))
    return number


def _rows(activity: dict, name: str, errors: _Errors, *, required: bool = True) -> list[dict]:
    rows = activity.get(name)
    field = f"activity.{name}"
    if rows is None or rows == []:
        if required:
            errors.add(field, Message(_EMPTY))
        return []
    if not isinstance(rows, list):
        errors.add(field, problems.problem(problems.LIST))
        return []
    if len(rows) > MAX_ROWS:
        errors.add(field, Message(_TOO_MANY, {"max": MAX_ROWS}))
        return []
    return [row if isinstance(row, dict) else {} for row in rows]


def _choice(value, field: str, choices) -> str:
    clean = ("" if value is None else str(value)).strip()
    if clean not in choices:
        raise _fail(field, Message(_NOT_MATERIAL, {"item": clean or "(empty)",
                                                   "choices": ", ".join(choices)}))
    return clean


def _carbon_rows(activity: dict, name: str, materials, errors: _Errors,
                 *, required: bool = True) -> tuple[list[dict], float]:
    """Rows of {material, tonnes, carbon_fraction}: the rows as cleaned and their carbon (t C)."""
    clean, carbon = [], 0.0
    for i, row in enumerate(_rows(activity, name, errors, required=required)):
        at = f"activity.{name}[{i}]"
        material = errors.attempt(_choice, row.get("material"), f"{at}.material", materials)
        tonnes = errors.attempt(_quantity, row.get("tonnes"), f"{at}.tonnes")
        fraction = errors.attempt(_fraction, row.get("carbon_fraction"), f"{at}.carbon_fraction")
        if None not in (material, tonnes, fraction):
            clean.append({"material": material, "tonnes": tonnes, "carbon_fraction": fraction})
            carbon += tonnes * fraction
    return clean, carbon


def _raise(errors: _Errors) -> None:
    validation.raise_all(errors.fields)


def _subpart_c(activity: dict) -> tuple[dict, float]:
    """Equation C-1 per fuel: CO2 (t) = 1e-3 x Fuel x HHV x EF."""
    errors, clean, total = _Errors(), [], 0.0
    ureg = units.registry()
    for i, row in enumerate(_rows(activity, "fuels", errors)):
        at = f"activity.fuels[{i}]"
        fuel = errors.attempt(_fuel, row.get("fuel"), f"{at}.fuel")
        quantity = errors.attempt(_quantity, row.get("quantity"), f"{at}.quantity")
        unit = ("" if row.get("unit") is None else str(row.get("unit"))).strip()
        if fuel is None or quantity is None:
            continue
        try:
            in_rule_unit = ureg.Quantity(quantity, unit or fuel.unit).to(fuel.unit).magnitude
        except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
            errors.add(f"{at}.unit", Message(_WRONG_UNIT, {"unit": unit, "expected": fuel.unit}))
            continue
        co2 = 1e-3 * in_rule_unit * fuel.hhv_mmbtu * fuel.ef_kg_co2_per_mmbtu
        clean.append({"fuel": fuel.code, "quantity": quantity, "unit": unit or fuel.unit,
                      "hhv_mmbtu_per_unit": fuel.hhv_mmbtu, "rule_unit": fuel.unit,
                      "ef_kg_co2_per_mmbtu": fuel.ef_kg_co2_per_mmbtu, "tco2": co2})
        total += co2
    _raise(errors)
    return {"fuels": clean}, total


def _fuel(value, field: str) -> Fuel:
    clean = ("" if value is None else str(value)).strip()
    if clean not in FUELS:
        raise _fail(field, Message(_NOT_A_FUEL, {"fuel": clean or "(empty)",
                                                 "fuels": ", ".join(FUELS)}))
    return FUELS[clean]


def _cems(activity: dict) -> tuple[dict, float]:
    """Tier 4: the CO2 mass the CEMS measured over the year, as recorded."""
    errors = _Errors()
    measured = errors.attempt(_quantity, activity.get("measured_co2_tonnes"),
                              "activity.measured_co2_tonnes")
    _raise(errors)
    return {"measured_co2_tonnes": measured}, measured


def _subpart_q(activity: dict) -> tuple[dict, float]:
    """The carbon mass balance: 44/12 x (carbon in - carbon out)."""
    errors = _Errors()
    inputs, carbon_in = _carbon_rows(activity, "inputs", Q_INPUTS, errors)
    outputs, carbon_out = _carbon_rows(activity, "outputs", Q_OUTPUTS, errors, required=False)
    _raise(errors)
    if carbon_out > carbon_in:  # a furnace does not make carbon
        raise _fail("activity.outputs", Message(_IMPOSSIBLE_BALANCE, {
            "out": round(carbon_out, 3), "in": round(carbon_in, 3)}))
    return {"inputs": inputs, "outputs": outputs}, CO2_PER_C * (carbon_in - carbon_out)


def _subpart_r(activity: dict) -> tuple[dict, float]:
    """Equation R-1: 44/12 x the carbon of every material charged to the smelting furnaces."""
    errors = _Errors()
    inputs, carbon = _carbon_rows(activity, "inputs", R_MATERIALS, errors)
    _raise(errors)
    return {"inputs": inputs}, CO2_PER_C * carbon


def _ghg_protocol(activity: dict) -> tuple[dict, float]:
    """Scope 1 and 2 sources, each activity amount x its emission factor in t CO2e per unit."""
    errors, clean, total = _Errors(), [], 0.0
    for i, row in enumerate(_rows(activity, "sources", errors)):
        at = f"activity.sources[{i}]"
        name = errors.attempt(validation.text, row.get("source"), f"{at}.source", max_length=200)
        scope = errors.attempt(_scope, row.get("scope"), f"{at}.scope")
        amount = errors.attempt(_quantity, row.get("amount"), f"{at}.amount")
        factor = errors.attempt(_quantity, row.get("factor_tco2e_per_unit"),
                                f"{at}.factor_tco2e_per_unit")
        if None in (name, scope, amount, factor):
            continue
        clean.append({"source": name, "scope": scope, "amount": amount,
                      "factor_tco2e_per_unit": factor, "tco2e": amount * factor})
        total += amount * factor
    _raise(errors)
    return {"sources": clean}, total


def _scope(value, field: str) -> int:
    if str(value).strip() not in {"1", "2"}:
        raise _fail(field, Message(_SCOPE))
    return int(str(value).strip())


SMELTING_AND_KILNS = frozenset({"secondary_lead_smelting", "metals_recovery_kiln",
                                "slag_processing"})
METHODS: dict[str, Method] = {m.code: m for m in (
    Method("ghgrp_subpart_q", N_("EPA GHGRP, 40 CFR 98 Subpart Q: iron and steel production "
                                 "(carbon mass balance)"),
           "40 CFR 98.173(b)(1)", frozenset({"metals_recovery_kiln", "slag_processing"}),
           ("inputs", "outputs"), _subpart_q),
    Method("ghgrp_subpart_r", N_("EPA GHGRP, 40 CFR 98 Subpart R: lead production (carbon in "
                                 "the furnace charge)"),
           "40 CFR 98.183(b)(2), Equation R-1", frozenset({"secondary_lead_smelting"}),
           ("inputs",), _subpart_r),
    Method("ghgrp_subpart_c", N_("EPA GHGRP, 40 CFR 98 Subpart C: general stationary fuel "
                                 "combustion (Tier 1, default factors)"),
           "40 CFR 98.33(a)(1), Equation C-1 and Table C-1", SMELTING_AND_KILNS,
           ("fuels",), _subpart_c),
    Method("ghgrp_cems", N_("EPA GHGRP, 40 CFR 98.33(a)(4): CO2 measured by a continuous "
                            "emission monitoring system (Tier 4)"),
           "40 CFR 98.33(a)(4); 98.183(a)", frozenset({"secondary_lead_smelting",
                                                       "metals_recovery_kiln"}),
           (), _cems),
    Method("ghg_protocol", N_("GHG Protocol Corporate Standard: scopes 1 and 2 (activity x "
                              "emission factor)"),
           "WRI/WBCSD GHG Protocol, Corporate Accounting and Reporting Standard",
           frozenset(PROCESSES), ("sources",), _ghg_protocol),
)}

