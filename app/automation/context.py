"""The values of every template placeholder for one case, in the reader's language. Pure.

The context depends only on the case (its facts, its evaluation and its row), never on the
clock, so a reply rendered twice for the same case is the same text (except `days_left`,
which is documented as changing daily).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation

from app.automation import labels
from app.automation.render import PLACEHOLDERS
from policies import CaseFacts, Evaluation

PlaceholderValue = str | int | tuple[str, ...]


def build_context(
    facts: CaseFacts,
    ev: Evaluation,
    language: str,
    row_values: Mapping[str, object],
    *,
    reminder_number: int | None = None,
    platform_name: str | None = None,
) -> dict[str, PlaceholderValue]:
    """Placeholder name -> value for `facts` / `ev` / the row, for a reader of `language`.

    `row_values` are the case row's typed values by column key (customer, order_no, channel,
    assignee, refund_amount, currency, platform_response, ...). `platform_name` is the display
    name (e.g. `PolicySet.display_name(ev.platform)`); without it the canonical key is
    capitalised. Every placeholder of `render.PLACEHOLDERS` is present.
    """
    missing = labels.evidence_names(ev.missing_evidence, language)
    kinds = labels.refund_kind_names(ev.refund_kinds, language)
    opened = facts.opened.date() if facts.opened is not None else None
    context: dict[str, PlaceholderValue] = {
        "case_id": facts.case_id,
        "customer": _text(row_values.get("customer")),
        "order_no": _text(row_values.get("order_no")),
        "platform": platform_name or _platform(facts, ev),
        "channel": _text(row_values.get("channel")),
        "language": language,
        "issue_type": labels.issue_type(facts.issue_type, language),
        "item_condition": labels.item_condition(facts.item_condition, language),
        "status": labels.status(facts.status, language),
        "assignee": _text(row_values.get("assignee")),
        "opened": labels.format_date(opened, language),
        # an item the policy excludes has no return window to remind anyone of
        "deadline": ""
        if ev.excluded_category
        else labels.format_date(ev.return_deadline_date, language),
        "days_left": ev.days_left if ev.days_left is not None else "",
        "missing_evidence": missing,
        "missing_evidence_text": labels.join_list(missing, language),
        "refund_kinds": kinds,
        "refund_kinds_text": labels.join_list(kinds, language),
        "outcome": labels.outcome(facts.outcome, language),
        "refund_amount": _amount(row_values.get("refund_amount")),
        "currency": _text(row_values.get("currency")),
        "policy_ref": ev.policy_ref or "",
        "policy_reason": labels.policy_reason(
            ev.exception_reasons,
            ev.missing_evidence,
            ev.return_deadline_date,
            ev.policy_ref,
            language,
        ),
        "platform_response": _text(row_values.get("platform_response")),
        "reminder_number": reminder_number if reminder_number is not None else "",
        "seller_deadline": _moment(ev.seller_deadline, language),
        "marketplace": labels.marketplace(ev.seller.marketplace, language) if ev.seller else "",
    }
    assert context.keys() == PLACEHOLDERS.keys(), "context and PLACEHOLDERS must agree"
    return context


def _platform(facts: CaseFacts, ev: Evaluation) -> str:
    if ev.platform:
        return ev.platform[:1].upper() + ev.platform[1:]
    return (facts.platform or "").strip()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an order number typed as a number
    return str(value).strip()


def _amount(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float | Decimal):
        return f"{value:.2f}"
    text = str(value).strip()
    try:
        return f"{Decimal(text.replace(',', '')):.2f}" if text else ""
    except InvalidOperation:
        return text


def _moment(value: datetime | None, language: str) -> str:
    """'2026-02-17 14:00' / '2026年2月17日 14:00', in the instant's own zone; '' for None."""
    if value is None:
        return ""
    return f"{labels.format_date(value.date(), language)} {value:%H:%M}"
