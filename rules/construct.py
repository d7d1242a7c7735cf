"""Building frozen pydantic records from values that are already typed.

Intake and the rules create records by the hundred thousand from values their
own parsers produced, so pydantic's validation would only repeat work. Even
`model_construct` costs ~8 µs a record (it resolves aliases and default
factories field by field); this does the same job, with the defaults looked up
once per class, in under 1 µs. Only for models whose defaults are immutable
values (no default factories), which every record in `rules` is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from functools import cache
from itertools import repeat
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


@cache
def _defaults(cls: type[BaseModel]) -> dict[str, Any]:
    """Each field's default, in field order; required fields get a placeholder to be overwritten."""
    out: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if field.default_factory is not None:
            raise TypeError(f"{cls.__name__}.{name} has a default factory; use model_construct")
        out[name] = None if field.default is PydanticUndefined else field.default
    return out


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def _fields_set(names) -> set[str]:
    """One shared set per distinct combination of field names.

    A set of ~20 names costs ~1.2 kB, more than a record's own values, and 100k
    records use a handful of combinations. Sharing is safe because these models
    are frozen: pydantic mutates a fields set only after copying it (`model_copy`).
    """
    key = frozenset(names)
    shared = _FIELDS_SETS.get(key)
    if shared is None:
        shared = _FIELDS_SETS[key] = set(key)
    return shared


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` holding `values` (already of the right types) plus defaults."""
    data = dict(_defaults(cls))
    data.update(values)
    m = object.__new__(cls)
    _set(m, "__dict__", data)
    _set(m, "__pydantic_fields_set__", _fields_set(values))
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


def defaults(cls: type[BaseModel]) -> dict[str, Any]:
    """A fresh copy of each field's default, in field order (what `trusted` starts a record from)."""
    return dict(_defaults(cls))


def blank_instance_dict(cls: type[BaseModel]) -> dict[str, Any]:
    """`defaults(cls)` in the kind of dict CPython gives an instance of `cls` as its `__dict__`.

    Such a dict shares its keys with the other instances' (when CPython can), so
    it and its copies hold only values: a 22-field record's dict is 296 bytes
    instead of 832, and quicker to copy. The same keys in the same order either way.
    """
    data = object.__new__(cls).__dict__
    data.update(_defaults(cls).items())  # key by key (a dict would be cloned as it is)
    return data


def fields_set(names) -> set[str]:
    """The shared fields set of a record given values for exactly `names` (as `trusted` records it)."""
    return _fields_set(names)


def trusted_many(cls: type[M], dicts: Sequence[dict[str, Any]], fields_sets: Sequence[set[str]]) -> list[M]:
    """Instances of `cls`, one per complete `__dict__` (every field, in field order, already typed).

    `trusted` for a whole sheet at once: each dict becomes its record's own
    `__dict__` (not copied; the caller hands it over), and the attribute stores
    run as C loops, so a record costs a fraction of a `trusted` call.
    """
    n = len(dicts)
    records = list(map(object.__new__, repeat(cls, n)))
    for attr, values in (
        ("__dict__", dicts),
        ("__pydantic_fields_set__", fields_sets),
        ("__pydantic_extra__", repeat(None, n)),
        ("__pydantic_private__", repeat(None, n)),
    ):
        deque(map(_set, records, repeat(attr, n), values), maxlen=0)
    return records


def replaced(model: M, **changes: Any) -> M:
    """A copy of a trusted record with some fields changed (cheaper than `model_copy`)."""
    data = model.__dict__.copy()  # a key-sharing dict stays one (see blank_instance_dict)
    data.update(changes)
    m = object.__new__(type(model))
    _set(m, "__dict__", data)
    fields_set = model.__pydantic_fields_set__
    if not fields_set.issuperset(changes):
        fields_set = _fields_set(fields_set | changes.keys())
    _set(m, "__pydantic_fields_set__", fields_set)
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m
