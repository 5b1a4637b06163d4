"""Every table model's default factories: a new object per row (two permits never share one
list), and never the builtin `list` or `dict`, whose signature pydantic parses from text on every
construction (0.2 ms each: three made a new permit cost 0.6 ms; see standards.fresh)."""
from sqlmodel import SQLModel

import permits.models  # noqa: F401 - every table


def _table_models():
    return [mapper.class_ for mapper in SQLModel._sa_registry.mappers]


def test_default_factories_are_fresh_and_cheap():
    factories = {(model.__name__, name): field.default_factory
                 for model in _table_models() for name, field in model.model_fields.items()
                 if field.default_factory is not None}
    assert ("Permit", "origin") in factories  # the models were found
    assert sorted(key for key, factory in factories.items() if factory in (list, dict)) == []
    for key, factory in factories.items():
        first, second = factory(), factory()
        if isinstance(first, list | dict):
            assert first == second and first is not second, key
