"""A platform the service does not ship, declared by a team's Policies-tab row.

The row is the platform's first version: its name is the Platform cell as typed, its key a
lower-case spelling of that name, and everything the row leaves out takes the plainest reading
(calendar days, every refund kind allowed, no evidence required, no category excluded). A later
row for the same platform is an override of it, exactly as for a shipped platform.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import ValidationError

from policies.errors import PolicyError, from_validation_error
from policies.loader import PolicySet
from policies.models import DEFAULT_WINDOW_START, Policy
from policies.overrides import PolicyOverride
from policies.vocab import BUYER_REASON_ISSUES, LOST_PARCEL, REFUND_KINDS, SELLER_FAULT_ISSUES

NEEDS_A_WINDOW = (
    "{name!r} is not a platform the service ships; to declare it, give its window: Window Days, "
    "or Seller-fault Days and Buyer-reason Days, or Window Hours"
)


def platform_key(name: str) -> str:
    """The key of a declared platform: `CNFans` -> `cnfans`, `Joy Buy` -> `joy_buy`; a name with
    no Latin letters or digits (`淘宝代购`) gets a stable key from its text."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().casefold()).strip("_")
    if slug and slug[0].isalnum():
        return slug
    digest = hashlib.sha1(name.strip().encode("utf-8")).hexdigest()[:8]
    return f"team_{digest}"


def _window(override: PolicyOverride) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [{"when": {"issue_types": [LOST_PARCEL]}, "days": None}]
    if override.seller_fault_days is not None:
        rules.append(
            {"when": {"issue_types": SELLER_FAULT_ISSUES}, "days": override.seller_fault_days}
        )
    if override.buyer_reason_days is not None:
        rules.append(
            {"when": {"issue_types": BUYER_REASON_ISSUES}, "days": override.buyer_reason_days}
        )
    return {
        "starts_at": override.window_starts or DEFAULT_WINDOW_START,
        "holiday_rule": override.holiday_rule or "calendar_days",
        "rules": rules,
        "default_days": override.window_days,
        "default_hours": override.window_hours,
    }


def declare_platform(policies: PolicySet, override: PolicyOverride) -> PolicySet:
    """A new PolicySet with the platform `override.platform` (its name as typed) declared.

    Raises PolicyError naming the field when the row cannot make a usable policy (no window, a
    key or an alias another platform already has, an hour window with a holiday rule).
    """
    name = override.platform.strip()
    where = f"Policies tab ({name} {override.version})"
    if not override.has_window:
        raise PolicyError(where, "window_days", NEEDS_A_WINDOW.format(name=name))
    key = platform_key(name)
    taken = policies.resolve(name) or policies.resolve(key)
    if taken is not None:
        raise PolicyError(
            where,
            "platform",
            f"{name!r} is too close to {policies.display_name(taken)!r}, which is already a "
            "platform; write that platform's name to change it, or choose another name",
        )
    data: dict[str, Any] = {
        "platform": key,
        "name": name,
        "aliases": list(override.aliases or ()),
        "version": override.version,
        "effective_from": override.effective_from,
        "source": override.source,
        "window": _window(override),
        "refunds": {"kinds": list(override.refund_kinds or REFUND_KINDS)},
        "evidence": [{"kind": kind} for kind in override.requires or ()],
        "excluded_categories": list(override.excluded_categories or ()),
        "notes": [override.notes] if override.notes else [],
    }
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(where, exc) from None
    return PolicySet((*policies.all_versions(), policy), where=where)
