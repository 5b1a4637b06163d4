"""The words every layer shares: the countries, the byproducts, the roles and who may do what,
the RCRA EPA identification number, and the tonne.

Defined here, at the bottom (no Flask; of ours only standards.messages), so that the catalogue, the
registry and the app all speak of the same things; the translated words people read for them
live in `permits.web.labels`.
"""
from __future__ import annotations

import re
from decimal import Decimal

from standards.messages import N_, Message

# The three parties to the agreement: a shipment leaves one and arrives in another.
COUNTRIES = ("US", "MX", "CA")

# The byproducts named by the public contract; the catalogue may add more (its standards'
# `applies_to`), see `permits.catalogue.services.known_byproducts`.
BYPRODUCTS = ("lead_acid_battery_dust", "eaf_dust", "slag")

# Who signs in, and the groups the rules speak of.
# `authority`: a competent authority's officer, who consents (or objects) for one country.
ROLES = ("shipper", "inspector", "facility", "admin", "authority")
OVERSEERS = ("inspector", "admin")  # review, verify, inspect, resolve; see every record
EVIDENCE_ROLES = (*OVERSEERS, "facility")  # may put evidence on a facility's record
REGISTRY_READERS = (*OVERSEERS, "shipper")  # may browse and search the facility registry
CONSENT_RECORDERS = ("authority", "inspector")  # an inspector records a consent sent on paper
CONSENT_READERS = ("authority", *OVERSEERS)  # the queue of consent requests

# RCRA EPA identification numbers: the two-letter postal code of the state or territory
# that issued them, then ten letters or digits (e.g. AK0000000323 in RCRAInfo).
EPA_ID = re.compile(r"^([A-Z]{2})[A-Z0-9]{10}$")
US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "AS GU MP PR VI".split()
)


def epa_id_problem(value: str) -> Message | None:
    """Why `value` (upper case, separators removed) is not an EPA id, or None when it is one."""
    match = EPA_ID.match(value)
    if not match:
        return Message.of("epa_id.shape", N_(
            "must be 12 characters: a two-letter state code and 10 letters or digits"))
    if match.group(1) not in US_STATE_CODES:
        return Message.of("epa_id.state", N_("%(state)s is not a U.S. state or territory code"),
                          state=match.group(1))
    return None


# Quantities are stored as whole kilograms (caps are exact integer arithmetic in SQL); people
# and the API speak tonnes.
KG_PER_TONNE = 1000


def tonnes_to_kg(tonnes: Decimal | int) -> int:
    """Whole kilograms in `tonnes` (callers check first that it has at most 3 decimals)."""
    return int(tonnes * KG_PER_TONNE)


def kg_to_tonnes(kg: int) -> float:
    return kg / KG_PER_TONNE


def kg_to_exact_tonnes(kg: int) -> Decimal:
    """Tonnes as an exact decimal (for text a machine reads back, such as CSV)."""
    return Decimal(kg) / KG_PER_TONNE
