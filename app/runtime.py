"""Builds the shared resources a command or the API needs from one `Settings`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app.automation.escalation import load_escalation_rules
from app.errors import ConfigurationError, SyncInProgressError
from app.probe import Probe
from app.service.locks import locks_for
from app.service.quota import QuotaGovernor, governor_for
from app.settings import Settings, get_settings
from app.sheets.backend import SheetBackend, TabLayout
from app.sheets.google import GoogleBackend
from app.sheets.redirect import redirected_session
from app.sheets.retry import RetryPolicy
from app.sheets.workbook import WorkbookBackend
from app.store import Store
from app.sync.engine import SyncEngine
from app.sync.kpis import KPIS_TITLE
from app.sync.layout import new_tab
from app.sync.report import SyncReport
from app.sync.sheet_settings import settings_example_cells
from app.sync.undo import UndoReport, undo_run
from policies import PolicyError, PolicySet, TeamSettings, load_policies, load_team_settings
from sheet_schema import ParseContext, load_schema


@dataclass
class Runtime:
    """One sheet (a local workbook, or a Google spreadsheet when `sheet` is set) and the store."""

    settings: Settings
    store: Store
    policies: PolicySet
    team: TeamSettings
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
                google_backend(
                    self.settings,
                    self.sheet,
                    governor=governor_for(self.store.engine, self.settings.quota),
                )
                if self.sheet is not None
                else WorkbookBackend(self.workbook, probe=self.probe)
            )
        return self._backend

    def engine(self) -> SyncEngine:
        return SyncEngine(
            self.backend(),
            self.store,
            sheet_key=self.sheet_key,
            policies=self.policies,
            team=self.team,
            tab_names=self.settings.tab_names,
            max_replans=self.settings.max_replans,
            automation=self.settings.automation,
            notify=self.settings.notify,
            probe=self.probe,
        )

    def initialise(self) -> int:
        """Create the tabs and headers (a new workbook file, or tabs in a Google spreadsheet).

        Returns the number of layout changes made; an existing workbook is refused. A new
        Settings tab gets every setting as a commented-out example row (with its shipped value),
        so the team sees what it may set without reading the README; a tab the team already
        has is left as it is."""
        schema = load_schema()
        titles = [self.settings.tab_names.get(t.key, t.title) for t in schema.tabs]
        backend = self.backend()
        present: set[str] = set()
        if isinstance(backend, WorkbookBackend):
            backend.create(titles)
        else:
            present = set(backend.read(lambda found: [t for t in titles if t in found]).titles)
        placed = [new_tab(t, title) for t, title in zip(schema.tabs, titles, strict=True)]
        layouts = [p.layout for p in placed]
        kpis = self.settings.tab_names.get("kpis", KPIS_TITLE)
        layouts.append(TabLayout(title=kpis, columns=(), frozen_rows=0))
        changes = backend.apply_layout(layouts)
        examples = []
        settings_tab = next(p.headers for p in placed if p.headers.tab.key == "settings")
        if settings_tab.title not in present:
            rules = load_escalation_rules(self.settings.automation.escalation_file)
            examples = settings_example_cells(settings_tab, self.team, rules)
        backend.write(examples)
        return changes

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

    def sync(self, now: datetime, trigger: str = "manual") -> SyncReport:
        """Sync the sheet while holding its lock."""
        with self.holding_sheet("sync again"):
            return self.engine().sync(now=now, trigger=trigger)

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


def google_backend(
    settings: Settings, sheet: str, *, governor: QuotaGovernor | None = None
) -> GoogleBackend:
    if settings.google_credentials is None:
        raise ConfigurationError(
            "Set AFTERSALES_GOOGLE_CREDENTIALS to the service account's key file (or its JSON) "
            "to sync a Google spreadsheet."
        )
    override = settings.google_api_override
    if override and settings.environment == "production":
        raise ConfigurationError("google_api_override is for tests and refused in production")
    return GoogleBackend.from_service_account(
        sheet,
        settings.google_credentials.get_secret_value(),
        session_factory=(lambda creds: redirected_session(creds, override)) if override else None,
        retry=RetryPolicy(budget=settings.google_retry_budget_seconds),
        timeout=settings.google_timeout_seconds,
        governor=governor,
    )


def open_runtime(
    settings: Settings | None = None, workbook: Path | None = None, sheet: str | None = None
) -> Runtime:
    settings = settings or get_settings()
    try:
        policies = load_policies(settings.policies_dir)
        team = load_team_settings(settings.team_file)
    except PolicyError as exc:
        raise ConfigurationError(str(exc)) from exc
    store = Store.open(settings.database_url.get_secret_value())
    return Runtime(
        settings=settings,
        store=store,
        policies=policies,
        team=team,
        workbook=workbook or settings.workbook,
        sheet=sheet,
    )
