"""The composition root: the one place that turns `Settings` into the service's parts.

It opens the store, the sheet registry and the Google quota governor, builds backends
(a workbook, or a Google spreadsheet through the governor), sync engines, the coordinator,
the notifier and the scheduler. The API's lifespan (app/api/app.py), the CLI's runtime
(app/runtime.py) and through them the scheduler all take their parts from here, so a
part is built one way whichever door a sync comes in by. Nothing below it (app/sync,
app/sheets, app/service, policies, sheet_schema) imports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import ConfigurationError, NotFoundError
from app.notify.delivery import DeliveryReport
from app.notify.dispatch import deliver_now
from app.probe import Probe, no_probe
from app.registry import SheetEntry, SheetRegistry
from app.service.coordinator import SyncCoordinator
from app.service.locks import locks_for
from app.service.quota import governor_for
from app.settings import Settings
from app.sheets.backend import SheetBackend
from app.sheets.google import GoogleBackend
from app.sheets.quota import QuotaGovernor
from app.sheets.redirect import redirected_session
from app.sheets.retry import RetryPolicy
from app.store import Store
from app.sync.engine import SyncEngine
from app.sync.engine_config import EngineConfig
from app.sync.reuse import RESULTS
from policies import PolicyError, PolicySet, TeamSettings, load_policies, load_team_settings

if TYPE_CHECKING:
    from app.scheduler import SchedulerContext
    from app.scheduler_leader import SchedulerService
    from app.sheets.workbook import WorkbookBackend


class CompositionRoot:
    """Every settings-derived resource of one process, each built once (engines: once per
    sheet) and shared by whoever asks."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        policies: PolicySet,
        team: TeamSettings,
        *,
        quota_observer: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.policies = policies
        self.team = team
        self.registry = SheetRegistry(store)
        # One for every Google request of this process; with PostgreSQL shared by every
        # replica. None when the quota is switched off. (Building one does no I/O.)
        self.governor: QuotaGovernor | None = governor_for(
            store.engine, settings.quota, observe=quota_observer
        )
        self._engines: dict[str, SyncEngine] = {}
        self._guard = threading.Lock()

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        quota_observer: Callable[[float], None] | None = None,
        migrate: bool = True,
    ) -> CompositionRoot:
        """Load the policies and team settings (a bad file is a ConfigurationError naming it)
        and open the store, migrated to head unless `migrate` is False (`aftersales doctor`
        reports the store's revision instead of changing it)."""
        try:
            policies = load_policies(settings.policies_dir)
            team = load_team_settings(settings.team_file)
        except PolicyError as exc:
            raise ConfigurationError(str(exc)) from exc
        url = settings.database_url.get_secret_value()
        store = Store.open(url, settings.database) if migrate else Store(url, settings.database)
        RESULTS.limit(settings.incremental_cache_cases)  # the process's one cache (sync/reuse.py)
        return cls(settings, store, policies, team, quota_observer=quota_observer)

    def close(self) -> None:
        self.store.close()

    # -- backends ------------------------------------------------------------------------------

    def backend_for(self, entry: SheetEntry, *, probe: Probe | None = None) -> SheetBackend:
        """A new backend on a registered sheet."""
        if entry.kind == "workbook":
            return self.workbook_backend(entry.path, probe=probe)
        if entry.kind == "google":
            return self.google_backend(entry.location)
        raise NotFoundError(f"Sheet {entry.id} has an unknown kind {entry.kind!r}")

    def workbook_backend(self, path: Path, *, probe: Probe | None = None) -> WorkbookBackend:
        # openpyxl and calamine are imported for a workbook only, never for a Google sheet
        from app.sheets.workbook import WorkbookBackend

        return WorkbookBackend(path, probe=probe)

    def google_backend(self, spreadsheet_id: str) -> GoogleBackend:
        """A backend on one Google spreadsheet, its requests under the quota governor."""
        settings = self.settings
        if settings.google_credentials is None:
            raise ConfigurationError(
                "Set AFTERSALES_GOOGLE_CREDENTIALS to the service account's key file (or its "
                "JSON) to sync a Google spreadsheet."
            )
        override = settings.google_api_override
        if override and settings.environment == "production":
            raise ConfigurationError("google_api_override is for tests and refused in production")
        return GoogleBackend.from_service_account(
            spreadsheet_id,
            settings.google_credentials.get_secret_value(),
            session_factory=(lambda creds: redirected_session(creds, override))
            if override
            else None,
            retry=RetryPolicy(budget=settings.google_retry_budget_seconds),
            timeout=settings.google_timeout_seconds,
            governor=self.governor,
        )

    # -- engines -------------------------------------------------------------------------------

    def team_for(self, entry: SheetEntry) -> TeamSettings:
        """The team settings for one sheet: its own time zone over the shared defaults."""
        if entry.timezone == self.team.timezone:
            return self.team
        return self.team.model_copy(update={"timezone": entry.timezone})

    def engine_for(self, entry: SheetEntry, *, dry_run: bool = False) -> SyncEngine:
        """The engine of a registered sheet. One per sheet (its backend keeps cached metadata
        across syncs); with `dry_run`, a separate engine and backend, since a dry run must not
        share a backend with a sync that may be running."""
        if dry_run:
            return self._new_engine(entry)
        with self._guard:
            engine = self._engines.get(entry.id)
            if engine is None or engine.sheet_key != entry.sheet_key:
                engine = self._new_engine(entry)
                self._engines[entry.id] = engine
            return engine

    def running_engine(self, sheet_id: str) -> SyncEngine | None:
        """The engine `engine_for` keeps for a sheet, if it built one."""
        with self._guard:
            return self._engines.get(sheet_id)

    def _new_engine(self, entry: SheetEntry) -> SyncEngine:
        return self.engine(
            self.backend_for(entry),
            sheet_key=entry.sheet_key,
            team=self.team_for(entry),
            language=entry.language,
        )

    def engine(
        self,
        backend: SheetBackend,
        *,
        sheet_key: str,
        team: TeamSettings | None = None,
        probe: Probe | None = None,
        language: str | None = None,
    ) -> SyncEngine:
        """A sync engine on `backend` with the service's settings (the one place one is built)."""
        settings = self.settings
        config = EngineConfig(
            sheet_key=sheet_key,
            policies=self.policies,
            team=team or self.team,
            tab_names=settings.tab_names,
            max_replans=settings.max_replans,
            automation=settings.automation,
            notify=settings.notify,
            probe=probe or no_probe,
            incremental=settings.incremental,
            language=language,
        )
        return SyncEngine(backend, self.store, config)

    # -- the running service's parts ------------------------------------------------------------

    def coordinator(self, clock: Callable[[], datetime]) -> SyncCoordinator:
        """One sync per registered sheet at a time, across this process and every replica."""
        return SyncCoordinator(
            lambda sheet: self.engine_for(self.registry.get(sheet)),
            locks_for(self.store.engine),
            self.store,
            clock,
            limits=self.settings.syncs,
        )

    def deliver_notifications(
        self, now: datetime, *, probe: Probe | None = None
    ) -> DeliveryReport | None:
        """Send the outbox's due messages (None when no channel is configured)."""
        return deliver_now(self.store.engine, self.settings.notify, self.team, now, probe=probe)

    def scheduler(self, context: SchedulerContext) -> SchedulerService:
        """The scheduler for a running service (started by the caller)."""
        from app.scheduler_leader import SchedulerService  # APScheduler: only a service needs it

        return SchedulerService(context)


class RootParts:
    """The root's shared parts by their names, for what holds a root: the service's context
    and the CLI's runtime (so neither repeats the other's way to them)."""

    root: CompositionRoot

    @property
    def settings(self) -> Settings:
        return self.root.settings

    @property
    def store(self) -> Store:
        return self.root.store

    @property
    def policies(self) -> PolicySet:
        return self.root.policies

    @property
    def team(self) -> TeamSettings:
        return self.root.team
