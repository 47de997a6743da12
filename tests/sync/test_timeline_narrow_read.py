"""After a sync, the next one reads the Timeline narrowed: its header row whole and, below it,
only the columns through its Event ID and the team's own columns. New events still land below
the last row (a team's note below the last event included), each once; and when a person moves
the columns (the header row changed), the sync reads the tab whole again instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl

from app.runtime import Runtime
from app.sync.engine import SyncEngine
from tests.workbooks import NOW, case, write_workbook

Reads = list[Mapping[str, int] | None]


def _recording(engine: SyncEngine) -> Reads:
    """Every read the engine's backend is asked for, by what it narrows (None: nothing)."""
    reads: Reads = []
    read: Callable[..., Any] = engine.backend.read

    def recorded(select: Any, narrow: Mapping[str, int] | None = None, let_go: Any = None) -> Any:
        reads.append(dict(narrow) if narrow else None)
        return read(select, narrow, let_go)

    engine.backend.read = recorded  # type: ignore[method-assign]
    return reads


def _timeline(path: Path) -> list[list[object]]:
    """The Timeline tab as a person opening the file sees it."""
    sheet = openpyxl.load_workbook(path)["Timeline"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _edit(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> None:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)


def _move_status(book: openpyxl.Workbook, row: int, status: str) -> None:
    cases = book["Cases"]
    column = [c.value for c in cases[1]].index("Status") + 1
    cases.cell(row=row, column=column, value=status)


def test_a_quiet_press_reads_the_timeline_narrowed_and_appends_below_a_teams_note(
    runtime: Runtime,
) -> None:
    """A team adds its own "跟进人" column to the Timeline and writes a note below the last
    event. The sync after that reads the tab whole (its header changed); the next ones read
    it through the Event ID and that column only. A status change then appends its event
    below the note: the note stays where it was typed, and every event is in the tab once."""
    write_workbook(
        runtime.workbook,
        [case(**{"Case ID": f"AS-N-{n:03d}", "Customer": f"客户 {n}"}) for n in range(1, 5)],
    )
    engine = runtime.engine()
    reads = _recording(engine)
    engine.sync(now=NOW)  # the fill makes the Timeline: nothing was known of it when read
    engine.sync(now=NOW)
    filled = _timeline(runtime.workbook)
    header = list(filled[0])
    id_col = header.index("Event ID")
    note_col = len(header)  # 0-based: the column right of the service's own

    def add_note(book: openpyxl.Workbook) -> None:
        tab = book["Timeline"]
        tab.cell(row=1, column=note_col + 1, value="跟进人")
        tab.cell(row=len(filled) + 1, column=note_col + 1, value="小王：周五前回复客户")

    _edit(runtime.workbook, add_note)
    engine.sync(now=NOW)  # reads narrowed, sees the header changed, reads again whole
    engine.sync(now=NOW)  # a quiet press
    assert reads[:2] == [None, None]
    assert reads[2:4] == [{"Timeline": id_col + 1}, None]
    assert reads[4] == {"Timeline": note_col + 1}

    _edit(runtime.workbook, lambda book: _move_status(book, 3, "Waiting on seller"))
    engine.sync(now=NOW)
    after = _timeline(runtime.workbook)
    assert reads[5:] == [{"Timeline": note_col + 1}]
    note_row = len(filled)  # 0-based index of the row holding the note
    assert [row[: len(header)] for row in after[:note_row]] == filled
    assert after[note_row][note_col] == "小王：周五前回复客户"
    assert all(cell is None for cell in after[note_row][:note_col])  # no event on its row
    added = after[note_row + 1 :]
    assert added and all(row[id_col] for row in added)
    ids = [row[id_col] for row in after[1:] if row[id_col]]
    assert len(ids) == len(set(ids)) == len(filled) - 1 + len(added)


def test_columns_moved_before_the_event_id_are_read_whole_again(runtime: Runtime) -> None:
    """A person inserts a column of their own before the Event ID: the narrowed read (one
    column) no longer holds the ids, so the sync reads the tab whole; the new events land
    under the moved headers, the earlier ones are not appended again, and the press after
    reads narrowed through the Event ID's new place."""
    write_workbook(
        runtime.workbook,
        [case(**{"Case ID": f"AS-M-{n:03d}", "Customer": f"客户 {n}"}) for n in range(1, 4)],
    )
    engine = runtime.engine()
    reads = _recording(engine)
    engine.sync(now=NOW)
    engine.sync(now=NOW)
    filled = _timeline(runtime.workbook)
    assert filled[0][0] == "Event ID"  # the shipped layout: ids in column A

    def insert_column(book: openpyxl.Workbook) -> None:
        tab = book["Timeline"]
        tab.insert_cols(1)
        tab.cell(row=1, column=1, value="备注")
        _move_status(book, 2, "Waiting on seller")

    _edit(runtime.workbook, insert_column)
    engine.sync(now=NOW)
    assert reads[2:] == [{"Timeline": 1}, None]
    after = _timeline(runtime.workbook)
    assert after[0][:2] == ["备注", "Event ID"]
    assert [row[1:] for row in after[1 : len(filled)]] == filled[1:]
    added = after[len(filled) :]
    assert added and all(row[0] is None and row[1] for row in added)
    ids = [row[1] for row in after[1:]]
    assert len(ids) == len(set(ids))

    engine.sync(now=NOW)
    assert reads[4:] == [{"Timeline": 2}]
