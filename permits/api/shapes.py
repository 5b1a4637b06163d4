"""Request and response shapes: each declared once as a pydantic model, and from it the body's
check (400 wrong type, 422 unknown or missing field), the answer's JSON and the OpenAPI schema.

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
from types import UnionType
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, Union, get_args, get_origin

from flask import request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_serializer,
)
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import PydanticCustomError

from facility_registry.validation import iso_date
from permits.api.common import MAX_LIMIT, json_body
from standards.errors import DomainError, ValidationFailed, WrongType

MISSING = "is required"


class Body(BaseModel):
    """A request body: strict JSON types, unknown fields refused (`unknown_field` says how)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    unknown_field: ClassVar[str] = "is not a field of this request"

    def given(self) -> dict[str, Any]:
        """The fields the client sent, nulls included, as plain values (nested objects as dicts)."""
        return self.model_dump(exclude_unset=True)


class Query(BaseModel):
    """Query parameters, one per field; each arrives as text, an empty one as absent. A
    `Literal` field refuses other values with a 422 naming the choices."""

    model_config = ConfigDict(extra="ignore")
    unknown_field: ClassVar[str] = "is not a parameter of this request"


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


def _in_utc(value: datetime) -> str:
    # SQLite hands back naive UTC; PostgreSQL an aware time: both leave here in UTC.
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


UtcTimestamp = Annotated[datetime, PlainSerializer(_in_utc, return_type=str),
                         WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[date, PlainSerializer(lambda v: v.isoformat(), return_type=str)]


def _day_of(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "must be a date string YYYY-MM-DD")
    try:
        return iso_date(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "is not a valid date (YYYY-MM-DD)") from None


# A date in a body or a query: text spelled YYYY-MM-DD (else a 400), a real day (else a 422).
InDate = Annotated[date, BeforeValidator(_day_of), WithJsonSchema({"type": "string", "format": "date"})]
def _whole_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("whole_number", "must be a whole number") from None


# A whole number in a query (`?permit_id=7`): anything else is a 422.
WholeNumber = Annotated[int, BeforeValidator(_whole_number), WithJsonSchema({"type": "integer"})]
def whole_number(minimum: int, maximum: int):
    """A whole number in a query: anything but ASCII digits is a 400, outside the range a 422."""

    def check(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value):  # no sign, space, 1e3
            number = int(value)
        else:
            raise PydanticCustomError("whole_number_type", "must be a whole number")
        if not minimum <= number <= maximum:
            raise PydanticCustomError("out_of_range", f"must be between {minimum} and {maximum}")
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


# ---- reading a body --------------------------------------------------------------------------

def read_body(model: type[Body], *, required: bool = True) -> Body:
    """The request's JSON body as `model`, or the error API.md gives: 400 for malformed JSON or a
    wrong type (every such field named), else 422 for missing or unknown fields. A body that is
    not `required` may be left out."""
    if not required and not request.get_data(cache=True).strip():
        return model()
    raw = json_body()  # malformed JSON, NaN, nesting, NUL: 400/422 before any shape
    try:
        return model.model_validate(_nulls_as_missing(model, raw))
    except ValidationError as exc:
        raise _as_domain_error(model, exc) from None


def _nulls_as_missing(model: type[BaseModel], body: Any) -> Any:
    """A null for a required field is the field missing (a 422 "is required"), not a wrong type."""
    if not isinstance(body, dict):
        return body
    fields = model.model_fields
    cleaned = {}
    for name, value in body.items():
        field = fields.get(name)
        if field is not None and value is None and field.is_required():
            continue
        nested = _model_in(field.annotation) if field is not None else None
        if nested is not None and isinstance(value, dict):
            value = _nulls_as_missing(nested, value)
        elif nested is not None and isinstance(value, list):
            value = [_nulls_as_missing(nested, item) for item in value]
        cleaned[name] = value
    return cleaned


def read_query(model: type[Query]) -> Query:
    """The query string as `model` (parameters it does not name are ignored)."""
    given = {name: value for name, value in request.args.items()
             if name in model.model_fields and value != ""}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise _as_domain_error(model, exc) from None


def _as_domain_error(model: type[BaseModel], exc: ValidationError) -> DomainError:
    wrong: dict[str, list[str]] = {}
    invalid: dict[str, list[str]] = {}
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, DomainError):  # a field's own validator said it in our words
            return cause
        name, annotation, owner, info = _field_path(model, error["loc"])
        kind, said = error["type"], error["msg"]
        ours = not said.startswith("Input should")  # a shape's own validator, in our words
        if kind == "extra_forbidden":
            invalid.setdefault(name, [owner.unknown_field])
        elif kind == "missing":
            invalid.setdefault(name, [MISSING])
        elif kind == "literal_error":
            choices = ", ".join(str(choice) for choice in get_args(_unwrap(annotation)))
            invalid.setdefault(name, [f"must be one of {choices}"])
        elif kind.endswith("_type") or kind == "int_from_float":
            says = next((m.wrong_type for m in getattr(info, "metadata", ()) if isinstance(m, Says)), None)
            wrong.setdefault(name, [said if ours else says or f"must be {_json_kind(annotation)}"])
        else:
            invalid.setdefault(name, [said])
    if wrong:
        first = next(iter(wrong))
        return WrongType(f"{first} {wrong[first][0]}.", wrong)
    first = next(iter(invalid))
    if len(invalid) == 1:
        return ValidationFailed(f"{first} {invalid[first][0]}.", invalid)
    return ValidationFailed("Some fields are not valid.", invalid)


