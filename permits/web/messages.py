"""Rendering a service's Message (standards.messages) in the reader's language, at the edge:
pages (the `say` filter), the API and the PDFs. Templates are looked up in the catalogues;
dates, numbers and stored codes are shown in the reader's words."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, has_request_context
from flask_babel import get_translations

from permits.web import formats, labels
from standards.messages import Message, is_identifier

bp = Blueprint("messages", __name__)

# Parameters holding a stored code, shown through the label tables every page uses.
_WORDS = {"status": labels.STATES, "byproduct": labels.BYPRODUCTS, "basis": labels.BASES,
          "country": labels.COUNTRIES, "countries": labels.COUNTRIES, "verdict": labels.STATES,
          "own": labels.COUNTRIES,  # an authority's own country, beside the one it may not decide for
          "statuses": labels.STATES,
          "role": labels.ROLES, "kind": labels.KINDS, "decision": labels.KINDS}


_DATES = {"date", "day", "cutoff", "start", "end", "due", "valid_from", "valid_to"}


def show(name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if name == "byproduct" and value in labels.BYPRODUCTS:  # inside a sentence: "accepts slag"
        word = str(labels.BYPRODUCTS[value])
        return word if word[:2].isupper() else word[:1].lower() + word[1:]
    if name in _WORDS:
        return labels.label(_WORDS[name], value)
    if name == "standard" and isinstance(value, str):
        title = standard_titles().get(value)
        return labels.data_text(title) if title else value
    if name == "report" and isinstance(value, str):
        return report_title(value)
    if (name.endswith("_on") or name in _DATES) and value:
        try:
            return formats.day(date.fromisoformat(str(value)[:10]))
        except ValueError:
            return str(value)
    if isinstance(value, int | float):
        return str(value) if is_identifier(name) else formats.number(value)
    return str(value)


@functools.cache
def standard_titles() -> dict[str, str]:
    """Standard code -> the title of its newest version in the packaged catalogue (translated
    on reading: the catalogues hold every title); a code it does not know reads as itself."""
    from standards.catalogue import _packaged

    titles: dict[str, tuple[int, str]] = {}
    for row in _packaged().standards:
        if row["code"] not in titles or row["version"] > titles[row["code"]][0]:
            titles[row["code"]] = (row["version"], row["title"])
    return {code: title for code, (_version, title) in titles.items()}


def report_title(key: str) -> str:
    """A report kind's title in the reader's language; anything else (a key someone typed
    that names no report) reads as given."""
    from permits.reports import KINDS

    kind = KINDS.get(key)
    return _translate(kind.title) if kind else key


def _translate(template: str) -> str:
    return get_translations().ugettext(template)


def _plural(singular: str, many: str, n: int) -> str:
    # The catalogue's form for n, unformatted: Message.render formats it with every parameter.
    return get_translations().ungettext(singular, many, n)


def say(message: Message | Mapping[str, Any] | str | None, fallback: str | None = None) -> str:
    """`message` in the reader's language; `fallback` (a stored English text) when there is no
    message, or the stored code is not known to this version."""
    if message is None or message == "":
        return fallback or ""
    if isinstance(message, str) and not isinstance(message, Message):
        return message
    if isinstance(message, Mapping):
        try:
            message = Message.from_dict(message)
        except (KeyError, TypeError):
            return fallback if fallback is not None else str(message.get("code", ""))
    return message.render(translate=_translate, plural=_plural, show=show)


def reader(message: Message) -> str:
    """`str(message)`: the reader's language during a request, the canonical English elsewhere
    (the CLI, the scheduler)."""
    return say(message) if has_request_context() else message.english()


@bp.app_template_filter("say")
def say_filter(message, fallback: str | None = None) -> str:
    return say(message, fallback)



@bp.app_template_filter("check_reason")
def check_reason(check) -> str:
    """A check's reason in the reader's language: from its stored message (code and
    parameters) when it has one, else its stored English (records made before messages)."""
    if isinstance(check, Mapping):
        return say(check.get("message"), check.get("reason") or "")
    message = getattr(check, "message", None)
    return say(message, getattr(check, "reason", "") or "")
