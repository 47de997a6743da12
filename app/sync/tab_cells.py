"""The cells a sync writes outside the Cases tab from what it read and planned: the Timeline's new
rows, the Policies tab's built-in rows, the Templates tab (seeded or validated), the Validation
of the team's own tabs; and the summary's word notes. Pure: the sheet as read and the plan come
in, cell updates go out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from app.analytics import KpiReport
from app.automation.workflow import Automation
from app.sheets.backend import CellUpdate, RowUpdate, TabLayout
from app.store import TimelineEvent
from app.sync import auxiliary as aux
from app.sync.kpi_texts import kpis_tab_title
from app.sync.kpis import kpi_tab
from app.sync.read_step import SheetRead
from app.sync.settings_step import TeamSettingsRead
from app.sync.words import language_notes, unknown_word_notes
from app.sync.workflow_tabs import seed_template_cells, template_validation
from policies import Policy

__all__ = [
    "TeamTabs",
    "TimelineAppend",
    "kpis_tab_cells",
    "team_tab_cells",
    "team_tabs_cells",
    "template_cells",
    "word_notes",
]


@dataclass(frozen=True, slots=True)
class TeamTabs:
    """What a sync concluded about the team's own tabs: the shipped policy versions and which
    of them the Policies tab lists, each Policies and Holidays row's message, the automation
    (templates) and the Settings and Vocabulary readings."""

    builtins: Sequence[Policy]
    builtins_present: set[tuple[str, str]]
    policy_messages: Mapping[int, str]
    holiday_messages: Mapping[int, str]
    automation: Automation
    settings: TeamSettingsRead


def team_tabs_cells(sheet: SheetRead, tabs: TeamTabs) -> list[CellUpdate]:
    """The cells of the Policies, Holidays, Templates, Settings and Vocabulary tabs: built-in
    policy rows not listed yet, and every row's Validation where it changed."""
    policies, holidays = sheet.placed["policies"].headers, sheet.placed["holidays"].headers
    return [
        *aux.builtin_policy_rows(
            tabs.builtins,
            tabs.builtins_present,
            policies,
            aux.next_free_row(sheet.tab("policies")),
            sheet.language.language,
        ),
        *aux.validation_updates(sheet.rows["policies"], tabs.policy_messages, policies),
        *aux.validation_updates(sheet.rows["holidays"], tabs.holiday_messages, holidays),
        *template_cells(sheet, tabs.automation),
        *team_tab_cells(sheet, tabs.settings),
    ]


def kpis_tab_cells(
    sheet: SheetRead, kpis: KpiReport, own_title: str | None
) -> tuple[TabLayout, list[CellUpdate]]:
    """The KPIs tab's layout and the cells that differ from it, under the team's own title
    for it (`own_title`) or the one the sheet has in either language."""
    language = sheet.language.language
    title = kpis_tab_title(own_title, sheet.data.titles, language)
    cases = sheet.placed["cases"].headers
    return kpi_tab(
        kpis,
        sheet.data.tabs.get(title),
        title,
        cases_title=cases.title,
        cases_positions=cases.positions,
        language=language,
    )


class TimelineAppend:
    """The Timeline tab's new rows, for run `run_id`: the events it does not show yet (each is
    appended once), from its next free row on, which moves on as a sync appends rows in more
    than one write (a streamed first fill, app/sync/stream_step.py). The tab's rows are looked
    at only when there are events to append (a steady press has none)."""

    def __init__(self, sheet: SheetRead, run_id: int, tz: tzinfo) -> None:
        self.sheet = sheet
        self.run_id = run_id
        self.tz = tz
        self._present: set[str] | None = None
        self.next_row = 0

    def rows(self, events: Sequence[TimelineEvent]) -> list[RowUpdate]:
        """The rows of `events` the tab does not show yet, from its next free row on."""
        if not events:
            return []
        headers = self.sheet.placed["timeline"].headers
        if self._present is None:
            data = self.sheet.tab("timeline")
            self._present = aux.existing_event_ids(data, headers)
            self.next_row = aux.next_free_row(data)
        updates = aux.timeline_rows(
            events,
            self._present,
            headers,
            self.next_row,
            self.run_id,
            self.tz,
            self.sheet.language.language,
        )
        if updates:
            self.next_row = max(update.row for update in updates) + 1
        return updates


def template_cells(sheet: SheetRead, automation: Automation) -> list[CellUpdate]:
    """The Templates tab: seeded when new or emptied, each row's Validation otherwise."""
    headers = sheet.placed["templates"].headers
    rows = sheet.rows["templates"]
    language = sheet.language.language
    has_rows = any(row.values for row in rows)
    cells = [] if has_rows else seed_template_cells(headers, language)
    messages = template_validation(automation, rows, language)
    return [*cells, *aux.validation_updates(rows, messages, headers)]


def team_tab_cells(sheet: SheetRead, settings: TeamSettingsRead) -> list[CellUpdate]:
    """The Validation of the team's own tabs: Settings and Vocabulary."""
    return [
        *aux.validation_updates(
            sheet.rows["settings"], settings.messages, sheet.placed["settings"].headers
        ),
        *aux.validation_updates(
            sheet.rows["vocabulary"], sheet.team_words.messages, sheet.placed["vocabulary"].headers
        ),
    ]


def word_notes(sheet: SheetRead, automation: Automation) -> list[str]:
    """The summary's word notes: each unknown word once with its rows, and languages that have
    no templates (their replies fall back to English), said once each."""
    cases = sheet.rows["cases"]
    languages = {t.language for t in automation.templates}
    team = sheet.language.language
    return [
        *unknown_word_notes(cases, team),
        *language_notes(cases, sheet.team_words.vocabulary, languages, team),
    ]
