"""The API's resource modules, one per noun; importing one registers its routes."""
from permits.api import audit_api  # noqa: F401
from permits.api import tokens  # noqa: F401
