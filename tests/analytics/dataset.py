"""A fixed, deterministic data set of cases with explicit Timelines for the KPI tests.

72 cases (70 in the period): 60 generated from a seeded random source along explicit status
paths, plus named special cases (time zones across midnight, a case re-opened twice, a legacy
closed -> open status change, cases without Opened, a case imported already closed). The period is
2025-09-01 .. 2025-11-29 (Asia/Shanghai), which spans the 2025 National Day holidays
(1-8 October off, Sunday 28 September and Saturday 11 October worked).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.analytics import KpiCase
from app.store import CellValue, TimelineEvent

START = date(2025, 9, 1)
END = date(2025, 11, 29)
NOW = datetime(2025, 11, 29, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
PLATFORMS = ("Superbuy", "Bhiner", "Yoybuy")
ASSIGNEES = ("Wang Fang", "Li Lei", "Chen Jie")
REASONS = (
    "opened after return window",
    "missing evidence: video_proof",
    "missing evidence: original_packaging",
)
OUTCOMES = (
    "Full Refund",
    "Partial Refund",
    "Store Credit",
    "Exchange",
    "Reship",
    "Rejected",
    "Withdrawn",
)
CLOSED = ("Resolved", "Closed")

# Status paths: the statuses a case goes through, in order; the first one is "created".
PATHS: tuple[tuple[str, ...], ...] = (
    ("New",),
    ("New", "In Progress"),
    ("New", "In Progress", "Resolved"),
    ("New", "In Progress", "Awaiting Customer", "In Progress", "Resolved", "Closed"),
    ("New", "Awaiting Seller", "Closed"),
    ("New", "In Progress", "Resolved", "In Progress", "Resolved"),  # re-opened once
    ("New", "In Progress", "Resolved", "In Progress"),  # re-opened, still open
    ("In Progress", "Resolved"),  # first seen already past New
)
STEP_MINUTES = (20, 45, 130, 380, 900, 1500, 2900, 4400, 7300)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC datetime (Shanghai is UTC+8, no DST)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@dataclass(frozen=True)
class DataSet:
    cases: list[KpiCase]
    events: dict[str, list[TimelineEvent]]


def timeline(
    case_id: str,
    steps: list[tuple[str, datetime]],
    *,
    legacy: bool = False,
    extras: bool = False,
) -> list[TimelineEvent]:
    """Timeline events for (status, at) steps: a "created" event, then one status event per
    step; leaving a closed status is a "reopened" event (a "status_changed" one if `legacy`)."""
    events: list[TimelineEvent] = []
    first, at = steps[0]
    events.append(
        TimelineEvent(f"{case_id}/created", case_id, "created", at, "", {"status": first})
    )
    for n, ((before, _), (after, at)) in enumerate(itertools.pairwise(steps), 1):
        reopen = before in CLOSED and after not in CLOSED
        kind = "reopened" if reopen and not legacy else "status_changed"
        data: dict[str, CellValue] = {"from": before, "to": after}
        events.append(TimelineEvent(f"{case_id}/s{n}", case_id, kind, at, "", data))
    if extras:  # entries the KPIs must ignore
        at = steps[0][1] + timedelta(minutes=7)
        events.append(
            TimelineEvent(f"{case_id}/ev", case_id, "evidence_added", at, "", {"added": "video"})
        )
        events.append(TimelineEvent(f"{case_id}/pr", case_id, "platform_response", at, ""))
    return events


def _steps(
    path: tuple[str, ...], first_at: datetime, rng: random.Random
) -> list[tuple[str, datetime]]:
    out = [(path[0], first_at)]
    at = first_at
    for status in path[1:]:
        at += timedelta(minutes=rng.choice(STEP_MINUTES) + rng.randint(0, 59))
        out.append((status, at))
    return out


def build() -> DataSet:
    rng = random.Random(20251129)
    cases: list[KpiCase] = []
    events: dict[str, list[TimelineEvent]] = {}
    for i in range(60):
        case_id = f"G-{i:03d}"
        day = START + timedelta(days=rng.randint(0, 88))
        opened = local(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59))
        path = PATHS[rng.randrange(len(PATHS))]
        steps = _steps(path, opened + timedelta(minutes=rng.randint(1, 30)), rng)
        events[case_id] = timeline(case_id, steps, extras=i % 7 == 0)
        closed = steps[-1][0] in CLOSED
        reasons: tuple[str, ...] = ()
        if rng.random() < 0.35:
            reasons = tuple(rng.sample(REASONS, rng.randint(1, 2)))
        exception = rng.choice((True, True, False, None)) if reasons else rng.choice((None, False))
        first_response = None
        if rng.random() < 0.25:
            first_response = opened + timedelta(minutes=rng.choice((15, 95, 600, 1700)))
        cases.append(
            KpiCase(
                case_id=case_id,
                platform=rng.choice(PLATFORMS),
                assignee=rng.choice((*ASSIGNEES, None)),
                opened=opened,
                first_response_at=first_response,
                status=steps[-1][0],
                outcome=rng.choice((*OUTCOMES, None)) if closed else None,
                csat=rng.randint(1, 5) if rng.random() < 0.45 else None,
                policy_exception=exception,
                exception_reasons=reasons,
                closed=closed,
                resolution_due=opened + timedelta(hours=rng.choice((30, 60, 120, 200)))
                if rng.random() < 0.85
                else None,
                # no seller window, kept, missed (by index: the random draws stay as they were)
                seller_window_missed=(None, False, True)[i % 3],
            )
        )
    for case, steps, legacy in _special():
        cases.append(case)
        events[case.case_id] = timeline(case.case_id, steps, legacy=legacy)
    return DataSet(cases, events)


def _special() -> list[tuple[KpiCase, list[tuple[str, datetime]], bool]]:
    out: list[tuple[KpiCase, list[tuple[str, datetime]], bool]] = []

    def add(case: KpiCase, steps: list[tuple[str, datetime]], legacy: bool = False) -> None:
        out.append((case, steps, legacy))

    # Sunday 23:30 UTC is Monday 07:30 in Shanghai: week 2025-W42, not W41.
    opened = datetime(2025, 10, 12, 23, 30, tzinfo=UTC)
    add(
        KpiCase(
            "TZ-SUN",
            "Yoybuy",
            "Chen Jie",
            opened,
            status="Resolved",
            outcome="Store Credit",
            csat=5,
            closed=True,
            resolution_due=opened + timedelta(days=3),
        ),
        [
            ("New", opened),
            ("In Progress", local(2025, 10, 13, 9, 45)),
            ("Resolved", local(2025, 10, 14, 16, 0)),
        ],
    )
    # Saturday 23:59 in Shanghai (a make-up working day), 15:59 UTC: still week 2025-W41.
    opened = datetime(2025, 10, 11, 15, 59, tzinfo=UTC)
    add(
        KpiCase("TZ-SAT", "Bhiner", "Wang Fang", opened, status="In Progress"),
        [("New", opened), ("In Progress", local(2025, 10, 13, 11, 0))],
    )
    # 16:30 UTC on 31 August is 00:30 on 1 September in Shanghai: inside the period.
    opened = datetime(2025, 8, 31, 16, 30, tzinfo=UTC)
    add(
        KpiCase(
            "TZ-START",
            "Superbuy",
            "Li Lei",
            opened,
            status="Closed",
            outcome="Rejected",
            csat=2,
            closed=True,
            resolution_due=opened + timedelta(days=6),
        ),
        [
            ("New", opened),
            ("In Progress", local(2025, 9, 1, 10, 0)),
            ("Closed", local(2025, 9, 5, 17, 0)),
        ],
    )
    # 23:30 on 31 August in Shanghai: outside the period.
    opened = datetime(2025, 8, 31, 15, 30, tzinfo=UTC)
    add(
        KpiCase(
            "TZ-BEFORE",
            "Superbuy",
            "Li Lei",
            opened,
            status="Closed",
            outcome="Reship",
            csat=5,
            closed=True,
        ),
        [("New", opened), ("Closed", local(2025, 9, 2, 10, 0))],
    )
    # 00:10 on 30 November in Shanghai (16:10 UTC on the 29th): outside the period.
    opened = datetime(2025, 11, 29, 16, 10, tzinfo=UTC)
    add(KpiCase("TZ-AFTER", "Bhiner", None, opened, status="New"), [("New", opened)])
    # Re-opened twice; resolution runs to the last close (see test_edges for the hand figures).
    opened = local(2025, 10, 20, 10, 0)
    add(
        KpiCase(
            "REOPEN-2",
            "Bhiner",
            "Li Lei",
            opened,
            status="Closed",
            outcome="Partial Refund",
            csat=3,
            policy_exception=True,
            exception_reasons=("missing evidence: video_proof",),
            closed=True,
            resolution_due=local(2025, 10, 27, 10, 0),
        ),
        [
            ("New", opened),
            ("In Progress", local(2025, 10, 20, 11, 0)),
            ("Resolved", local(2025, 10, 21, 15, 0)),
            ("Awaiting Customer", local(2025, 10, 22, 9, 30)),
            ("Closed", local(2025, 10, 23, 10, 0)),
            ("In Progress", local(2025, 10, 24, 14, 0)),
            ("Closed", local(2025, 10, 27, 11, 0)),
        ],
    )
    # An older re-open recorded as a plain status change out of a closed status.
    opened = local(2025, 9, 15, 14, 0)
    add(
        KpiCase(
            "LEGACY",
            "Yoybuy",
            "Wang Fang",
            opened,
            status="Resolved",
            outcome="Exchange",
            closed=True,
            resolution_due=local(2025, 9, 30, 18, 0),
        ),
        [
            ("New", opened),
            ("Resolved", local(2025, 9, 16, 10, 0)),
            ("In Progress", local(2025, 9, 17, 10, 0)),
            ("Resolved", local(2025, 9, 29, 17, 0)),
        ],
        legacy=True,
    )
    # Cases without Opened: counted in totals, in no week and in no time metric.
    seen = local(2025, 10, 9, 9, 0)
    add(
        KpiCase(
            "NO-OPENED-1",
            "Superbuy",
            "Chen Jie",
            None,
            status="Resolved",
            outcome="Full Refund",
            csat=4,
            closed=True,
        ),
        [
            ("New", seen),
            ("In Progress", seen + timedelta(hours=2)),
            ("Resolved", seen + timedelta(days=1)),
        ],
    )
    add(
        KpiCase(
            "NO-OPENED-2",
            "Yoybuy",
            None,
            None,
            status="In Progress",
            policy_exception=True,
            exception_reasons=("opened after return window",),
        ),
        [("New", seen), ("In Progress", seen + timedelta(hours=5))],
    )
    add(
        KpiCase("NO-OPENED-3", None, "  Wang   Fang ", None, status="New", csat=1),
        [("New", seen)],
    )
    # Imported already closed: no transition into a closed status, so no resolution time.
    opened = local(2025, 9, 3, 9, 0)
    add(
        KpiCase(
            "IMPORTED",
            "Superbuy",
            "Wang Fang",
            opened,
            status="Closed",
            outcome="Full Refund",
            csat=5,
            closed=True,
            resolution_due=local(2025, 9, 10, 9, 0),
        ),
        [("Closed", local(2025, 9, 8, 9, 0))],
    )
    # A first response typed before Opened counts as zero hours.
    opened = local(2025, 11, 3, 15, 0)
    add(
        KpiCase(
            "EARLY-REPLY",
            "Bhiner",
            "Chen Jie",
            opened,
            first_response_at=local(2025, 11, 3, 14, 0),
            status="In Progress",
        ),
        [("New", opened), ("In Progress", local(2025, 11, 4, 9, 0))],
    )
    return out
