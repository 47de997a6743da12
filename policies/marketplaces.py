"""Marketplace return rules (`policies/data/marketplaces/<key>.yaml`) and the Seller Deadline.

The customer's return window is the agent's promise; the agent must itself return the item to
the marketplace seller before the marketplace's own window closes. Chinese consumer marketplaces
(Taobao, Tmall, JD, Pinduoduo) give 7 days without a reason, counted as 168 hours from signing
(for the agent: the item's arrival at its warehouse, the Window Start); when only the date of
signing is known, the 168 hours start at 00:00 of the next day. The hours are calendar hours:
the law does not pause for public holidays. B2B marketplaces (1688) have no such rule.

Pure: files are read only by `load_marketplaces`; nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from policies.errors import PolicyError, display_path, from_validation_error
from sheet_schema.vocabulary import canonical_items, shipped_vocabulary

MARKETPLACE_DIR = Path(__file__).resolve().parent / "data" / "marketplaces"
DEFAULT_MARKETPLACE = "Taobao"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NoReasonReturn(_Model):
    """A no-reason return window: `hours` calendar hours from the buyer's signing."""

    hours: int = Field(gt=0, le=24 * 366)
    counts_from: Literal["signing"] = "signing"


class MarketplaceRule(_Model):
    """One marketplace's return rule for the agent as a buyer; `no_reason_return: null` = none."""

    marketplace: str
    source: str = Field(min_length=1)
    read_on: date
    timezone: str = "Asia/Shanghai"
    no_reason_return: NoReasonReturn | None = None

    @field_validator("marketplace", mode="before")
    @classmethod
    def _canonical(cls, value: Any) -> Any:
        if isinstance(value, int):
            value = str(value)  # `1688` unquoted in YAML
        if not isinstance(value, str):
            return value
        return canonical_items(shipped_vocabulary()["marketplace"], [value], "marketplace")[0]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class MarketplaceSet:
    """Every marketplace's rule by canonical name (the `marketplace` vocabulary's words)."""

    def __init__(self, rules: Iterable[MarketplaceRule]) -> None:
        self._rules = {rule.marketplace: rule for rule in rules}

    def rule(self, marketplace: str | None) -> MarketplaceRule | None:
        return self._rules.get(marketplace) if marketplace else None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._rules))


def load_marketplaces(directory: Path | None = None) -> MarketplaceSet:
    """Every `*.yaml` of a directory (default: the shipped one), validated; errors name the file."""
    folder = directory if directory is not None else MARKETPLACE_DIR
    rules: list[MarketplaceRule] = []
    for path in sorted(folder.glob("*.yaml")):
        name = display_path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise PolicyError(name, "(file)", f"cannot be read: {exc}") from None
        try:
            rules.append(MarketplaceRule.model_validate(data))
        except ValidationError as exc:
            raise from_validation_error(name, exc) from None
    return MarketplaceSet(rules)


@cache
def shipped_marketplaces() -> MarketplaceSet:
    return load_marketplaces()


@dataclass(frozen=True, slots=True)
class SellerStart:
    """When the marketplace's window starts: `at` the signing instant, or (date only) 00:00 of
    the day after `on`."""

    on: date
    at: datetime | None = None  # aware; None when only the date is known


def seller_deadline(start: SellerStart, rule: MarketplaceRule) -> datetime | None:
    """The instant the agent's return to the seller must be started by, or None (no rule).

    A timed signing counts `hours` from that instant; a date alone from 00:00 of the next day
    in the marketplace's time zone. Calendar hours, computed on absolute time, so a clock change
    in the zone neither adds nor removes an hour.
    """
    window = rule.no_reason_return
    if window is None:
        return None
    tz = rule.tz
    if start.at is not None:
        begin = start.at.astimezone(tz)
    else:
        begin = datetime.combine(start.on + timedelta(days=1), time(), tzinfo=tz)
    ends = begin.astimezone(ZoneInfo("UTC")) + timedelta(hours=window.hours)
    return ends.astimezone(tz)


__all__ = [
    "DEFAULT_MARKETPLACE",
    "MarketplaceRule",
    "MarketplaceSet",
    "NoReasonReturn",
    "SellerStart",
    "load_marketplaces",
    "seller_deadline",
    "shipped_marketplaces",
]
