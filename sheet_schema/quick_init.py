"""A faster `__init__` for frozen, slotted dataclasses made by the hundred thousand.

`@dataclass(frozen=True)` generates an `__init__` that stores each field with
`object.__setattr__(self, name, value)` (the class's own `__setattr__` refuses): ~150 ns a field
on CPython 3.11, seven times a plain dataclass's. A 10,000-case first fill makes ~300,000 cell
updates, ~150,000 cell writes and as many parsed cells, findings and clocks: a few tenths of a
second only in those stores. `quick_init` gives such a class an `__init__` with the same
signature (the same names, order and defaults) that stores each field through its slot's own
descriptor, which is what `object.__setattr__` ends up calling. Nothing else changes: instances
stay frozen (assigning still raises `FrozenInstanceError`), equal, hashable and printable as
before.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, cast

__all__ = ["quick_init"]

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Replace the generated `__init__` of a frozen, slotted dataclass (see the module doc).

    Refused (TypeError) for a class this would change: not frozen or not slotted, with a
    `__post_init__`, init-only or keyword-only fields, or a field left out of `__init__`."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen, slotted dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    declared = cls.__dataclass_fields__.values()  # type: ignore[attr-defined]
    if any("InitVar" in str(f.type) for f in declared):
        raise TypeError(f"{cls.__name__} has init-only fields")
    fields = dataclasses.fields(cast(Any, cls))  # the real fields (not InitVars or ClassVars)
    if any(not f.init or f.kw_only for f in fields):
        raise TypeError(f"{cls.__name__} has fields outside __init__ or keyword-only ones")
    scope: dict[str, Any] = {"_MISSING": _MISSING}
    params_text: list[str] = []
    body: list[str] = []
    for f in fields:
        scope[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is not dataclasses.MISSING:
            scope[f"_default_{f.name}"] = f.default
            params_text.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            params_text.append(f"{f.name}=_MISSING")
            body.append(f"  if {f.name} is _MISSING: {f.name} = _factory_{f.name}()")
        else:
            params_text.append(f.name)
        body.append(f"  _set_{f.name}(self, {f.name})")
    # The setters and defaults are the arguments of an outer function, so the __init__ reads
    # them as closure cells (faster than globals), and its own signature is the dataclass's.
    outer = ", ".join(name for name in scope)
    source = (
        f"def _make({outer}):\n"
        f" def __init__(self, {', '.join(params_text)}):\n"
        + "\n".join(body or ["  pass"])
        + "\n return __init__\n"
    )
    made: dict[str, Any] = {}
    exec(source, {}, made)
    scope["__init__"] = made["_make"](**scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


class _Missing:
    def __repr__(self) -> str:
        return "<factory default>"


_MISSING = _Missing()
