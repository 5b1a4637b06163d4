"""The registry's own kinds of "not found"; every other error is one of `standards.errors`."""
from __future__ import annotations

from standards.errors import NotFound


class FacilityNotFound(NotFound):
    code = "facility_not_found"


class EvidenceNotFound(NotFound):
    code = "evidence_not_found"


class CaseNotFound(NotFound):
    code = "case_not_found"


class CarbonReportNotFound(NotFound):
    code = "carbon_report_not_found"
