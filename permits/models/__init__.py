"""Every table of Parity, imported in one place so that metadata and Alembic see them all."""
from facility_registry.models import *  # noqa: F401,F403
from permits.models.accounts import ApiToken, Organization, User  # noqa: F401
from permits.models.audit import AuditEntry  # noqa: F401
from permits.models.decision import Amendment, Decision, EvidenceRequest  # noqa: F401
from permits.models.idempotency import IdempotencyRecord  # noqa: F401
from permits.models.job_run import JobRun  # noqa: F401
from permits.models.permit import Permit  # noqa: F401
from permits.models.report import ComplianceReport  # noqa: F401
from permits.models.shipment import Shipment, ShipmentException  # noqa: F401
from standards.models import *  # noqa: F401,F403
