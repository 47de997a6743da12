"""The sync engine: read -> parse -> evaluate -> plan -> write -> record.

Only this module does I/O (the backend and the store); every decision is made by the pure
planner. The engine's own rules:
- a missing Cases tab or a header problem stops the sync before anything is written;
- writes go out in one batch after the layout is right, and with `expect_version` so that a
  file changed by someone else since the read is re-read and re-planned, never overwritten;
- the previous value of every cell is staged in the store before the cell is written (so a
  run whose process dies after the write can still be undone); the case snapshots and the
  Timeline events are recorded in one store transaction after the write. If the process dies
  between the write and the record, the next sync re-derives the same events (their keys are
  deterministic), finds them already in the Timeline tab, and records them once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.automation.settings import AutomationSettings
from app.errors import AftersalesError, ConcurrentEditError, SheetContractError
from app.notify.outbox import Outbox
from app.notify.settings import NotifySettings
from app.probe import ENQUEUED, PLANNED, READ, RECORDED, WROTE, Probe, no_probe
from app.sheets.backend import SheetBackend, SheetData, TabLayout
from app.store import CellWrite, Store, TimelineEvent
from app.sync import auxiliary as aux
from app.sync.guard import check_writes
from app.sync.kpis import KPIS_TITLE, compute_report, group_events, kpi_tab
from app.sync.layout import PlacedTab, new_tab, place_columns
from app.sync.mapping import FIX as MAPPING_FIX
from app.sync.mapping import mapped_schema, merged_names, read_mapping
from app.sync.planner import CasesInput, plan_cases
from app.sync.report import SyncReport, _Prepared
from app.sync.rows import SheetRow, parse_rows
from app.sync.sheet_settings import apply_sheet_settings
from app.sync.team_config import read_holidays, read_policy_overrides
from app.sync.words import language_notes, read_team_words, unknown_word_notes
from app.sync.workflow_tabs import (
    enqueue_notices,
    load_automation,
    outbox_cells,
    seed_template_cells,
)
from app.sync.write_step import write_plan
from policies import PolicySet, TeamSettings, build_calendars
from sheet_schema import (
    ParseContext,
    SheetSchema,
    find_tabs,
    load_schema,
    match_headers,
)
from sheet_schema.vocabulary import shipped_vocabulary


class SyncEngine:
    """Syncs one spreadsheet through one backend, recording every run in the store."""

    def __init__(
        self,
        backend: SheetBackend,
        store: Store,
        *,
        sheet_key: str,
        policies: PolicySet,
        team: TeamSettings,
        schema: SheetSchema | None = None,
        tab_names: Mapping[str, str] | None = None,
        max_replans: int = 3,
        automation: AutomationSettings | None = None,
        notify: NotifySettings | None = None,
        probe: Probe | None = None,
    ) -> None:
        self.backend = backend
        self.store = store
        self.sheet_key = sheet_key
        self.policies = policies
        self.team = team
        self.schema = schema or load_schema()
        self.tab_names = dict(tab_names or {})
        self.max_replans = max_replans
        self.tz = ZoneInfo(team.timezone)
        self.automation = automation or AutomationSettings()
        self.notify = notify or NotifySettings()
        self.outbox = Outbox(store.engine)
        self.kpis_title = self.tab_names.get("kpis", KPIS_TITLE)
        self.probe = probe or no_probe  # told each step passed (crash tests); app/probe.py

    # -- public ----------------------------------------------------------------------------------

    def sync(
        self,
        *,
        now: datetime,
        trigger: str = "manual",
        dry_run: bool = False,
        kpi_period: tuple[date, date] | None = None,
    ) -> SyncReport:
        """Run one sync at `now` (timezone-aware). With `dry_run`, plan only: write nothing.
        `kpi_period` (first, last day) sets the KPIs' period (default: the last 90 days)."""
        started = time.perf_counter()
        report = SyncReport(run_id=None, backend=self.backend.name, sheet_key=self.sheet_key)
        report.dry_run = dry_run
        run_id = None
        if not dry_run:
            run_id = self.store.start_run(self.sheet_key, trigger, now, self.backend.name)
            report.run_id = run_id
        try:
            prepared = self._prepare_and_write(now, run_id, report, dry_run, kpi_period)
            if run_id is not None:
                self.probe(WROTE)
                # Notices first: enqueueing is idempotent, so a crash before the record below
                # repeats the enqueue and loses nothing.
                enqueue_notices(
                    self.outbox, prepared.plan.notices, self.notify, self.sheet_key, now
                )
                self.probe(ENQUEUED)
                inserted = self.store.record_sync(
                    self.sheet_key,
                    run_id,
                    prepared.plan.snapshots,
                    prepared.events,
                    _unstaged(prepared),
                )
                report.timeline_events = len(inserted)
                self.probe(RECORDED)
            else:
                report.timeline_events = len(prepared.events)
        except AftersalesError as exc:
            if run_id is not None:
                self._finish(run_id, now, report, started, "failed", exc.message)
            raise
        except Exception as exc:
            if run_id is not None:
                self._finish(run_id, now, report, started, "failed", f"internal error: {exc!r}")
            raise
        if run_id is not None:
            outcome = "ok" if report.cells_written or report.layout_changes else "nothing_to_do"
            self._finish(run_id, now, report, started, outcome, None)
        report.duration_ms = int((time.perf_counter() - started) * 1000)
        return report

    # -- steps ------------------------------------------------------------------------------------

    def _prepare_and_write(
        self,
        now: datetime,
        run_id: int | None,
        report: SyncReport,
        dry_run: bool,
        kpi_period: tuple[date, date] | None = None,
    ) -> _Prepared:
        for attempt in range(self.max_replans + 1):
            prepared = self._prepare(now, run_id or 0, kpi_period)
            self._fill_report(report, prepared)
            if dry_run:
                report.cells_written = len(prepared.id_fills) + len(prepared.updates)
                return prepared
            try:
                final = self._write(prepared, report, now, run_id or 0)
                self._fill_report(report, final)
                return final
            except ConcurrentEditError:
                if attempt == self.max_replans:
                    raise
                report.replans += 1
        raise AssertionError("unreachable")  # pragma: no cover

    def _prepare(
        self, now: datetime, run_id: int, kpi_period: tuple[date, date] | None = None
    ) -> _Prepared:
        data = self.backend.read(self._select)
        self.probe(READ)
        # The sheet's own names (Settings tab, written by `adopt`) decide the tabs and columns.
        mapping = read_mapping(data, self.schema, self.tab_names)
        schema = mapped_schema(self.schema, mapping.header_roles)
        names = merged_names(self.tab_names, mapping)
        tabs = find_tabs(schema, data.titles, names)
        if "cases" not in tabs:
            spec = schema.tab("cases")
            wanted = ", ".join([names.get("cases", spec.title), *spec.aliases])
            present = ", ".join(data.titles) or "(none)"
            raise SheetContractError(
                f"No Cases tab in {self.backend.describe()} (looked for: {wanted}; "
                f"tabs present: {present}). Nothing was written. {MAPPING_FIX}"
            )
        ctx = ParseContext(tz=self.tz, date_order=data.date_order)
        placed = self._place(data, tabs, schema, names)
        notes: list[str] = []
        cases = placed["cases"]
        # The team's words (Vocabulary tab) are read first: every other tab is read with them.
        team_words = read_team_words(
            self._rows(data, tabs, placed["vocabulary"], ctx),
            placed["vocabulary"].headers,
            cases.headers.tab,
            shipped_vocabulary(),
        )
        ctx = replace(ctx, words=team_words.vocabulary)
        rows = {key: self._rows(data, tabs, p, ctx) for key, p in placed.items()}

        extra_days, holiday_messages = read_holidays(rows["holidays"], placed["holidays"].headers)
        policies, policy_messages, builtins_present = read_policy_overrides(
            rows["policies"], placed["policies"].headers, self.policies
        )
        automation, template_messages = load_automation(self.automation, rows["templates"])
        # The Settings tab overrides the shipped team file and escalation people, this sheet only.
        sheet_settings = apply_sheet_settings(
            rows["settings"], placed["settings"].headers, self.team, automation.escalation_rules
        )
        team = sheet_settings.team
        if "settings" in tabs and not placed["settings"].headers.ok:
            notes += [
                f"{problem} Its settings are not used until then."
                for problem in placed["settings"].headers.problems()
            ]
        automation = replace(automation, escalation_rules=sheet_settings.escalation)
        calendars = build_calendars(team, extra_days)
        snapshots = self.store.load_snapshots(self.sheet_key)
        events_by_case: dict[str, list[TimelineEvent]] = defaultdict(list)
        for event in self.store.timeline(self.sheet_key):
            events_by_case[event.case_id].append(event)

        plan = plan_cases(
            CasesInput(
                headers=cases.headers,
                rows=rows["cases"],
                now=now,
                tz=self.tz,
                ctx=ctx,
                policies=policies,
                calendars=calendars,
                team=team,
                snapshots=snapshots,
                events=events_by_case,
                known_ids=frozenset(snapshots),
                automation=automation,
                notify=self.notify,
            )
        )
        plan.notes.extend(unknown_word_notes(rows["cases"]))
        plan.notes.extend(
            language_notes(
                rows["cases"], team_words.vocabulary, {t.language for t in automation.templates}
            )
        )
        timeline = placed["timeline"]
        timeline_data = data.tabs.get(tabs.get("timeline", ""))
        updates = list(plan.updates)
        updates += aux.timeline_rows(
            plan.events,
            aux.existing_event_ids(timeline_data, timeline.headers),
            timeline.headers,
            aux.next_free_row(timeline_data),
            run_id,
            self.tz,
        )
        policies_tab = placed["policies"]
        updates += aux.builtin_policy_rows(
            self.policies.all_versions(),
            builtins_present,
            policies_tab.headers,
            aux.next_free_row(data.tabs.get(tabs.get("policies", ""))),
        )
        updates += aux.validation_updates(rows["policies"], policy_messages, policies_tab.headers)
        updates += aux.validation_updates(
            rows["holidays"], holiday_messages, placed["holidays"].headers
        )
        templates = placed["templates"]
        if not any(row.values for row in rows["templates"]):  # a new or emptied tab
            updates += seed_template_cells(templates.headers)
        updates += aux.validation_updates(rows["templates"], template_messages, templates.headers)
        updates += aux.validation_updates(
            rows["settings"], sheet_settings.messages, placed["settings"].headers
        )
        updates += aux.validation_updates(
            rows["vocabulary"], team_words.messages, placed["vocabulary"].headers
        )
        updates += outbox_cells(
            self.outbox,
            self.sheet_key,
            data.tabs.get(tabs.get("outbox", "")),
            placed["outbox"].headers,
            self.tz,
            ctx,
        )
        report = compute_report(
            plan.results,
            rows["cases"],
            group_events([e for es in events_by_case.values() for e in es], plan.events),
            team=team,
            calendars=calendars,
            policies=policies,
            now=now,
            period=kpi_period,
        )
        kpis_layout, kpis_cells = kpi_tab(
            report,
            data.tabs.get(self.kpis_title),
            self.kpis_title,
            cases_title=cases.headers.title,
            cases_positions=cases.headers.positions,
        )
        check_writes(schema, placed, rows, [*plan.id_fills, *updates])
        updates += kpis_cells  # the KPIs tab is the service's alone (a free-form grid)
        self.probe(PLANNED)
        return _Prepared(
            version=data.version,
            layouts=[*self._layouts(placed, tabs), kpis_layout],
            id_fills=plan.id_fills,
            updates=updates,
            plan=plan,
            events=plan.events,
            notes=notes,
            case_rows=rows["cases"],
            case_headers=cases.headers,
            kpis=report,
        )

    def _write(
        self, prepared: _Prepared, report: SyncReport, now: datetime, run_id: int
    ) -> _Prepared:
        return write_plan(self, prepared, report, now, run_id)

    # -- helpers ----------------------------------------------------------------------------------

    def _select(self, titles: Sequence[str]) -> list[str]:
        found = find_tabs(self.schema, titles, self.tab_names)
        if "cases" not in found or "settings" in found:
            # The Settings tab may name another cases tab (`adopt`): read them all to see.
            return list(titles)
        chosen = [found[t.key] for t in self.schema.tabs if t.key in found]
        return [*chosen, self.kpis_title] if self.kpis_title in titles else chosen

    def _place(
        self,
        data: SheetData,
        tabs: Mapping[str, str],
        schema: SheetSchema,
        names: Mapping[str, str],
    ) -> dict[str, PlacedTab]:
        placed: dict[str, PlacedTab] = {}
        for spec in schema.tabs:
            title = tabs.get(spec.key)
            if title is None:
                placed[spec.key] = new_tab(spec, names.get(spec.key, spec.title))
                continue
            tab_data = data.tabs.get(title)
            header_row = tab_data.rows[0] if tab_data and tab_data.rows else []
            headers = match_headers(spec, title, header_row)
            if spec.key == "cases" and not headers.ok:
                raise SheetContractError(
                    "The Cases tab cannot be synced: "
                    + " ".join(headers.problems())
                    + f" Nothing was written. {MAPPING_FIX}",
                    headers.problems(),
                )
            empty = not header_row
            used = max((len(r) for r in tab_data.rows), default=0) if tab_data else 0
            placed[spec.key] = place_columns(spec, headers, add_user_columns=empty, used_width=used)
        return placed

    def _layouts(self, placed: Mapping[str, PlacedTab], tabs: Mapping[str, str]) -> list[TabLayout]:
        """The tabs to lay out: those present, and missing ones the sync creates (not Settings)."""
        return [
            p.layout
            for key, p in placed.items()
            if key in tabs or self.schema.tab(key).created_by_sync
        ]

    def _rows(
        self, data: SheetData, tabs: Mapping[str, str], placed: PlacedTab, ctx: ParseContext
    ) -> list[SheetRow]:
        title = tabs.get(placed.headers.tab.key)
        if title is None or not placed.headers.ok:
            return []
        return parse_rows(data.tabs.get(title), placed.headers, ctx)

    def _fill_report(self, report: SyncReport, prepared: _Prepared) -> None:
        plan = prepared.plan
        report.cases = len(plan.results)
        report.new_cases = plan.new_cases
        report.errors = plan.errors
        report.warnings = plan.warnings
        report.results = plan.results
        report.notes += prepared.notes
        report.sheet_notes = list(plan.notes)  # the last plan's: a replan says them again
        report.kpis = prepared.kpis

    def _finish(
        self,
        run_id: int,
        now: datetime,
        report: SyncReport,
        started: float,
        outcome: str,
        message: str | None,
    ) -> None:
        elapsed = time.perf_counter() - started
        finished = now + timedelta(seconds=elapsed)
        self.store.finish_run(
            run_id,
            finished,
            outcome,
            {
                "cases": report.cases,
                "new_cases": report.new_cases,
                "cells_written": report.cells_written,
                "timeline_events": report.timeline_events,
                "errors": report.errors,
                "warnings": report.warnings,
                "layout_changes": report.layout_changes,
                "replans": report.replans,
                "duration_ms": int(elapsed * 1000),
            },
            message,
        )


def _unstaged(prepared: _Prepared) -> list[CellWrite]:
    """The plan's cell writes the write step did not stage (usually none: it stages the whole
    list it is about to write, and a first sync's list runs to a million cells)."""
    if prepared.staged is prepared.plan.writes:
        return []
    staged = set(prepared.staged or ())
    return [w for w in prepared.plan.writes if w not in staged]
