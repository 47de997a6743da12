"""Prometheus metrics, on a registry per app so tests can build several apps side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


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
