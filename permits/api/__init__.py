"""The JSON API blueprint (`/api`): the contract in shared/design/API.md.

Resource modules (one per noun) add routes to `api` with `@endpoint(...)` and describe them
in a module-level `OPENAPI = {"paths": {...}, "schemas": {...}}` that `openapi.py` merges.
"""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")

# Import for their routes; each module is one resource. Order does not matter.
from permits.api import meta, resources  # noqa: E402,F401
