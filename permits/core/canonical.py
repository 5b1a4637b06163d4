"""The fixed JSON form every stored hash covers (audit entries, decisions, reports): sorted
keys, no spaces, UTF-8 as it is. Changing it would break every hash already stored."""
from __future__ import annotations

import json
from typing import Any


def canonical_json(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
