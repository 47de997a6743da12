"""What the engine is told about a case, and what it answers.

These types are the whole contract between `policies` and the rest of the product: the sync
engine builds a `CaseFacts` from a parsed sheet row, calls `evaluate`, and writes back what the
`Evaluation` says. Both are plain frozen dataclasses so the engine stays pure and easy to test.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


class Severity(enum.StrEnum):
    """How bad a finding is: errors make a row unusable, warnings only inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class FindingKind(enum.StrEnum):
    """What a finding asks of a person, which decides where the sheet shows it."""

    PROBLEM = "problem"  # an input is wrong or missing: a person corrects the cell (Validation)
    DECISION = "decision"  # the case and the policy disagree: a person decides (Validation)
    TODO = "todo"  # work the Next Action already asks for: not repeated in Validation


@dataclass(frozen=True, slots=True)
class Finding:
    """One typed observation about a case, with a stable code a program can match on.

    `column` is the sheet column key the finding is about (e.g. "window_start"), when there is one,
    so the sheet can point a person at the cell to fix. `inputs` are every column key whose value
    the finding puts in doubt: a reply or message built from one of them is held while the
    finding stands (`app.automation.holds`). `fix` says, in a few words, what clears it.
    """

    code: str
    severity: Severity
    message: str
    message_zh: str = ""
    column: str | None = None
    kind: FindingKind = FindingKind.PROBLEM
    inputs: tuple[str, ...] = ()
    fix: str = ""
    fix_zh: str = ""

    @property
    def headline(self) -> str:
        """The message's first clause ('what is wrong'), without the detail after '; '."""
        return self.message.split("; ", 1)[0].rstrip(".")

    @property
    def headline_zh(self) -> str:
        return self.message_zh.split("；", 1)[0].rstrip("。")


class SlaState(enum.StrEnum):
    ON_TRACK = "On track"
    DUE_SOON = "Due soon"
    OVERDUE = "Overdue"
    PAUSED = "Paused"
    CLOSED = "Closed"


@dataclass(frozen=True, slots=True)
class PauseInterval:
    """A span during which the team SLA clocks stood still (case was Awaiting Customer).

    `end` is None while the pause is still running.
    """

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """A case as the engine sees it: already parsed and typed, every value optional.

    Datetimes are timezone-aware. Free-text vocabularies (platform, issue type, condition, status,
    outcome) are passed as the person typed them; the engine normalises them itself.
    """

    case_id: str
    platform: str | None = None
    issue_type: str | None = None
    item_condition: str | None = None
    opened: datetime | None = None
    window_start: date | datetime | None = None  # a date, or the instant when it is known
    status: str | None = None
    evidence: tuple[str, ...] = ()
    original_packaging: bool | None = None
    video_proof: bool | None = None
    first_response_at: datetime | None = None
    seller_requested_at: datetime | None = None
    platform_response_at: datetime | None = None
    resolved_at: datetime | None = None
    outcome: str | None = None
    policy_exception: bool | None = None
    pauses: tuple[PauseInterval, ...] = ()
    item_category: str | None = None  # a canonical `item_category` key, or the unknown word
    marketplace: str | None = None  # blank: the team's default marketplace
    window_start_at: datetime | None = None  # the Window Start instant, when the cell has a time


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One team SLA target for one case."""

    name: str  # "first_response" | "seller_response" | "resolution"
    target: timedelta  # in business time
    started_at: datetime | None
    due_at: datetime | None  # wall-clock time the target falls due, pauses included
    elapsed: timedelta  # business time used so far (pauses excluded)
    met_at: datetime | None  # when the target was met, if it was
    state: SlaState
    calendar: str = "team"  # business calendar the clock runs on: "team" | "china"
    paused: timedelta = timedelta(0)  # business time spent in pauses since the clock started
    breached: bool = False  # met after due_at, or still open and past due_at

    @property
    def started(self) -> bool:
        """False for a clock whose start event has not happened (no seller request yet)."""
        return self.started_at is not None

    @property
    def is_open(self) -> bool:
        """Started, not met and not closed: the clocks the overall SLA state is taken from."""
        return self.started and self.met_at is None and self.state is not SlaState.CLOSED

    @property
    def remaining(self) -> timedelta:
        """Business time left before the target is due (zero once it is used up)."""
        return max(self.target - self.elapsed, timedelta(0))


@dataclass(frozen=True, slots=True)
class SellerWindow:
    """The agent's window to start a return with the marketplace seller (a buyer-reason case on
    a marketplace with a no-reason rule).

    `working_left` is the team's working time from now to the deadline (zero once it passed);
    `started` says the return was started with the seller (status reached Awaiting Seller) or
    shipped or closed; `missed` that it was not started by the deadline.
    """

    marketplace: str
    deadline: datetime  # aware, in the team's time zone (counted in the marketplace's)
    date_only: bool  # the Window Start held a date only: counted from 00:00 of the next day
    working_left: timedelta
    started: bool
    missed: bool


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything the engine concluded about a case at a moment in time."""

    case_id: str
    platform: str | None  # canonical platform key, e.g. "yoybuy"
    policy_ref: str | None  # e.g. "yoybuy@2025.1"
    return_deadline: datetime | None  # aware; end of the last counted day, platform tz
    return_deadline_date: date | None
    days_left: int | None  # whole days from today (platform tz) to the deadline date; for a
    # timed (hour-window) deadline, whole days before the deadline instant
    in_window_at_opened: bool | None
    exception_needed: bool
    exception_reasons: tuple[str, ...]
    missing_evidence: tuple[str, ...]
    refund_kinds: tuple[str, ...]
    sla: tuple[SlaClock, ...]
    sla_state: SlaState  # the worst state across open clocks
    closed: bool
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    # True when an hour window ends at a time of day: the sheet shows `return_deadline` with its
    # time; otherwise the deadline is the end of `return_deadline_date`, shown as a date.
    return_deadline_timed: bool = False
    # The item's category is one the policy version excludes from returns (its canonical key).
    excluded_category: str | None = None
    # The marketplace's own window for the agent's return to the seller (policies/seller.py).
    seller: SellerWindow | None = None

    @property
    def seller_deadline(self) -> datetime | None:
        return self.seller.deadline if self.seller is not None else None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)
