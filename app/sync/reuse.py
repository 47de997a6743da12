"""What incremental evaluation keeps between syncs and how the planner uses it. Pure, except the
in-process cache at the bottom (the engine's; see `ResultCache`).

A case is reused only when its last full planning was *quiet*: it wrote no cell, filled no id,
recorded no event, saved no snapshot and queued no notice. With the same fingerprint (the same
inputs, app/sync/fingerprint.py) and before its validity horizon (policies/horizon.py) the same
planning is quiet again and concludes the same, so skipping it changes nothing: its cells stay
as they are and its stored result stands in for it in the report and the KPIs.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from threading import Lock
from types import MappingProxyType
from typing import NamedTuple

from app.analytics import Measured
from app.sheets.backend import RowLetGo
from app.store import CaseMarks, CaseSnapshot, TimelineEvent
from app.sync.fingerprint import row_digest
from app.sync.packed_cells import CellPacker, PartValues
from app.sync.plan_types import CaseResult
from app.sync.rows import SheetRow
from app.values import CellValue
from policies import Evaluation
from policies.horizon import HorizonBasis, validity_horizon
from sheet_schema.cells import ParsedValue

__all__ = [
    "KEPT_KEYS",
    "CachedCase",
    "NarrowRead",
    "ParseAgain",
    "ResultCache",
    "Reuse",
    "ReuseOutcome",
    "SheetCache",
    "case_horizon",
    "handed_out",
    "is_handed_out",
    "let_go_rule",
    "reusable_rows",
    "same_conclusion",
    "slim_row",
]


# The values every sync reads of every Cases row, reused or not: its Case ID (ids are counted,
# to find duplicates and to allocate new ones), its Opened (a blank one is filled) and its
# Language (languages without templates are noted). A cached row keeps these; any other value
# is parsed again from the row's cells as read, when asked for (`PartValues`).
KEPT_KEYS = ("case_id", "opened", "language")

# Parses sheet row N of the Cases tab again from its cells as read, called with N
# (app/sync/read_step.py, `RowParser`).
ParseAgain = Callable[[int], Mapping[str, ParsedValue]]


@dataclass(slots=True)
class CachedCase:
    """A quiet planning of one case: its row as parsed then (kept without its cells and with
    only `KEPT_KEYS` of its values, `slim_row`; a row read the same again is handed out over
    the cells as read, `handed_out`),
    the store's marks of the case then, what the planning concluded, its KPI measures (set
    once the sync's KPIs are computed), and when all that holds: from the instant it was
    planned (a sync at an earlier `now`, as `--now` allows, may conclude otherwise) until its
    horizon."""

    row: SheetRow
    marks: int  # CaseMarks.key(case) when planned
    planned_at: datetime
    horizon: datetime
    result: CaseResult
    measured: Measured | None = None

    def holds_at(self, now: datetime) -> bool:
        return self.planned_at <= now < self.horizon

    def stands(self, marks: CaseMarks, now: datetime) -> bool:
        """Whether this planning stands for its row at `now` as far as the case alone says:
        measured (else it is measured again), the store's marks of the case unchanged, and
        before its horizon. (The sync's context and the Case ID's uniqueness are the sheet's.)"""
        return (
            self.measured is not None
            and self.marks == marks.key(self.result.case_id)
            and self.holds_at(now)
        )


class NarrowRead(NamedTuple):
    """A tab read for its first `width` columns below its header row, while that row is still
    `header` (a changed header means moved columns: the tab is read whole again)."""

    width: int
    header: tuple[CellValue, ...]


@dataclass(frozen=True, slots=True)
class SheetCache:
    """One sheet's cached plannings, by row digest (app/sync/fingerprint.py), with the keys
    they are valid under: how the Cases tab was parsed and the sync's context version."""

    parse_key: bytes
    context: bytes
    entries: Mapping[bytes, CachedCase]
    # The tabs the next sync reads narrowed (app/sync/timeline_read.py).
    narrow: Mapping[str, NarrowRead] = field(default_factory=dict)
    # The Cases tab's title then: its rows the next sync may let go as they are read.
    cases_title: str = ""


@dataclass(frozen=True, slots=True)
class Reuse:
    """The planner's input for incremental evaluation: the cached plannings it takes, by sheet
    row (`reusable_rows`). `check`: plan every case anyway and report each one the cache would
    have reused with a different conclusion (the nightly recalculation's audit of the cache)."""

    context: bytes
    basis: HorizonBasis
    marks: CaseMarks
    hits: Mapping[int, CachedCase]
    check: bool = False
    # How a Cases row planned and cached by this sync reads its values once slimmed (`settle`
    # in app/sync/incremental.py): parsed again from its cells. None: rows are not slimmed
    # until the sync keeps its cache.
    parse_again: ParseAgain | None = None


@dataclass(slots=True)
class ReuseOutcome:
    """What the planner did with the cache: the entries for the next sync (by row digest), how
    many cases it reused, and the cases whose recomputation differed from what the cache held."""

    cached: dict[bytes, CachedCase] = field(default_factory=dict)
    reused: int = 0
    mismatches: list[str] = field(default_factory=list)
    packer: CellPacker = field(default_factory=CellPacker)  # slims the entries' rows


def reusable_rows(
    rows: Sequence[SheetRow],
    cache: SheetCache | None,
    context: bytes,
    marks: CaseMarks,
    now: datetime,
) -> dict[int, CachedCase]:
    """The rows whose cached planning stands, by sheet row: the reader handed out the cached
    row object (same cells, same row, same parsing), the context is the same, the store's
    marks of the case are too, `now` is before the horizon, and the Case ID is on no other
    row (a duplicate is flagged, never reused)."""
    if cache is None or cache.context != context:
        return {}
    counts = Counter([row.values.get("case_id") for row in rows])
    hits: dict[int, CachedCase] = {}
    for row in rows:
        entry = cache.entries.get(row.digest)
        if entry is None or not is_handed_out(entry, row):
            continue
        if counts[entry.result.case_id] == 1 and entry.stands(marks, now):
            hits[row.row] = entry
    return hits


def let_go_rule(cache: SheetCache, marks: CaseMarks, now: datetime) -> RowLetGo:
    """Lets a Cases row go as it is read when its planning in `cache` will stand at `now`:
    the same cells at the same row and `CachedCase.stands` (what `reusable_rows` asks, but
    for what only the rest of the read can tell: the context, the parse key, a Case ID on two
    rows; app/sync/inputs_step.py reads the sheet again, whole, when one of those fails). The
    token is the row's digest."""
    entries = cache.entries

    def let_go(row: int, cells: list[CellValue]) -> bytes | None:
        digest = row_digest(row, cells)
        entry = entries.get(digest)
        return digest if entry is not None and entry.stands(marks, now) else None

    return let_go


NO_CELLS: Mapping[str, CellValue] = MappingProxyType({})


def slim_row(row: SheetRow, packer: CellPacker) -> SheetRow:
    """The row a cache entry keeps: no cells, and of its parsed values only `KEPT_KEYS`
    (packed, app/sync/packed_cells.py). A row read the same again is handed out over the
    cells as read, which are the same, and parses its other values from them when one is
    asked for (`handed_out`); a case planned again is parsed again from them
    (app/sync/read_step.py, `reread_cached_rows`). Kept, the person's cells were a quarter of
    the cache (480 bytes a case); kept whole, the parsed values made a cached row 581 bytes,
    338 with these three (10,000 cases).
    A new object: the row planned is still the sync's own (its write step checks its cells).
    A row slim already is its own slim row."""
    if row.raw is NO_CELLS:
        return row
    return SheetRow(
        row.row, NO_CELLS, packer.part(row.values, KEPT_KEYS), tuple(row.issues), row.digest
    )


def handed_out(
    entry: CachedCase,
    raw: Mapping[str, CellValue],
    parse: ParseAgain,
) -> SheetRow:
    """The row of a cached planning, read the same again (the same digest: the same cells at
    the same row), over its cells as read now, `raw`, which `parse` parses when a value the
    entry does not keep is asked for."""
    kept = entry.row
    return SheetRow(kept.row, raw, _part(kept).over(parse, kept.row), kept.issues, kept.digest)


def is_handed_out(entry: CachedCase, row: SheetRow) -> bool:
    """Whether the reader handed `row` out for `entry` (its kept values are the entry's own
    object; a row parsed anew never has them)."""
    values = row.values
    return isinstance(values, PartValues) and values.kept is _part(entry.row).kept


def _part(row: SheetRow) -> PartValues[ParsedValue]:
    values = row.values
    assert isinstance(values, PartValues), "a cached row keeps its values in part (slim_row)"
    return values


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
    """The cached plannings of recently synced sheets, in this process, by sheet key.

    Results stay in memory (they hold the evaluations the report, the API and the KPIs use); a
    process that restarts, or a replica that did not run the last sync, plans every case once.
    Safe to share between engines of the same sheet: an entry is used only when the store's
    marks of its case, which change with every snapshot or event saved, are the same.

    Bounded by sheets and by cases (1.6 KB each on the bench's sheet: a cached row keeps its
    parsed values and no cells): the sheets synced least lately are let go first, and the
    sheet just synced is kept whatever its size."""

    def __init__(self, max_sheets: int = 16, max_cases: int = 100_000) -> None:
        self._max = max_sheets
        self._max_cases = max_cases
        self._sheets: OrderedDict[str, SheetCache] = OrderedDict()
        self._lock = Lock()

    @property
    def max_cases(self) -> int:
        return self._max_cases

    def limit(self, max_cases: int) -> None:
        """Keep at most `max_cases` cached cases from the next sync on (the deployment's
        AFTERSALES_INCREMENTAL_CACHE_CASES)."""
        with self._lock:
            self._max_cases = max_cases

    def get(self, sheet_key: str) -> SheetCache | None:
        with self._lock:
            found = self._sheets.get(sheet_key)
            if found is not None:
                self._sheets.move_to_end(sheet_key)
            return found

    def put(self, sheet_key: str, cache: SheetCache) -> None:
        with self._lock:
            self._sheets[sheet_key] = cache
            self._sheets.move_to_end(sheet_key)
            cases = sum(len(kept.entries) for kept in self._sheets.values())
            while len(self._sheets) > 1 and (
                len(self._sheets) > self._max or cases > self._max_cases
            ):
                _, dropped = self._sheets.popitem(last=False)
                cases -= len(dropped.entries)

    def forget(self, sheet_key: str) -> None:
        with self._lock:
            self._sheets.pop(sheet_key, None)


RESULTS = ResultCache()
