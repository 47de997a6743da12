"""Pydantic models of a platform policy file, and of a team's override row.

A policy file (`policies/data/<platform>.yaml`) holds one or more YAML documents, each one a
complete `Policy` version. Vocabulary values inside (issue types, item conditions, refund kinds,
evidence kinds) are checked and stored in their canonical spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from policies.policy_fields import Aliases, CategoryKeys, WindowLength, one_length
from policies.vocab import (
    EVIDENCE_KINDS,
    ISSUE_TYPES,
    ITEM_CONDITIONS,
    REFUND_KINDS,
    evidence_kind,
    refund_kind,
    split_tokens,
)
from sheet_schema.vocabulary import canonical_items

HolidayRule = Literal["calendar_days", "skip_official_holiday_periods"]
HOLIDAY_RULES: tuple[HolidayRule, ...] = ("calendar_days", "skip_official_holiday_periods")
MAX_WINDOW_DAYS = 3650
MAX_WINDOW_HOURS = MAX_WINDOW_DAYS * 24
DEFAULT_WINDOW_START = "warehouse_arrival_or_delivery"

_PLATFORM_KEY = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def _as_list(value: Any) -> Any:
    """Accept a single string (possibly comma-separated, as typed in a sheet cell) for a list."""
    if isinstance(value, str):
        return list(split_tokens([value]))
    return value


def _canonical(vocabulary: tuple[str, ...], what: str, values: Any) -> Any:
    values = _as_list(values)
    if values is None or not isinstance(values, list | tuple):
        return values
    texts = [v for v in values if isinstance(v, str)]
    canonical = iter(canonical_items(vocabulary, texts, what))
    return [next(canonical) if isinstance(v, str) else v for v in values]


def _kinds(
    values: Any, lookup: Callable[[str], str | None], what: str, allowed: tuple[str, ...]
) -> Any:
    """Map each text to its canonical kind with `lookup`; an unknown one names the choices."""
    values = _as_list(values)
    if values is None or not isinstance(values, list | tuple):
        return values
    out: list[Any] = []
    for value in values:
        kind = lookup(value) if isinstance(value, str) else None
        if kind is None:
            raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(allowed)}")
        out.append(kind)
    return out


def refund_kinds_of(values: Any) -> Any:
    return _kinds(values, refund_kind, "refund kind", REFUND_KINDS)


def evidence_kinds_of(values: Any) -> Any:
    return _kinds(values, evidence_kind, "evidence kind", EVIDENCE_KINDS)


class Model(BaseModel):
    """The base of every policy data model: frozen, and a field nobody knows is refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(Model):
    """When a rule applies. An absent list matches anything; a present list must contain the
    case's value (so a case with no Issue Type never matches a rule that names issue types)."""

    issue_types: tuple[str, ...] | None = None
    item_conditions: tuple[str, ...] | None = None

    @field_validator("issue_types", mode="before")
    @classmethod
    def _issue_types(cls, v: Any) -> Any:
        return _canonical(ISSUE_TYPES, "issue type", v)

    @field_validator("item_conditions", mode="before")
    @classmethod
    def _conditions(cls, v: Any) -> Any:
        return _canonical(ITEM_CONDITIONS, "item condition", v)

    def matches(self, issue_type: str | None, item_condition: str | None) -> bool:
        if self.issue_types is not None and issue_type not in self.issue_types:
            return False
        return self.item_conditions is None or item_condition in self.item_conditions


class WindowRule(Model):
    """`days` calendar days (or `hours`) for cases matching `when`; `days: null` means no return
    window."""

    when: Condition = Condition()
    days: int | None = Field(default=None, ge=0, le=MAX_WINDOW_DAYS)
    hours: int | None = Field(default=None, ge=0, le=MAX_WINDOW_HOURS)

    @model_validator(mode="after")
    def _days_or_hours(self) -> WindowRule:
        if not {"days", "hours"} & self.model_fields_set:
            raise ValueError("a window rule needs `days` (null: no window) or `hours`")
        one_length(self.days, self.hours, "a window rule")
        return self

    @property
    def length(self) -> WindowLength | None:
        return one_length(self.days, self.hours, "a window rule")


