"""Triage: what the assignee must do next, by when, and how urgent the case is.

Pure: an evaluated case and the time go in, a `Triage` comes out. The next action follows the
team's operating procedure (intake -> evidence -> seller -> platform -> outcome -> close); the
priority comes from the rules kept as data (`app.automation.priority`), the only priority engine,
so a team that edits the rules sees them everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.automation import labels
from app.automation.priority import priority
from policies import CaseFacts, Evaluation
from sheet_schema.messages import text

EXCLUDED_CODE = "item_category.excluded"


@dataclass(frozen=True, slots=True)
class Triage:
    next_action: str  # in the team's language
    next_due: datetime | None
    priority: str  # P1 (most urgent) .. P4
    asks_evidence: bool = False  # the action asks the customer for the missing evidence


def triage(
    case: CaseFacts,
    ev: Evaluation,
    now: datetime,
    override: str | None = None,
    asked_at: datetime | None = None,
    language: str = "en",
) -> Triage:
    """Decide next action, its due time and the priority of one evaluated case.

    `asked_at`: when the missing evidence was first asked for (kept by the caller), so the
    ask's due time stays put between syncs; None means it is being asked now. The next action
    is written in the team's `language`.
    """
    key, params, due = _next_action(case, ev, asked_at or now, language)
    return Triage(
        next_action=text(key, language, **params),
        next_due=due,
        priority=priority(case, ev, override=override),
        asks_evidence=key == "case.next_ask_evidence",
    )


def _clock_due(ev: Evaluation, name: str) -> datetime | None:
    for clock in ev.sla:
        if clock.name == name and clock.met_at is None:
            return clock.due_at
    return None


def _next_action(
    case: CaseFacts, ev: Evaluation, asked_at: datetime, language: str
) -> tuple[str, dict[str, object], datetime | None]:
    """The catalogue key of the next action, what it fills in, and its due time."""
    status = (case.status or "").casefold()
    resolution_due = _clock_due(ev, "resolution")
    if ev.closed:
        if status == "resolved" and not case.outcome:
            return "case.next_record_outcome", {}, None
        return "case.next_none_closed", {}, None
    if case.outcome:
        return (
            "case.next_tell_outcome",
            {"outcome": labels.outcome(case.outcome, language)},
            resolution_due,
        )
    excluded = next((f for f in ev.findings if f.code == EXCLUDED_CODE), None)
    if excluded is not None and not case.policy_exception:
        reason = excluded.headline_zh if language == "zh" else excluded.headline
        return "case.next_excluded", {"reason": reason}, resolution_due
    first_due = _clock_due(ev, "first_response")
    wanted = labels.join_list(labels.evidence_names(ev.missing_evidence, language), language)
    if first_due is not None and case.first_response_at is None:
        # Missing evidence is a to-do, not a Validation warning: it is asked for here.
        if wanted:
            return "case.next_first_response_ask", {"wanted": wanted}, first_due
        return "case.next_first_response", {}, first_due
    seller = ev.seller if ev.seller is not None and not ev.seller.started else None
    if ev.missing_evidence:
        # the evidence comes first (the seller will ask for it too), but not after the
        # marketplace's window closes
        open_seller = seller.deadline if seller is not None and not seller.missed else None
        due = _earliest(ev.return_deadline, asked_at + timedelta(days=1), open_seller)
        return "case.next_ask_evidence", {"wanted": wanted}, due
    if seller is not None:
        when = seller.deadline.strftime("%Y-%m-%d %H:%M")
        if seller.missed:
            return "case.next_seller_missed", {"when": when}, None
        return "case.next_seller_start", {"when": when}, seller.deadline
    if status == "awaiting customer":
        return "case.next_wait_customer", {}, resolution_due
    if status == "awaiting seller":
        due = _clock_due(ev, "seller_response") or resolution_due
        return "case.next_chase_seller", {}, due
    if status == "awaiting platform":
        return "case.next_chase_platform", {}, resolution_due
    if status == "return shipped":
        return "case.next_confirm_received", {}, resolution_due
    if ev.return_deadline is not None and ev.days_left is not None and ev.days_left >= 0:
        return "case.next_send_to_seller", {}, _earliest(ev.return_deadline, resolution_due)
    return "case.next_send_to_seller", {}, resolution_due


def _earliest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None
