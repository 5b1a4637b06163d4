"""Reading a request into its shape (`permits.api.shapes`): a body or a query string as its
model, or the error API.md gives, in our words and naming each field as the client sent it."""
from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from flask import request
from pydantic import BaseModel, ValidationError

from permits.api.common import json_body
from permits.api.shapes import Body, Query, Says
from standards import problems
from standards.errors import DomainError, ValidationFailed, WrongType
from standards.messages import N_, Message, define

MISSING = problems.problem(problems.REQUIRED)
# What a field takes, in the words of a 400 ("must be a number or true/false").
_KIND_WORDS = {word: define("api.kind." + code, word) for code, word in (
    ("boolean", N_("true or false")), ("whole_number", N_("a whole number")),
    ("number", N_("a number")), ("string", N_("a string")), ("list", N_("a list")),
    ("object", N_("an object")), ("other", N_("another type")), ("true_false", N_("true/false")))}
_OR = define("api.kind.or", N_("%(first)s or %(second)s"))
_MUST_BE = define("api.must_be", N_("must be %(kind)s"))
_FIELD_SAYS = define("api.field_says", N_("%(field)s %(problem)s."))
SOME_FIELDS = define("api.some_fields", N_("Some fields are not valid."))
# A shape's own validators (standards-free words of permits.api.shapes), by their error type.
_CUSTOM = {
    "date_type": define("api.date_type", N_("must be a date string YYYY-MM-DD")),
    "date_invalid": define("api.date_invalid", N_("is not a valid date (YYYY-MM-DD)")),
    "whole_number": problems.WHOLE, "whole_number_type": problems.WHOLE,
    "out_of_range": define("api.between", N_("must be between %(low)s and %(high)s")),
}


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
        if kind in _CUSTOM:
            said = Message(_CUSTOM[kind], {k: str(v) for k, v in (error.get("ctx") or {}).items()
                                           if k in ("low", "high")})
        ours = not said.startswith("Input should")  # a shape's own validator, in our words
        if kind == "extra_forbidden":
            invalid.setdefault(name, [unknown_field(owner)])
        elif kind == "missing":
            invalid.setdefault(name, [MISSING])
        elif kind == "literal_error":
            choices = ", ".join(str(choice) for choice in get_args(_unwrap(annotation)))
            invalid.setdefault(name, [problems.problem(problems.ONE_OF, choices=choices)])
        elif kind.endswith("_type") or kind == "int_from_float":
            says = next((m.wrong_type for m in getattr(info, "metadata", ()) if isinstance(m, Says)), None)
            wrong.setdefault(name, [said if ours else says or Message(_MUST_BE, {"kind": _json_kind(annotation)})])
        else:
            invalid.setdefault(name, [said])
    if wrong:
        first = next(iter(wrong))
        return WrongType(Message(_FIELD_SAYS, {"field": first, "problem": wrong[first][0]}), wrong)
    first = next(iter(invalid))
    if len(invalid) == 1:
        return ValidationFailed(Message(_FIELD_SAYS, {"field": first, "problem": invalid[first][0]}),
                                invalid)
    return ValidationFailed(Message(SOME_FIELDS), invalid)


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


def _json_kind(annotation) -> Message:
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
    said = Message(_KIND_WORDS[words[0]])
    for word in words[1:]:  # "a number or true/false", in the reader's words
        said = Message(_OR, {"first": said, "second": Message(_KIND_WORDS[word])})
    return said


def unknown_field(owner) -> str:
    """The model's words for a field it does not have ("is not a field of this request")."""
    return owner.unknown_field  # a Message in every shape of ours


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
