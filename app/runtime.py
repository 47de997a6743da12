"""What a CLI command works on: one sheet and the store, from the composition root."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app.automation.escalation import load_escalation_rules
from app.composition import CompositionRoot, RootParts
from app.errors import SyncInProgressError
from app.probe import Probe
from app.service.locks import locks_for
from app.settings import Settings, get_settings
from app.sheets.backend import SheetBackend, TabLayout
from app.sync.engine import SyncEngine
from app.sync.kpis import KPIS_TITLE
from app.sync.layout import new_tab
from app.sync.progress import NO_PROGRESS, ProgressReporter
from app.sync.report import SyncReport
from app.sync.sheet_settings import settings_example_cells
from app.sync.undo import UndoReport, undo_run
from sheet_schema import ParseContext, load_schema
from sheet_schema.messages import Language, team_language
from sheet_schema.team_texts import tab_title


@dataclass
class Runtime(RootParts):
    """One sheet (a local workbook, or a Google spreadsheet when `sheet` is set) and the store;
    its parts come from the composition root (app/composition.py)."""

    root: CompositionRoot
    workbook: Path
    sheet: str | None = None
    # Told each step a sync passes (app/probe.py); None in production, set by the crash tests.
    probe: Probe | None = field(default=None, repr=False)
    _backend: SheetBackend | None = field(default=None, repr=False)

    @property
    def sheet_key(self) -> str:
        if self.sheet is not None:
            return f"google:{self.sheet}"
        return f"workbook:{self.workbook.resolve()}"

    def backend(self) -> SheetBackend:
        if self._backend is None:
            self._backend = (
                self.root.google_backend(self.sheet)
                if self.sheet is not None
                else self.root.workbook_backend(self.workbook, probe=self.probe)
            )
        return self._backend

    def engine(self) -> SyncEngine:
        return self.root.engine(
            self.backend(),
            sheet_key=self.sheet_key,
            probe=self.probe,
            language=self.registered_language(),
        )

    def registered_language(self) -> Language | None:
        """The team language this sheet was registered with (`sheets add --language`), if it
        was registered with one."""
        entries = self.root.registry.list()
        return next((e.language for e in entries if e.sheet_key == self.sheet_key), None)

    def initialise(self) -> int:
        """Create the tabs and headers (a new workbook file, or tabs in a Google spreadsheet).

        Returns the number of layout changes made; an existing workbook is refused. A new
        Settings tab gets every setting as a commented-out example row (with its shipped value),
        so the team sees what it may set without reading the README; a tab the team already
        has is left as it is."""
        from app.sheets.workbook import WorkbookBackend  # openpyxl: not for a Google sheet

        schema = load_schema()
        backend = self.backend()
        present: set[str] = set()
        language: Language = "en"
        if isinstance(backend, WorkbookBackend):
            titles = [self.settings.tab_names.get(t.key, t.title) for t in schema.tabs]
            backend.create(titles)
        else:
            # A spreadsheet made in a Chinese locale gets its tabs and headers in Chinese.
            data = backend.read(lambda found: [])
            language = team_language(data.locale)
            titles = [self._title(t.key, t.title, language) for t in schema.tabs]
            present = set(data.titles) & set(titles)
        placed = [new_tab(t, title, language) for t, title in zip(schema.tabs, titles, strict=True)]
        layouts = [p.layout for p in placed]
        kpis = self._title("kpis", KPIS_TITLE, language)
        layouts.append(TabLayout(title=kpis, columns=(), frozen_rows=0))
        changes = backend.apply_layout(layouts)
        examples = []
        settings_tab = next(p.headers for p in placed if p.headers.tab.key == "settings")
        if settings_tab.title not in present:
            rules = load_escalation_rules(self.settings.automation.escalation_file)
            examples = settings_example_cells(settings_tab, self.team, rules)
        backend.write(examples)
        return changes

    def _title(self, key: str, default: str, language: Language) -> str:
        """A tab's title: the team's own name for it, else the service's in `language`."""
        return self.settings.tab_names.get(key) or tab_title(key, default, language)

    @contextmanager
    def holding_sheet(self, doing: str) -> Iterator[None]:
        """Hold the sheet's lock, the one the service and every other process take (so two
        syncs or undos of one sheet never overlap); wait for a holder up to
        `sheet_lock_wait_seconds`, then refuse with SyncInProgressError."""
        wait = self.settings.sheet_lock_wait_seconds
        with locks_for(self.store.engine).hold(self.sheet_key, wait=True, timeout=wait) as held:
            if not held:
                raise SyncInProgressError(
                    f"{self.backend().describe()} is being synced by another process "
                    f"(waited {wait:g} s); {doing} when it has finished."
                )
            yield

    def sync(
        self,
        now: datetime,
        trigger: str = "manual",
        *,
        full: bool = False,
        progress: ProgressReporter = NO_PROGRESS,
    ) -> SyncReport:
        """Sync the sheet while holding its lock (`full`: a recalculation that checks and
        repairs the layout too), telling `progress` how far it has got."""
        with self.holding_sheet("sync again"):
            engine = self.engine()
            if full:
                engine.backend.refresh()  # forget cached layout so it is checked and repaired
            return engine.sync(now=now, trigger=trigger, progress=progress, full=full)

    def undo(self, run_id: int, now: datetime) -> UndoReport:
        """Undo a run while holding the sheet's lock."""
        ctx = ParseContext(tz=ZoneInfo(self.team.timezone))
        with self.holding_sheet(f"undo run {run_id}"):
            return undo_run(
                self.backend(),
                self.store,
                sheet_key=self.sheet_key,
                run_id=run_id,
                now=now,
                ctx=ctx,
                tab_names=self.settings.tab_names,
                probe=self.probe,
            )


def open_runtime(
    settings: Settings | None = None, workbook: Path | None = None, sheet: str | None = None
) -> Runtime:
    settings = settings or get_settings()
    return Runtime(
        root=CompositionRoot.open(settings), workbook=workbook or settings.workbook, sheet=sheet
    )
