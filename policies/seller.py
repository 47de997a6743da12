"""Two checks that go beyond the customer's return window. Pure (time is passed in).

- Item exclusions: a policy version may exclude item categories from returns
  (`Policy.excluded_categories`, canonical keys of the `item_category` vocabulary); a case whose
  Item Category is one of them is not returnable under that version.
- The Seller Deadline: for a buyer-reason case (Wrong Size, Changed Mind, and any team word
  mapped to them) on a marketplace with a no-reason rule, the instant the agent must start its
  own return to the seller by (`policies.marketplaces.seller_deadline`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from policies import findings as F
from policies.calendars import Calendars
from policies.facts import CaseFacts, Finding, SellerWindow, Severity
from policies.marketplaces import MarketplaceSet, SellerStart, seller_deadline
from policies.models import Policy
from policies.team import TeamSettings
from policies.vocab import BUYER_REASON_ISSUES, is_blank
from sheet_schema.vocabulary import shipped_vocabulary

RETURN_SHIPPED: Final = "Return Shipped"

# What each item category is called in a sentence (English, Chinese).
CATEGORY_LABELS: Final[dict[str, tuple[str, str]]] = {
    "custom_made": ("custom-made item", "定制商品"),
    "tags_removed": ("item with tags removed", "吊牌已剪的商品"),
    "second_hand": ("second-hand goods", "二手商品"),
    "overseas_purchase": ("goods bought in Hong Kong, Macau or overseas", "港澳及海外购商品"),
    "underwear": ("underwear", "内衣"),
    "adult": ("adult products", "成人用品"),
    "food": ("food", "食品"),
    "books_15_plus": ("15 or more books", "15本及以上图书"),
    "opened_sealed": ("opened sealed goods", "已拆封的密封商品"),
    "clothing": ("clothing", "服装"),
    "shoes": ("shoes", "鞋"),
    "electronics": ("electronics", "电子产品"),
    "bags": ("bags", "箱包"),
    "accessories": ("accessories", "配饰"),
    "books": ("books", "图书"),
    "other": ("other", "其他"),
}


def category_label(key: str) -> tuple[str, str]:
    return CATEGORY_LABELS.get(key, (key.replace("_", " "), key))


def excluded_category(case: CaseFacts, policy: Policy, out: list[Finding]) -> str | None:
    """The case's Item Category key when `policy` excludes it (and a finding saying so).

    With Policy Exception = Yes the agent has decided to accept the return anyway: the finding
    is kept as information (the caller then treats the case as returnable).

    The category arrives canonical from the sheet (team words already mapped); any other text
    is read through the shipped vocabulary, and an unknown word is named, not guessed.
    """
    if is_blank(case.item_category):
        return None
    words = shipped_vocabulary()["item_category"]
    key = words.match(case.item_category)
    if key is None:
        value = (case.item_category or "").strip()
        out.append(F.CATEGORY_UNKNOWN.make(value=value, expected=", ".join(words.canonical)))
        return None
    if key not in policy.excluded_categories:
        return None
    en, zh = category_label(key)
    # a recorded Policy Exception is the decision the finding asks for: said, not acted on
    severity = Severity.INFO if case.policy_exception else None
    out.append(F.CATEGORY_EXCLUDED.make(severity, ref=policy.title, category_en=en, category_zh=zh))
    return key


def _marketplace(case: CaseFacts, team: TeamSettings, out: list[Finding]) -> str | None:
    words = shipped_vocabulary()["marketplace"]
    text = case.marketplace if not is_blank(case.marketplace) else team.default_marketplace
    name = words.match(text)
    if name is None:
        value = (text or "").strip()
        out.append(F.MARKETPLACE_UNKNOWN.make(value=value, expected=", ".join(words.canonical)))
    return name


def seller_window(
    case: CaseFacts,
    issue_type: str | None,
    status: str | None,
    marketplaces: MarketplaceSet,
    team: TeamSettings,
    calendars: Calendars,
    now: datetime,
    out: list[Finding],
) -> SellerWindow | None:
    """The agent's window to start the return with the seller, or None when no rule applies
    (not a buyer-reason issue, no Window Start, or a marketplace without a no-reason rule).

    Signing is the Window Start: its instant when the cell holds a time (naive times are the
    team's wall clock), else its date. `issue_type` and `status` are canonical words.
    """
    name = _marketplace(case, team, out)
    if issue_type not in BUYER_REASON_ISSUES or case.window_start is None or name is None:
        return None
    rule = marketplaces.rule(name)
    if rule is None:
        return None
    at = case.window_start_at
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(team.timezone))
    deadline = seller_deadline(SellerStart(on=case.window_start, at=at), rule)
    if deadline is None:
        return None
    requested = case.seller_requested_at
    if requested is not None and requested.tzinfo is None:
        requested = requested.replace(tzinfo=ZoneInfo(team.timezone))
    shipped_or_closed = status == RETURN_SHIPPED or status in team.closed_statuses
    started = shipped_or_closed or requested is not None
    missed = (requested is not None and requested > deadline) or (not started and now > deadline)
    left = calendars.team.business_time_between(now, deadline) if now < deadline else timedelta(0)
    return SellerWindow(
        marketplace=name,
        deadline=deadline.astimezone(ZoneInfo(team.timezone)),  # shown as the sheet's times are
        date_only=at is None,
        working_left=left,
        started=started,
        missed=missed,
    )
