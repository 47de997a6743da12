"""Everything one running service shares, built once in the app's lifespan."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.auth import Authenticator
from app.errors import NotFoundError
from app.registry import SheetEntry, SheetRegistry
from app.runtime import google_backend
from app.service.coordinator import SyncCoordinator, SyncResult
from app.service.locks import locks_for
from app.service.metrics import Metrics
from app.service.quota import QuotaGovernor, governor_for
from app.settings import Settings
from app.sheets.backend import SheetBackend
from app.sheets.workbook import WorkbookBackend
from app.store import Store
from app.sync.engine import SyncEngine
from policies import PolicySet, TeamSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    settings: Settings
    store: Store
    registry: SheetRegistry
    authenticator: Authenticator
    policies: PolicySet
    team: TeamSettings
    metrics: Metrics
    clock: Callable[[], datetime] = utc_now
    scheduler: Any = None  # app.scheduler.SchedulerService once started
    _engines: dict[str, SyncEngine] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _api_seen: dict[tuple[str | None, str], int] = field(default_factory=dict)
    coordinator: SyncCoordinator = field(init=False)
    # One for every sheet's Google requests; with PostgreSQL shared by every replica.
    governor: QuotaGovernor | None = field(init=False)

    def __post_init__(self) -> None:
        self.governor = governor_for(
            self.store.engine, self.settings.quota, observe=self.metrics.quota_wait.observe
        )
        # Read the clock through the context, so a clock swapped later (a test, a replica that
        # corrects its time source) is the one syncs use, as case details and undo do.
        self.coordinator = SyncCoordinator(
            self.engine_for,
            locks_for(self.store.engine),
            self.store,
            lambda: self.clock(),
            limits=self.settings.syncs,
        )

    def engine_for(self, sheet: str) -> SyncEngine:
        """One engine (and backend, with its cached metadata) per sheet, reused across syncs."""
        entry = self.registry.get(sheet)
        with self._guard:
            engine = self._engines.get(sheet)
            if engine is None or engine.sheet_key != entry.sheet_key:
                engine = SyncEngine(
                    self.backend_for(entry),
                    self.store,
                    sheet_key=entry.sheet_key,
                    policies=self.policies,
                    team=self.engine_team(entry),
                    tab_names=self.settings.tab_names,
                    max_replans=self.settings.max_replans,
                    automation=self.settings.automation,
                    notify=self.settings.notify,
                )
                self._engines[sheet] = engine
            return engine

    def record_metrics(self, trigger: str, result: SyncResult) -> None:
        m = self.metrics
        m.syncs.labels(trigger, result.outcome).inc()
        if result.joined:
            m.joined.inc()
            return
        m.cells.inc(result.counts.get("cells_written", 0))
        m.duration.labels(result.backend).observe(result.counts.get("duration_ms", 0) / 1000)
        engine = self._engines.get(str(result.sheet)) if result.sheet else None
        calls = getattr(engine.backend, "calls", None) if engine else None
        if calls is not None:
            for family in ("read", "write", "layout"):
                seen = getattr(calls, family)
                counted = self._api_seen.get((result.sheet, family), 0)
                m.api_calls.labels(family).inc(seen - counted)
                self._api_seen[(result.sheet, family)] = seen
            m.retries.inc(calls.retries - self._api_seen.get((result.sheet, "retries"), 0))
            self._api_seen[(result.sheet, "retries")] = calls.retries

    def engine_team(self, entry: SheetEntry) -> TeamSettings:
        """The team settings for one sheet: its own time zone over the shared defaults."""
        if entry.timezone == self.team.timezone:
            return self.team
        return self.team.model_copy(update={"timezone": entry.timezone})

    def backend_for(self, entry: SheetEntry) -> SheetBackend:
        if entry.kind == "workbook":
            return WorkbookBackend(entry.path)
        if entry.kind == "google":
            return google_backend(self.settings, entry.location, governor=self.governor)
        raise NotFoundError(f"Sheet {entry.id} has an unknown kind {entry.kind!r}")
