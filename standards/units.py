"""Units of measure: parsing what people type, and converting readings to a standard's canonical unit.

Built on pint, with one lazily built registry per process. Conversion factors are cached per
(unit, canonical unit) pair, so deciding a million checks never calls pint twice for the same pair.

Blood lead. OSHA's general-industry lead standard (29 CFR 1910.1025(k)) states blood lead in
µg/100 g of whole blood; laboratories report µg/dL, and OSHA's construction lead standard
(29 CFR 1926.62) and its own notices state the same criteria in µg/dL. We follow OSHA and treat
1 µg/100 g as 1 µg/dL: a defined equivalence (the "blood" pint context, a whole-blood density of
1 g/mL), not a measured density, which would move every threshold by about 5 % and make the
catalogue disagree with the rule text. The context is switched on only when the canonical unit is
a blood unit, so mg/L of leachate never silently becomes mg/kg.

Production-normalised load. The effluent limits of 40 CFR 421 are mass of pollutant per mass of
product made ("mg/kg of lead scrap produced", "pounds per million pounds"): a load, not a
concentration. The product mass gets its own dimension, so mg/kg of product ↔ lb per million lb
of product converts, while mg/kg, ppm or mg/L (a concentration) never turns into a load.

Dry standard volume. Stack limits are per dry standard cubic metre (dscm): gas corrected to
reference temperature, pressure and moisture. That correction needs the stack conditions, so
dscm and dscf get their own dimension: gr/dscf ↔ mg/dscm converts, mg/m³ ↔ mg/dscm does not.
"""
from __future__ import annotations

import re
import threading

import pint

from standards.errors import UnknownUnit

__all__ = ["UnknownUnit", "normalize_unit", "registry", "to_canonical", "to_reference_conditions"]


def _unknown(unit: str, reason: str | None = None) -> UnknownUnit:
    message = f"unknown unit {unit!r}"
    return UnknownUnit(f"{message}: {reason}" if reason else message, unit=unit)


# The spellings Parity shows, each with the pint expression it stands for.
DISPLAY_UNITS: dict[str, str] = {
    "µg/m³": "ug/m**3",
    "mg/m³": "mg/m**3",
    "mg/dscm": "mg/dscm",
    "gr/dscf": "gr/dscf",
    "µg/100 g": "ug/(100 g)",
    "µg/dL": "ug/dL",
    "mg/L": "mg/L",
    "µg/L": "ug/L",
    "mg/kg": "mg/kg",
    "%": "percent",
    "ppm": "ppm",
    "mg/kg of product": "mg/kg_product",
    "g/t of product": "g/t_product",
    "lb/million lb of product": "lb/Mlb_product",
}
BLOOD_UNITS = frozenset({"µg/100 g", "µg/dL"})

_registry: pint.UnitRegistry | None = None
_registry_lock = threading.Lock()
_factors: dict[tuple[str, str], float | tuple] = {}  # a factor, or (why there is none, unit)
_normalized: dict[str, str] = {}
# Keys are what people typed; a flood of distinct spellings must not grow the caches forever.
_CACHE_LIMIT = 4096


def _remember(cache: dict, key, value) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def registry() -> pint.UnitRegistry:
    """The process's unit registry, built on first use (building one takes a few hundred ms)."""
    global _registry
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                _registry = _build_registry()
    return _registry


def _build_registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(cache_folder=None)
    ureg.define("dry_standard_cubic_meter = [dry_standard_volume] = dscm")
    ureg.define("dry_standard_cubic_foot = 0.028316846592 * dscm = dscf")
    ureg.define("kilogram_of_product = [product_mass] = kg_product")
    ureg.define("tonne_of_product = 1000 * kg_product = t_product")
    ureg.define("pound_of_product = 0.45359237 * kg_product = lb_product")
    ureg.define("million_pounds_of_product = 1e6 * lb_product = Mlb_product")
    blood = pint.Context("blood")
    density = ureg.Quantity(1, "g/mL")  # the OSHA equivalence: 1 µg/100 g == 1 µg/dL
    blood.add_transformation("[mass] / [length] ** 3", "[]", lambda _u, q: (q / density).to(""))
    blood.add_transformation("[]", "[mass] / [length] ** 3", lambda _u, q: q * density)
    ureg.add_context(blood)
    return ureg


