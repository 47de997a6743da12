"""The team's KPIs for one sync: computed from the synced rows and the Timeline, and laid out
as the KPIs tab (a free-form grid the service owns, rewritten only where a figure changed)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.analytics import (
    KpiReport,
    Measured,
    chart_series,
    default_period,
    fold_kpis,
    kpi_case,
    kpi_grid,
    measure_case,
)
from app.sheets.backend import (
    CellUpdate,
    CellValue,
    ChartSpec,
    PivotSpec,
    TabData,
    TabLayout,
    storable,
)
from app.store import TimelineEvent
from app.sync.kpi_texts import KPIS_TITLE as EN_KPIS_TITLE
from app.sync.kpi_texts import localized_chart, localized_grid
from app.sync.plan_types import PlannedChunk
from policies import Calendars, PolicySet, TeamSettings
from policies.sharing import shared
from sheet_schema.messages import Language

KPIS_TITLE = EN_KPIS_TITLE
PIVOT_KEYS = ("platform", "assignee", "case_id")  # rows, columns, counted value
PIVOT_GAP = 20  # rows between the chart's anchor and the pivot table's (the chart's height)


class CaseMeasurer:
    """Measures each synced case for the KPIs as the planner finishes a chunk of rows (the
    planner's `chunk_planned`), so the stored events a chunk loaded are let go with it.

    `kept`: the measures of the cases whose cached planning was taken (their inputs, Timeline
    included, are what they were), taken as they are; every other case is measured from its
    row, its evaluation and its events (stored and new). A Case ID on two rows is measured
    once, from the first (the sheet flags it)."""

    def __init__(
        self,
        *,
        team: TeamSettings,
        calendars: Calendars,
        policies: PolicySet,
        kept: Mapping[str, Measured] | None = None,
    ) -> None:
        self.team, self.calendars, self.policies = team, calendars, policies
        self.kept = kept or {}
        self.tz = ZoneInfo(team.timezone)
        self.hours = team.business_day_length().total_seconds() / 3600
        self.measured: dict[str, Measured] = {}

    def chunk(self, chunk: PlannedChunk) -> None:
        """Measure the cases of a chunk of rows just planned, with their events."""
        stored = [e for case in chunk.stored_events.values() for e in case]
        events = group_events(stored, chunk.new_events)
        team = self.team
        for result in chunk.results:
            row = chunk.rows.get(result.row)
            if row is None or result.case_id in self.measured:
                continue
            found = self.kept.get(result.case_id)
            if found is None:
                case = kpi_case(
                    result.case_id,
                    row.values,
                    result.evaluation,
                    tz=self.tz,
                    platform_name=self.policies.display_name,
                    closed_statuses=team.closed_statuses,
                )
                found = measure_case(
                    case,
                    events.get(result.case_id, ()),
                    self.calendars.team,
                    team.tz,
                    self.hours,
                    team.closed_statuses,
                )
            # One object for equal measures: the cache keeps them, and 10,000 cases measure
            # some 225 different ways (the sync's pool, policies/sharing.py).
            self.measured[result.case_id] = shared(self.calendars.pool, found)

    def report(self, now: datetime, period: tuple[date, date] | None = None) -> KpiReport:
        """The KPIs of every case measured, over `period` (default: the last 90 days)."""
        team = self.team
        start, end = period or default_period(now, self.tz)
        return fold_kpis(
            list(self.measured.values()),
            start=start,
            end=end,
            tz=team.tz,
            business_day_hours=self.hours,
            closed_statuses=team.closed_statuses,
        )


def group_events(
    stored: Sequence[TimelineEvent], new: Sequence[TimelineEvent]
) -> dict[str, list[TimelineEvent]]:
    grouped: dict[str, list[TimelineEvent]] = defaultdict(list)
    keys: set[str] = set()
    for event in [*stored, *new]:
        if event.event_key not in keys:
            keys.add(event.event_key)
            grouped[event.case_id].append(event)
    return grouped


def kpi_tab(
    report: KpiReport,
    current: TabData | None,
    title: str,
    *,
    cases_title: str | None = None,
    cases_positions: Mapping[str, int] | None = None,
    language: Language = "en",
) -> tuple[TabLayout, list[CellUpdate]]:
    """The KPIs tab's layout (with its weekly chart) and the cells that differ from it.

    Given the Cases tab's title and 0-based header positions, the layout also carries a pivot
    table (cases by platform and assignee) under the chart; the cells from the chart's column
    on are the pivot's and the chart's, never compared or written here. Its labels are in the
    team `language`."""
    grid = localized_grid(kpi_grid(report), report, language)
    chart = localized_chart(chart_series(report, grid), language)
    formats = {(f.row, f.col): f.number_format for f in grid.formats}
    updates: list[CellUpdate] = []
    height = max(len(grid.rows), len(current.rows) if current else 0)
    width = max([len(r) for r in grid.rows] + [len(r) for r in (current.rows if current else [])])
    width = min(width, chart.anchor_col - 1)  # a pivot's output beside the grid is not ours
    for r in range(height):
        for c in range(width):
            wanted: CellValue = (
                grid.rows[r][c] if r < len(grid.rows) and c < len(grid.rows[r]) else None
            )
            have = current.cell(r, c) if current else None
            wanted = storable(wanted)
            if not _same(have, wanted):
                updates.append(CellUpdate(title, r + 1, c + 1, wanted, formats.get((r + 1, c + 1))))
    spec = ChartSpec(
        title=chart.title,
        categories=(chart.categories.first_row, chart.categories.last_row, chart.categories.col),
        series=tuple((s.first_row - 1, s.last_row, s.col) for s in chart.series),
        anchor=(chart.anchor_row, chart.anchor_col),
    )
    bold = tuple(sorted({t.title_row for t in grid.tables} | {t.header_row for t in grid.tables}))
    pivot = None
    positions = cases_positions or {}
    if cases_title and all(k in positions for k in PIVOT_KEYS):
        rows_col, columns_col, value_col = (positions[k] + 1 for k in PIVOT_KEYS)
        pivot = PivotSpec(
            source_tab=cases_title,
            source_columns=(rows_col, columns_col, value_col),
            anchor=(chart.anchor_row + PIVOT_GAP, chart.anchor_col),
        )
    layout = TabLayout(
        title=title, columns=(), frozen_rows=0, charts=(spec,), bold_rows=bold, pivot=pivot
    )
    return layout, updates


def _same(have: CellValue, wanted: CellValue) -> bool:
    if wanted is None or wanted == "":
        return have is None or have == ""
    if isinstance(wanted, float) and isinstance(have, int | float) and not isinstance(have, bool):
        return abs(float(have) - wanted) < 1e-9
    if isinstance(wanted, datetime | date) and isinstance(have, int | float):
        from sheet_schema import to_serial

        return abs(to_serial(wanted) - float(have)) < 1e-6
    if isinstance(wanted, date) and isinstance(have, datetime):
        return have.date() == wanted if not isinstance(wanted, datetime) else have == wanted
    return have == wanted
