"""The KPIs tab as a pure description: cell values, number formats, table ranges, chart data.

Backends turn this into cells (and, where they can, a native chart); nothing here knows about
Google or openpyxl. Rows and columns are 1-based, as in A1 notation and `CellUpdate`.

Layout (top to bottom): a title row, a "Period: … Generated: …" row, a note row, a blank row,
then one table per grouping (all cases, platform, team member, platform × team member, ISO week),
each a title row, a header row, its data rows and a blank row. Every table has the same columns:
two key columns, then the metrics in `METRIC_COLUMNS`, so a metric is in the same column in
every table. Percentages are fractions with a "0.0%" format; undefined values are blank cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from app.analytics.model import GROUP_KINDS, GroupKind, KpiReport, KpiRow
from app.values import CellValue

TITLE: Final = "After-sales KPIs"
COUNT: Final = "0"
HOURS: Final = "0.00"
DAYS: Final = "0.00"
SCORE: Final = "0.00"
PERCENT: Final = "0.0%"
DATE: Final = "yyyy-mm-dd"


@dataclass(frozen=True, slots=True)
class MetricColumn:
    """One metric column of every table: header, how to read it from a row, number format."""

    header: str
    read: Callable[[KpiRow], CellValue]
    number_format: str | None


def _reasons(row: KpiRow) -> CellValue:
    return "; ".join(f"{reason} ({n})" for reason, n in row.top_exception_reasons) or None


METRIC_COLUMNS: Final[tuple[MetricColumn, ...]] = (
    MetricColumn("Cases", lambda r: r.cases, COUNT),
    MetricColumn("First response median (business h)", lambda r: r.frt_median_hours, HOURS),
    MetricColumn("First response p90 (business h)", lambda r: r.frt_p90_hours, HOURS),
    MetricColumn("Cases with a first response", lambda r: r.frt_measured, COUNT),
    MetricColumn("Closed", lambda r: r.closed, COUNT),
    MetricColumn("Resolved in customer's favour", lambda r: r.resolved_in_favour, COUNT),
    MetricColumn("Resolution rate", lambda r: r.resolution_rate, PERCENT),
    MetricColumn("Resolved within SLA", lambda r: r.within_sla_rate, PERCENT),
    MetricColumn("Re-opened", lambda r: r.reopened, COUNT),
    MetricColumn("Re-opened %", lambda r: r.reopened_pct, PERCENT),
    MetricColumn("CSAT mean", lambda r: r.csat_mean, SCORE),
    MetricColumn("CSAT 4–5 share", lambda r: r.csat_share_4_5, PERCENT),
    MetricColumn("CSAT answers", lambda r: r.csat_answers, COUNT),
    MetricColumn("Policy exceptions", lambda r: r.exceptions, COUNT),
    MetricColumn("Policy exception %", lambda r: r.exception_pct, PERCENT),
    MetricColumn("Most common exception reasons", _reasons, None),
    MetricColumn(
        "Resolution time median (business days)", lambda r: r.resolution_median_days, DAYS
    ),
    MetricColumn("Cases with a resolution time", lambda r: r.resolution_measured, COUNT),
    MetricColumn("Cases with a seller window", lambda r: r.seller_windows, COUNT),
    MetricColumn("Seller window missed", lambda r: r.seller_window_missed, COUNT),
)
KEY_COLUMNS: Final = 2
WIDTH: Final = KEY_COLUMNS + len(METRIC_COLUMNS)

TABLE_TITLES: Final[dict[GroupKind, str]] = {
    "all": "All cases",
    "platform": "By platform",
    "assignee": "By team member (Assignee)",
    "platform_assignee": "By platform × team member",
    "week": "By ISO week of Opened",
}
KEY_HEADERS: Final[dict[GroupKind, tuple[str, str]]] = {
    "all": ("Scope", ""),
    "platform": ("Platform", ""),
    "assignee": ("Assignee", ""),
    "platform_assignee": ("Platform", "Assignee"),
    "week": ("ISO week", "Week starts"),
}


def column_of(header: str) -> int:
    """1-based grid column of a metric, by its header text."""
    for index, column in enumerate(METRIC_COLUMNS):
        if column.header == header:
            return KEY_COLUMNS + index + 1
    raise KeyError(header)


FRT_MEDIAN_COL: Final = column_of("First response median (business h)")
RESOLUTION_MEDIAN_COL: Final = column_of("Resolution time median (business days)")


def a1(row: int, col: int) -> str:
    """A1 name of a 1-based cell, e.g. (3, 28) -> "AB3"."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def a1_range(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    return f"{a1(first_row, first_col)}:{a1(last_row, last_col)}"


@dataclass(frozen=True, slots=True)
class CellFormat:
    """A number format hint for one cell."""

    row: int
    col: int
    number_format: str


@dataclass(frozen=True, slots=True)
class GridTable:
    """Where one grouping's table sits. `last_row` < `first_row` when it has no data rows."""

    kind: GroupKind
    title: str
    title_row: int
    header_row: int
    first_row: int
    last_row: int
    first_col: int = 1
    last_col: int = WIDTH


