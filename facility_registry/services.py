"""The registry's services in one namespace: every state change of a facility, its evidence,
inspections, enforcement cases and carbon reports goes through one of these functions.

They are keyword-only, take the caller's `session` and an actor, validate, change state, send
`events.audited`, flush and never commit. The code lives in one module per noun.
"""
from facility_registry.carbon import comparison as carbon_comparison
from facility_registry.carbon import record_carbon, reject_carbon, verify_carbon
from facility_registry.corrections import correct_evidence, reject_evidence
from facility_registry.evidence import (
    record_evidence,
    supersede_evidence,
    unverified_queue,
    verify_evidence,
)
from facility_registry.facilities import (
    create_facility,
    get_facility,
    reinstate_facility,
    revoke_facility,
    suspend_facility,
    update_facility,
)
from facility_registry.inspections import Upload, notify_case, record_inspection

__all__ = [
    "Upload",
    "carbon_comparison",
    "correct_evidence",
    "create_facility",
    "get_facility",
    "notify_case",
    "record_carbon",
    "record_evidence",
    "record_inspection",
    "reinstate_facility",
    "reject_carbon",
    "reject_evidence",
    "revoke_facility",
    "supersede_evidence",
    "suspend_facility",
    "unverified_queue",
    "update_facility",
    "verify_carbon",
    "verify_evidence",
]
