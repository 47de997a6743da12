"""Field types and cell readers shared by the policy models: window lengths in days or hours,
excluded item categories as canonical keys, and aliases as a team types them in a cell."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from policies.vocab import split_tokens


@dataclass(frozen=True, slots=True)
class WindowLength:
    """How long a return window is: whole days (ending at the end of a day) or hours (ending
    at an instant, counted from the next full hour after the window starts)."""

    amount: int
    unit: Literal["days", "hours"]


def one_length(days: int | None, hours: int | None, what: str) -> WindowLength | None:
    if days is not None and hours is not None:
        raise ValueError(f"give {what} in days or in hours, not both")
    if hours is not None:
        return WindowLength(hours, "hours")
    return WindowLength(days, "days") if days is not None else None


def blank_to_none(v: Any) -> Any:
    """A blank text (an empty cell) is no value."""
    return None if isinstance(v, str) and not v.strip() else v


_CATEGORY_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_ALIAS_SPLIT = re.compile(r"[;,、，；\n]+")


def category_keys(v: Any) -> Any:
    """Excluded categories as canonical keys: `Second-hand` and `second hand` are `second_hand`.
    The words teams write for a category are the vocabulary's job; a key is checked for shape."""
    v = _listed(blank_to_none(v))
    if not isinstance(v, list | tuple):
        return v
    keys: list[Any] = []
    for item in v:
        if not isinstance(item, str):
            keys.append(item)
            continue
        key = re.sub(r"[\s\-]+", "_", item.strip().casefold())
        if not _CATEGORY_KEY.match(key):
            raise ValueError(
                f"{item!r} is not a category key; expected keys like 'food', 'second_hand'"
            )
        if key not in keys:
            keys.append(key)
    return keys


def split_aliases(v: Any) -> Any:
    """Aliases as typed in a cell: separated by `;`, `,` or `、` (a `/` may be part of a name)."""
    v = blank_to_none(v)
    if isinstance(v, str):
        return [a.strip() for a in _ALIAS_SPLIT.split(v) if a.strip()]
    return v


def _listed(value: Any) -> Any:
    if isinstance(value, str):
        return list(split_tokens([value]))
    return value


# Excluded Categories and Aliases, however a policy file or a Policies-tab cell writes them (a
# list, or one text separated by `;` `,` `、`); the row's variants keep a blank cell as None.
CategoryKeys = Annotated[tuple[str, ...], BeforeValidator(category_keys)]
Aliases = Annotated[tuple[str, ...], BeforeValidator(split_aliases)]
RowCategoryKeys = Annotated[tuple[str, ...] | None, BeforeValidator(category_keys)]
RowAliases = Annotated[tuple[str, ...] | None, BeforeValidator(split_aliases)]
