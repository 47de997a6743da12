"""quick_init: the same dataclass as before, only built faster."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from sheet_schema.quick_init import quick_init


@dataclass(frozen=True, slots=True)
class Plain:
    tab: str
    row: int
    values: tuple[int, ...] = ()
    tags: list[str] = field(default_factory=list)


@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    tab: str
    row: int
    values: tuple[int, ...] = ()
    tags: list[str] = field(default_factory=list)


def test_builds_the_same_instances() -> None:
    cases: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (("a", 1), {}),
        (("a",), {"row": 2, "values": (3,)}),
        ((), {"tab": "b", "row": 0, "tags": ["x"]}),
    ]
    for args, kwargs in cases:
        plain, quick = Plain(*args, **kwargs), Quick(*args, **kwargs)
        assert dataclasses.astuple(plain) == dataclasses.astuple(quick)
        assert repr(quick) == repr(plain).replace("Plain", "Quick")
    assert Quick("a", 1) == Quick("a", 1) != Quick("a", 2)
    with pytest.raises(TypeError):  # unhashable for its list, as the generated one is
        hash(Quick("a", 1))
    assert Quick("a", 1).tags is not Quick("a", 1).tags  # a fresh default each time


def test_keeps_the_signature_and_errors() -> None:
    plain = str(inspect.signature(Plain)).replace("<factory>", "?")
    quick = str(inspect.signature(Quick)).replace("<factory default>", "?")
    assert plain == quick
    with pytest.raises(TypeError):
        Quick("a")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", 1, (), [], 5)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Quick("a", 1).row = 2  # type: ignore[misc]


def test_copies_pickles_and_replaces() -> None:
    quick = Quick("a", 1, (2,), ["t"])
    assert pickle.loads(pickle.dumps(quick)) == quick
    assert copy.deepcopy(quick) == quick
    assert dataclasses.replace(quick, row=5) == Quick("a", 5, (2,), ["t"])


def test_refuses_what_it_would_change() -> None:
    @dataclass(slots=True)
    class Mutable:
        a: int

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True)
    class KeywordOnly:
        a: int = field(kw_only=True)

    for cls in (Mutable, NoSlots, Checked, KeywordOnly):
        with pytest.raises(TypeError):
            quick_init(cls)
