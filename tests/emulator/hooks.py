"""Test hooks that sit in front of the API: the request log, fault injection and the
quota enforcer. All thread-safe."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, quota_exceeded

FAULT_ACTIONS = ("429", "500", "503", "api_disabled", "drop", "drop_after", "cut", "slow")
# Faults answered with an error body instead of serving the request.
ERROR_FAULTS = ("429", "500", "503", "api_disabled")
READ_KINDS = frozenset(
    {"spreadsheets.get", "values.get", "values.batchGet", "drive.files.get", "drive.files.list"}
)


class Clock:
    """Wall clock by default; tests may freeze it and move it by hand."""

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen = start

    def __call__(self) -> float:
        with self._lock:
            return time.time() if self._frozen is None else self._frozen

    def freeze(self, at: float | None = None) -> None:
        with self._lock:
            self._frozen = time.time() if at is None else at

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen is None:
                self._frozen = time.time()
            self._frozen += seconds

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen = None


@dataclass
class RequestRecord:
    """One API request as the emulator served it."""

    index: int  # 1-based position among API requests since the last reset
    method: str
    path: str
    query: str
    kind: str  # e.g. "values.batchGet", "spreadsheets.batchUpdate", "drive.files.create"
    spreadsheet_id: str | None
    principal: str | None = None
    status: int | None = None  # None when the connection was dropped without a response
    fault: str | None = None
    raw_body: bytes = field(default=b"", repr=False)
    started: float = 0.0
    duration: float = 0.0

    @property
    def body(self) -> Any:
        """The request's JSON body (None when absent or not JSON)."""
        if not self.raw_body:
            return None
        try:
            return json.loads(self.raw_body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    @property
    def request_kinds(self) -> list[str]:
        """For spreadsheets.batchUpdate: the kind of each request, in order."""
        body = self.body if self.kind == "spreadsheets.batchUpdate" else None
        if not isinstance(body, dict):
            return []
        return [next(iter(r), "") for r in body.get("requests") or [] if isinstance(r, dict)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "kind": self.kind,
            "spreadsheetId": self.spreadsheet_id,
            "principal": self.principal,
            "status": self.status,
            "fault": self.fault,
            "requestKinds": self.request_kinds,
            "started": self.started,
            "duration": self.duration,
        }


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def start(self, record: RequestRecord) -> RequestRecord:
        with self._lock:
            record.index = len(self._records) + 1
            self._records.append(record)
        return record

    def records(self, kind: str | None = None) -> list[RequestRecord]:
        with self._lock:
            items = list(self._records)
        return [r for r in items if kind is None or r.kind == kind]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    @property
    def next_index(self) -> int:
        with self._lock:
            return len(self._records) + 1


@dataclass
class FaultRule:
    """Inject `action` on the n-th matching requests (`at`, 1-based) or with a seeded
    probability; `kinds` restricts which requests match; `times` caps the firings."""

    action: str
    at: frozenset[int] | None = None
    probability: float | None = None
    kinds: frozenset[str] | None = None
    delay: float = 0.0
    times: int | None = None
    seed: int | None = None
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def matches(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds

    def decide(self) -> bool:
        """Count one matching request and say whether the fault fires on it."""
        self.seen += 1
        if self.times is not None and self.fired >= self.times:
            return False
        fire = False
        if self.at is not None:
            fire = self.seen in self.at
        elif self.probability is not None:
            fire = self.rng.random() < self.probability
        else:
            fire = True
        if fire:
            self.fired += 1
        return fire


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(
        self,
        action: str,
        *,
        at: int | Iterable[int] | None = None,
        probability: float | None = None,
        seed: int | None = None,
        kinds: str | Iterable[str] | None = None,
        delay: float = 0.0,
        times: int | None = None,
    ) -> FaultRule:
        if action not in FAULT_ACTIONS:
            raise ValueError(f"unknown fault action {action!r}; use one of {FAULT_ACTIONS}")
        at_set = None if at is None else frozenset([at] if isinstance(at, int) else at)
        kind_set = (
            None if kinds is None else frozenset([kinds] if isinstance(kinds, str) else kinds)
        )
        if action == "slow" and delay <= 0:
            delay = 1.0
        rule = FaultRule(action, at_set, probability, kind_set, delay, times, seed)
        rule.rng = random.Random(seed)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def decide(self, kind: str) -> list[FaultRule]:
        """The rules that fire for this request (every matching rule counts it)."""
        fired = []
        with self._lock:
            for rule in self._rules:
                if rule.matches(kind) and rule.decide():
                    fired.append(rule)
        return fired

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)


@dataclass
class QuotaLimits:
    per_user: int | None = None
    per_project: int | None = None
    reads_per_user: int | None = None
    writes_per_user: int | None = None
    reads_per_project: int | None = None
    writes_per_project: int | None = None
    window: float = 60.0


class Quota:
    """Sliding-window per-minute quotas per user and per project (like Sheets' limits)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        self.limits = QuotaLimits()
        self._hits: dict[tuple[str, str, str], deque[float]] = {}
        self._peaks: dict[tuple[str, str, str], int] = {}

    def configure(self, **limits: Any) -> None:
        with self._lock:
            self.limits = QuotaLimits(**limits)
            self._hits.clear()
            self._peaks.clear()

    def peaks(self) -> dict[str, int]:
        """The most requests each enforced limit counted inside one window since it was set
        (e.g. {"user:sa@p.iam.gserviceaccount.com": 60, "project:p": 60}; reads and writes
        counted apart end in ":read" / ":write")."""
        with self._lock:
            return {
                ":".join([scope, who] + ([] if cat == "all" else [cat])): peak
                for (scope, who, cat), peak in self._peaks.items()
            }

    def reset(self) -> None:
        self.configure()

    def check(self, email: str, project: str, kind: str) -> None:
        """Record one request or raise Google's 429 RESOURCE_EXHAUSTED."""
        category = "read" if kind in READ_KINDS else "write"
        lim = self.limits
        checks = [
            ("user", email, "all", lim.per_user),
            ("project", project, "all", lim.per_project),
            (
                "user",
                email,
                category,
                lim.reads_per_user if category == "read" else lim.writes_per_user,
            ),
            (
                "project",
                project,
                category,
                lim.reads_per_project if category == "read" else lim.writes_per_project,
            ),
        ]
        with self._lock:
            now = self.clock()
            active = [(s, who, cat, limit) for s, who, cat, limit in checks if limit is not None]
            for scope, who, cat, limit in active:
                hits = self._hits.setdefault((scope, who, cat), deque())
                while hits and hits[0] <= now - lim.window:
                    hits.popleft()
                if len(hits) >= limit:
                    metric = {"read": "Read requests", "write": "Write requests"}.get(
                        cat, "Requests"
                    )
                    name = f"{metric} per minute" + (" per user" if scope == "user" else "")
                    raise quota_exceeded(metric, name, limit, project)
            for scope, who, cat, _ in active:
                hits = self._hits[(scope, who, cat)]
                hits.append(now)
                key = (scope, who, cat)
                self._peaks[key] = max(self._peaks.get(key, 0), len(hits))


def fault_error(action: str) -> ApiError:
    if action == "429":
        return quota_exceeded("Read requests", "Read requests per minute per user", 60, "emulator")
    if action == "503":
        return ApiError(503, "The service is currently unavailable.")
    if action == "api_disabled":  # the API is not enabled in the caller's Cloud project
        return ApiError(
            403,
            "The API has not been used in project emulator before or it is disabled. Enable it "
            "in the Google Cloud console, then retry.",
            drive=True,
            reason="accessNotConfigured",
        )
    return ApiError(500, "Internal error encountered.")
