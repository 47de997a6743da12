"""The run's cell log (what undo puts back): each cell a run wrote, with its previous and new
value, kept in batches of `BATCH` cells, in the order written.

Why batches: a 10,000-case first fill writes some 120,000 cells. A row per cell took 0.48 s of
CPU to stage (0.33 s of it SQLite's own insert of 120,000 rows and their index entries) and
2.6 s to read back; a row per batch of 1,000 takes 0.21 s and 0.69 s. The log is only ever
read whole, by run (undo, the run's cells in the API), never searched by cell.

An entry is a JSON array `[tab, case id, column key, header, old, new, row hint]`, the two
values type-tagged as `codec.encode_value` writes them, so a date, `True` and `1` come back
as they were. Batches are read in id order, which is the order they were inserted in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.store.bulk import insert_rows
from app.store.codec import decode_value, encode_shared
from app.store.errors import StoreError
from app.store.models import CellWriteBatchRow
from app.store.records import CellWrite, PlannedWrite

BATCH: Final = 1_000  # cells per stored batch
BATCHES_PER_INSERT: Final = 5
BATCHES = cast(Table, CellWriteBatchRow.__table__)


def insert_cell_writes(session: Session, run_id: int, writes: Sequence[PlannedWrite]) -> None:
    """Append the run's cell writes after those it has (their order is kept)."""
    connection = session.connection()
    # A few batches per statement: each statement's batches are built, encoded and sent while
    # the rest are not yet made (all of a first fill's at once were 52 MB more at its peak).
    step = BATCH * BATCHES_PER_INSERT
    for first in range(0, len(writes), step):
        batches = (
            (run_id, [_entry(w) for w in writes[start : start + BATCH]])
            for start in range(first, min(first + step, len(writes)), BATCH)
        )
        insert_rows(connection, BATCHES, ("run_id", "cells"), batches)


def delete_cell_writes(session: Session, run_id: int) -> None:
    """Forget the run's cell writes (before staging them again)."""
    session.connection().execute(BATCHES.delete().where(BATCHES.c.run_id == run_id))


def load_cell_writes(session: Session, run_id: int) -> list[CellWrite]:
    """The run's cell writes, in the order they were stored."""
    c = BATCHES.c
    statement = select(c.id, c.cells).where(c.run_id == run_id).order_by(c.id)
    return [
        write
        for batch_id, cells in session.connection().execute(statement)
        for write in _writes(batch_id, cells)
    ]


def _entry(write: PlannedWrite) -> list[Any]:
    return [
        write.tab,
        write.case_id,
        write.column,
        write.header,
        encode_shared(write.old_value),
        encode_shared(write.new_value),
        write.row_hint,
    ]


def _writes(batch_id: int, cells: object) -> Iterator[CellWrite]:
    if not isinstance(cells, list):
        raise StoreError(f"cell write batch {batch_id} is not a list of cells: {cells!r:.80}")
    for index, entry in enumerate(cells):
        if not (isinstance(entry, list) and len(entry) == 7):
            raise StoreError(
                f"cell write batch {batch_id}, entry {index}: not [tab, case id, column, header, "
                f"old, new, row]: {entry!r:.80}"
            )
        tab, case_id, column, header, old, new, row_hint = entry
        yield CellWrite(
            tab=tab,
            case_id=case_id,
            column=column,
            header=header,
            old_value=decode_value(old),
            new_value=decode_value(new),
            row_hint=row_hint,
        )