def _field_path(model: type[BaseModel], loc: tuple) -> tuple[str, Any, type[BaseModel], Any]:
    """The field as the body names it (`identifiers.epa_id`, `transporters[0].name`), its
    annotation, the model it belongs to and its FieldInfo; a union's member tags in `loc` are
    not fields."""
    name, annotation, owner, current, info = "", model, model, model, None
    for part in loc:
        if isinstance(part, int):
            name, annotation = f"{name}[{part}]", _item_type(annotation)
        else:
            fields = getattr(_model_in(annotation), "model_fields", {})
            if part not in fields:
                if _model_in(annotation) is not None:  # an unknown field of a nested object
                    owner = _model_in(annotation)
                    name = f"{name}.{part}" if name else part
                break
            owner = _model_in(annotation)
            name = f"{name}.{part}" if name else part
            info = fields[part]
            annotation = info.annotation
        current = annotation
    return name, current, owner, info


def _model_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _item_type(annotation):
    for arg in get_args(annotation) or ():
        if get_origin(arg) is list:
            return get_args(arg)[0]
    return get_args(annotation)[0] if get_origin(annotation) is list else annotation


_KINDS = [(bool, "true or false"), (int, "a whole number"), (float, "a number"), (str, "a string"),
          (list, "a list"), (dict, "an object"), (BaseModel, "an object")]


def _json_kind(annotation) -> str:
    """What a field of this annotation takes, in the words of a 400: "a string", "a number or
    true/false" (a number may also come as text, so a string beside a number goes unsaid)."""
    words = []
    for member in _members(annotation):
        base = get_origin(member) or member
        word = next((w for kind, w in _KINDS if isinstance(base, type) and issubclass(base, kind)),
                    "another type")
        if word not in words:
            words.append(word)
    if "a number" in words:
        words = [w for w in words if w not in ("a whole number", "a string")]
    if len(words) > 1 and "true or false" in words:
        words = [w for w in words if w != "true or false"] + ["true/false"]
    return " or ".join(words)


def _unwrap(annotation):
    """The Literal inside `Literal[...] | None`, or the annotation itself."""
    if get_origin(annotation) is Literal:
        return annotation
    return next((a for a in get_args(annotation) if get_origin(a) is Literal), annotation)


def _members(annotation) -> list:
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return [m for a in get_args(annotation) if a is not type(None) for m in _members(a)]
    return [annotation]


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
