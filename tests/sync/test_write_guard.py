"""The write guard (rule 1) on a team's own sheet as read: a service cell and a blank Case ID or
Opened may be written; a person's value, a person's other Cases column, a team's own column and
an unknown tab are refused with the tab, row and header named; and one guard checks a sync's
parts one after another (app/sync/stream_step.py) as it checks one batch."""

from __future__ import annotations

import pytest

from app.runtime import Runtime
from app.sheets.backend import CellUpdate, RowUpdate
from app.sync.guard import UnsafeWriteError, WriteGuard
from app.sync.read_step import SheetRead
from tests.workbooks import DEFAULT_HEADERS, case, write_workbook

# The team keeps a column of its own ("跟进备注", follow-up notes) after the schema's.
HEADERS = [*DEFAULT_HEADERS, "跟进备注"]
ROWS = [
    case(**{"Case ID": "AS-T-0001", "Customer": "王芳", "跟进备注": "周一再打电话"}),
    case(**{"Case ID": None, "Opened": None, "Customer": "李雷"}),
]


def _read(runtime: Runtime) -> SheetRead:
    write_workbook(runtime.workbook, ROWS, headers=HEADERS)
    engine = runtime.engine()
    return engine.reader.read(engine.backend)


def _column(sheet: SheetRead, key: str) -> int:
    return sheet.placed["cases"].headers.positions[key] + 1


def _guard(sheet: SheetRead) -> WriteGuard:
    return WriteGuard(sheet.schema, sheet.placed, sheet.rows)


def test_service_cells_and_blank_ids_may_be_written(runtime: Runtime) -> None:
    """A Next Action, a Timeline row and the blank Case ID and Opened of row 3 pass."""
    sheet = _read(runtime)
    guard = _guard(sheet)
    guard.check(
        [
            CellUpdate("Cases", 2, _column(sheet, "next_action"), "Ask the seller"),
            CellUpdate("Cases", 3, _column(sheet, "case_id"), "AS-251010-0001"),
            CellUpdate("Cases", 3, _column(sheet, "opened"), "2025-10-10 10:00"),
        ]
    )
    timeline = sheet.placed["timeline"].headers
    guard.check([RowUpdate(timeline.title, 2, 1, ("ev-1", "2025-10-10"), (None, None))])


@pytest.mark.parametrize(
    ("row", "key", "named"),
    [
        (2, "case_id", "Case ID"),  # a Case ID a person typed
        (2, "customer", "Customer"),  # a person's value
        (3, "customer", "Customer"),  # a person's Cases column, even where blank
    ],
)
def test_a_persons_cell_is_refused_with_its_place_named(
    runtime: Runtime, row: int, key: str, named: str
) -> None:
    """The refusal names the tab, the row and the header, and what the cell holds."""
    sheet = _read(runtime)
    with pytest.raises(UnsafeWriteError) as refused:
        _guard(sheet).check([CellUpdate("Cases", row, _column(sheet, key), "x")])
    assert f"Cases!R{row} '{named}'" in refused.value.message


def test_a_teams_own_column_and_an_unknown_tab_are_refused(runtime: Runtime) -> None:
    """The team's follow-up column is not the service's; neither is a tab it does not know."""
    sheet = _read(runtime)
    own = HEADERS.index("跟进备注") + 1
    guard = _guard(sheet)
    with pytest.raises(UnsafeWriteError, match="not a column the service knows"):
        guard.check([CellUpdate("Cases", 2, own, "x")])
    with pytest.raises(UnsafeWriteError, match="unknown tab 'Notes'"):
        guard.check([CellUpdate("Notes", 2, 1, "x")])


def test_one_guard_checks_parts_one_after_another(runtime: Runtime) -> None:
    """A streamed sync's second part is checked as a first part is: the person's cell in it
    is refused though the first part passed."""
    sheet = _read(runtime)
    guard = _guard(sheet)
    guard.check([CellUpdate("Cases", 2, _column(sheet, "priority"), "P1")])
    with pytest.raises(UnsafeWriteError, match="a person's cell holding '王芳'"):
        guard.check([CellUpdate("Cases", 2, _column(sheet, "customer"), "x")])