class Window(Model):
    """How the return window is measured. The first matching rule wins, then the default
    (`default_days` or `default_hours`). `starts_at` says what the Window Start column means for
    this platform (e.g. the agent's "Stocked in" status); it is shown, never computed with."""

    starts_at: str = Field(default=DEFAULT_WINDOW_START, min_length=1)
    counting: Literal["calendar_days"] = "calendar_days"
    holiday_rule: HolidayRule = "calendar_days"
    rules: tuple[WindowRule, ...] = ()
    default_days: int | None = Field(default=None, ge=0, le=MAX_WINDOW_DAYS)
    default_hours: int | None = Field(default=None, ge=0, le=MAX_WINDOW_HOURS)

    @model_validator(mode="after")
    def _consistent(self) -> Window:
        one_length(self.default_days, self.default_hours, "the default window")
        hourly = self.default_hours is not None or any(r.hours is not None for r in self.rules)
        if hourly and self.holiday_rule != "calendar_days":
            # holiday periods are whole days; an hour window runs on the clock
            raise ValueError(
                f"an hour window counts every hour; holiday_rule {self.holiday_rule!r} "
                "applies to day windows only (use calendar_days)"
            )
        return self

    def measure(
        self, issue_type: str | None, item_condition: str | None
    ) -> tuple[bool, WindowLength | None]:
        """(decided, length): decided is False when no rule and no default applies; a decided
        None length means the case has no return window (e.g. Lost Parcel)."""
        for rule in self.rules:
            if rule.when.matches(issue_type, item_condition):
                return True, rule.length
        default = one_length(self.default_days, self.default_hours, "the default window")
        if default is not None:
            return True, default
        return False, None

    def decide(self, issue_type: str | None, item_condition: str | None) -> tuple[bool, int | None]:
        """(decided, days) of a day window; an hour window answers (True, None): callers that
        can show hours use `measure`."""
        decided, length = self.measure(issue_type, item_condition)
        if length is None or length.unit != "days":
            return decided, None
        return True, length.amount


class RefundRule(Model):
    when: Condition
    kinds: tuple[str, ...] = Field(min_length=1)

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        return refund_kinds_of(v)


class Refunds(Model):
    """Refund kinds allowed: the first matching rule's kinds, else `kinds`."""

    kinds: tuple[str, ...] = Field(min_length=1)
    rules: tuple[RefundRule, ...] = ()

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        return refund_kinds_of(v)

    def allowed(self, issue_type: str | None, item_condition: str | None) -> tuple[str, ...]:
        for rule in self.rules:
            if rule.when.matches(issue_type, item_condition):
                return rule.kinds
        return self.kinds


class EvidenceRule(Model):
    """One evidence kind required for cases matching `when`."""

    kind: str
    when: Condition = Condition()

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        if isinstance(v, str):
            return evidence_kinds_of([v])[0]
        return v


class Policy(Model):
    """One version of one platform's after-sales policy."""

    platform: str
    name: str = Field(min_length=1)
    aliases: Aliases = ()
    version: str = Field(min_length=1)
    effective_from: date
    source: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    window: Window
    refunds: Refunds
    evidence: tuple[EvidenceRule, ...] = ()
    # Canonical item-category keys (e.g. `food`, `second_hand`) the platform never takes back.
    excluded_categories: CategoryKeys = ()
    notes: tuple[str, ...] = ()
    read_on: date | None = None  # the day `source` was read, for published rules
    overridden_from: str | None = None  # ref of the version a team override was built on

    @field_validator("platform")
    @classmethod
    def _platform(cls, v: str) -> str:
        if not _PLATFORM_KEY.match(v):
            raise ValueError(f"expected a lower-case key like 'yoybuy', got {v!r}")
        return v

    @field_validator("version", "source", "name")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}; expected e.g. 'Asia/Shanghai'") from None
        return v

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @property
    def ref(self) -> str:
        """The Policy Ref written to the sheet, e.g. ``yoybuy@2025.1``."""
        return f"{self.platform}@{self.version}"

    @property
    def title(self) -> str:
        """The version as people name it in messages, e.g. ``Yoybuy 2025.1``."""
        return f"{self.name} {self.version}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def required_evidence(
        self, issue_type: str | None, item_condition: str | None
    ) -> tuple[str, ...]:
        """Canonical evidence kinds required for this case, in EVIDENCE_KINDS order."""
        kinds = {r.kind for r in self.evidence if r.when.matches(issue_type, item_condition)}
        return tuple(k for k in EVIDENCE_KINDS if k in kinds)


__all__ = [
    "HOLIDAY_RULES",
    "Condition",
    "EvidenceRule",
    "HolidayRule",
    "Policy",
    "RefundRule",
    "Refunds",
    "Window",
    "WindowLength",
    "WindowRule",
]
