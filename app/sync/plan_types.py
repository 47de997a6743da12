"""The planner's inputs and outputs: what it is given about the Cases tab, the cells, events
and snapshots it plans, and what it concluded about each case. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from app.automation.workflow import Automation
from app.notify.messages import Notice
from app.notify.settings import NotifySettings
from app.sheets.backend import CellUpdate, Write
from app.store import CaseSnapshot, PlannedWrite, TimelineEvent
from app.sync.derive import wall_clock
from app.sync.rows import SheetRow
from policies import Calendars, Evaluation, PolicySet, TeamSettings
from sheet_schema import ColumnSpec, ColumnType, HeaderMap, ParseContext
from sheet_schema.messages import Language

if TYPE_CHECKING:  # the planner's incremental step; reuse.py imports CaseResult from here
    from app.sync.reuse import Reuse, ReuseOutcome


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What the sync concluded about one case (for reports, the API and the CLI)."""

    case_id: str
    row: int
    evaluation: Evaluation | None
    next_action: str | None
    priority: str | None
    validation: str
    errors: int
    warnings: int
    next_due: datetime | None = None
    suggested_reply: str | None = None
    seller_message: str | None = None
    priority_rule: str | None = None


# A service column of the Cases tab: its 1-based column, its spec, and whether it holds dates
# or times (whose cells may carry a format of their own).
ServiceSlot = tuple[int, ColumnSpec, bool]


@dataclass(slots=True)
class CasesPlan:
    # The Cases rows' cells; the engine adds the other tabs' cells and rows to the same list.
    updates: list[Write] = field(default_factory=list)
    id_fills: list[CellUpdate] = field(default_factory=list)
    writes: list[PlannedWrite] = field(default_factory=list)
    # Each text to write as stored (`storable_text`), one string for equal texts (a policy
    # version, an SLA state, an escalation note in thousands of rows: 3 MB of copies at a
    # 10,000-case first fill), made once for each.
    texts: dict[str, str] = field(default_factory=dict)
    events: list[TimelineEvent] = field(default_factory=list)
    snapshots: list[CaseSnapshot] = field(default_factory=list)
    results: list[CaseResult] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the sheet as a whole, said once
    new_cases: int = 0
    errors: int = 0
    warnings: int = 0
    reuse: ReuseOutcome | None = None  # with incremental evaluation: what was reused


class CaseMemorySource(Protocol):
    """The store's memory of cases (app/sync/memory_step.py), asked for a chunk at a time."""

    def load(
        self, case_ids: Sequence[str]
    ) -> tuple[Mapping[str, CaseSnapshot], Mapping[str, Sequence[TimelineEvent]]]:
        """The snapshots and Timeline events (oldest first) of `case_ids`, by case id."""
        ...


@dataclass(frozen=True, slots=True)
class PlannedChunk:
    """A chunk of rows once planned (the KPIs measure its cases then): its results, its rows by
    sheet row, the stored events of its cases (by case id) and the events it recorded; and the
    plan so far, whose cells, events and snapshots a streamed write takes out of it
    (app/sync/stream_step.py)."""

    results: Sequence[CaseResult]
    rows: Mapping[int, SheetRow]
    stored_events: Mapping[str, Sequence[TimelineEvent]]
    new_events: Sequence[TimelineEvent]
    plan: CasesPlan


ChunkPlanned = Callable[[PlannedChunk], None]


@dataclass(frozen=True, slots=True)
class CasesInput:
    headers: HeaderMap
    rows: Sequence[SheetRow]
    now: datetime
    tz: tzinfo
    ctx: ParseContext
    policies: PolicySet
    calendars: Calendars
    team: TeamSettings
    # The stored snapshots and events, loaded `chunk` rows at a time as the planner reaches
    # them; `snapshots` and `events` are the chunk's under way (the planner sets them).
    memory: CaseMemorySource
    snapshots: Mapping[str, CaseSnapshot] = field(default_factory=dict)
    events: Mapping[str, Sequence[TimelineEvent]] = field(default_factory=dict)
    known_ids: frozenset[str] = frozenset()
    automation: Automation | None = None
    notify: NotifySettings | None = None
    # The team language: what the case cells are written in (and part of the fingerprints'
    # context, so switching it plans every case again).
    language: Language = "en"
    reuse: Reuse | None = None  # incremental evaluation (app/sync/reuse.py); None: plan all
    chunk: int = 1_000
    chunk_planned: ChunkPlanned | None = None  # told as each chunk of rows is planned
    # `now` as a sheet cell shows it (the team's wall clock, to the minute): Last Synced, a
    # filled Opened, a snapshot's first sighting. Made once, not for each row that uses it.
    now_wall: datetime | None = field(init=False)
    # Each service column the tab has, by key (app/sync/row_cells.py): found once from
    # `headers`, not for each of a 10,000-case first fill's 240,000 planned values.
    service_slots: Mapping[str, ServiceSlot] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "now_wall", wall_clock(self.now, self.tz))
        positions = self.headers.positions
        slots = {
            spec.key: (index + 1, spec, spec.type is ColumnType.DATE_OR_DATETIME)
            for spec in self.headers.tab.service_columns
            if (index := positions.get(spec.key)) is not None
        }
        object.__setattr__(self, "service_slots", slots)
