"""A test client wrapper that checks every JSON answer against the served OpenAPI document."""
from __future__ import annotations

from tests.openapi_check import assert_matches_openapi


class CheckedApi:
    def __init__(self, client, headers: dict[str, str] | None = None):
        self.client = client
        self.headers = headers or {}

    def as_(self, headers: dict[str, str] | None) -> CheckedApi:
        return CheckedApi(self.client, headers)

    def request(self, method: str, template: str, *, path_args: dict | None = None,
                headers: dict | None = None, **kwargs):
        url = template.format(**(path_args or {}))
        response = self.client.open(url, method=method.upper(),
                                    headers={**self.headers, **(headers or {})}, **kwargs)
        assert response.is_json, (method, url, response.status_code, response.data[:300])
        assert_matches_openapi(self.client, method, template, response)
        return response

    def get(self, template: str, **kwargs):
        return self.request("get", template, **kwargs)

    def post(self, template: str, **kwargs):
        return self.request("post", template, **kwargs)

    def patch(self, template: str, **kwargs):
        return self.request("patch", template, **kwargs)
