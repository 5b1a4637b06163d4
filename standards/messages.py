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

import html
from collections.abc import Callable, Mapping
from typing import Any

# code -> English template ("%(name)s" placeholders), or (singular, plural, count parameter).
TEMPLATES: dict[str, str | tuple[str, str, str]] = {}


def N_(text: str) -> str:
    """Marks an English template for extraction (pybabel's default keyword); returns it as is."""
    return text


def plural_N_(singular: str, plural: str) -> tuple[str, str]:
    """Marks an English singular/plural pair for extraction; returns it as is. Babel extracts a
    call named `ngettext` (1, 2) by default, hence the alias `ngettext` below."""
    return singular, plural


ngettext = plural_N_


def define(code: str, english: str, plural: str | None = None, count: str = "num") -> str:
    """Register `code`'s English template (and its plural, chosen by the `count` parameter)."""
    template = english if plural is None else (english, plural, count)
    if TEMPLATES.setdefault(code, template) != template:
        raise ValueError(f"message code {code!r} is defined twice with different English")
    return code


Translate = Callable[[str], str]
_reader: Callable[[Message], str] = lambda message: message.render()  # noqa: E731


def read_with(reader: Callable[[Message], str]) -> None:
    """How `str(message)` renders from now on (permits installs the reader's language)."""
    global _reader
    _reader = reader



PluralTranslate = Callable[[str, str, int], str]
Show = Callable[[str, Any], str]


class Message(str):
    """A sentence as a code and its parameters. As a `str` it IS its canonical English (what
    is stored, hashed, compared and serialized); `str(message)` and a template's `{{ message }}`
    give the reader's language where the app has said how (`read_with`)."""

    def __new__(cls, code: str, params: Mapping[str, Any] | None = None) -> Message:
        if code not in TEMPLATES:
            raise KeyError(f"no English template for message code {code!r}")
        params = dict(params or {})
        self = super().__new__(cls, _render(code, params, None, None, english_value))
        self.code, self.params = code, params
        return self

    def __getnewargs__(self):  # pickling and copying rebuild it from its code
        return (self.code, self.params)

    def render(self, translate: Translate | None = None, plural: PluralTranslate | None = None,
               show: Show | None = None) -> str:
        """The sentence: templates through `translate`/`plural`, values through `show(name, value)`.
        Without them, the canonical English."""
        return _render(self.code, self.params, translate, plural, show or english_value)

    def english(self) -> str:
        """The canonical English: what a stored record keeps and its hash covers."""
        return str.__str__(self)

    def __str__(self) -> str:
        # The reader's language where the app has said how to render it (during a request),
        # English elsewhere. Anything stored must use `english()` (or the value itself).
        return _reader(self)

    def __html__(self) -> str:
        # Escaped as MarkupSafe escapes (Jinja's autoescape), in the reader's language.
        return html.escape(str(self)).replace("&#x27;", "&#39;")

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {self.params!r})"

    @classmethod
    def of(cls, code: str, english: str, **params: Any) -> Message:
        """Define `code` (wrap `english` in N_ so it is extracted) and say it with `params`."""
        define(code, english)
        return cls(code, params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(data["code"], {k: _revive(v) for k, v in (data.get("params") or {}).items()})


def _render(code: str, params: Mapping[str, Any], translate, plural, show) -> str:
    values = {name: _render_value(name, value, translate, plural, show)
              for name, value in params.items()}
    template = TEMPLATES[code]
    if isinstance(template, tuple):
        singular, many, count = template
        n = int(params.get(count, 0))
        text = plural(singular, many, n) if plural else (singular if n == 1 else many)
    else:
        text = translate(template) if translate else template
    return text % values


def _render_value(name: str, value: Any, translate, plural, show) -> str:
    if isinstance(value, Message):
        return value.render(translate, plural, show)
    if isinstance(value, list | tuple):
        return ", ".join(_render_value(name, item, translate, plural, show) for item in value)
    return show(name, value)


def is_identifier(name: str) -> bool:
    """Parameters that hold a record's number or a year: never grouped like a quantity."""
    return name in {"id", "year", "number", "version"} or name.endswith("_id")


def english_value(name: str, value: Any) -> str:
    """A value in the canonical English: six significant digits, thousands grouped
    (1,000,000), stored codes as they are."""
    if name in {"status", "statuses", "verdict"} and isinstance(value, str):
        return value.replace("_", " ")  # "in transit", as people write a stored state
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float):
        return format(value, ".6g")
    return str(value) if is_identifier(name) else f"{value:,}"


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
