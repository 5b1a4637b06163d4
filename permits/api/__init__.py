"""The JSON API's shared plumbing: the blueprint, the endpoint decorator, idempotency, errors,
body parsing and the OpenAPI document. The resources live in their features (`<feature>/api*.py`)."""
