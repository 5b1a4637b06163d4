"""Units: what people type, what we show, and conversions to a standard's canonical unit."""
from __future__ import annotations

import pytest

from standards import units
from standards.units import UnknownUnit, normalize_unit, to_canonical


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("ug/m3", "µg/m³"),
        ("µg/m³", "µg/m³"),
        ("μg/m3", "µg/m³"),  # Greek small mu, U+03BC
        ("µg/m3", "µg/m³"),  # micro sign, U+00B5
        ("mg/m^3", "mg/m³"),
        ("mg/m3", "mg/m³"),
        ("gr/dscf", "gr/dscf"),
        ("mg/dscm", "mg/dscm"),
        ("ug/dL", "µg/dL"),
        ("ug/100g", "µg/100 g"),
        ("µg/100 g", "µg/100 g"),
        ("percent", "%"),
        ("%", "%"),
        ("ppm", "ppm"),
        ("mg/L", "mg/L"),
        ("ug/L", "µg/L"),
        ("mg/kg", "mg/kg"),
        ("  mg/L ", "mg/L"),
    ],
)
def test_typed_spellings_normalize_to_the_display_spelling(typed, shown):
    assert normalize_unit(typed) == shown


def test_a_real_unit_without_a_display_form_is_kept_readable():
    assert normalize_unit("ng/m3") == "ng/m³"


@pytest.mark.parametrize("text", ["bananas/m3", "blah", "", "   ", "100", "2 mg/L"])
def test_unreadable_unit_raises_unknown_unit_naming_it(text):
    with pytest.raises(UnknownUnit) as caught:
        normalize_unit(text)
    assert caught.value.unit == text
    assert caught.value.code == "unknown_unit"
    assert isinstance(caught.value, ValueError)


def test_grains_per_dscf_convert_to_mg_per_dscm_as_the_eaf_rule_states():
    # 40 CFR 60.272a(a)(1): 12 mg/dscm (0.0052 gr/dscf)
    assert to_canonical(0.0052, "gr/dscf", "mg/dscm") == pytest.approx(11.9, abs=0.01)
    assert to_canonical(12, "mg/dscm", "gr/dscf") == pytest.approx(0.0052, rel=0.01)


def test_milligrams_per_cubic_metre_convert_exactly_to_micrograms():
    # Binary noise would make 0.05 mg/m³ = 50.000000000000007 µg/m³, above the 50 µg/m³ PEL.
    assert to_canonical(0.05, "mg/m3", "µg/m³") == 50.0
    assert to_canonical(150, "ug/m3", "µg/m³") == 150


def test_blood_lead_in_ug_per_dl_equals_ug_per_100_g_as_osha_treats_them():
    assert to_canonical(60, "ug/dL", "µg/100 g") == 60
    assert to_canonical(60, "µg/100 g", "µg/dL") == 60
    assert to_canonical(0.6, "mg/L", "µg/100 g") == 60


def test_the_blood_equivalence_does_not_leak_into_other_media():
    # TCLP leachate in mg/L is not a mass fraction of a solid in mg/kg.
    with pytest.raises(UnknownUnit) as caught:
        to_canonical(5, "mg/L", "mg/kg")
    assert caught.value.unit == "mg/L"
    assert "mg/kg" in str(caught.value)


def test_actual_cubic_metres_are_not_dry_standard_cubic_metres():
    with pytest.raises(UnknownUnit) as caught:
        to_canonical(12, "mg/m3", "mg/dscm")
    assert caught.value.unit == "mg/m3"


def test_percent_and_ppm_convert():
    assert to_canonical(1, "percent", "%") == 1
    assert to_canonical(10_000, "ppm", "%") == 1
    assert to_canonical(1, "mg/kg", "ppm") == 1


def test_incompatible_dimension_raises_unknown_unit():
    with pytest.raises(UnknownUnit, match="cannot be converted to µg/m³"):
        to_canonical(3, "%", "µg/m³")


def test_repeated_conversions_use_the_cached_factor_not_pint(monkeypatch):
    assert to_canonical(2, "mg/m3", "µg/m³") == 2000

    def no_pint(_text):
        raise AssertionError("pint was called again")

    monkeypatch.setattr(units, "_parse", no_pint)
    assert to_canonical(3, "mg/m3", "µg/m³") == 3000


@pytest.mark.parametrize("unit, canonical", [
    ("mg/L", "µg/m³"),      # water is not air
    ("µg/m³", "mg/L"),      # nor air water
    ("ug/m3", "µg/100 g"),  # an air concentration is not a blood lead level
    ("mg/m3", "mg/dscm"),   # stack gas needs its correction, not a factor
])
def test_units_of_another_medium_are_refused(unit, canonical):
    with pytest.raises(UnknownUnit) as caught:
        to_canonical(1.0, unit, canonical)
    assert caught.value.unit == unit


def test_blood_per_volume_and_per_mass_still_convert():
    assert to_canonical(45.0, "ug/dL", "µg/100 g") == 45.0
    assert to_canonical(0.45, "mg/L", "µg/100 g") == 45.0


def test_a_unit_that_cannot_be_converted_is_refused_alike_and_worked_out_once(monkeypatch):
    """Remembered like a factor: an import of thousands of rows in mg/dscm asks whether each is
    per actual m³, and pint took most of a millisecond to say no each time."""
    worked_out = []
    real = units._factor

    def counting(unit, canonical_unit):
        worked_out.append((unit, canonical_unit))
        return real(unit, canonical_unit)

    monkeypatch.setattr(units, "_factor", counting)
    units._factors.pop(("mg/L", "µg/m³"), None)
    refusals = []
    for _ in range(3):
        with pytest.raises(units.UnknownUnit) as refused:
            units.to_canonical(1.0, "mg/L", "µg/m³")
        refusals.append((refused.value.message, refused.value.unit, refused.value.code))
    assert worked_out == [("mg/L", "µg/m³")]
    assert refusals == [("unknown unit 'mg/L': it cannot be converted to µg/m³ (a different medium)",
                         "mg/L", "unknown_unit")] * 3
