"""New Timeline rows are planned as whole rows: each event's cells land under the tab's own
headers, in whatever order the team keeps them, around a column of the team's own, and a
blank detail leaves its cell alone. A sync holds only the Timeline's Event IDs, and still
appends each event once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from app.runtime import Runtime
from app.sheets.backend import RowUpdate, cell_count, each_cell
from app.store import TimelineEvent
from app.sync.auxiliary import timeline_rows
from sheet_schema import load_schema, match_headers
from tests.workbooks import NOW, case, write_workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _events() -> list[TimelineEvent]:
    at = datetime(2025, 10, 9, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    return [
        TimelineEvent("AS-1:created", "AS-1", "created", at, "Case opened with status New"),
        TimelineEvent("AS-2:created", "AS-2", "created", at.replace(hour=2), ""),
        TimelineEvent("AS-0:old", "AS-0", "created", at, "already in the tab"),
    ]


def test_rows_land_under_the_teams_own_column_order_with_a_gap() -> None:
    """Headers reordered by the team, with their own "跟进人" column in the middle: each new
    event is written cell by cell where its header is, nothing in the team's column, the
    time as the sheet's wall clock, and an event the tab holds is not appended again."""
    header_row = ["Case ID", "Event ID", "跟进人", "At", "Event", "Detail", "Run"]
    headers = match_headers(load_schema().tab("timeline"), "时间线", header_row)
    rows = timeline_rows(_events(), {"AS-0:old"}, headers, 5, 42, SHANGHAI)
    assert all(isinstance(r, RowUpdate) for r in rows)
    cells = {(c.row, c.col): c.value for c in each_cell(rows)}
    wall = datetime(2025, 10, 9, 9, 30)
    assert cells == {
        (5, 1): "AS-1", (5, 2): "AS-1:created",
        (5, 4): wall, (5, 5): "Created", (5, 6): "Case opened with status New", (5, 7): 42,
        (6, 1): "AS-2", (6, 2): "AS-2:created",
        (6, 4): wall.replace(hour=10), (6, 5): "Created", (6, 7): 42,
    }  # fmt: skip
    assert cell_count(rows) == len(cells) == 11
    at_formats = {c.number_format for c in each_cell(rows) if c.col == 4}
    assert at_formats == {"yyyy-mm-dd hh:mm"}
    assert [(r.row, r.col, r.last_col) for r in rows] == [
        (5, 1, 2),
        (5, 4, 7),
        (6, 1, 2),
        (6, 4, 5),
        (6, 7, 7),
    ]


def test_a_sync_keeps_only_the_timelines_event_ids_and_still_appends_once(
    runtime: Runtime,
) -> None:
    """The read the sync holds keeps each Timeline row only up to its Event ID (which events
    the tab has, where it ends), and the next sync, after a status change, appends the new
    events after the last row, each once, the earlier rows untouched."""
    write_workbook(
        runtime.workbook,
        [case(**{"Case ID": f"AS-T-{n:03d}", "Customer": f"客户 {n}"}) for n in range(1, 6)],
    )
    engine = runtime.engine()
    engine.sync(now=NOW)
    before = _timeline(runtime.workbook)
    sheet = engine.reader.read(engine.backend)
    held = sheet.tab("timeline").rows  # type: ignore[union-attr]
    assert len(held) == len(before) and held[0] == before[0]
    id_col = before[0].index("Event ID")
    assert [row[id_col] for row in held[1:]] == [row[id_col] for row in before[1:]]
    assert all(len(row) <= id_col + 1 for row in held[1:])

    book = openpyxl.load_workbook(runtime.workbook)
    cases = book["Cases"]
    status_col = [c.value for c in cases[1]].index("Status") + 1
    cases.cell(row=2, column=status_col, value="Waiting on seller")
    book.save(runtime.workbook)
    engine.sync(now=NOW)
    after = _timeline(runtime.workbook)
    assert after[: len(before)] == before
    added = after[len(before) :]
    assert added and all(row[id_col] for row in added)
    ids = [row[id_col] for row in after[1:]]
    assert len(ids) == len(set(ids))


def _timeline(path: Path) -> list[list[object]]:
    """The Timeline tab as a person opening the file sees it."""
    sheet = openpyxl.load_workbook(path)["Timeline"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
