"""What can be wrong with a field, said once for every layer (forms, the API, CSV import):
each a Message (standards.messages) so that every reader gets it in their language."""
from __future__ import annotations

from standards.messages import N_, Message, define

FIELD_PROBLEM = define("field.problem", N_("%(field)s: %(problem)s"))
FIELDS_PROBLEM = define("field.problems", N_("%(count)s fields are not valid, first %(field)s: %(problem)s"))
REQUIRED = define("field.required", N_("is required"))
TOO_LONG = define("field.too_long", N_("must be at most %(max)s characters"))
ONE_OF = define("field.one_of", N_("must be one of %(choices)s"))
TEXT = define("field.text", N_("must be text"))
NUMBER = define("field.number", N_("must be a number"))
FINITE = define("field.finite", N_("must be a finite number"))
AT_LEAST = define("field.at_least", N_("must be at least %(minimum)s"))
GREATER_THAN = define("field.greater_than", N_("must be greater than %(minimum)s"))
WHOLE = define("field.whole", N_("must be a whole number"))
BETWEEN = define("field.between", N_("must be between %(low)s and %(high)s"))
BOOLEAN = define("field.boolean", N_("must be true or false"))
DATE = define("field.date", N_("must be a date as YYYY-MM-DD"))
NOT_FUTURE = define("field.not_future", N_("cannot be in the future"))
LIST = define("field.list", N_("must be a list"))
OBJECT = define("field.object", N_("must be an object"))
UNKNOWN_FIELD = define("field.unknown", N_("is not a field here"))


def problem(code: str, **params) -> Message:
    return Message(code, params)


def on_field(field: str, said: Message) -> Message:
    """"quantity_tonnes: must be a number": the one-line message of an error about one field."""
    return Message(FIELD_PROBLEM, {"field": field, "problem": said})


def summary(fields: dict[str, list]) -> Message:
    """The one-line message of an error naming several fields: the count and the first."""
    first = next(iter(fields))
    if len(fields) == 1:
        return on_field(first, fields[first][0])
    return Message(FIELDS_PROBLEM, {"count": len(fields), "field": first, "problem": fields[first][0]})
