"""What incremental evaluation keeps between syncs and how the planner uses it. Pure, except the
in-process cache at the bottom (the engine's; see `ResultCache`).

A case is reused only when its last full planning was *quiet*: it wrote no cell, filled no id,
recorded no event, saved no snapshot and queued no notice. With the same fingerprint (the same
inputs, app/sync/fingerprint.py) and before its validity horizon (policies/horizon.py) the same
planning is quiet again and concludes the same, so skipping it changes nothing: its cells stay
as they are and its stored result stands in for it in the report and the KPIs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from threading import Lock

from app.store import CaseSnapshot, TimelineEvent
from app.sync.plan_types import CaseResult
from app.sync.rows import SheetRow
from policies import Evaluation
from policies.horizon import HorizonBasis, validity_horizon

__all__ = [
    "CachedCase",
    "ResultCache",
    "Reuse",
    "case_horizon",
    "same_conclusion",
]


@dataclass(frozen=True, slots=True)
class CachedCase:
    """A case's fingerprint, what its planning concluded, and when that holds: from the instant
    it was planned (a sync at an earlier `now`, as `--now` allows, may conclude otherwise) until
    its horizon."""

    fingerprint: bytes
    planned_at: datetime
    horizon: datetime
    result: CaseResult

    def holds_at(self, now: datetime) -> bool:
        return self.planned_at <= now < self.horizon


@dataclass(frozen=True, slots=True)
class Reuse:
    """The planner's input for incremental evaluation. `check`: plan every case anyway and
    report each one the cache would have reused with a different conclusion (the nightly
    recalculation's audit of the cache)."""

    context: bytes
    basis: HorizonBasis
    cached: Mapping[str, CachedCase]
    check: bool = False


@dataclass(slots=True)
class ReuseOutcome:
    """What the planner did with the cache: the entries for the next sync, how many cases it
    reused, and the cases whose recomputation differed from what the cache held."""

    cached: dict[str, CachedCase] = field(default_factory=dict)
    reused: int = 0
    mismatches: list[str] = field(default_factory=list)


def case_horizon(
    basis: HorizonBasis,
    tz: tzinfo,
    row: SheetRow,
    snapshot: CaseSnapshot | None,
    events: Sequence[TimelineEvent],
    result: CaseResult,
) -> datetime:
    """The validity horizon of one case's planning at `basis.now`: every instant in its cells,
    its snapshot, its Timeline and its evaluation (deadlines, SLA clocks, the seller window)."""
    moments = _flat_moments(row.values.values(), tz)
    if snapshot is not None:
        moments += _flat_moments(snapshot.values.values(), tz)
    for event in events:
        moments.append(event.at)
        moments += _flat_moments(event.data.values(), tz)
    moments += _flat_moments((result.next_due,), tz)
    ev = result.evaluation
    if ev is None:
        return validity_horizon(basis, moments)
    moments += _flat_moments((ev.return_deadline, ev.return_deadline_date), tz)
    for clock in ev.sla:
        moments += _flat_moments((clock.started_at, clock.due_at, clock.met_at), tz)
    left: tuple[timedelta, ...] = ()
    if ev.seller is not None:
        moments.append(ev.seller.deadline)
        left = (ev.seller.working_left,)
    return validity_horizon(basis, moments, ev.sla, left)


def _flat_moments(values: Iterable[object], tz: tzinfo) -> list[datetime]:
    """The instants among plain values (naive ones in `tz`; a date as its midnight there)."""
    found: list[datetime] = []
    for value in values:
        if isinstance(value, datetime):
            found.append(value if value.tzinfo is not None else value.replace(tzinfo=tz))
        elif isinstance(value, date):
            found.append(datetime.combine(value, time(0), tzinfo=tz))
    return found


def same_conclusion(cached: CaseResult, fresh: CaseResult) -> bool:
    """Whether a recomputation concluded what the cache holds: every field of the result, and
    of the evaluation what the sheet, the report and the KPIs show."""
    if (
        cached.case_id,
        cached.validation,
        cached.next_action,
        cached.priority,
        cached.errors,
        cached.warnings,
        cached.next_due,
        cached.suggested_reply,
        cached.seller_message,
        cached.priority_rule,
    ) != (
        fresh.case_id,
        fresh.validation,
        fresh.next_action,
        fresh.priority,
        fresh.errors,
        fresh.warnings,
        fresh.next_due,
        fresh.suggested_reply,
        fresh.seller_message,
        fresh.priority_rule,
    ):
        return False
    return _shown(cached.evaluation) == _shown(fresh.evaluation)


def _shown(ev: Evaluation | None) -> object:
    if ev is None:
        return None
    return (
        ev.platform,
        ev.closed,
        ev.exception_reasons,
        ev.sla_state,
        tuple((c.name, c.state, c.due_at, c.breached) for c in ev.sla),
        ev.missing_evidence,
        ev.days_left,
        ev.return_deadline,
        tuple(f.code for f in ev.findings),
    )


class ResultCache:
    """The cached planning of recently synced sheets, in this process, by sheet key.

    Results stay in memory (they hold the evaluations the report and the KPIs use); a process
    that restarts, or a replica that did not run the last sync, plans every case once. Safe to
    share between engines of the same sheet: an entry is used only when its fingerprint, which
    covers the snapshot and Timeline of the store it was planned from, matches."""

    def __init__(self, max_sheets: int = 16) -> None:
        self._max = max_sheets
        self._sheets: OrderedDict[str, dict[str, CachedCase]] = OrderedDict()
        self._lock = Lock()

    def get(self, sheet_key: str) -> dict[str, CachedCase]:
        with self._lock:
            found = self._sheets.get(sheet_key)
            if found is None:
                return {}
            self._sheets.move_to_end(sheet_key)
            return found

    def put(self, sheet_key: str, cases: dict[str, CachedCase]) -> None:
        with self._lock:
            self._sheets[sheet_key] = cases
            self._sheets.move_to_end(sheet_key)
            while len(self._sheets) > self._max:
                self._sheets.popitem(last=False)

    def forget(self, sheet_key: str) -> None:
        with self._lock:
            self._sheets.pop(sheet_key, None)


RESULTS = ResultCache()