# "mg/kg of product", "lb per million lb of product": the product's mass is its own unit.
_OF_PRODUCT = re.compile(r"(?<![A-Za-z])(kg|t|lb|Mlb)\s+(?:of\s+)?(?:product|produced)\b")
_PER_MILLION = re.compile(r"\s*per\s+million\s+(?=lb)")
_SUPERSCRIPTS = str.maketrans({"³": "**3", "²": "**2", "μ": "µ"})
# "m3" and "m^3" after a unit letter mean a power; "/100g" and "/100 g" mean "per 100 g".
_BARE_POWER = re.compile(r"(?<=[A-Za-z])\^?([23])\b")
_PER_AMOUNT = re.compile(r"/\s*(\d+(?:\.\d+)?)\s*([A-Za-zµ]+)")


def _pint_expression(text: str) -> str:
    expression = text.strip().translate(_SUPERSCRIPTS)
    expression = _PER_MILLION.sub("/M", expression)
    expression = _OF_PRODUCT.sub(r"\1_product", expression)
    expression = _BARE_POWER.sub(r"**\1", expression)
    return _PER_AMOUNT.sub(r"/(\1 \2)", expression)


def _parse(text: str) -> pint.Quantity:
    if not isinstance(text, str) or not text.strip():
        raise _unknown(str(text), "no unit given")
    expression = DISPLAY_UNITS.get(text) or _pint_expression(text)
    try:
        quantity = registry().parse_expression(expression)
    except Exception as exc:  # noqa: BLE001
        # Pint's parser fails on arbitrary text in many ways (PintError, SyntaxError, but also
        # tokenize's TokenError, an AssertionError, ZeroDivisionError for "0/0"): each means
        # the text is no unit we know, never a server error.
        raise _unknown(text) from exc
    if not isinstance(quantity, pint.Quantity) or quantity.units == registry().dimensionless:
        raise _unknown(text, "it has no unit")
    return quantity


def normalize_unit(text: str) -> str:
    """The display spelling of a unit typed as `text` ("ug/m3" -> "µg/m³"); raises UnknownUnit."""
    cached = _normalized.get(text)
    if cached is not None:
        return cached
    quantity = _parse(text)
    result = None
    for display, expression in DISPLAY_UNITS.items():
        known = registry().parse_expression(expression)
        if known.units == quantity.units and known.magnitude == quantity.magnitude:
            result = display
            break
    if result is None:
        if quantity.magnitude != 1:  # "2 mg/L" is a quantity, not a unit
            raise _unknown(text, "a unit cannot contain a number")
        result = f"{quantity.units:~P}"  # a real unit we have no display form for, e.g. ng/m³
    _remember(_normalized, text, result)
    return result


def to_canonical(value: float, unit: str, canonical_unit: str) -> float:
    """`value` in `unit`, expressed in `canonical_unit`; raises UnknownUnit if it cannot be.

    The result is rounded to 12 significant digits: no measurement carries more, and binary
    noise must not turn 0.05 mg/m³ into 50.000000000000007 µg/m³, above a 50 µg/m³ limit.
    """
    factor = _factors.get((unit, canonical_unit))
    if factor is None:
        try:
            factor = _factor(unit, canonical_unit)
        except UnknownUnit as exc:  # remembered too: a file of thousands of rows asks again
            factor = (exc.message, exc.unit)
        _remember(_factors, (unit, canonical_unit), factor)
    if type(factor) is tuple:  # why it cannot be converted, as first found
        raise UnknownUnit(factor[0], unit=factor[1])
    if factor == 1.0:
        return value
    return float(f"{value * factor:.12g}")


