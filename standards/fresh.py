"""Default factories for the table models' JSON columns: a new empty list or dict per row.

Not the builtins `list` and `dict`: a SQLModel table model's constructor asks each default
factory for its signature (pydantic: does it take the data validated so far?) on every
construction, and a builtin's signature is parsed from its text, about 0.2 ms each: three of them
made a new permit cost 0.6 ms. A Python function's signature is read from its code."""
from __future__ import annotations


def empty_list() -> list:
    return []


def empty_dict() -> dict:
    return {}
