"""What the KPI computation takes in (`KpiCase`) and gives back (`KpiReport` of `KpiRow`s).

Plain frozen dataclasses, no I/O. Every metric that has nothing to be computed from is None, never
0: "no closed cases" is not the same as "a resolution rate of 0 %". Definitions: docs/kpis.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Final, Literal

from policies import OUTCOMES

GroupKind = Literal["all", "platform", "assignee", "platform_assignee", "week"]
GROUP_KINDS: Final[tuple[GroupKind, ...]] = (
    "all",
    "platform",
    "assignee",
    "platform_assignee",
    "week",
)

UNASSIGNED: Final = "(unassigned)"
"""Group label of cases whose Assignee is blank."""
NO_PLATFORM: Final = "(no platform)"
"""Group label of cases whose Platform is blank."""

IN_FAVOUR_OUTCOMES: Final[tuple[str, ...]] = (
    "Full Refund",
    "Partial Refund",
    "Store Credit",
    "Exchange",
    "Reship",
)
"""Outcomes that resolve a case in the customer's favour (the others: Rejected, Withdrawn)."""
assert set(IN_FAVOUR_OUTCOMES) <= set(OUTCOMES)

DEFAULT_CLOSED_STATUSES: Final[tuple[str, ...]] = ("Resolved", "Closed")
"""The shipped `TeamSettings.closed_statuses`; pass the team's own to `compute_kpis`."""


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} {value.isoformat()} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class KpiCase:
    """One case as the KPIs see it: sheet values plus what the evaluation concluded.

    `platform` is the display name ("Superbuy"); `exception_reasons` are the evaluation's
    (`Evaluation.exception_reasons`); `closed` is whether the current status is a closed status;
    `resolution_due` is when the resolution SLA falls due (the "resolution" clock's `due_at`).
    All datetimes must be timezone-aware.
    """

    case_id: str
    platform: str | None = None
    assignee: str | None = None
    opened: datetime | None = None
    first_response_at: datetime | None = None
    status: str | None = None
    outcome: str | None = None
    csat: int | None = None
    policy_exception: bool | None = None
    exception_reasons: tuple[str, ...] = ()
    closed: bool = False
    resolution_due: datetime | None = None
    # The agent's own return to the marketplace seller: None when no Seller Deadline applies,
    # else whether it was not started by that deadline.
    seller_window_missed: bool | None = None

    def __post_init__(self) -> None:
        _require_aware("opened", self.opened)
        _require_aware("first_response_at", self.first_response_at)
        _require_aware("resolution_due", self.resolution_due)


