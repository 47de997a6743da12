"""A row's cells and values by column key, without a dict per row: a sequence beside a key
index that every row of the tab shares.

- `CellsView`: a parsed row's cells as read, a view over the read's own row (no copy);
- `RowValues`: a parsed row's values, a list (a new Case ID or Opened is filled in);
- `PackedCells`: values packed, a tuple with equal texts one string (`CellPacker`): equal
  dates, times and numbers are one object too (measured at 10,000 cached rows, when the
  person's cells were packed with them: 23.6 MB became 13 MB). Read only.
- `PartValues`: a cached row's values (app/sync/reuse.py): a few kept packed, every other one
  parsed again from the row's cells as read when first asked for. A cached row is only ever
  read (a case planned again is parsed again from the cells as read), so it refuses writes:
  one would be a bug.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from datetime import date, datetime
from typing import Generic, TypeVar, cast

from policies.sharing import Pool, shared

V = TypeVar("V")
_SHARED = frozenset({date, datetime, float, int})


class _Keyed(Generic[V]):
    """A row's keys: those of the key index (column key -> position) its tab's rows share."""

    __slots__ = ("_index",)
    _index: Mapping[str, int]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class _KeyIndexed(_Keyed[V]):
    """The values of a row held as a sequence beside its tab's key index."""

    __slots__ = ("_cells",)

    def __init__(self, index: Mapping[str, int], cells: Sequence[V]) -> None:
        self._index = index
        self._cells = cells


class _ReadOnly(MutableMapping[str, V]):
    """A mapping that refuses writes: a cached row's values are only ever read."""

    __slots__ = ()

    def __setitem__(self, key: str, value: V) -> None:
        raise TypeError(f"a cached row is read only (setting {key!r})")

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"a cached row is read only (deleting {key!r})")


class PackedCells(_KeyIndexed[V], _ReadOnly[V]):
    """A read-only mapping of column key to value over a tuple and a shared key index."""

    __slots__ = ()

    def __init__(self, index: Mapping[str, int], cells: tuple[V, ...]) -> None:
        super().__init__(index, cells)

    def __getitem__(self, key: str) -> V:
        return self._cells[self._index[key]]

    def get(self, key: str, default: object = None) -> V | object:  # type: ignore[override]
        i = self._index.get(key)
        return default if i is None else self._cells[i]

    def __repr__(self) -> str:
        return f"PackedCells({dict(self)!r})"


class PartValues(_Keyed[V], _ReadOnly[V]):
    """A row's values of which only `kept` are held; any other is parsed again, the first time
    one is asked for, by `parse(row)` (from the cells the values were parsed from, as read
    again), and the row's values are then held for as long as this object. Its keys are the
    parsed values' own, so `in`, len and iteration answer as the values would, without parsing.

    What the incremental cache keeps of a row has no `parse` (it has no cells); the row handed
    out over the cells as read gets one (`over`): the tab's one parser and the row's number, no
    object of its own (a closure per row was 290 bytes, 14 MB of a 50,000-case press). Read
    only, like `PackedCells`."""

    __slots__ = ("_full", "_parse", "_row", "kept")

    def __init__(
        self,
        keys: Mapping[str, int],
        kept: PackedCells[V],
        parse: Callable[[int], Mapping[str, V]] | None = None,
        row: int = 0,
    ) -> None:
        self._index = keys
        self.kept = kept
        self._parse = parse
        self._row = row
        self._full: Mapping[str, V] | None = None

    def over(self, parse: Callable[[int], Mapping[str, V]], row: int) -> PartValues[V]:
        """The same kept values, the others parsed by `parse(row)`."""
        return PartValues(self._index, self.kept, parse, row)

    def __getitem__(self, key: str) -> V:
        if key in self.kept:
            return self.kept[key]
        if key not in self._index:
            raise KeyError(key)
        return self._values()[key]

    def get(self, key: str, default: object = None) -> V | object:  # type: ignore[override]
        if key in self.kept:
            return self.kept[key]
        if key not in self._index:
            return default
        return self._values().get(key, default)

    def _values(self) -> Mapping[str, V]:
        if self._full is None:
            if self._parse is None:
                raise LookupError(
                    "a cached row keeps only a few values; the others are parsed from the row's "
                    "cells, read again (handed_out in app/sync/reuse.py)"
                )
            self._full = self._parse(self._row)
        return self._full

    def __repr__(self) -> str:
        return f"PartValues(kept={dict(self.kept)!r}, keys={list(self._index)!r})"


