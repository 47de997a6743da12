"""The KPIs tab's texts in the team language: its title, notes, table titles, headers, group
labels and chart title. The grid is built in English (app/analytics/tables.py, shared with the
CSV export); a Chinese team's grid has each fixed label swapped for its catalogue text. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Final

from app.analytics import KpiReport
from app.analytics.tables import ChartData, KpiGrid
from sheet_schema.messages import Language, load_catalogue, text
from sheet_schema.team_texts import tab_title, title_spellings

KPIS_TITLE: Final = "KPIs"  # the English title (app/sync/kpis.py says the same)

LABEL_PREFIX: Final = "kpis.label_"
DEFINITIONS: Final = "docs/kpis.md"
PERIOD_ROW: Final = 1  # 0-based rows of the grid's period and note lines
NOTE_ROW: Final = 2


@lru_cache(maxsize=4)
def label_texts(language: Language) -> dict[str, str]:
    """Each fixed English label of the KPIs grid -> its text in `language`."""
    catalogue = load_catalogue()
    return {
        entry["en"]: entry[language]
        for key, entry in catalogue.texts.items()
        if key.startswith(LABEL_PREFIX)
    }


def localized_grid(grid: KpiGrid, report: KpiReport, language: Language) -> KpiGrid:
    """The grid with its labels, period and note in `language` (the same grid for English)."""
    if language == "en":
        return grid
    labels = label_texts(language)
    rows = [[labels.get(c, c) if isinstance(c, str) else c for c in row] for row in grid.rows]
    rows[PERIOD_ROW][0] = period_text(report, language)
    rows[NOTE_ROW][0] = note_text(report, language)
    tables = [replace(t, title=labels.get(t.title, t.title)) for t in grid.tables]
    return KpiGrid(rows=rows, formats=grid.formats, tables=tables)


def localized_chart(chart: ChartData, language: Language) -> ChartData:
    """The chart with its title in `language`."""
    return replace(chart, title=text("kpis.chart_title", language))


def period_text(report: KpiReport, language: Language) -> str:
    period = text(
        "kpis.period",
        language,
        start=report.start.isoformat(),
        end=report.end.isoformat(),
        timezone=report.timezone,
    )
    if report.generated_at is None:
        return period
    generated = report.generated_at.astimezone(report.tz).strftime("%Y-%m-%d %H:%M")
    return period + text("kpis.generated", language, generated=generated)


def note_text(report: KpiReport, language: Language) -> str:
    parts = [text("kpis.note_cases", language, cases=report.overall.cases)]
    if report.cases_missing_opened:
        missing = report.cases_missing_opened
        parts.append(text("kpis.note_missing_opened", language, missing=missing))
    separator = text("kpis.note_separator", language)
    return separator.join(parts) + text("kpis.note_tail", language, definitions=DEFINITIONS)


def kpis_titles(named: str | None) -> tuple[str, ...]:
    """Every title the KPIs tab is read under: the team's own name for it, else the service's
    in each team language."""
    return (named,) if named else title_spellings("kpis", KPIS_TITLE)


def kpis_tab_title(named: str | None, titles: Sequence[str], language: Language) -> str:
    """The KPIs tab's title: the team's own name for it, else the title it has in either
    language, else the title a new one gets in the team `language`."""
    if named:
        return named
    present = [t for t in title_spellings("kpis", KPIS_TITLE) if t in titles]
    return present[0] if present else tab_title("kpis", KPIS_TITLE, language)
