"""Priority (P1 most urgent .. P4) from rules kept as data (`data/triage.yaml`). Pure.

The first rule whose conditions all hold decides; a high order value then moves the case up
(configurable); a valid Priority Override typed by a person wins over everything and is never
written by the service. `explain` says which rule decided, for the Case details sidebar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.automation.config import DATA_DIR, load_yaml_model
from policies import CaseFacts, Evaluation, SlaState
from policies.vocab import ISSUE_TYPES, STATUSES, fold, normalise
from sheet_schema.vocabulary import canonical_items

PRIORITY_FILE = DATA_DIR / "triage.yaml"
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
Priority = Literal["P1", "P2", "P3", "P4"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _canonical_list(vocabulary: tuple[str, ...], what: str, value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return value
    return canonical_items(vocabulary, value, what)


_SLA_STATES = tuple(s.value for s in SlaState)


class PriorityWhen(_Model):
    """Conditions of one rule; every condition given must hold (an empty `when` always holds)."""

    closed: bool | None = None
    sla_state: tuple[SlaState, ...] | None = None
    days_left_at_most: int | None = None
    days_left_at_least: int | None = None
    return_shipped: bool | None = None
    issue_types: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    missing_evidence: bool | None = None
    order_value_at_least: float | None = None
    # The return to the seller is not started and its Seller Deadline is within N working hours
    # of the team calendar (or has passed).
    seller_deadline_within_working_hours: float | None = Field(default=None, gt=0)

    @field_validator("sla_state", mode="before")
    @classmethod
    def _sla(cls, value: Any) -> Any:
        return _canonical_list(_SLA_STATES, "SLA state", value)

    @field_validator("issue_types", mode="before")
    @classmethod
    def _issues(cls, value: Any) -> Any:
        return _canonical_list(ISSUE_TYPES, "issue type", value)

    @field_validator("statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        return _canonical_list(STATUSES, "status", value)


class PriorityRule(_Model):
    name: str = Field(min_length=1)
    priority: Priority
    when: PriorityWhen = PriorityWhen()
    bump: bool = True  # may a high order value move this rule's result up?

    @field_validator("priority", mode="before")
    @classmethod
    def _priority(cls, value: Any) -> Any:
        parsed = parse_override(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError(f"expected one of {', '.join(PRIORITIES)}, got {value!r}")
        return parsed


class HighValue(_Model):
    min_order_value: float = Field(gt=0)
    levels: int = Field(default=1, ge=1, le=3)


class PriorityRules(_Model):
    """The whole `triage.yaml`."""

    version: Literal[1] = 1
    high_value: HighValue | None = None
    rules: tuple[PriorityRule, ...] = Field(min_length=1)
    default: Priority = "P3"


@dataclass(frozen=True, slots=True)
class PriorityDecision:
    """The priority and why: `rule` is the matching rule's name ("default" / "override")."""

    priority: str
    rule: str
    base: str  # before the high-value bump
    bumped: bool = False
    overridden: bool = False


def load_priority_rules(path: Path | None = None) -> PriorityRules:
    """Read and validate a priority rules file (default: the shipped `data/triage.yaml`).

    Raises `AutomationConfigError` naming the file and the field.
    """
    return load_yaml_model(path if path is not None else PRIORITY_FILE, PriorityRules)


@cache
def default_priority_rules() -> PriorityRules:
    """The shipped rules, loaded once."""
    return load_priority_rules()


def parse_override(text: object) -> str | None:
    """'p1', ' P1 ' -> 'P1'; anything that is not P1..P4 -> None (the override is ignored)."""
    if not isinstance(text, str):
        return None
    folded = fold(text).upper()
    return folded if folded in PRIORITIES else None


def priority(
    facts: CaseFacts,
    ev: Evaluation,
    order_value: float | None = None,
    override: str | None = None,
    rules: PriorityRules | None = None,
) -> str:
    """The case's priority, P1..P4 (see `explain` for the reason)."""
    return explain(facts, ev, order_value, override, rules).priority


def explain(
    facts: CaseFacts,
    ev: Evaluation,
    order_value: float | None = None,
    override: str | None = None,
    rules: PriorityRules | None = None,
) -> PriorityDecision:
    """The priority, the rule that decided it, and whether a bump or an override applied."""
    forced = parse_override(override)
    if forced is not None:
        return PriorityDecision(forced, "override", forced, overridden=True)
    config = rules if rules is not None else default_priority_rules()
    for rule in config.rules:
        if _holds(rule.when, facts, ev, order_value):
            return _bump(config, rule.priority, rule.name, rule.bump, order_value)
    return _bump(config, config.default, "default", True, order_value)


def _bump(
    config: PriorityRules, base: str, name: str, allowed: bool, order_value: float | None
) -> PriorityDecision:
    high = config.high_value
    if (
        not allowed
        or high is None
        or order_value is None
        or order_value < high.min_order_value
        or base == PRIORITIES[0]
    ):
        return PriorityDecision(base, name, base)
    rank = max(PRIORITIES.index(base) - high.levels, 0)
    return PriorityDecision(PRIORITIES[rank], name, base, bumped=True)


def _holds(when: PriorityWhen, facts: CaseFacts, ev: Evaluation, order_value: float | None) -> bool:
    status = normalise(STATUSES, facts.status)
    checks: list[bool] = []
    if when.closed is not None:
        checks.append(ev.closed is when.closed)
    if when.sla_state is not None:
        checks.append(ev.sla_state in when.sla_state)
    if when.days_left_at_most is not None:
        checks.append(ev.days_left is not None and ev.days_left <= when.days_left_at_most)
    if when.days_left_at_least is not None:
        checks.append(ev.days_left is not None and ev.days_left >= when.days_left_at_least)
    if when.return_shipped is not None:
        checks.append((status == "Return Shipped") is when.return_shipped)
    if when.issue_types is not None:
        checks.append(normalise(ISSUE_TYPES, facts.issue_type) in when.issue_types)
    if when.statuses is not None:
        checks.append(status in when.statuses)
    if when.missing_evidence is not None:
        checks.append(bool(ev.missing_evidence) is when.missing_evidence)
    if when.order_value_at_least is not None:
        checks.append(order_value is not None and order_value >= when.order_value_at_least)
    if when.seller_deadline_within_working_hours is not None:
        limit = timedelta(hours=when.seller_deadline_within_working_hours)
        seller = ev.seller
        checks.append(seller is not None and not seller.started and seller.working_left <= limit)
    return all(checks)