class CellsView(_KeyIndexed[V], Mapping[str, V]):
    """A row's cells as read, by column key: a view over the read's own row (no copy), blank
    (None) past a ragged row's end; the index is the tab's header map's own positions. A
    parsed row's cells were a dict of every column, made for each row a sync parses (8 MB at
    a 10,000-case fill, held to its end)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> V:
        i = self._index[key]
        cells = self._cells
        return cells[i] if i < len(cells) else None  # type: ignore[return-value]

    def get(self, key: str, default: object = None) -> V | object:  # type: ignore[override]
        i = self._index.get(key)
        if i is None:
            return default
        cells = self._cells
        return cells[i] if i < len(cells) else None

    def __repr__(self) -> str:
        return f"CellsView({dict(self)!r})"


class RowValues(MutableMapping[str, V], Generic[V]):
    """A parsed row's values by column key: a list beside a key index that every row of the
    tab shares. A dict per row held 770 bytes at 26 columns (7.7 MB at a 10,000-case fill,
    held to its end); this holds 330. Values may be set (a new Case ID or Opened is filled in
    as the row is planned); a key the index lacks goes to a dict of its own, made only then."""

    __slots__ = ("_extra", "_index", "_values")

    def __init__(self, index: Mapping[str, int], values: list[V]) -> None:
        self._index = index
        self._values = values
        self._extra: dict[str, V] | None = None

    def __getitem__(self, key: str) -> V:
        i = self._index.get(key)
        if i is not None:
            return self._values[i]
        if self._extra is None:
            raise KeyError(key)
        return self._extra[key]

    def get(self, key: str, default: object = None) -> V | object:  # type: ignore[override]
        i = self._index.get(key)
        if i is not None:
            return self._values[i]
        return default if self._extra is None else self._extra.get(key, default)

    def __setitem__(self, key: str, value: V) -> None:
        i = self._index.get(key)
        if i is not None:
            self._values[i] = value
        else:
            if self._extra is None:
                self._extra = {}
            self._extra[key] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"a row's values are never removed (deleting {key!r})")

    def __contains__(self, key: object) -> bool:
        return key in self._index or (self._extra is not None and key in self._extra)

    def __iter__(self) -> Iterator[str]:
        yield from self._index
        if self._extra is not None:
            yield from self._extra

    def __len__(self) -> int:
        return len(self._index) + (len(self._extra) if self._extra is not None else 0)

    def __repr__(self) -> str:
        return f"RowValues({dict(self)!r})"


class CellPacker:
    """Packs mappings, sharing one key index among all those with the same keys in the same
    order (every row of a tab parsed alike), and one string among equal texts (each cell of a
    read is its own string: ten thousand "Superbuy"s become one)."""

    def __init__(self) -> None:
        self._indexes: dict[tuple[str, ...], Mapping[str, int]] = {}
        self._texts: dict[str, str] = {}
        self._values: Pool = {}

    def pack(self, cells: Mapping[str, V]) -> PackedCells[V]:
        """`cells` packed."""
        if isinstance(cells, PackedCells):
            return cells
        keys = tuple(cells)
        index = self._index(keys)
        texts = self._texts
        values: list[V] = []
        for key in keys:
            value = cells[key]
            if isinstance(value, str):
                value = cast(V, texts.setdefault(value, value))
            elif type(value) in _SHARED:  # (10,000 rows' dates: some 180 differ)
                value = shared(self._values, value)
            values.append(value)
        return PackedCells(index, tuple(values))

    def part(self, values: Mapping[str, V], kept: Sequence[str]) -> PartValues[V]:
        """`values` with only the keys `kept` held (packed), sealed: it cannot parse the rest."""
        held = {key: values[key] for key in kept if key in values}
        return PartValues(self._index(tuple(values)), self.pack(held))

    def _index(self, keys: tuple[str, ...]) -> Mapping[str, int]:
        index = self._indexes.get(keys)
        if index is None:
            index = self._indexes[keys] = {key: i for i, key in enumerate(keys)}
        return index
