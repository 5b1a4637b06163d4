"""Every table of Parity, imported in one place so that metadata and Alembic see them all."""
from facility_registry.models import *  # noqa: F401,F403
from permits.accounts.models import AccountRequest, ApiToken, Organization, User  # noqa: F401
from permits.api.idempotency_record import IdempotencyRecord  # noqa: F401
from permits.audit.models import AuditEntry, Checkpoint, VerificationRun  # noqa: F401
from permits.cases.models import CaseStage, Petition, PetitionAttachment, RemediationAction  # noqa: F401
from permits.consents.models import Consent  # noqa: F401
from permits.notifications.models import Notification, NotificationMail  # noqa: F401
from permits.permitting.decision_models import Amendment, Decision, EvidenceRequest  # noqa: F401
from permits.permitting.models import Permit  # noqa: F401
from permits.reports.models import ComplianceReport  # noqa: F401
from permits.scheduler.models import JobFailure, JobRun  # noqa: F401
from permits.shipments.models import Shipment, ShipmentException  # noqa: F401
from standards.models import *  # noqa: F401,F403
