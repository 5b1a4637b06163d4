"""Sentences a person reads, kept as a code and its parameters: the English template of each
code lives here (registered by the module that says it), and any language renders from them.

A stored record keeps a message's canonical English (`str(message)`, what its hash covers)
and its `to_dict()`; a reader's page, the API or a PDF renders the same code and parameters in
the reader's language (permits.web.messages). This module knows no Flask and no locale.

Parameter values are JSON-plain: text, numbers, booleans, lists of those, or nested messages.
Names carry their kind, so a renderer can show them in a reader's words: `*_on` and `date`
are ISO dates, `status`, `byproduct`, `basis`, `country`/`countries` are stored codes.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# code -> English template ("%(name)s" placeholders), or (singular, plural, count parameter).
TEMPLATES: dict[str, str | tuple[str, str, str]] = {}


def N_(text: str) -> str:
    """Marks an English template for extraction (pybabel's default keyword); returns it as is."""
    return text


def define(code: str, english: str, plural: str | None = None, count: str = "num") -> str:
    """Register `code`'s English template (and its plural, chosen by the `count` parameter)."""
    template = english if plural is None else (english, plural, count)
    if TEMPLATES.setdefault(code, template) != template:
        raise ValueError(f"message code {code!r} is defined twice with different English")
    return code


Translate = Callable[[str], str]
PluralTranslate = Callable[[str, str, int], str]
Show = Callable[[str, Any], str]


@dataclass(frozen=True, slots=True)
class Message:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in TEMPLATES:
            raise KeyError(f"no English template for message code {self.code!r}")

    def render(self, translate: Translate | None = None, plural: PluralTranslate | None = None,
               show: Show | None = None) -> str:
        """The sentence: templates through `translate`/`plural`, values through `show(name, value)`.
        Without them, the canonical English."""
        show = show or english_value
        values = {name: _render_value(name, value, translate, plural, show)
                  for name, value in self.params.items()}
        template = TEMPLATES[self.code]
        if isinstance(template, tuple):
            singular, many, count = template
            n = int(self.params.get(count, 0))
            text = plural(singular, many, n) if plural else (singular if n == 1 else many)
        else:
            text = translate(template) if translate else template
        return text % values

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(data["code"], {k: _revive(v) for k, v in (data.get("params") or {}).items()})


def _render_value(name: str, value: Any, translate, plural, show) -> str:
    if isinstance(value, Message):
        return value.render(translate, plural, show)
    if isinstance(value, list | tuple):
        return ", ".join(_render_value(name, item, translate, plural, show) for item in value)
    return show(name, value)


def english_value(name: str, value: Any) -> str:
    """A value in the canonical English: six significant digits, stored codes as they are."""
    if isinstance(value, float):
        return format(value, ".6g")
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _revive(value: Any) -> Any:
    if isinstance(value, Mapping) and "code" in value and "params" in value:
        return Message.from_dict(value)
    if isinstance(value, list):
        return [_revive(item) for item in value]
    return value
