"""The run's cell log kept in batches: runs recorded before the change keep every cell, in
order, through the migration (and back), many batches read back as one run's cells, and a
damaged batch is named when read. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from alembic import command
from sqlalchemy import JSON, column, table, text

from app.store import CellWrite, Store, StoreError
from app.store.migrate import alembic_config

BEFORE = "0008_sheet_language"  # the revision that kept a row per cell


def _tagged(value: Any) -> dict[str, Any]:
    """A value as the store tags it (written out here, not taken from the codec)."""
    if value is None:
        return {"t": "null"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": value}
    if isinstance(value, date):
        return {"t": "date", "v": value.isoformat()}
    return {"t": "str", "v": value}


def _old_cells(run_id: int, count: int) -> list[CellWrite]:
    """What a team's runs wrote, as a row per cell held it: Chinese texts, a formula-looking
    name, dates, blanks, a tick box, numbers."""
    kinds: list[Any] = ["待处理 → 已退款", "=HYPERLINK(1)", date(2025, 10, 3), None, True, 42, ""]
    return [
        CellWrite(
            "Cases" if i % 5 else "售后登记",
            f"AS-2510{i:04d}",
            ("next_action", "priority", "deadline")[i % 3],
            ("Next Action", "优先级", "Return Deadline")[i % 3],
            kinds[i % len(kinds)],
            kinds[(i + 3) % len(kinds)],
            None if i % 11 == 0 else i + 2,
        )
        for i in range(count)
    ]


_AS_BEFORE = table(
    "cell_writes",
    *(column(name) for name in ("run_id", "tab", "case_id", "column_key", "header")),
    column("old_value", JSON),
    column("new_value", JSON),
    column("row_hint"),
)


def _insert_as_before(store: Store, run_id: int, cells: list[CellWrite]) -> None:
    rows = [
        {
            "run_id": run_id,
            "tab": c.tab,
            "case_id": c.case_id,
            "column_key": c.column,
            "header": c.header,
            "old_value": _tagged(c.old_value),
            "new_value": _tagged(c.new_value),
            "row_hint": c.row_hint,
        }
        for c in cells
    ]
    with store.engine.begin() as connection:
        connection.execute(_AS_BEFORE.insert(), rows)


def _rows_as_before(store: Store, run_id: int) -> list[tuple[Any, ...]]:
    import json

    with store.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT tab, case_id, column_key, header, old_value, new_value, row_hint "
                "FROM cell_writes WHERE run_id = :run ORDER BY id"
            ).bindparams(run=run_id)
        ).all()
    return [
        (*row[:4], *(json.loads(v) if isinstance(v, str) else v for v in row[4:6]), row[6])
        for row in rows
    ]


def test_runs_recorded_before_keep_their_cells_in_order(
    store: Store, new_run: Callable[..., int]
) -> None:
    """Cells stored a row each (2,345 of one run: three batches after, and 2 of another) come
    out of the migration as the same cells in the same order, undo still finds them, and the
    downgrade puts the rows back as they were."""
    big, small = new_run(), new_run()
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), BEFORE)
    big_cells, small_cells = _old_cells(big, 2_345), _old_cells(small, 2)
    _insert_as_before(store, big, big_cells)
    _insert_as_before(store, small, small_cells)

    store.migrate()

    assert store.cell_writes(big) == big_cells
    assert store.cell_writes(small) == small_cells
    with store.engine.connect() as connection:
        counts = connection.execute(
            text("SELECT run_id, COUNT(*) FROM cell_write_batches GROUP BY run_id ORDER BY run_id")
        ).all()
    assert [tuple(c) for c in counts] == [(big, 3), (small, 1)]

    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), BEFORE)
    expected = [
        (
            c.tab,
            c.case_id,
            c.column,
            c.header,
            _tagged(c.old_value),
            _tagged(c.new_value),
            c.row_hint,
        )
        for c in big_cells
    ]
    assert _rows_as_before(store, big) == expected
    store.migrate()
    assert store.cell_writes(big) == big_cells


def test_a_run_stored_in_many_batches_reads_back_whole(
    store: Store, new_run: Callable[..., int]
) -> None:
    """A staged first fill (2,500 cells) and what the record adds after it read back as one
    list in the order written; staging again replaces every batch of the run, not another's."""
    run, other = new_run(), new_run()
    staged = _old_cells(run, 2_500)
    store.stage_cell_writes(run, staged)
    store.record_cell_writes(other, _old_cells(other, 3))
    added = [CellWrite("Cases", "AS-1", "validation", "校验", None, "OK", 9)]
    store.record_cell_writes(run, added)
    assert store.cell_writes(run) == staged + added
    store.stage_cell_writes(run, staged[:10])
    assert store.cell_writes(run) == staged[:10]
    assert store.cell_writes(other) == _old_cells(other, 3)


def test_a_damaged_batch_is_named(store: Store, new_run: Callable[..., int]) -> None:
    """A batch whose cells are not what the store writes fails to read with a message naming
    the batch and the entry, not with an unpacking error."""
    run = new_run()
    store.record_cell_writes(run, _old_cells(run, 2))
    with store.engine.begin() as connection:
        batches = table("cell_write_batches", column("run_id"), column("cells", JSON))
        connection.execute(
            batches.update().where(batches.c.run_id == run).values(cells=[["Cases", "AS-1", "x"]])
        )
    with pytest.raises(StoreError, match=r"cell write batch \d+, entry 0"):
        store.cell_writes(run)