def _volume_kind(quantity: pint.Quantity) -> str:
    """"gas" for per-cubic-metre units, "liquid" for per-litre ones, "none" without a volume.

    Pint sees mg/L and µg/m³ as the same dimension, but a leachate result is not an air
    concentration: converting one into the other would compare water with air.
    """
    names = set(quantity.units._units)
    if names & {"liter", "deciliter", "milliliter", "microliter"}:
        return "liquid"
    if "meter" in names or "foot" in names:
        return "gas"
    return "none"


def _factor(unit: str, canonical_unit: str) -> float:
    # A typed unit is a unit, never a quantity: "0.001 µg/m³" would scale any value down to
    # meet any limit. normalize_unit refuses a number unless it is a display unit's ("/100 g").
    normalize_unit(unit)
    source, target = _parse(unit), _parse(canonical_unit)
    blood = normalize_unit(canonical_unit) in BLOOD_UNITS
    kinds = {_volume_kind(source), _volume_kind(target)}
    # Blood is the one place where per-volume and per-mass meet (µg/dL vs µg/100 g).
    allowed = kinds <= {"liquid", "none"} if blood else len(kinds) == 1
    if not allowed:
        raise _unknown(unit, f"it cannot be converted to {canonical_unit} (a different medium)")
    contexts = ("blood",) if blood else ()
    try:
        return float(source.to(target.units, *contexts).magnitude / target.magnitude)
    except pint.errors.DimensionalityError as exc:
        raise _unknown(unit, f"it cannot be converted to {canonical_unit}") from exc


# ---- stack gas: reference conditions -------------------------------------------------------

ZERO_CELSIUS_K = 273.15
#: U.S. "dry standard" conditions (40 CFR 60.2): 20 °C, 101.325 kPa (1 atm), dry gas.
US_STANDARD_CONDITIONS = {"temperature_c": 20.0, "pressure_kpa": 101.325, "dry": True}


class IncompleteConditions(ValueError):
    """Stated conditions that do not say enough to convert a stack-gas concentration."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def to_reference_conditions(value: float, conditions: dict, reference: dict | None = None) -> float:
    """A gas concentration (mass per actual m³) measured at `conditions`, expressed per m³ of gas
    at the `reference` conditions (default: the U.S. dry standard), i.e. per dscm.

    `conditions`: temperature_c, pressure_kpa, and either dry: true or moisture_percent; with
    `o2_percent` when the reference names one (then both must). Mass is conserved; the volume
    scales with T/P (ideal gas), removing water vapour shrinks it by (1 - moisture), and the
    oxygen correction is (20.9 - O2_ref) / (20.9 - O2_measured)."""
    reference = reference or US_STANDARD_CONDITIONS
    temperature = _condition(conditions, "temperature_c", -100, 2000)
    pressure = _condition(conditions, "pressure_kpa", 1, 1000)
    moisture = 0.0
    if conditions.get("dry") is not True:
        moisture = _condition(conditions, "moisture_percent", 0, 99.9) / 100
    factor = ((temperature + ZERO_CELSIUS_K) / (reference["temperature_c"] + ZERO_CELSIUS_K)
              * (reference["pressure_kpa"] / pressure) / (1 - moisture))
    if reference.get("o2_percent") is not None:
        oxygen = _condition(conditions, "o2_percent", 0, 20.8)
        factor *= (20.9 - reference["o2_percent"]) / (20.9 - oxygen)
    return float(f"{value * factor:.12g}")


def _condition(conditions: dict, name: str, low: float, high: float) -> float:
    value = conditions.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IncompleteConditions(name, "is required to convert to the U.S. reference conditions")
    if not low <= value <= high:
        raise IncompleteConditions(name, f"must be between {low:g} and {high:g}")
    return float(value)
