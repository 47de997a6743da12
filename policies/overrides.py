"""A team's row in the Policies tab, validated: a new version of a platform's policy (or, for a
platform the service does not ship, its declaration: policies/declared.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from policies.errors import from_validation_error
from policies.models import (
    HOLIDAY_RULES,
    MAX_WINDOW_DAYS,
    MAX_WINDOW_HOURS,
    HolidayRule,
    Model,
    evidence_kinds_of,
    refund_kinds_of,
)
from policies.policy_fields import RowAliases, RowCategoryKeys, blank_to_none
from policies.vocab import fold

__all__ = ["PolicyOverride"]


class PolicyOverride(Model):
    """A team's row in the Policies tab: a new version of a platform's policy.

    Unset fields are taken from the version in force on `effective_from`. `window_days` sets the
    window for every issue type that has one; `seller_fault_days` / `buyer_reason_days` then set it
    for those groups. `refund_kinds` and `requires` replace the whole list (requirements become
    unconditional). List fields accept a comma-separated string.
    """

    platform: str = Field(min_length=1)
    version: str = Field(min_length=1)
    effective_from: date
    source: str = Field(min_length=1)
    seller_fault_days: int | None = Field(default=None, ge=0, le=MAX_WINDOW_DAYS)
    buyer_reason_days: int | None = Field(default=None, ge=0, le=MAX_WINDOW_DAYS)
    window_days: int | None = Field(default=None, ge=0, le=MAX_WINDOW_DAYS)
    window_hours: int | None = Field(default=None, ge=0, le=MAX_WINDOW_HOURS)
    window_starts: str | None = None
    refund_kinds: tuple[str, ...] | None = None
    requires: tuple[str, ...] | None = None
    holiday_rule: HolidayRule | None = None
    excluded_categories: RowCategoryKeys = None
    aliases: RowAliases = None
    notes: str | None = None

    @field_validator(
        "seller_fault_days",
        "buyer_reason_days",
        "window_days",
        "window_hours",
        "window_starts",
        "notes",
        mode="before",
    )
    @classmethod
    def _blank(cls, v: Any) -> Any:
        return blank_to_none(v)

    @model_validator(mode="after")
    def _one_window_unit(self) -> PolicyOverride:
        days = (self.window_days, self.seller_fault_days, self.buyer_reason_days)
        if self.window_hours is not None and any(d is not None for d in days):
            raise ValueError(
                "give the window in days (Window Days, Seller-fault Days, Buyer-reason Days) "
                "or in hours (Window Hours), not both"
            )
        return self

    @property
    def has_window(self) -> bool:
        """Whether the row gives any window length (a declared platform needs one)."""
        lengths = (
            self.window_days,
            self.seller_fault_days,
            self.buyer_reason_days,
            self.window_hours,
        )
        return any(n is not None for n in lengths)

    @field_validator("refund_kinds", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        v = blank_to_none(v)
        kinds = refund_kinds_of(v)
        if isinstance(kinds, list) and not kinds:
            raise ValueError("must name at least one refund kind")
        return kinds

    @field_validator("requires", mode="before")
    @classmethod
    def _requires(cls, v: Any) -> Any:
        return evidence_kinds_of(blank_to_none(v))

    @field_validator("holiday_rule", mode="before")
    @classmethod
    def _holiday_rule(cls, v: Any) -> Any:
        v = blank_to_none(v)
        if isinstance(v, str):
            for rule in HOLIDAY_RULES:
                if fold(rule) == fold(v):
                    return rule
            raise ValueError(f"expected one of {', '.join(HOLIDAY_RULES)}, got {v!r}")
        return v

    @classmethod
    def from_row(cls, data: Mapping[str, Any], where: str = "Policies tab") -> PolicyOverride:
        """Validate a parsed Policies-tab row; a bad row raises PolicyError naming `where`."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise from_validation_error(where, exc) from None
