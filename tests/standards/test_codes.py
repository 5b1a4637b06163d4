"""Waste codes and Basel operations: the lists, what each code may describe, interim operations."""
from __future__ import annotations

import pytest

from standards.codes import is_interim, operation_codes, validate_waste_codes, waste_codes

EXPECTED_BYPRODUCTS = {
    "K061": {"eaf_dust"},
    "K069": {"lead_acid_battery_dust"},
    "D008": {"lead_acid_battery_dust", "eaf_dust", "slag"},
    "A1160": set(),  # whole or crushed batteries: the smelter's feed, not its dust
    "B1200": {"slag"},
    "B1210": {"slag"},
    "B1220": {"slag"},
}


def test_every_code_of_the_brief_is_listed(session):
    codes = {w.code: w for w in waste_codes(session)}
    assert set(codes) == {
        "K061", "K069", "D004", "D006", "D007", "D008",
        "A1010", "A1020", "A1070", "A1080", "A1160", "A4100",
        "B1100", "B1200", "B1210", "B1220",
    }
    for code, byproducts in EXPECTED_BYPRODUCTS.items():
        assert set(codes[code].byproducts) == byproducts, code
    assert all(w.description and w.citation for w in codes.values())
    assert codes["A1160"].description == "Waste lead-acid batteries, whole or crushed."


def test_operations_are_r1_to_r13_then_d1_to_d15(session):
    codes = [op.code for op in operation_codes(session)]
    assert codes == [f"R{n}" for n in range(1, 14)] + [f"D{n}" for n in range(1, 16)]
    r4 = next(op for op in operation_codes(session) if op.code == "R4")
    assert r4.description == "Recycling/reclamation of metals and metal compounds."
    interim = {op.code for op in operation_codes(session) if op.interim}
    assert interim == {"R12", "R13", "D13", "D14", "D15"}


@pytest.mark.parametrize("code", ["R12", "R13", "D13", "D14", "D15", "r13", " D15 "])
def test_interim_operations(code):
    assert is_interim(code)


@pytest.mark.parametrize("code", ["R4", "R1", "D1", "D12", "R99", "", None])
def test_final_or_unknown_operations_are_not_interim(code):
    assert not is_interim(code)


def test_codes_that_describe_the_byproduct_are_valid(session):
    assert validate_waste_codes(session, ["K061", "D008", "a4100"], "eaf_dust") == []


def test_a_code_for_another_byproduct_is_named(session):
    errors = validate_waste_codes(session, ["K069"], "eaf_dust")
    assert errors == [
        "Waste code K069 (RCRA: emission control dust/sludge from secondary lead smelting) "
        "does not describe eaf_dust."
    ]


def test_unknown_and_repeated_codes_are_named(session):
    errors = validate_waste_codes(session, ["K061", "X999", "k061"], "eaf_dust")
    assert errors == [
        "Waste code K061 is listed twice.",
        "Waste code X999 is not a known RCRA or Basel code.",
    ]


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        ([], "At least one waste code is required."),
        ("K061", "Waste codes must be a list of codes, e.g. [\"K061\"]."),
        ([7], "Waste code 7 is not a code."),
    ],
)
def test_malformed_code_lists_are_explained(session, codes, error):
    assert validate_waste_codes(session, codes, "eaf_dust") == [error]


# ---- consistency with the byproduct (the rules of codes.json) ----------------------------------

@pytest.mark.parametrize("coded", [["D008"], ["A1080"], ["D008", "A1080", "A4100"]])
def test_eaf_dust_must_carry_k061_whatever_else_it_carries(session, coded):
    errors = validate_waste_codes(session, coded, "eaf_dust")
    assert [e.code for e in errors] == ["codes.must_carry"]
    assert "K061" in errors[0].english() and "40 CFR 261.32" in errors[0].english()
    assert validate_waste_codes(session, ["K061", *coded], "eaf_dust") == []


def test_smelter_dust_must_carry_k069_and_is_not_a1160(session):
    assert [e.code for e in validate_waste_codes(session, ["D008"], "lead_acid_battery_dust")] == [
        "codes.must_carry"]
    assert validate_waste_codes(session, ["K069", "D008"], "lead_acid_battery_dust") == []
    refused = validate_waste_codes(session, ["K069", "A1160"], "lead_acid_battery_dust")
    assert refused == ["Waste code A1160 (Basel Annex VIII: waste lead-acid batteries, whole or "
                       "crushed) does not describe lead_acid_battery_dust."]


def test_a_green_list_code_is_refused_for_slag_that_is_hazardous(session):
    assert validate_waste_codes(session, ["B1200"], "slag") == []
    errors = validate_waste_codes(session, ["D008", "B1200"], "slag")
    assert [e.code for e in errors] == ["codes.green_list"]
    assert "B1200" in errors[0].english() and "D008" in errors[0].english()
    assert [e.code for e in validate_waste_codes(session, ["A1010", "B1100", "B1210"], "slag")] == [
        "codes.green_list", "codes.green_list"]
