"""Compiled templates shared by the run's apps (tests only).

Each test gets an app of its own, and each app's Jinja environment compiled every template it
rendered again: 25 ms of CPU a template on average, several per page. A bytecode cache in
memory, shared by the apps of the run, compiles each template once; Jinja checks the source's
checksum on every load, so an edited template is compiled again. Every app of the suite is made
by the same `create_app`, so their environments compile a template to the same code.
"""
from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class InMemory(BytecodeCache):
    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        stored = self._compiled.get(bucket.key)
        if stored is not None:
            bucket.bytecode_from_string(stored)  # ignored by Jinja if the checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._compiled.clear()


SHARED = InMemory()


def share_compiled_templates(app) -> None:
    app.jinja_env.bytecode_cache = SHARED
