"""The values:batchUpdate bodies a Google write sends set exactly the cells planned, single cells
and whole rows (`RowUpdate`) alike, in bodies no larger than the limit, however large a block."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.sheets import google_values
from app.sheets.backend import CellUpdate, RowUpdate, Write
from app.sheets.google_values import value_bodies

TABS = ("Cases", "时间线 Timeline", "Team's log")
EPOCH = datetime(1899, 12, 30)
# One instant in three zones, each one object given to many cells, as the planner shares equal
# values: each cell shows its own zone's wall time (08:30 in Shanghai is 00:30 UTC).
SHANGHAI_0830 = datetime(2025, 10, 3, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SHARED_INSTANTS = (
    SHANGHAI_0830,
    SHANGHAI_0830.astimezone(UTC),
    SHANGHAI_0830.astimezone(ZoneInfo("America/New_York")),
)

values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["=SUM(A1:A3)", "'quoted", "退货 退款", "https://item.taobao.com/item.htm?id=1"]
    ),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.sampled_from(SHARED_INSTANTS),
    st.none(),
)


@st.composite
def planned(draw: st.DrawFn) -> list[Write]:
    """Cells and rows at distinct places: some rows as RowUpdates, the rest cell by cell, in
    a shuffled order (the planner adds tabs one after the other, not in position order)."""
    updates: list[Write] = []
    taken: set[tuple[str, int, int]] = set()
    for _ in range(draw(st.integers(0, 40))):
        tab = draw(st.sampled_from(TABS))
        row = draw(st.integers(1, 30))
        col = draw(st.integers(1, 12))
        width = draw(st.integers(1, 6))
        cols = [c for c in range(col, col + width) if (tab, row, c) not in taken]
        if not cols:
            continue
        if draw(st.booleans()) and cols == list(range(col, col + width)):
            row_values = tuple(draw(values.filter(lambda v: v not in (None, ""))) for _ in cols)
            formats = tuple(draw(st.sampled_from([None, "yyyy-mm-dd hh:mm"])) for _ in cols)
            updates.append(RowUpdate(tab, row, col, row_values, formats))
        else:
            updates.extend(CellUpdate(tab, row, c, draw(values)) for c in cols)
        taken.update((tab, row, c) for c in cols)
    return draw(st.permutations(updates))


def _expected(value: object) -> object:
    """A value as RAW input, worked out here: text as it is, dates as serial numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # the wall time the cell shows, in the value's own zone
        return round((value.replace(tzinfo=None) - EPOCH) / timedelta(days=1), 6)
    if isinstance(value, date):
        return (value - EPOCH.date()).days
    return value


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _cells_set(bodies: list[bytes]) -> dict[tuple[str, int, int], object]:
    """Every cell the bodies set, read back from their A1 ranges and rows of values."""
    written: dict[tuple[str, int, int], object] = {}
    for body in bodies:
        payload = json.loads(body)
        assert payload["valueInputOption"] == "RAW"
        for value_range in payload["data"]:
            match = re.fullmatch(r"'(.*)'!([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", value_range["range"])
            assert match, value_range["range"]
            tab = match[1].replace("''", "'")
            top, left = int(match[3]), _column(match[2])
            bottom = int(match[5] or top)
            right = _column(match[4] or match[2])
            rows = value_range["values"]
            assert len(rows) == bottom - top + 1  # a rectangle, every row of it given
            for r, row in enumerate(rows):
                assert len(row) == right - left + 1
                for c, value in enumerate(row):
                    place = (tab, top + r, left + c)
                    assert place not in written, f"{place} set twice"
                    written[place] = value
    return written


def _wanted(updates: list[Write]) -> dict[tuple[str, int, int], object]:
    wanted: dict[tuple[str, int, int], object] = {}
    for update in updates:
        if isinstance(update, RowUpdate):
            for i, value in enumerate(update.values):
                wanted[update.tab, update.row, update.col + i] = _expected(value)
        else:
            wanted[update.tab, update.row, update.col] = _expected(update.value)
    return wanted


@settings(max_examples=150, deadline=None)
@given(updates=planned(), limit=st.sampled_from([120, 400, 2_000, 2_000_000]))
def test_the_bodies_set_exactly_the_planned_cells(updates: list[Write], limit: int) -> None:
    """Whatever the mix of cells and rows and the body limit, the bodies set each planned cell
    to its RAW value, once, and nothing else; a body passes the limit only when one row alone
    does."""
    with (
        mock.patch.object(google_values, "MAX_BODY_BYTES", limit),
        mock.patch.object(google_values, "RANGE_BYTES", limit // 2),
    ):
        bodies = list(value_bodies(updates))
    assert _cells_set(bodies) == _wanted(updates)
    for body in bodies:
        ranges = json.loads(body)["data"]
        assert len(body) <= limit + 100 or len(ranges) == 1


def test_a_fill_of_whole_rows_goes_out_as_few_ranges() -> None:
    """27,000 appended Timeline rows and 10,000 Cases rows (the shape of a first fill) are a
    handful of ranges in bodies of at most 2 MB, not one range per row."""
    timeline = [
        RowUpdate(
            "Timeline",
            row,
            1,
            (f"E-{row}", datetime(2026, 5, 1, 9, 30), f"C-{row}", "创建", "detail " * 8, 7),
            (None,) * 6,
        )
        for row in range(2, 27_002)
    ]
    cases = [
        CellUpdate("Cases", row, col, f"退货 {row}")
        for row in range(2, 10_002)
        for col in (14, 15, 16)
    ]
    bodies = list(value_bodies([*cases, *timeline]))
    ranges = [r for body in bodies for r in json.loads(body)["data"]]
    assert all(len(body) <= 2_000_000 for body in bodies)
    assert len(ranges) < 20
    assert len(_cells_set(bodies)) == 27_000 * 6 + 10_000 * 3
