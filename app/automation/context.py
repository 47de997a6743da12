"""The values of every template placeholder for one case, in the reader's language. Pure.

The context depends only on the case (its facts, its evaluation and its row), never on the
clock, so a reply rendered twice for the same case is the same text (except `days_left`,
which is documented as changing daily).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final

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
    only: frozenset[str] | None = None,
) -> dict[str, PlaceholderValue]:
    """Placeholder name -> value for `facts` / `ev` / the row, for a reader of `language`.

    `row_values` are the case row's typed values by column key (customer, order_no, channel,
    assignee, refund_amount, currency, platform_response, ...). `platform_name` is the display
    name (e.g. `PolicySet.display_name(ev.platform)`); without it the canonical key is
    capitalised. Every placeholder of `render.PLACEHOLDERS` is present, or with `only` those of
    its names (what a template uses, `render.used_placeholders`: the others are not worked
    out).
    """
    case = _Case(facts, ev, language, row_values, reminder_number, platform_name)
    if only is None:
        context = {name: value(case) for name, value in _VALUES.items()}
        assert context.keys() == PLACEHOLDERS.keys(), "context and PLACEHOLDERS must agree"
        return context
    return {name: value(case) for name, value in _chosen(only)}


@lru_cache(maxsize=1024)
def _chosen(only: frozenset[str]) -> tuple[tuple[str, Callable[[_Case], PlaceholderValue]], ...]:
    """The placeholders of `only`, in the order of `_VALUES`."""
    return tuple((name, value) for name, value in _VALUES.items() if name in only)


@dataclass(frozen=True, slots=True)
class _Case:
    facts: CaseFacts
    ev: Evaluation
    language: str
    row: Mapping[str, object]
    reminder_number: int | None
    platform_name: str | None


def _missing(c: _Case) -> tuple[str, ...]:
    return labels.evidence_names(c.ev.missing_evidence, c.language)


def _kinds(c: _Case) -> tuple[str, ...]:
    return labels.refund_kind_names(c.ev.refund_kinds, c.language)


def _opened(c: _Case) -> str:
    opened = c.facts.opened.date() if c.facts.opened is not None else None
    return labels.format_date(opened, c.language)


def _policy_reason(c: _Case) -> str:
    ev = c.ev
    return labels.policy_reason(
        ev.exception_reasons,
        ev.missing_evidence,
        ev.return_deadline_date,
        ev.policy_ref,
        c.language,
    )


_VALUES: Final[dict[str, Callable[[_Case], PlaceholderValue]]] = {
    "case_id": lambda c: c.facts.case_id,
    "customer": lambda c: _text(c.row.get("customer")),
    "order_no": lambda c: _text(c.row.get("order_no")),
    "platform": lambda c: c.platform_name or _platform(c.facts, c.ev),
    "channel": lambda c: _text(c.row.get("channel")),
    "language": lambda c: c.language,
    "issue_type": lambda c: labels.issue_type(c.facts.issue_type, c.language),
    "item_condition": lambda c: labels.item_condition(c.facts.item_condition, c.language),
    "status": lambda c: labels.status(c.facts.status, c.language),
    "assignee": lambda c: _text(c.row.get("assignee")),
    "opened": _opened,
    # an item the policy excludes has no return window to remind anyone of
    "deadline": lambda c: (
        "" if c.ev.excluded_category else labels.format_date(c.ev.return_deadline_date, c.language)
    ),
    "days_left": lambda c: c.ev.days_left if c.ev.days_left is not None else "",
    "missing_evidence": _missing,
    "missing_evidence_text": lambda c: labels.join_list(_missing(c), c.language),
    "refund_kinds": _kinds,
    "refund_kinds_text": lambda c: labels.join_list(_kinds(c), c.language),
    "outcome": lambda c: labels.outcome(c.facts.outcome, c.language),
    "refund_amount": lambda c: _amount(c.row.get("refund_amount")),
    "currency": lambda c: _text(c.row.get("currency")),
    "policy_ref": lambda c: c.ev.policy_ref or "",
    "policy_reason": _policy_reason,
    "platform_response": lambda c: _text(c.row.get("platform_response")),
    "reminder_number": lambda c: c.reminder_number if c.reminder_number is not None else "",
    "seller_deadline": lambda c: _moment(c.ev.seller_deadline, c.language),
    "marketplace": lambda c: (
        labels.marketplace(c.ev.seller.marketplace, c.language) if c.ev.seller else ""
    ),
}


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
