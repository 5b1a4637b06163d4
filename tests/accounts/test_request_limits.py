"""Requests: a chunked body over the size limit is refused whole (413), not cut at the limit and
accepted; one under it is read in full."""
import io
import json

from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.helpers import bearer, make_user


def _chunked(client, path, body: bytes, headers=None):
    """What gunicorn hands the app for a chunked body: no Content-Length, a terminated stream."""
    environ = EnvironBuilder(method="POST", path=path, input_stream=io.BytesIO(body),
                             headers={"Transfer-Encoding": "chunked",
                                      "Content-Type": "application/json", **(headers or {})},
                             environ_base={"wsgi.input_terminated": True}).get_environ()
    del environ["CONTENT_LENGTH"]
    # Straight to the WSGI app: the test client would put a Content-Length back.
    body_iter, status, response_headers = run_wsgi_app(client.application, environ, buffered=True)
    return client.application.response_class(body_iter, status, response_headers)


def test_a_chunked_body_over_the_limit_is_413(app, client, db):
    app.config["MAX_CONTENT_LENGTH"] = 200
    headers = bearer(db, make_user(db, "shipper"))
    # Cut at 200 bytes this would still be a JSON document, as the finding showed.
    body = json.dumps({"byproduct": "eaf_dust", "note": " " * 120}).encode() + b" " * 400
    response = _chunked(client, "/api/v1/permits", body, headers)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_a_chunked_body_under_the_limit_is_read_whole(app, client, db):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    headers = bearer(db, make_user(db, "shipper"))
    response = _chunked(client, "/api/v1/permits", json.dumps({"byproduct": "eaf_dust"}).encode(), headers)
    assert response.status_code == 422  # parsed, and found incomplete: not a 400 for an empty body
    assert "quantity_tonnes" in response.json["error"]["fields"]


def test_huge_or_bad_page_numbers_are_400_naming_the_parameter(client, db):
    from tests.helpers import login

    login(client, make_user(db, "inspector"))
    for path in ("/permits/?page=99999999999999999999", "/permits/?page=-1", "/permits/?page=x",
                 "/registry/facilities?page=99999999999999999999"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "page must be a whole number" in response.get_data(as_text=True)
    assert client.get("/permits/?page=2").status_code == 200


def test_a_report_version_past_any_real_one_is_400(client, db):
    from tests.helpers import login

    login(client, make_user(db, "inspector"))
    response = client.get("/reports/monthly_compliance/2026-01?version=99999999999999999999")
    assert response.status_code == 400 and "version must be" in response.get_data(as_text=True)


def test_a_report_for_year_9999_is_refused_naming_the_period(runner, client, db):
    result = runner.invoke(args=["reports", "run", "annual_exports", "--period", "9999"])
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "--period: period has not begun yet" in result.output
    from tests.helpers import login

    login(client, make_user(db, "inspector"))
    page = client.post("/reports/run", data={"kind": "annual_exports", "period": "9999"})
    assert page.status_code == 302  # back to the list with the reason, not a 500
