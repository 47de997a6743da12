"""A quota governor: Google requests wait for a slot so they stay under the per-minute quotas.

Google answers 429 once a project or a user (our service account) sends more requests a minute
than its quota (300 per project and 60 per user by default). Retrying after a 429 wastes the
night's budget and, with many sheets and several replicas, turns into a storm; so every request
takes a slot first, and waits (sleeping) until one is free under every limit.

A slot counts from the moment it is granted until one window after its request ended: Google
counts the request at some moment in between, so a request granted only once that earlier one
has left the window can never be the one over the quota, whatever the network's delay. A slot
whose holder never reports back (its process died) counts until `lease_seconds` + one window
after its grant.

`LocalQuotaGovernor` serves one process (SQLite, a single replica); `PostgresQuotaGovernor`
(app/service/quota_pg.py) keeps the slots in a table that every replica shares. Both wait the
same way (`WaitingGovernor.acquire`): a caller that would have to wait longer than
`max_wait_seconds` gets `QuotaExhaustedError` at once, and the request is not sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import count

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from app.errors import QuotaExhaustedError

# The interface the Google backend asks for lives beside it (app/sheets/quota.py); its names are
# re-exported here for the governors' callers.
from app.sheets.quota import Grant as Grant
from app.sheets.quota import Kind as Kind
from app.sheets.quota import QuotaGovernor as QuotaGovernor
from app.sheets.quota import quota_slot as quota_slot

MIN_SLEEP = 0.001  # seconds; never spin


class QuotaSettings(BaseModel):
    """`AFTERSALES_QUOTA__*`: the Google quotas every replica together stays under."""

    enabled: bool = True
    per_project: int = Field(default=300, ge=1)  # requests per window, the whole project
    per_user: int = Field(default=60, ge=1)  # requests per window, one user (service account)
    window_seconds: float = Field(default=60.0, gt=0)
    # Count reads and writes separately, each under both limits (Google's own quotas are split
    # this way); off, reads and writes share one count, which is never over either quota.
    split_reads_writes: bool = False
    max_wait_seconds: float = Field(default=120.0, ge=0)
    lease_seconds: float = Field(default=120.0, gt=0)  # a request never reported finished


@dataclass(frozen=True, slots=True)
class Slot:
    """A slot as the governor's log holds it."""

    user: str
    project: str
    kind: str
    granted_at: float
    done_at: float | None  # None while its request is in flight


def expires(slot: Slot, settings: QuotaSettings) -> float:
    """When a slot stops counting: one window after its request ended (or its lease ran out)."""
    if slot.done_at is not None:
        return slot.done_at + settings.window_seconds
    return slot.granted_at + settings.lease_seconds + settings.window_seconds


def earliest_free(slot: Slot, now: float, settings: QuotaSettings) -> float:
    """The soonest a live slot can stop counting: a request in flight might end right now."""
    return min(expires(slot, settings), now + settings.window_seconds)


def decide(
    slots: Iterable[Slot],
    user: str,
    project: str,
    kind: str,
    now: float,
    settings: QuotaSettings,
) -> float | None:
    """None when one more request of `user` in `project` fits under every limit at `now`;
    otherwise the soonest moment it might (a lower bound: look again then)."""
    live = [s for s in slots if expires(s, settings) > now]
    limits: list[tuple[int, Callable[[Slot], bool]]] = [
        (settings.per_user, lambda s: s.user == user),
        (settings.per_project, lambda s: s.project == project),
    ]
    wake: float | None = None
    for limit, same_scope in limits:
        frees = sorted(
            earliest_free(s, now, settings)
            for s in live
            if same_scope(s) and (not settings.split_reads_writes or s.kind == kind)
        )
        if len(frees) >= limit:
            # len - limit + 1 of them must leave the window: the earliest that many have left.
            at = frees[len(frees) - limit]
            wake = at if wake is None else max(wake, at)
    return wake


@dataclass(frozen=True, slots=True)
class Attempt:
    """One look at the log: a grant (id, time), or the time to look again."""

    now: float
    grant_id: int | None = None
    wake: float = 0.0


class WaitingGovernor:
    """The waiting loop both implementations share; they supply `_attempt` and `_finish`."""

    def __init__(
        self,
        settings: QuotaSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        observe: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self._monotonic = monotonic
        self._sleep = sleep
        self._observe = observe

    def acquire(self, user: str, project: str, kind: Kind) -> Grant:
        started = self._monotonic()
        deadline = started + self.settings.max_wait_seconds
        tries = 0
        while True:
            attempt = self._attempt(user, project, kind)
            tries += 1
            if attempt.grant_id is not None:
                waited = 0.0 if tries == 1 else self._monotonic() - started
                if self._observe is not None:
                    self._observe(waited)
                return Grant(attempt.grant_id, user, project, kind, attempt.now, waited)
            delay = max(MIN_SLEEP, attempt.wake - attempt.now)
            if self._monotonic() + delay > deadline:
                raise QuotaExhaustedError(
                    f"Google's quota ({self._describe()}) has no free slot for {user} within "
                    f"{self.settings.max_wait_seconds:g} s; the request was not sent. Try "
                    "again in a minute."
                )
            self._sleep(delay)

    def release(self, grant: Grant) -> None:
        grant.done_at = self._finish(grant)

    def _describe(self) -> str:
        s = self.settings
        per = "each of reads and writes, " if s.split_reads_writes else ""
        return (
            f"{per}{s.per_user} per user and {s.per_project} per project "
            f"every {s.window_seconds:g} s"
        )

    def _attempt(self, user: str, project: str, kind: Kind) -> Attempt:
        raise NotImplementedError

    def _finish(self, grant: Grant) -> float | None:
        """Mark the slot's request ended; returns when (None: not recorded)."""
        raise NotImplementedError


class LocalQuotaGovernor(WaitingGovernor):
    """The slots of one process, in memory (SQLite, or a single replica)."""

    def __init__(
        self,
        settings: QuotaSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        observe: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(settings, monotonic=clock, sleep=sleep, observe=observe)
        self._guard = threading.Lock()
        self._ids = count(1)
        self._slots: dict[int, Slot] = {}

    def _attempt(self, user: str, project: str, kind: Kind) -> Attempt:
        with self._guard:
            now = self._monotonic()
            self._slots = {i: s for i, s in self._slots.items() if expires(s, self.settings) > now}
            wake = decide(self._slots.values(), user, project, kind, now, self.settings)
            if wake is not None:
                return Attempt(now, wake=wake)
            grant_id = next(self._ids)
            self._slots[grant_id] = Slot(user, project, kind, now, None)
            return Attempt(now, grant_id=grant_id)

    def _finish(self, grant: Grant) -> float | None:
        with self._guard:
            now = self._monotonic()
            slot = self._slots.get(grant.id)
            if slot is not None:
                self._slots[grant.id] = replace(slot, done_at=now)
            return now

    def live_slots(self) -> int:
        """How many slots count now (for tests and figures)."""
        with self._guard:
            now = self._monotonic()
            return sum(1 for s in self._slots.values() if expires(s, self.settings) > now)


def governor_for(
    engine: Engine,
    settings: QuotaSettings,
    *,
    observe: Callable[[float], None] | None = None,
) -> QuotaGovernor | None:
    """The governor for a store: shared through PostgreSQL, else in this process; None when
    the quota is switched off."""
    if not settings.enabled:
        return None
    if engine.dialect.name == "postgresql":
        from app.service.quota_pg import PostgresQuotaGovernor

        return PostgresQuotaGovernor(engine, settings, observe=observe)
    return LocalQuotaGovernor(settings, observe=observe)
