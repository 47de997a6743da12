"""The notices the case workflow raises, ready for `app.notify.route`. Pure.

Each notice has a stable key derived from the event it announces, so a repeated sync queues
nothing new: escalations by level (`escalation_event_key`), evidence reminders by number
(`reminder_event_key`), customer updates by the Timeline event of the status change.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.automation.escalation import (
    Level,
    escalation_event_key,
    escalation_text,
    level_name,
)
from app.automation.labels import status as status_word
from app.automation.reminders import reminder_event_key
from app.values import Notice, Recipient
from policies.vocab import STATUSES, normalise
from sheet_schema.messages import text

ESCALATION = "escalation"
CUSTOMER_UPDATE = "customer_update"
EVIDENCE_REMINDER = "evidence_reminder"


def escalation_notice(
    case_id: str,
    level: Level,
    *,
    next_action: str | None = None,
    customer: str | None = None,
    language: str = "en",
) -> Notice:
    """'Escalation L2 lead: case AS-... (resolution overdue 2 days)', to the level's people,
    in the team's `language`."""
    lines = [escalation_text(level, language)]
    if customer:
        lines.append(text("notify.customer_line", language, customer=customer))
    if next_action:
        lines.append(text("notify.next_action_line", language, next_action=next_action))
    name = level_name(level.name, language)
    return Notice(
        key=escalation_event_key(case_id, level.key),
        kind=ESCALATION,
        title=text(
            "notify.escalation_title", language, level=level.key, name=name, case_id=case_id
        ),
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
    language: str = "en",
) -> Notice | None:
    """A 'tell the customer' alert when Status changed INTO a customer-visible status.

    `status_event_key` is the key of the Timeline event recording the change (one alert per
    change, however many syncs see it). None when the new status is not customer-visible or
    did not change. The alert is written in the team's `language` (the reply in the customer's).
    """
    new = normalise(STATUSES, new_status)
    old = normalise(STATUSES, old_status)
    if new is None or new == old or new not in set(visible_statuses):
        return None
    shown_old = status_word(old, language) if old else text("notify.status_blank", language)
    shown_new = status_word(new, language)
    body = text("notify.status_change", language, old=shown_old, new=shown_new)
    if reply:
        body += "\n" + text("notify.suggested_reply", language, reply=reply)
    recipients = (Recipient(assignee, assignee_email),) if assignee else ()
    return Notice(
        key=f"{status_event_key}/customer_update",
        kind=CUSTOMER_UPDATE,
        title=text("notify.customer_update_title", language, case_id=case_id, new=shown_new),
        text=body,
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
    language: str = "en",
) -> Notice:
    """Reminder number `sequence` to send the customer (the rendered evidence_reminder)."""
    recipients = (Recipient(assignee, assignee_email),) if assignee else ()
    return Notice(
        key=reminder_event_key(case_id, sequence),
        kind=EVIDENCE_REMINDER,
        title=text("notify.reminder_title", language, sequence=sequence, case_id=case_id),
        text=reply,
        case_id=case_id,
        recipients=recipients,
        fields={"sequence": str(sequence)},
    )