@dataclass(frozen=True, slots=True)
class KpiRow:
    """The KPIs of one group of cases.

    `group` says which grouping the row belongs to; the key fields that grouping uses are set
    (`platform` for "platform", both `platform` and `assignee` for "platform_assignee", `week`
    and `week_start` for "week"), the others are None. Rates are fractions (0.25 = 25 %).
    """

    group: GroupKind
    platform: str | None = None
    assignee: str | None = None
    week: str | None = None  # ISO week, e.g. "2025-W41"
    week_start: date | None = None  # the Monday of `week`
    cases: int = 0
    # First response time, business hours on the team calendar.
    frt_measured: int = 0  # cases with both Opened and a first response
    frt_median_hours: float | None = None
    frt_p90_hours: float | None = None
    # Resolution (over closed cases).
    closed: int = 0
    resolved_in_favour: int = 0
    resolution_rate: float | None = None
    sla_measured: int = 0  # closed cases with a known resolution time and resolution due time
    within_sla: int = 0
    within_sla_rate: float | None = None
    reopened: int = 0
    reopened_pct: float | None = None
    # Customer satisfaction.
    csat_answers: int = 0
    csat_mean: float | None = None
    csat_share_4_5: float | None = None
    # Policy exceptions (over all cases of the group).
    exceptions: int = 0
    exception_pct: float | None = None
    top_exception_reasons: tuple[tuple[str, int], ...] = ()
    # Resolution time, business days on the team calendar.
    resolution_measured: int = 0  # closed cases with Opened and a close in the Timeline
    resolution_median_days: float | None = None
    # The seller's no-reason window (cases with a Seller Deadline, and those that missed it).
    seller_windows: int = 0
    seller_window_missed: int = 0

    @property
    def key(self) -> tuple[str, ...]:
        """The group's key values, in grouping order: () for "all", (platform, assignee), ..."""
        if self.group == "platform":
            return (self.platform or "",)
        if self.group == "assignee":
            return (self.assignee or "",)
        if self.group == "platform_assignee":
            return (self.platform or "", self.assignee or "")
        if self.group == "week":
            return (self.week or "",)
        return ()

    def as_json(self) -> dict[str, object]:
        """The row as JSON-ready values (dates as ISO text, reasons as [reason, count] pairs)."""
        return {
            "group": self.group,
            "platform": self.platform,
            "assignee": self.assignee,
            "week": self.week,
            "week_start": self.week_start.isoformat() if self.week_start else None,
            "cases": self.cases,
            "frt_measured": self.frt_measured,
            "frt_median_hours": self.frt_median_hours,
            "frt_p90_hours": self.frt_p90_hours,
            "closed": self.closed,
            "resolved_in_favour": self.resolved_in_favour,
            "resolution_rate": self.resolution_rate,
            "sla_measured": self.sla_measured,
            "within_sla": self.within_sla,
            "within_sla_rate": self.within_sla_rate,
            "reopened": self.reopened,
            "reopened_pct": self.reopened_pct,
            "csat_answers": self.csat_answers,
            "csat_mean": self.csat_mean,
            "csat_share_4_5": self.csat_share_4_5,
            "exceptions": self.exceptions,
            "exception_pct": self.exception_pct,
            "top_exception_reasons": [[r, n] for r, n in self.top_exception_reasons],
            "resolution_measured": self.resolution_measured,
            "resolution_median_days": self.resolution_median_days,
            "seller_windows": self.seller_windows,
            "seller_window_missed": self.seller_window_missed,
        }


@dataclass(frozen=True, slots=True)
class KpiReport:
    """KPIs over one period, for every grouping, in a fixed order (see `GROUP_KINDS`).

    The period is the inclusive range of Opened dates [`start`, `end`] in the team's zone `tz`.
    `cases_missing_opened` of the counted cases have no Opened: they are in the "all", platform
    and assignee rows but in no week and in no time metric. `cases_outside_period` were given
    but left out because they were opened outside the period.
    """

    start: date
    end: date
    tz: tzinfo
    business_day_hours: float
    generated_at: datetime | None
    rows: tuple[KpiRow, ...]
    cases_missing_opened: int = 0
    cases_outside_period: int = 0
    top_reasons: int = 3
    closed_statuses: tuple[str, ...] = field(default=DEFAULT_CLOSED_STATUSES)

    @property
    def timezone(self) -> str:
        """The team time zone's name, e.g. "Asia/Shanghai"."""
        return str(self.tz)

    def group(self, kind: GroupKind) -> tuple[KpiRow, ...]:
        """The rows of one grouping, in display order."""
        return tuple(r for r in self.rows if r.group == kind)

    @property
    def overall(self) -> KpiRow:
        """The single "all" row."""
        return self.group("all")[0]

    def row(
        self,
        kind: GroupKind,
        *,
        platform: str | None = None,
        assignee: str | None = None,
        week: str | None = None,
    ) -> KpiRow | None:
        """The row of one group, or None when the period has no such group."""
        for r in self.group(kind):
            if (
                (platform is None or r.platform == platform)
                and (assignee is None or r.assignee == assignee)
                and (week is None or r.week == week)
            ):
                return r
        return None

    def as_json(self) -> dict[str, object]:
        """The report as JSON-ready values, rows grouped by kind."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
            "business_day_hours": self.business_day_hours,
            "generated_at": self.generated_at.isoformat() if self.generated_at else None,
            "cases_missing_opened": self.cases_missing_opened,
            "cases_outside_period": self.cases_outside_period,
            "groups": {kind: [r.as_json() for r in self.group(kind)] for kind in GROUP_KINDS},
        }
