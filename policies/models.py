"""Pydantic models of a platform policy file, and of a team's override row.

A policy file (`policies/data/<platform>.yaml`) holds one or more YAML documents, each one a
complete `Policy` version. Vocabulary values inside (issue types, item conditions, refund kinds,
evidence kinds) are checked and stored in their canonical spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from policies.errors import from_validation_error
from policies.vocab import (
    EVIDENCE_KINDS,
    ISSUE_TYPES,
    ITEM_CONDITIONS,
    REFUND_KINDS,
    evidence_kind,
    fold,
    refund_kind,
    split_tokens,
)
from sheet_schema.vocabulary import canonical_items

HolidayRule = Literal["calendar_days", "skip_official_holiday_periods"]
HOLIDAY_RULES: tuple[HolidayRule, ...] = ("calendar_days", "skip_official_holiday_periods")
MAX_WINDOW_DAYS = 3650

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


def _refund_kinds(values: Any) -> Any:
    return _kinds(values, refund_kind, "refund kind", REFUND_KINDS)


def _evidence_kinds(values: Any) -> Any:
    return _kinds(values, evidence_kind, "evidence kind", EVIDENCE_KINDS)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Model):
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


class WindowRule(_Model):
    """`days` calendar days for cases matching `when`; `days: null` means no return window."""

    when: Condition = Condition()
    days: int | None = Field(ge=0, le=MAX_WINDOW_DAYS)


class Window(_Model):
    """How the return window is measured. The first matching rule wins, then `default_days`."""

    starts_at: Literal["warehouse_arrival_or_delivery"] = "warehouse_arrival_or_delivery"
    counting: Literal["calendar_days"] = "calendar_days"
    holiday_rule: HolidayRule = "calendar_days"
    rules: tuple[WindowRule, ...] = ()
    default_days: int | None = Field(default=None, ge=0, le=MAX_WINDOW_DAYS)

    def decide(self, issue_type: str | None, item_condition: str | None) -> tuple[bool, int | None]:
        """(decided, days): decided is False when no rule and no default applies."""
        for rule in self.rules:
            if rule.when.matches(issue_type, item_condition):
                return True, rule.days
        if self.default_days is not None:
            return True, self.default_days
        return False, None


class RefundRule(_Model):
    when: Condition
    kinds: tuple[str, ...] = Field(min_length=1)

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        return _refund_kinds(v)


class Refunds(_Model):
    """Refund kinds allowed: the first matching rule's kinds, else `kinds`."""

    kinds: tuple[str, ...] = Field(min_length=1)
    rules: tuple[RefundRule, ...] = ()

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        return _refund_kinds(v)

    def allowed(self, issue_type: str | None, item_condition: str | None) -> tuple[str, ...]:
        for rule in self.rules:
            if rule.when.matches(issue_type, item_condition):
                return rule.kinds
        return self.kinds


class EvidenceRule(_Model):
    """One evidence kind required for cases matching `when`."""

    kind: str
    when: Condition = Condition()

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        if isinstance(v, str):
            return _evidence_kinds([v])[0]
        return v


class Policy(_Model):
    """One version of one platform's after-sales policy."""

    platform: str
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    version: str = Field(min_length=1)
    effective_from: date
    source: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    window: Window
    refunds: Refunds
    evidence: tuple[EvidenceRule, ...] = ()
    excluded_categories: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
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


def _blank_to_none(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


class PolicyOverride(_Model):
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
    refund_kinds: tuple[str, ...] | None = None
    requires: tuple[str, ...] | None = None
    holiday_rule: HolidayRule | None = None
    notes: str | None = None

    @field_validator(
        "seller_fault_days", "buyer_reason_days", "window_days", "notes", mode="before"
    )
    @classmethod
    def _blank(cls, v: Any) -> Any:
        return _blank_to_none(v)

    @field_validator("refund_kinds", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        v = _blank_to_none(v)
        kinds = _refund_kinds(v)
        if isinstance(kinds, list) and not kinds:
            raise ValueError("must name at least one refund kind")
        return kinds

    @field_validator("requires", mode="before")
    @classmethod
    def _requires(cls, v: Any) -> Any:
        return _evidence_kinds(_blank_to_none(v))

    @field_validator("holiday_rule", mode="before")
    @classmethod
    def _holiday_rule(cls, v: Any) -> Any:
        v = _blank_to_none(v)
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


__all__ = [
    "HOLIDAY_RULES",
    "Condition",
    "EvidenceRule",
    "HolidayRule",
    "Policy",
    "PolicyOverride",
    "RefundRule",
    "Refunds",
    "Window",
    "WindowRule",
]
