"""The KPIs tab layout: a table per grouping, format hints, and chart ranges on the right cells."""

from __future__ import annotations

from datetime import UTC, datetime

from app.analytics import GROUP_KINDS, chart_series, kpi_grid
from app.analytics.tables import (
    FRT_MEDIAN_COL,
    KEY_COLUMNS,
    METRIC_COLUMNS,
    PERCENT,
    RESOLUTION_MEDIAN_COL,
    WIDTH,
    a1,
    column_of,
)

from . import dataset
from .conftest import compute

DATA = dataset.build()
GENERATED = datetime(2025, 11, 29, 12, 0, tzinfo=UTC)
REPORT = compute(DATA.cases, DATA.events, generated_at=GENERATED)
GRID = kpi_grid(REPORT)


def test_header_rows_say_what_and_when() -> None:
    """Row 1 is the title, row 2 the period and the generation time in the team's zone."""
    assert GRID.rows[0][0] == "After-sales KPIs"
    period = GRID.rows[1][0]
    assert isinstance(period, str)
    assert "Period: 2025-09-01 – 2025-11-29" in period
    assert "Asia/Shanghai" in period
    assert "Generated: 2025-11-29 20:00" in period
    assert "3 without Opened" in str(GRID.rows[2][0])


def test_grid_is_rectangular() -> None:
    """Every row has the same width, so a backend can write it as one range."""
    assert {len(r) for r in GRID.rows} == {WIDTH}


def test_one_table_per_grouping_with_its_rows() -> None:
    """Each grouping has a titled table whose header and data rows mirror the report."""
    assert [t.kind for t in GRID.tables] == list(GROUP_KINDS)
    headers = [c.header for c in METRIC_COLUMNS]
    for table in GRID.tables:
        rows = REPORT.group(table.kind)
        assert GRID.cell(table.title_row, 1) == table.title
        assert GRID.rows[table.header_row - 1][KEY_COLUMNS:] == headers
        assert table.last_row - table.first_row + 1 == len(rows)
        for offset, row in enumerate(rows):
            line = GRID.rows[table.first_row - 1 + offset]
            assert line[column_of("Cases") - 1] == row.cases
            assert line[column_of("Resolution rate") - 1] == row.resolution_rate
            assert line[column_of("CSAT answers") - 1] == row.csat_answers
        assert GRID.cell(table.last_row + 1, 1) is None  # a blank row follows
    first = GRID.tables[0]
    assert first.title_row == 5  # title, period, note, blank come first
    assert GRID.table("platform").title_row == first.last_row + 2


def test_key_columns_per_grouping() -> None:
    """Pairs show platform and assignee; weeks show the ISO week and its Monday."""
    pairs = GRID.table("platform_assignee")
    assert GRID.rows[pairs.header_row - 1][:2] == ["Platform", "Assignee"]
    row = REPORT.group("platform_assignee")[0]
    assert GRID.rows[pairs.first_row - 1][:2] == [row.platform, row.assignee]
    weeks = GRID.table("week")
    assert GRID.rows[weeks.first_row - 1][:2] == ["2025-W36", REPORT.group("week")[0].week_start]
    assert GRID.cell(GRID.table("assignee").first_row, 2) is None


def test_undefined_values_are_blank_cells_and_reasons_are_text() -> None:
    """A None metric is a blank cell; the top reasons read "reason (count); ..."."""
    weeks = GRID.table("week")
    last_week = REPORT.group("week")[-1]
    assert last_week.resolution_median_days is None
    assert GRID.cell(weeks.last_row, RESOLUTION_MEDIAN_COL) is None
    reasons = GRID.cell(GRID.table("all").first_row, column_of("Most common exception reasons"))
    top = REPORT.overall.top_exception_reasons
    assert reasons == "; ".join(f"{r} ({n})" for r, n in top)


def test_percentages_are_fractions_with_a_percent_format() -> None:
    """Rates are written as fractions and hinted "0.0%"; week starts as dates."""
    formats = {(f.row, f.col): f.number_format for f in GRID.formats}
    row = GRID.table("all").first_row
    col = column_of("Re-opened %")
    assert formats[(row, col)] == PERCENT
    assert GRID.cell(row, col) == REPORT.overall.reopened_pct
    week_row = GRID.table("week").first_row
    assert formats[(week_row, 2)] == "yyyy-mm-dd"
    assert (row, column_of("Most common exception reasons")) not in formats


def test_chart_series_point_at_the_week_table() -> None:
    """Chart categories are the ISO week cells; series are the weekly median columns."""
    chart = chart_series(REPORT, GRID)
    weeks = GRID.table("week")
    rows = REPORT.group("week")
    assert chart.categories.range == f"A{weeks.first_row}:A{weeks.last_row}"
    assert chart.categories.values == tuple(r.week for r in rows)
    resolution, frt = chart.series
    assert resolution.col == RESOLUTION_MEDIAN_COL and frt.col == FRT_MEDIAN_COL
    assert resolution.values == tuple(r.resolution_median_days for r in rows)
    assert frt.values == tuple(r.frt_median_hours for r in rows)
    assert resolution.header_cell == a1(weeks.header_row, RESOLUTION_MEDIAN_COL)
    assert GRID.cell(weeks.header_row, resolution.col) == resolution.name
    for series in (chart.categories, *chart.series):
        for offset, r in enumerate(range(series.first_row, series.last_row + 1)):
            assert GRID.cell(r, series.col) == series.values[offset]
    assert chart.anchor_col > WIDTH
    assert chart_series(REPORT) == chart  # the grid is rebuilt identically


def test_a1_names() -> None:
    """Column numbers become letters as in a spreadsheet."""
    assert [a1(1, 1), a1(2, 26), a1(3, 27), a1(4, 52), a1(5, 703)] == [
        "A1",
        "Z2",
        "AA3",
        "AZ4",
        "AAA5",
    ]
