"""Prometheus metrics, on a registry per app so tests can build several apps side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from app.service.run_handle import RunObserver


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.syncs = Counter(
            "aftersales_syncs_total",
            "Syncs by trigger and outcome",
            ["trigger", "outcome"],
            registry=r,
        )
        self.duration = Histogram(
            "aftersales_sync_duration_seconds",
            "Wall time of a sync",
            ["backend"],
            registry=r,
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.api_calls = Counter(
            "aftersales_google_api_calls_total",
            "Google API requests by family",
            ["family"],
            registry=r,
        )
        self.retries = Counter(
            "aftersales_google_retries_total", "Google API requests retried", registry=r
        )
        self.quota_wait = Histogram(
            "aftersales_google_quota_wait_seconds",
            "How long a Google API request waited for a slot under the quota",
            registry=r,
            buckets=(0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.failures = Counter(
            "aftersales_sync_failures_total",
            "Syncs that failed, by error code",
            ["code"],
            registry=r,
        )
        self.joined = Counter(
            "aftersales_sync_joined_total",
            "Sync requests that joined a run in progress",
            registry=r,
        )
        self.cells = Counter(
            "aftersales_cells_written_total", "Cells written to sheets", registry=r
        )
        self.cases_reused = Counter(
            "aftersales_cases_reused_total",
            "Cases whose planning a sync reused (incremental evaluation)",
            registry=r,
        )
        self.cache_mismatches = Counter(
            "aftersales_incremental_mismatches_total",
            "Cases a full recalculation planned differently from what the incremental cache "
            "would have reused (each is logged with its case; must stay 0)",
            registry=r,
        )
        self.running = Gauge(
            "aftersales_runs_in_progress",
            "Syncs running now in this process, by trigger (presses, nightly, sweep)",
            ["trigger"],
            registry=r,
        )
        self.run_duration = Histogram(
            "aftersales_run_duration_seconds",
            "Wall time of a sync run, by trigger (whatever its outcome)",
            ["trigger"],
            registry=r,
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600),
        )


class MetricsObserver(RunObserver):
    """Counts the coordinator's runs as they start and end (`aftersales_runs_in_progress`,
    `aftersales_run_duration_seconds`)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def run_started(self, trigger: str) -> None:
        self.metrics.running.labels(trigger).inc()

    def run_finished(self, trigger: str, seconds: float) -> None:
        self.metrics.running.labels(trigger).dec()
        self.metrics.run_duration.labels(trigger).observe(seconds)
