"""The page tests borrow the permit tests' facilities and the shipment tests' world."""
from tests.permits.conftest import (  # noqa: F401 - fixtures, found by pytest by name
    approved,
    bare_facility,
    compliant_facility,
)
from tests.shipments.conftest import world  # noqa: F401
