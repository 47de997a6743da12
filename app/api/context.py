"""Everything one running service shares, built once in the app's lifespan from the
composition root (app/composition.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.auth import Authenticator
from app.composition import CompositionRoot, RootParts
from app.notify.delivery import DeliveryReport
from app.registry import SheetEntry, SheetRegistry
from app.scheduler_leader import SchedulerService
from app.service.coordinator import SyncCoordinator, SyncResult
from app.service.metrics import Metrics, MetricsObserver
from app.sheets.backend import SheetBackend
from app.sheets.quota import QuotaGovernor
from app.sync.engine import SyncEngine
from policies import TeamSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext(RootParts):
    root: CompositionRoot
    authenticator: Authenticator
    metrics: Metrics
    clock: Callable[[], datetime] = utc_now
    scheduler: SchedulerService | None = None  # once started (app/api/app.py lifespan)
    _api_seen: dict[tuple[str | None, str], int] = field(default_factory=dict)
    coordinator: SyncCoordinator = field(init=False)

    def __post_init__(self) -> None:
        # Read the clock through the context, so a clock swapped later (a test, a replica that
        # corrects its time source) is the one syncs use, as case details and undo do.
        self.coordinator = self.root.coordinator(lambda: self.clock())
        self.coordinator.observer = MetricsObserver(self.metrics)

    # -- the root's parts, by the names the routes and the scheduler use -------------------------

    @property
    def registry(self) -> SheetRegistry:
        return self.root.registry

    @property
    def governor(self) -> QuotaGovernor | None:
        return self.root.governor

    def engine_for(self, sheet: str) -> SyncEngine:
        """The registered sheet's engine (one per sheet, reused across syncs)."""
        return self.root.engine_for(self.registry.get(sheet))

    def engine_team(self, entry: SheetEntry) -> TeamSettings:
        return self.root.team_for(entry)

    def backend_for(self, entry: SheetEntry) -> SheetBackend:
        return self.root.backend_for(entry)

    def deliver_notifications(self, now: datetime) -> DeliveryReport | None:
        return self.root.deliver_notifications(now)

    # -- metrics -----------------------------------------------------------------------------------

    def record_metrics(self, trigger: str, result: SyncResult) -> None:
        m = self.metrics
        m.syncs.labels(trigger, result.outcome).inc()
        if result.joined:
            m.joined.inc()
            return
        m.cells.inc(result.counts.get("cells_written", 0))
        m.cases_reused.inc(result.cases_reused)
        m.cache_mismatches.inc(result.cache_mismatches)
        m.duration.labels(result.backend).observe(result.counts.get("duration_ms", 0) / 1000)
        engine = self.root.running_engine(str(result.sheet)) if result.sheet else None
        if engine is None or engine.backend.name != "google":
            return  # the metric counts Google API requests; a workbook's counter stays at zero
        calls = engine.backend.calls
        for family, seen in (
            ("read", calls.read),
            ("write", calls.write),
            ("layout", calls.layout),
        ):
            counted = self._api_seen.get((result.sheet, family), 0)
            m.api_calls.labels(family).inc(seen - counted)
            self._api_seen[(result.sheet, family)] = seen
        m.retries.inc(calls.retries - self._api_seen.get((result.sheet, "retries"), 0))
        self._api_seen[(result.sheet, "retries")] = calls.retries
