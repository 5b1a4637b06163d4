"""Everything under /api/ answers in the one JSON error shape, never HTML, never a trace."""
import pytest

from permits.accounts.auth import public
from permits.api.errors import http_status
from standards.errors import Malformed
from tests.helpers import bearer, make_user


def _assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_unknown_api_path_is_json_404(client):
    _assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_json_405(client, db):
    _assert_error_shape(client.delete("/api/v1/me"), 405, "method_not_allowed")


def test_html_404_outside_the_api(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_unexpected_exception_is_json_500_without_trace(app):
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/_boom_for_test", "boom_for_test", public(boom))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/api/v1/_boom_for_test")
    _assert_error_shape(response, 500, "internal_error")
    assert b"secret internals" not in response.data and b"Traceback" not in response.data


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
def test_malformed_json_is_400(client, db, body):
    from permits.api.common import json_body

    with client.application.test_request_context("/api/x", method="POST", data=body):
        with pytest.raises(Malformed) as caught:
            json_body()
    assert http_status(caught.value) == 400 and caught.value.code == "malformed_json"


def test_openapi_document_is_served_and_public(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/audit/verify" in doc["paths"]
    assert "Error" in doc["components"]["schemas"]


def test_audit_verify_is_admin_only(client, db):
    shipper = make_user(db, "shipper")
    _assert_error_shape(client.get("/api/v1/audit/verify", headers=bearer(db, shipper)), 403, "forbidden")
    admin = make_user(db, "admin")
    body = client.get("/api/v1/audit/verify", headers=bearer(db, admin)).get_json()
    assert body["ok"] is True and body["entries"] >= 2  # two users created, two tokens issued
