"""Request and response shapes: each declared once as a pydantic model, and from it the body's
check (`permits.api.reading`), the answer's JSON and the OpenAPI schema.

    class ShipmentCreate(Body):            # what a client sends
        quantity_tonnes: Tonnes
        carrier: str

    class ShipmentPublic(Public):          # what the API answers
        id: int
        departed_on: Day

Bodies are strict (a JSON string is never a number) and refuse unknown fields; their meaning
(a date in the past, a quantity within the cap) stays the service's, which names the field in
a 422. See docs/DEVELOPING.md, "API shapes".
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    WithJsonSchema,
    model_serializer,
)
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import PydanticCustomError

from facility_registry.validation import iso_date
from permits.api.common import MAX_LIMIT
from standards.messages import N_, Message


class Body(BaseModel):
    """A request body: strict JSON types, unknown fields refused (`unknown_field` says how)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    unknown_field: ClassVar[str] = Message.of("api.unknown_field", N_("is not a field of this request"))

    def given(self) -> dict[str, Any]:
        """The fields the client sent, nulls included, as plain values (nested objects as dicts)."""
        return self.model_dump(exclude_unset=True)


class Query(BaseModel):
    """Query parameters, one per field; each arrives as text, an empty one as absent. A
    `Literal` field refuses other values with a 422 naming the choices."""

    model_config = ConfigDict(extra="ignore")
    unknown_field: ClassVar[str] = Message.of("api.unknown_parameter",
                                              N_("is not a parameter of this request"))


class Public(BaseModel):
    """An answer: built from a row's attributes (`from_attributes`) or by its own `of()`."""

    model_config = ConfigDict(from_attributes=True)


class Sparse(Public):
    """An answer that leaves out the fields it was not given rather than writing null (the
    audit check's `first_bad`; a stored report's content, which comes back exactly as stored)."""

    @model_serializer(mode="wrap")
    def _given_only(self, handler):
        given = self.model_fields_set | set(self.model_extra or {})
        return {name: value for name, value in handler(self).items() if name in given}


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """The list envelope API.md fixes: newest first, keyset-paged."""

    items: list[T]
    total: int = Field(ge=0)
    next: str | None


# Types whose JSON is what the API has always written.
Timestamp = Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str)]


def in_utc(value: datetime) -> str:
    """`UtcTimestamp`'s JSON: SQLite hands back naive UTC, PostgreSQL an aware time; both leave
    here in UTC."""
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


UtcTimestamp = Annotated[datetime, PlainSerializer(in_utc, return_type=str),
                         WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[date, PlainSerializer(lambda v: v.isoformat(), return_type=str)]


def _day_of(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", N_("must be a date string YYYY-MM-DD"))
    try:
        return iso_date(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", N_("is not a valid date (YYYY-MM-DD)")) from None


# A date in a body or a query: text spelled YYYY-MM-DD (else a 400), a real day (else a 422).
InDate = Annotated[date, BeforeValidator(_day_of), WithJsonSchema({"type": "string", "format": "date"})]


def _whole_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("whole_number", N_("must be a whole number")) from None


# A whole number in a query (`?permit_id=7`): anything else is a 422.
WholeNumber = Annotated[int, BeforeValidator(_whole_number), WithJsonSchema({"type": "integer"})]


_BETWEEN = "must be between {low} and {high}"  # said in the reader's words by permits.api.reading


def whole_number(minimum: int, maximum: int):
    """A whole number in a query: anything but ASCII digits is a 400, outside the range a 422."""

    def check(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value):  # no sign, space, 1e3
            number = int(value)
        else:
            raise PydanticCustomError("whole_number_type", N_("must be a whole number"))
        if not minimum <= number <= maximum:
            raise PydanticCustomError("out_of_range", _BETWEEN, {"low": minimum, "high": maximum})
        return number

    return Annotated[int, BeforeValidator(check),
                     WithJsonSchema({"type": "integer", "minimum": minimum, "maximum": maximum})]


PageLimit = whole_number(1, MAX_LIMIT)  # how many items a page holds


# A date the service reads itself (its own words for a bad one): text documented as a date.
DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
# A number as the client typed it: an int stays an int (its spelling may be stored).
Number = int | float


class Says:
    """`Annotated[Number | bool, Says("must be a number, or true for a practice")]`: the words
    of a 400 for this field, when the derived ones ("must be a number or true/false") will not do."""

    def __init__(self, wrong_type: str):
        self.wrong_type = wrong_type


_DESCRIBED: set[type[BaseModel]] = set()


def described_as(model: type[BaseModel], *, many: bool = False):
    """A JSON object (or, `many`, a list) documented as `model` but passed through untouched:
    for content another layer checks field by field (an application's origin, which the permit
    rules read for pages too) or a stored record that must come back exactly as stored (a
    decision's checks, whose hash clients verify)."""
    _DESCRIBED.add(model)
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    if many:
        return Annotated[list[Any], WithJsonSchema({"type": "array", "items": ref})]
    return Annotated[dict[str, Any], WithJsonSchema(ref)]


def described_models() -> list[type[BaseModel]]:
    return sorted(_DESCRIBED, key=lambda m: (m.__module__, m.__qualname__))


# ---- writing an answer -----------------------------------------------------------------------

def dump(returns: Any, result: Any) -> Any:
    """The view's result (a model, a row, a dict of them) as JSON values, through `returns`."""
    adapter = _adapter(returns)
    return adapter.dump_python(adapter.validate_python(result, from_attributes=True), mode="json")


_adapters: dict[Any, TypeAdapter] = {}


def _adapter(shape: Any) -> TypeAdapter:
    if shape not in _adapters:
        _adapters[shape] = TypeAdapter(shape)
    return _adapters[shape]


# ---- the OpenAPI schemas ---------------------------------------------------------------------

class _Schema(GenerateJsonSchema):
    """Schemas as a reader wants them: no generated titles."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def generate(self, schema, mode="validation"):
        document = super().generate(schema, mode)
        document.pop("title", None)
        return document


def components(bodies: list[type[BaseModel]], answers: list[type[BaseModel]]
               ) -> tuple[dict[tuple[type, str], dict], dict[str, dict]]:
    """Each shape's reference ({"$ref": "#/components/schemas/<Model>"}, keyed by (model,
    "validation") for bodies and (model, "serialization") for answers) and the schemas."""
    pairs = [(m, "validation") for m in bodies] + [(m, "serialization") for m in answers]
    refs, top = models_json_schema(pairs, ref_template="#/components/schemas/{model}",
                                   schema_generator=_Schema)
    return refs, top.get("$defs", {})


def models_of(shape: Any) -> list[type[BaseModel]]:
    """The models a `returns=` shape is made of (`list[X]` is X)."""
    if get_origin(shape) is list:
        return models_of(get_args(shape)[0])
    return [shape] if isinstance(shape, type) and issubclass(shape, BaseModel) else []


def schema_of(shape: Any, refs: dict[tuple[type, str], dict], mode: str) -> dict[str, Any]:
    if get_origin(shape) is list:
        return {"type": "array", "items": schema_of(get_args(shape)[0], refs, mode)}
    return refs[(shape, mode)]
