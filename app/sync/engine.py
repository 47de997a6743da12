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
  deterministic), finds them already in the Timeline tab, and records them once;
- a large sheet on a positional backend (Google) is written and recorded in parts as it is
  planned, each part in that same order (app/sync/stream_step.py), so that a 50,000-case
  first fill does not hold every planned cell at once.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.errors import AftersalesError, ConcurrentEditError
from app.notify.outbox import Outbox
from app.probe import ENQUEUED, PLANNED, RECORDED, WROTE
from app.sheets.backend import SheetBackend, cell_count
from app.store import Store
from app.sync.cache_compaction import compact_cache
from app.sync.engine_config import EngineConfig
from app.sync.gc_tuning import fewer_collections
from app.sync.guard import WriteGuard
from app.sync.header_texts import header_rewrites, refreshed_on_switch
from app.sync.inputs_step import read_inputs
from app.sync.kpi_texts import kpis_titles
from app.sync.kpis import CaseMeasurer
from app.sync.plan_step import PlanContext, plan_sheet
from app.sync.progress import (
    NO_PROGRESS,
    NOTIFY,
    READ,
    RECORD,
    WRITE,
    ProgressReporter,
)
from app.sync.read_step import SheetReader
from app.sync.report import PreparedSync, SyncReport
from app.sync.reuse import RESULTS, SheetCache
from app.sync.reuse_context import keep_reuse, reused_measures
from app.sync.run_record import (
    INTERNAL_ERROR,
    after_writing,
    fill_report,
    finish_run,
    internal_error_message,
    unstaged_writes,
)
from app.sync.stream_step import StreamedWrite, may_stream
from app.sync.tab_cells import (
    TeamTabs,
    TimelineAppend,
    kpis_tab_cells,
    team_tabs_cells,
    word_notes,
)
from app.sync.timeline_read import narrow_after
from app.sync.undo import unfinished_undos
from app.sync.workflow_tabs import enqueue_notices, outbox_cells
from app.sync.write_step import WriteStep
from sheet_schema import ParseContext, load_schema
from sheet_schema.messages import team_language

log = logging.getLogger("aftersales.sync")


