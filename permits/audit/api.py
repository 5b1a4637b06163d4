"""Audit chain verification over the API (admin)."""
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.audit import chain as audit
from permits.core import db


@api.get("/v1/audit/verify")
@endpoint("admin")
def verify_audit():
    return audit.verify(db.session()).to_dict()


OPENAPI = {
    "paths": {
        "/api/v1/audit/verify": {
            "get": {
                "summary": "Verify the audit chain",
                "responses": {
                    "200": openapi.json_response("the chain's state", {"$ref": "#/components/schemas/AuditVerification"}),
                    **openapi.error_responses(401, 403),
                },
            }
        }
    },
    "schemas": {
        "AuditVerification": {
            "type": "object",
            "required": ["ok", "entries", "head"],
            "properties": {
                "ok": {"type": "boolean"},
                "entries": {"type": "integer"},
                "head": {"type": "string"},
                "first_bad": {"type": "object", "properties": {"seq": {"type": "integer"}, "problem": {"type": "string"}}},
            },
        }
    },
}
