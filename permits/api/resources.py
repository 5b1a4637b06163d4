"""The API's resource modules, one per noun; importing one registers its routes."""
from permits.api import (
    amendments,  # noqa: F401
    audit_api,  # noqa: F401
    evidence,  # noqa: F401
    facilities,  # noqa: F401
    inspections,  # noqa: F401
    permits,  # noqa: F401
    public,  # noqa: F401
    reports,  # noqa: F401
    shipments,  # noqa: F401
    standards,  # noqa: F401
    tokens,  # noqa: F401
)
