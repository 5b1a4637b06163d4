"""Werkzeug's URL builders made once per run instead of once per app (tests only).

Every test gets an app of its own from `create_app`, and adding its ~200 routes spent 0.15-0.3 s
of each test in `Rule._compile_builder`: an AST built, walked and compiled for every rule, twice.
The builder it returns depends only on the rule's text, its parsed parts and its defaults (the
converters are looked up on the bound rule when a URL is built), so the same rule in the next
test's app can take the function the first app compiled. Each app still has its own url map,
rules and converters; only the generated code object is shared.

If Werkzeug changes this private method, nothing is patched and the suite is only slower.
"""
from __future__ import annotations

from werkzeug.routing import Rule

_original = Rule.__dict__.get("_compile_builder")
_builders: dict[tuple, object] = {}


def _key(rule: Rule, append_unknown: bool) -> tuple:
    converters = tuple(sorted(
        (name, type(c).__module__, type(c).__qualname__,
         repr(sorted((k, v) for k, v in vars(c).items() if k != "map")))
        for name, c in rule._converters.items()))
    defaults = tuple(sorted((k, repr(v)) for k, v in (rule.defaults or {}).items()))
    return (rule.rule, tuple(rule._trace), defaults, converters, append_unknown)


def _compile_builder(self, append_unknown: bool = True):
    try:
        key = _key(self, append_unknown)
    except AttributeError:  # a Werkzeug whose rules keep other attributes: no sharing
        return _original(self, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _original(self, append_unknown)
    return builder


def install() -> None:
    if _original is None:
        return
    Rule._compile_builder = _compile_builder
