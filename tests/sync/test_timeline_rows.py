"""New Timeline rows are planned as whole rows: each event's cells land under the tab's own
headers, in whatever order the team keeps them, around a column of the team's own, and a
blank detail leaves its cell alone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.sheets.backend import RowUpdate, cell_count, each_cell
from app.store import TimelineEvent
from app.sync.auxiliary import timeline_rows
from sheet_schema import load_schema, match_headers

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
