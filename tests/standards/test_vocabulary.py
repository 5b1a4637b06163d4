"""The shared vocabulary: EPA identification numbers, the tonne, the roles and who may what."""
from __future__ import annotations

from decimal import Decimal

import pytest

from standards import vocabulary
from standards.vocabulary import epa_id_problem, kg_to_exact_tonnes, kg_to_tonnes, tonnes_to_kg


@pytest.mark.parametrize("epa_id", ["AK0000000323", "OHD004161423", "PAD987654321", "PR1234567890"])
def test_an_rcrainfo_id_is_a_state_code_and_ten_letters_or_digits(epa_id):
    assert epa_id_problem(epa_id) is None


@pytest.mark.parametrize("epa_id, problem", [
    ("OHD00416142", "must be 12 characters"),  # 11
    ("OHD0041614234", "must be 12 characters"),  # 13
    ("0HD004161423", "must be 12 characters"),  # the state code is two letters
    ("OHD00416142-", "must be 12 characters"),
    ("ohd004161423", "must be 12 characters"),  # callers upper-case first
    ("ZZD987654321", "ZZ is not a U.S. state or territory code"),
    ("MXD987654321", "MX is not a U.S. state or territory code"),
])
def test_anything_else_is_refused_saying_why(epa_id, problem):
    assert problem in epa_id_problem(epa_id)


def test_both_the_registry_and_applications_apply_the_state_code_rule():
    from facility_registry.validation import epa_id
    from permits.permitting.rules import _epa_id
    from standards.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        epa_id("ZZD987654321")
    with pytest.raises(Exception, match="not a U.S. state"):
        _epa_id("ZZD987654321")


@pytest.mark.parametrize("tonnes, kg", [(Decimal("1.5"), 1500), (Decimal("0.001"), 1), (3, 3000)])
def test_tonnes_and_kilograms_convert_both_ways(tonnes, kg):
    assert tonnes_to_kg(tonnes) == kg
    assert kg_to_tonnes(kg) == float(tonnes)
    assert kg_to_exact_tonnes(kg) == tonnes


def test_role_groups_name_only_known_roles():
    for group in (vocabulary.OVERSEERS, vocabulary.EVIDENCE_ROLES, vocabulary.REGISTRY_READERS):
        assert set(group) <= set(vocabulary.ROLES)
    assert "shipper" not in vocabulary.OVERSEERS