@dataclass(frozen=True, slots=True)
class KpiGrid:
    """The KPIs tab's content: rectangular rows of cells (every row `WIDTH` long), number format
    hints, and the position of every table (title and header rows are for bold styling)."""

    rows: list[list[CellValue]]
    formats: list[CellFormat]
    tables: list[GridTable]

    def table(self, kind: GroupKind) -> GridTable:
        return next(t for t in self.tables if t.kind == kind)

    def cell(self, row: int, col: int) -> CellValue:
        """The value at a 1-based cell (blank outside the grid)."""
        if 1 <= row <= len(self.rows) and 1 <= col <= WIDTH:
            return self.rows[row - 1][col - 1]
        return None


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One column of the week table: its header cell, its values and the cells they occupy."""

    name: str
    header_cell: str  # A1, e.g. "C40"
    col: int
    first_row: int
    last_row: int
    values: tuple[CellValue, ...]

    @property
    def range(self) -> str:
        """A1 range of the values, e.g. "C41:C53" (prefix the tab title for a sheet range)."""
        return a1_range(self.first_row, self.col, self.last_row, self.col)


@dataclass(frozen=True, slots=True)
class ChartData:
    """A weekly trend chart: ISO weeks on the x axis, median resolution days and median first
    response hours as series, all taken from the week table of `kpi_grid`'s grid. The anchor is
    a free cell to the right of the tables where a backend may place the chart."""

    title: str
    categories: ChartSeries
    series: tuple[ChartSeries, ...]
    anchor_row: int
    anchor_col: int


def _period_text(report: KpiReport) -> str:
    text = (
        f"Period: {report.start.isoformat()} – {report.end.isoformat()} "
        f"(Opened date, {report.timezone})"
    )
    if report.generated_at is not None:
        generated = report.generated_at.astimezone(report.tz)
        text += f" · Generated: {_minute(generated)}"
    return text


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _note_text(report: KpiReport) -> str:
    overall = report.overall
    parts = [f"{overall.cases} cases"]
    if report.cases_missing_opened:
        parts.append(
            f"{report.cases_missing_opened} without Opened (counted in totals, "
            "not in weeks or times)"
        )
    return (
        "; ".join(parts)
        + ". Times are business hours/days of the team calendar; a blank cell means there is "
        "nothing to measure. Definitions: docs/kpis.md."
    )


def _keys(row: KpiRow) -> tuple[CellValue, CellValue]:
    if row.group == "all":
        return ("All cases", None)
    if row.group == "platform":
        return (row.platform, None)
    if row.group == "assignee":
        return (row.assignee, None)
    if row.group == "platform_assignee":
        return (row.platform, row.assignee)
    return (row.week, row.week_start)


def _padded(cells: list[CellValue]) -> list[CellValue]:
    return cells + [None] * (WIDTH - len(cells))


def kpi_grid(report: KpiReport) -> KpiGrid:
    """Lay the report out as the KPIs tab."""
    rows: list[list[CellValue]] = [
        _padded([TITLE]),
        _padded([_period_text(report)]),
        _padded([_note_text(report)]),
        _padded([]),
    ]
    formats: list[CellFormat] = []
    tables: list[GridTable] = []
    for kind in GROUP_KINDS:
        title_row = len(rows) + 1
        rows.append(_padded([TABLE_TITLES[kind]]))
        rows.append([*KEY_HEADERS[kind], *(c.header for c in METRIC_COLUMNS)])
        header_row = len(rows)
        for data in report.group(kind):
            rows.append([*_keys(data), *(c.read(data) for c in METRIC_COLUMNS)])
            row = len(rows)
            if kind == "week":
                formats.append(CellFormat(row, 2, DATE))
            for index, column in enumerate(METRIC_COLUMNS):
                if column.number_format is not None:
                    formats.append(CellFormat(row, KEY_COLUMNS + index + 1, column.number_format))
        tables.append(
            GridTable(
                kind=kind,
                title=TABLE_TITLES[kind],
                title_row=title_row,
                header_row=header_row,
                first_row=header_row + 1,
                last_row=len(rows),
            )
        )
        rows.append(_padded([]))
    return KpiGrid(rows=rows, formats=formats, tables=tables)


def chart_series(report: KpiReport, grid: KpiGrid | None = None) -> ChartData:
    """The weekly trend chart's data and where it sits in `kpi_grid(report)` (pass the grid if
    you already have it)."""
    grid = grid if grid is not None else kpi_grid(report)
    table = grid.table("week")

    def column(col: int) -> ChartSeries:
        header = grid.cell(table.header_row, col)
        return ChartSeries(
            name=str(header),
            header_cell=a1(table.header_row, col),
            col=col,
            first_row=table.first_row,
            last_row=table.last_row,
            values=tuple(grid.cell(r, col) for r in range(table.first_row, table.last_row + 1)),
        )

    return ChartData(
        title="Weekly medians: resolution time and first response",
        categories=column(1),
        series=(column(RESOLUTION_MEDIAN_COL), column(FRT_MEDIAN_COL)),
        anchor_row=1,
        anchor_col=WIDTH + 2,
    )
