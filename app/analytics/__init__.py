"""Team KPIs from the cases and their Timeline: computed exactly, laid out for the KPIs tab.

Pure: no I/O, no clock reads; `now` and the period are arguments. Build `KpiCase`s with
`kpi_case` (from a synced row and its evaluation), call `compute_kpis` (or `kpis_for_team`),
then `kpi_grid` / `chart_series` for the sheet and `KpiReport.as_json` for the API and the CLI.
Every definition, with its edge cases: docs/kpis.md.
"""

from app.analytics.compute import (
    DEFAULT_PERIOD_DAYS,
    Measured,
    compute_kpis,
    default_period,
    fold_kpis,
    iso_week,
    kpis_for_team,
    measure_case,
    weeks_between,
)
from app.analytics.inputs import kpi_case
from app.analytics.model import (
    DEFAULT_CLOSED_STATUSES,
    GROUP_KINDS,
    IN_FAVOUR_OUTCOMES,
    NO_PLATFORM,
    UNASSIGNED,
    GroupKind,
    KpiCase,
    KpiReport,
    KpiRow,
)
from app.analytics.tables import (
    CellFormat,
    ChartData,
    ChartSeries,
    GridTable,
    KpiGrid,
    chart_series,
    kpi_grid,
)

__all__ = [
    "DEFAULT_CLOSED_STATUSES",
    "DEFAULT_PERIOD_DAYS",
    "GROUP_KINDS",
    "IN_FAVOUR_OUTCOMES",
    "NO_PLATFORM",
    "UNASSIGNED",
    "CellFormat",
    "ChartData",
    "ChartSeries",
    "GridTable",
    "GroupKind",
    "KpiCase",
    "KpiGrid",
    "KpiReport",
    "KpiRow",
    "Measured",
    "chart_series",
    "compute_kpis",
    "default_period",
    "fold_kpis",
    "iso_week",
    "kpi_case",
    "kpi_grid",
    "kpis_for_team",
    "measure_case",
    "weeks_between",
]
