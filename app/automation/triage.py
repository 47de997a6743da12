"""Triage: what the assignee must do next, by when, and how urgent the case is.

Pure: an evaluated case and the time go in, a `Triage` comes out. The next action follows the
team's operating procedure (intake -> evidence -> seller -> platform -> outcome -> close); the
priority comes from the rules kept as data (`app.automation.priority`), the only priority engine,
so a team that edits the rules sees them everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.automation.priority import priority
from policies import CaseFacts, Evaluation
from policies.vocab import EVIDENCE_LABELS

ASK_PREFIX = "Ask the customer for"
SELLER_START_PREFIX = "Start the return with the seller before"
SELLER_MISSED_PREFIX = "The seller's return window closed"
EXCLUDED_CODE = "item_category.excluded"


@dataclass(frozen=True, slots=True)
class Triage:
    next_action: str
    next_due: datetime | None
    priority: str  # P1 (most urgent) .. P4


def triage(
    case: CaseFacts,
    ev: Evaluation,
    now: datetime,
    override: str | None = None,
    asked_at: datetime | None = None,
) -> Triage:
    """Decide next action, its due time and the priority of one evaluated case.

    `asked_at`: when the missing evidence was first asked for (kept by the caller), so the
    ask's due time stays put between syncs; None means it is being asked now.
    """
    action, due = _next_action(case, ev, asked_at or now)
    return Triage(next_action=action, next_due=due, priority=priority(case, ev, override=override))


def _clock_due(ev: Evaluation, name: str) -> datetime | None:
    for clock in ev.sla:
        if clock.name == name and clock.met_at is None:
            return clock.due_at
    return None


def _next_action(
    case: CaseFacts, ev: Evaluation, asked_at: datetime
) -> tuple[str, datetime | None]:
    status = (case.status or "").casefold()
    resolution_due = _clock_due(ev, "resolution")
    if ev.closed:
        if status == "resolved" and not case.outcome:
            return "Record the outcome and close the case", None
        return "No action: case closed", None
    if case.outcome:
        return f"Tell the customer the outcome ({case.outcome}) and close", resolution_due
    excluded = next((f for f in ev.findings if f.code == EXCLUDED_CODE), None)
    if excluded is not None and not case.policy_exception:
        return f"{excluded.headline}: tell the customer it cannot be returned", resolution_due
    first_due = _clock_due(ev, "first_response")
    wanted = ", ".join(EVIDENCE_LABELS.get(k, (k, k))[0] for k in ev.missing_evidence)
    if first_due is not None and case.first_response_at is None:
        # Missing evidence is a to-do, not a Validation warning: it is asked for here.
        ask = f" and ask for: {wanted}" if wanted else ""
        return f"Send the first response to the customer{ask}", first_due
    seller = ev.seller if ev.seller is not None and not ev.seller.started else None
    if ev.missing_evidence:
        # the evidence comes first (the seller will ask for it too), but not after the
        # marketplace's window closes
        open_seller = seller.deadline if seller is not None and not seller.missed else None
        due = _earliest(ev.return_deadline, asked_at + timedelta(days=1), open_seller)
        return f"{ASK_PREFIX}: {wanted}", due
    if seller is not None:
        when = seller.deadline.strftime("%Y-%m-%d %H:%M")
        if seller.missed:
            return f"{SELLER_MISSED_PREFIX} {when}: ask the seller for a return anyway", None
        return f"{SELLER_START_PREFIX} {when}", seller.deadline
    if status == "awaiting customer":
        return "Wait for the customer's reply", resolution_due
    if status == "awaiting seller":
        return "Chase the seller for an answer", _clock_due(ev, "seller_response") or resolution_due
    if status == "awaiting platform":
        return "Chase the platform for a decision", resolution_due
    if status == "return shipped":
        return "Confirm the seller received the return", resolution_due
    if ev.return_deadline is not None and ev.days_left is not None and ev.days_left >= 0:
        return "Send the request to the seller", _earliest(ev.return_deadline, resolution_due)
    return "Send the request to the seller", resolution_due


def _earliest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None
