"""The notices the case workflow raises, ready for `app.notify.route`. Pure.

Each notice has a stable key derived from the event it announces, so a repeated sync queues
nothing new: escalations by level (`escalation_event_key`), evidence reminders by number
(`reminder_event_key`), customer updates by the Timeline event of the status change.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.automation.escalation import Level, escalation_event_key, escalation_text
from app.automation.reminders import reminder_event_key
from app.values import Notice, Recipient
from policies.vocab import STATUSES, normalise

ESCALATION = "escalation"
CUSTOMER_UPDATE = "customer_update"
EVIDENCE_REMINDER = "evidence_reminder"


def escalation_notice(
    case_id: str, level: Level, *, next_action: str | None = None, customer: str | None = None
) -> Notice:
    """'Escalation L2 lead: case AS-... (resolution overdue 2 days)', to the level's people."""
    lines = [escalation_text(level)]
    if customer:
        lines.append(f"Customer: {customer}")
    if next_action:
        lines.append(f"Next action: {next_action}")
    return Notice(
        key=escalation_event_key(case_id, level.key),
        kind=ESCALATION,
        title=f"Escalation {level.key} ({level.name}): case {case_id}",
        text="\n".join(lines),
        case_id=case_id,
        recipients=tuple(Recipient(p.name, p.email) for p in level.who),
        fields={"level": level.key, "reason": level.reason},
    )


def customer_update_notice(
    case_id: str,
    status_event_key: str,
    old_status: str | None,
    new_status: str | None,
    visible_statuses: Iterable[str],
    reply: str | None,
    *,
    assignee: str | None = None,
    assignee_email: str | None = None,
) -> Notice | None:
    """A 'tell the customer' alert when Status changed INTO a customer-visible status.

    `status_event_key` is the key of the Timeline event recording the change (one alert per
    change, however many syncs see it). None when the new status is not customer-visible or
    did not change.
    """
    new = normalise(STATUSES, new_status)
    old = normalise(STATUSES, old_status)
    if new is None or new == old or new not in set(visible_statuses):
        return None
    text = f"Status {old or '(blank)'} → {new}."
    if reply:
        text += f"\nSuggested reply:\n{reply}"
    recipients = (Recipient(assignee, assignee_email),) if assignee else ()
    return Notice(
        key=f"{status_event_key}/customer_update",
        kind=CUSTOMER_UPDATE,
        title=f"Tell the customer: case {case_id} is now {new}",
        text=text,
        case_id=case_id,
        recipients=recipients,
        fields={"status": new},
    )


def evidence_reminder_notice(
    case_id: str,
    sequence: int,
    reply: str,
    *,
    assignee: str | None = None,
    assignee_email: str | None = None,
) -> Notice:
    """Reminder number `sequence` to send the customer (the rendered evidence_reminder)."""
    recipients = (Recipient(assignee, assignee_email),) if assignee else ()
    return Notice(
        key=reminder_event_key(case_id, sequence),
        kind=EVIDENCE_REMINDER,
        title=f"Evidence reminder {sequence} for case {case_id}",
        text=reply,
        case_id=case_id,
        recipients=recipients,
        fields={"sequence": str(sequence)},
    )
