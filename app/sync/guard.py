"""The last check before anything is written: rule 1, enforced on the final batch.

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


def check_writes(
    schema: SheetSchema,
    placed: Mapping[str, PlacedTab],
    rows: Mapping[str, Sequence[SheetRow]],
    updates: Sequence[Write],
) -> None:
    by_title = {p.headers.title: (key, p) for key, p in placed.items()}
    raw_by_row = {key: {r.row: r.raw for r in tab_rows} for key, tab_rows in rows.items()}
    column_at = {
        title: {i + 1: c for c, i in tab.headers.positions.items()}
        for title, (_, tab) in by_title.items()
    }
    specs: dict[tuple[str, int], tuple[str, str, ColumnSpec]] = {}  # a first fill: ~300,000
    for tab, row, col in _positions(updates):
        found = specs.get((tab, col))
        if found is None:
            found = specs[tab, col] = _column(schema, by_title, column_at, tab, row, col)
        key, column, spec = found
        if spec.owner is Owner.SERVICE:
            continue
        current = raw_by_row.get(key, {}).get(row, {}).get(column)
        if not is_blank(current) or (key == "cases" and column not in CASES_FILLABLE):
            raise UnsafeWriteError(
                f"refusing to overwrite {tab}!R{row} '{spec.header}' "
                f"(a person's cell holding {current!r})"
            )


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
