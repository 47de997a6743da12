"""The last check before anything is written: rule 1, enforced on every batch of cells (the
whole write, or each part of a streamed one).

The planner is built never to touch a cell a person owns; this guard makes that a checked
invariant rather than a hope. A user-owned cell may be written only when it is blank, and on the
Cases tab only for a new Case ID or Opened. Anything else is a bug, and the sync stops before
writing rather than risk a person's value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from app.errors import AftersalesError
from app.sheets.backend import RowUpdate, Write
from app.sync.layout import PlacedTab
from app.sync.rows import SheetRow
from sheet_schema import ColumnSpec, Owner, SheetSchema, is_blank

CASES_FILLABLE = frozenset({"case_id", "opened"})


class UnsafeWriteError(AftersalesError):
    code = "unsafe_write"


class WriteGuard:
    """Rule 1, checked on each batch of cells about to be written (a streamed sync checks each
    part). The spec of each (tab, column) written is looked up once per sync, and a tab's rows
    as read only when a cell of a person's column is written there (a first fill writes
    none but new ids)."""

    def __init__(
        self,
        schema: SheetSchema,
        placed: Mapping[str, PlacedTab],
        rows: Mapping[str, Sequence[SheetRow]],
    ) -> None:
        self._schema = schema
        self._rows = rows
        self._by_title = {p.headers.title: (key, p) for key, p in placed.items()}
        self._column_at = {
            title: {i + 1: c for c, i in tab.headers.positions.items()}
            for title, (_, tab) in self._by_title.items()
        }
        self._specs: dict[tuple[str, int], tuple[str, str, ColumnSpec]] = {}
        self._raw: dict[str, dict[int, Mapping[str, object]]] = {}  # by tab key, when needed

    def check(self, updates: Sequence[Write]) -> None:
        """Raise UnsafeWriteError, before anything is written, if a cell of `updates` is a
        person's that is not blank, or on the Cases tab is not a new Case ID or Opened."""
        specs = self._specs  # a first fill: ~300,000 cells in a few dozen columns
        for tab, row, col in _positions(updates):
            found = specs.get((tab, col))
            if found is None:
                found = specs[tab, col] = _column(
                    self._schema, self._by_title, self._column_at, tab, row, col
                )
            key, column, spec = found
            if spec.owner is Owner.SERVICE:
                continue
            current = self._raw_rows(key).get(row, {}).get(column)
            if not is_blank(current) or (key == "cases" and column not in CASES_FILLABLE):
                raise UnsafeWriteError(
                    f"refusing to overwrite {tab}!R{row} '{spec.header}' "
                    f"(a person's cell holding {current!r})"
                )

    def _raw_rows(self, key: str) -> dict[int, Mapping[str, object]]:
        found = self._raw.get(key)
        if found is None:
            found = self._raw[key] = {r.row: r.raw for r in self._rows.get(key, ())}
        return found


def _positions(updates: Sequence[Write]) -> Iterator[tuple[str, int, int]]:
    """(tab, row, column) of every cell written (a `RowUpdate`'s each)."""
    for update in updates:
        if type(update) is RowUpdate:
            for col in range(update.col, update.last_col + 1):
                yield update.tab, update.row, col
        else:
            yield update.tab, update.row, update.col


def _column(
    schema: SheetSchema,
    by_title: Mapping[str, tuple[str, PlacedTab]],
    column_at: Mapping[str, Mapping[int, str]],
    tab: str,
    row: int,
    col: int,
) -> tuple[str, str, ColumnSpec]:
    """The tab key, column key and spec a cell written is in; refused when it is not ours."""
    if tab not in by_title:
        raise UnsafeWriteError(f"refusing to write to unknown tab {tab!r}")
    key = by_title[tab][0]
    column = column_at[tab].get(col)
    if column is None:
        raise UnsafeWriteError(
            f"refusing to write {tab}!R{row}C{col}: not a column the "
            "service knows (a team's own column)"
        )
    return key, column, schema.tab(key).column(column)