class SyncEngine:
    """Syncs one spreadsheet through one backend, recording every run in the store."""

    def __init__(self, backend: SheetBackend, store: Store, config: EngineConfig) -> None:
        self.backend = backend
        self.store = store
        self.config = config
        self.sheet_key = config.sheet_key
        self.policies = config.policies
        self.team = config.team
        self.schema = config.schema or load_schema()
        self.tab_names = dict(config.tab_names)
        self.max_replans = config.max_replans
        self.tz = ZoneInfo(config.team.timezone)
        self.automation = config.automation
        self.notify = config.notify
        self.outbox = Outbox(store.engine)
        # The KPIs tab is read under either language's title (or the team's own name for it).
        self.kpis_titles = kpis_titles(self.tab_names.get("kpis"))
        self._full = False  # the sync under way is a full recalculation (it audits the cache)
        self.probe = config.probe
        # The reader is given the backend at each read: `self.backend` stays the one place it is
        # held (a test, or a re-opened connection, swaps it there).
        self.reader = SheetReader(
            schema=self.schema,
            tab_names=self.tab_names,
            kpis_title=self.kpis_titles[0],
            kpis_titles=self.kpis_titles,
            tz=self.tz,
            probe=self.probe,
            incremental=config.incremental,
            registered_language=config.language,
        )

    # -- public ----------------------------------------------------------------------------------

    @fewer_collections()  # app/sync/gc_tuning.py: seconds of a first fill
    def sync(
        self,
        *,
        now: datetime,
        trigger: str = "manual",
        dry_run: bool = False,
        kpi_period: tuple[date, date] | None = None,
        progress: ProgressReporter = NO_PROGRESS,
        reserved_run: int | None = None,
        full: bool = False,
    ) -> SyncReport:
        """Run one sync at `now` (timezone-aware). With `dry_run`, plan only: write nothing.
        `kpi_period` (first, last day) sets the KPIs' period (default: the last 90 days).
        `progress` is told the run's id and each step as it goes (app/sync/progress.py; keep
        it throttled); `reserved_run` is a run queued for this sync (`Store.queue_run`).
        `full`: a recalculation, which plans every case and checks the cases the incremental
        cache would have reused (mismatches are logged and counted in the report)."""
        started = time.perf_counter()
        self._full = full
        report = SyncReport(run_id=None, backend=self.backend.name, sheet_key=self.sheet_key)
        report.dry_run = dry_run
        run_id = None
        if not dry_run:
            run_id = self.store.start_run(
                self.sheet_key, trigger, now, self.backend.name, reserved=reserved_run
            )
            report.run_id = run_id
            progress.started(run_id)
            report.notes += unfinished_undos(self.store, self.sheet_key)
        try:
            prepared = self._prepare_and_write(now, run_id, report, dry_run, kpi_period, progress)
            if run_id is not None:
                self.probe(WROTE)
                progress.step(NOTIFY, report.cases, report.cases)
                # Notices first: enqueueing is idempotent, so a crash before the record below
                # repeats the enqueue and loses nothing.
                enqueue_notices(
                    self.outbox, prepared.plan.notices, self.notify, self.sheet_key, now
                )
                self.probe(ENQUEUED)
                progress.step(RECORD, report.cases, report.cases)
                inserted = self.store.record_sync(
                    self.sheet_key,
                    run_id,
                    prepared.plan.snapshots,
                    prepared.events,
                    unstaged_writes(prepared),
                )
                report.timeline_events += len(inserted)  # after the parts streamed, if any
                self.probe(RECORDED)
            else:
                report.timeline_events = len(prepared.events)
        except AftersalesError as exc:
            if run_id is not None:
                exc.message = after_writing(run_id, report, exc.message)
                exc.args = (exc.message,)
                finish_run(
                    self.store, run_id, now, report, started, "failed", exc.message, exc.code
                )
            raise
        except Exception as exc:
            # A bug, not the sheet: the detail goes to the log (with the run id), the run keeps
            # a stable code and a sentence a person can act on (never the exception's repr).
            log.error(
                "sync run %s of sheet %r failed unexpectedly", run_id, self.sheet_key, exc_info=True
            )
            message = internal_error_message(run_id)
            if run_id is not None:
                message = after_writing(run_id, report, message)
            exc.add_note(message)  # the CLI shows it instead of a traceback
            if run_id is not None:
                finish_run(
                    self.store, run_id, now, report, started, "failed", message, INTERNAL_ERROR
                )
            raise
        if run_id is not None:
            outcome = "ok" if report.cells_written or report.layout_changes else "nothing_to_do"
            finish_run(self.store, run_id, now, report, started, outcome, None)
        pool = prepared.pool
        del prepared  # its plan holds the results: they are compacted with the cache
        report.results = compact_cache(
            self.sheet_key,
            report.results,
            report.cases_reused,
            self.config.compact_cache_from,
            shared=pool.values(),
            part=self.config.compact_part,
        )
        report.duration_ms = int((time.perf_counter() - started) * 1000)
        return report

    @property
    def full_recalculation(self) -> bool:
        """Whether the sync under way is a full recalculation (it audits the cache)."""
        return self._full

    def cache(self) -> SheetCache | None:
        """This sheet's cached plannings in this process (app/sync/reuse.py), if any."""
        return RESULTS.get(self.sheet_key)

    # -- steps ------------------------------------------------------------------------------------

    def _prepare_and_write(
        self,
        now: datetime,
        run_id: int | None,
        report: SyncReport,
        dry_run: bool,
        kpi_period: tuple[date, date] | None = None,
        progress: ProgressReporter = NO_PROGRESS,
    ) -> PreparedSync:
        stream_to = None if dry_run else report
        for attempt in range(self.max_replans + 1):
            prepared = self.prepare(now, run_id or 0, kpi_period, progress, stream_to=stream_to)
            fill_report(report, prepared)
            if dry_run:
                report.cells_written = len(prepared.id_fills) + cell_count(prepared.updates)
                return prepared
            try:
                progress.step(WRITE, 0, report.cases)
                final = self._write_step(now, run_id or 0, progress).write(prepared, report)
                fill_report(report, final)  # a positional write planned again
                return final
            except ConcurrentEditError:
                if attempt == self.max_replans:
                    raise
                report.replans += 1
        raise AssertionError("unreachable")  # pragma: no cover

    def prepare(
        self,
        now: datetime,
        run_id: int,
        kpi_period: tuple[date, date] | None = None,
        progress: ProgressReporter = NO_PROGRESS,
        keep_rows: bool = False,
        stream_to: SyncReport | None = None,
    ) -> PreparedSync:
        """Read the sheet and plan every cell a sync at `now` would write (nothing is written,
        unless `stream_to`). The parsed Cases rows go with it when new ids are filled, or with
        `keep_rows` (a plan made after ids were written, which the write step compares them
        with). `stream_to`: the report of a run that may write and record a large sheet's
        cases as they are planned (app/sync/stream_step.py); the last part's are prepared as
        usual."""
        progress.step(READ, 0, None)
        inputs = read_inputs(self, now, whole=keep_rows)
        sheet, policies, reuse = inputs.sheet, inputs.policies, inputs.reuse
        sheet_settings, calendars, memory = inputs.sheet_settings, inputs.calendars, inputs.memory
        language = sheet.language.language
        team, automation = sheet_settings.team, sheet_settings.automation
        measurer = CaseMeasurer(
            team=team,
            calendars=calendars,
            policies=policies,
            kept=reused_measures(reuse),
        )
        written = team_language(self.store.written_language(self.sheet_key))
        layouts = refreshed_on_switch(
            self.reader.layouts(sheet.placed, sheet.tabs), written, language
        )
        # Read before this sync enqueues any notice, as the Outbox tab showed it at the read.
        outbox_updates = outbox_cells(
            self.outbox,
            self.sheet_key,
            sheet.tab("outbox"),
            sheet.placed["outbox"].headers,
            self.tz,
            sheet.ctx,
            language,
        )
        timeline = TimelineAppend(sheet, run_id, self.tz)
        guard = WriteGuard(sheet.schema, sheet.placed, sheet.rows)
        streamed = None
        if stream_to is not None and may_stream(
            self.backend, sheet.rows["cases"], self.config.stream_rows
        ):
            streamed = StreamedWrite(
                backend=self.backend,
                store=self.store,
                outbox=self.outbox,
                notify=self.notify,
                sheet=sheet,
                sheet_key=self.sheet_key,
                run_id=run_id,
                now=now,
                report=stream_to,
                timeline=timeline,
                guard=guard,
                measure=measurer.chunk,
                cells=self.config.stream_cells,
            )
        laid_out = 0
        if streamed is not None:
            laid_out = self.backend.apply_layout(layouts)  # before the first part's cells
            layouts = []
        plan = plan_sheet(
            sheet,
            PlanContext(
                now=now,
                tz=self.tz,
                team=team,
                policies=policies,
                calendars=calendars,
                automation=automation,
                notify=self.notify,
                memory=memory,
                known_ids=memory.known_ids,
                chunk=self.config.memory_chunk,
                chunk_planned=measurer.chunk if streamed is None else streamed.chunk_planned,
            ),
            reuse,
            progress,
        )
        plan.notes.extend(word_notes(sheet, automation))

        # The plan's own list, extended (not a copy: 284,000 cells at a first fill); the plan's
        # cells are not read again apart from these.
        updates = plan.updates
        rewrites = header_rewrites(sheet, written, language)
        updates += rewrites
        updates += timeline.rows(plan.events)
        updates += team_tabs_cells(
            sheet,
            TeamTabs(
                builtins=self.policies.all_versions(),
                builtins_present=inputs.builtins_present,
                policy_messages=inputs.policy_messages,
                holiday_messages=inputs.holiday_messages,
                automation=automation,
                settings=sheet_settings,
            ),
        )
        updates += outbox_updates
        kpis = measurer.report(now, kpi_period)
        if reuse is not None and plan.reuse is not None:
            keep_reuse(
                self.sheet_key,
                sheet.tabs["cases"],
                sheet.cases_parse_key,
                reuse,
                plan.reuse,
                measurer.measured,
                narrow_after(sheet.narrow, rewrites),
            )
        kpis_layout, kpis_cells = kpis_tab_cells(sheet, kpis, self.tab_names.get("kpis"))
        guard.check([*plan.id_fills, *updates])
        updates += kpis_cells  # the KPIs tab is the service's alone (a free-form grid)
        self.probe(PLANNED)
        return PreparedSync(
            version=sheet.data.version,
            layouts=[*layouts, *refreshed_on_switch([kpis_layout], written, language)],
            laid_out=laid_out,
            streamed=streamed.parts if streamed is not None else 0,
            id_fills=plan.id_fills,
            updates=updates,
            plan=plan,
            events=plan.events,
            # Only the id check reads them (app/sync/idcheck.py); otherwise they are let go
            # before the write, where a first fill peaks (17 MB at 10,000 cases).
            case_rows=sheet.rows["cases"] if keep_rows or plan.id_fills else [],
            case_headers=sheet.placed["cases"].headers,
            kpis=kpis,
            notes=sheet_settings.notes,
            language=language,
            pool=calendars.pool,
        )

    def _write_step(self, now: datetime, run_id: int, progress: ProgressReporter) -> WriteStep:
        """What the write step needs: where to write and stage, and how to plan again."""
        return WriteStep(
            backend=self.backend,
            store=self.store,
            run_id=run_id,
            replan=lambda: self.prepare(now, run_id, progress=progress, keep_rows=True),
            ctx=ParseContext(tz=self.tz),
            probe=self.probe,
        )
