"""Escalation levels as data (`data/escalation.yaml`): which level a case has reached. Pure.

A case is at the highest level whose conditions hold (SLA clocks overdue, possibly by some
days; the return deadline close and the return not shipped). Each level is announced once per
case (`new_escalations` with the levels already fired, which the caller keeps as Timeline
events keyed by `escalation_event_key`), and a lower level is never announced after a higher
one. `escalation_text` is what the Escalation column shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.automation.config import DATA_DIR, load_yaml_model
from app.automation.labels import format_date, marketplace
from policies import CaseFacts, Evaluation, SlaClock, SlaState
from policies.sla import clock_label
from policies.vocab import STATUSES, fold, normalise
from sheet_schema.messages import LANGUAGES, load_catalogue, text

ESCALATION_FILE = DATA_DIR / "escalation.yaml"
ClockName = Literal["first_response", "seller_response", "resolution", "any"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Model):
    """Someone an escalation is addressed to."""

    name: str = Field(min_length=1)
    email: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and ("@" not in value or any(c.isspace() for c in value)):
            raise ValueError(f"not an email address: {value!r}")
        return value


class Condition(_Model):
    """One way a level can be reached: an overdue SLA clock, or a return window at risk."""

    sla_overdue: ClockName | None = None
    overdue_days_at_least: float | None = Field(default=None, ge=0)
    window_risk_hours: float | None = Field(default=None, gt=0)
    include_passed: bool = False
    seller_window_missed: bool = False  # the return to the seller was not started in time

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        kinds = (
            self.sla_overdue is not None,
            self.window_risk_hours is not None,
            self.seller_window_missed,
        )
        if sum(kinds) != 1:
            raise ValueError(
                "give exactly one of sla_overdue, window_risk_hours or seller_window_missed"
            )
        if self.overdue_days_at_least is not None and self.sla_overdue is None:
            raise ValueError("overdue_days_at_least goes with sla_overdue")
        if self.include_passed and self.window_risk_hours is None:
            raise ValueError("include_passed goes with window_risk_hours")
        return self


class LevelRule(_Model):
    key: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1)
    # None: the case's Assignee. Written `who: assignee`, or a list of names / {name, email}.
    who: tuple[Person, ...] | None = None
    when: tuple[Condition, ...] = Field(min_length=1)

    @field_validator("who", mode="before")
    @classmethod
    def _who(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and fold(value) == "assignee"):
            return None
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value


class EscalationRules(_Model):
    """The whole `escalation.yaml`."""

    version: Literal[1] = 1
    people: dict[str, str | None] = Field(default_factory=dict)
    levels: tuple[LevelRule, ...] = Field(min_length=1)

    @field_validator("people")
    @classmethod
    def _emails(cls, people: dict[str, str | None]) -> dict[str, str | None]:
        for name, email in people.items():
            if email is not None and ("@" not in email or any(c.isspace() for c in email)):
                raise ValueError(f"{name}: not an email address: {email!r}")
        return people

    @field_validator("levels")
    @classmethod
    def _unique(cls, levels: tuple[LevelRule, ...]) -> tuple[LevelRule, ...]:
        keys = [level.key for level in levels]
        doubles = sorted({k for k in keys if keys.count(k) > 1})
        if doubles:
            raise ValueError(f"level keys must be unique: {', '.join(doubles)}")
        return levels

    def email_of(self, name: str) -> str | None:
        wanted = fold(name)
        return next((e for n, e in self.people.items() if fold(n) == wanted), None)


@dataclass(frozen=True, slots=True)
class Level:
    """A level a case has reached, with who must know and why (in English and Chinese)."""

    key: str
    name: str
    rank: int  # 1 = lowest
    who: tuple[Person, ...]
    reason: str
    reason_zh: str
    higher: frozenset[str]  # keys of the levels above this one


def load_escalation_rules(path: Path | None = None) -> EscalationRules:
    """Read and validate an escalation file (default: the shipped `data/escalation.yaml`)."""
    return load_yaml_model(path if path is not None else ESCALATION_FILE, EscalationRules)


@cache
def default_escalation_rules() -> EscalationRules:
    return load_escalation_rules()


def escalation_level(
    facts: CaseFacts,
    ev: Evaluation,
    now: datetime,
    rules: EscalationRules | None = None,
    assignee: str | None = None,
) -> Level | None:
    """The highest level whose condition holds at `now`, or None (also for closed cases).

    `assignee` is the case's Assignee cell: the person of a `who: assignee` level.
    """
    config = rules if rules is not None else default_escalation_rules()
    if ev.closed:
        return None
    levels = config.levels
    for rank in range(len(levels), 0, -1):
        rule = levels[rank - 1]
        for condition in rule.when:
            reason = _holds(condition, facts, ev, now)
            if reason is not None:
                return Level(
                    key=rule.key,
                    name=rule.name,
                    rank=rank,
                    who=_who(rule, config, assignee),
                    reason=reason[0],
                    reason_zh=reason[1],
                    higher=frozenset(r.key for r in levels[rank:]),
                )
    return None


def new_escalations(level: Level | None, already_fired: set[str] | frozenset[str]) -> list[Level]:
    """The levels to announce now: `level`, unless it or a higher level already fired."""
    if level is None or level.key in already_fired or level.higher & set(already_fired):
        return []
    return [level]


def escalation_text(level: Level | None, language: str = "en") -> str:
    """'L2 lead: Chen (resolution overdue 2 days)', 'L2 组长：陈（结案超时2天）'; '' for none."""
    if level is None:
        return ""
    return escalation_line(
        level.key,
        level.name,
        [p.name for p in level.who],
        level.reason_zh if language == "zh" else level.reason,
        language,
    )


def escalation_line(
    level_key: str, name: str, who: Sequence[str], reason: str, language: str
) -> str:
    """A level's line from its parts (`reason` already in `language`): the Escalation cell's
    text, and the Timeline's detail of a level announced, rebuilt from what the event kept."""
    names = ", ".join(_person_name(person, language) for person in who if person)
    return text(
        "case.escalation",
        language,
        level=level_key,
        name=level_name(name, language),
        who=names or text("case.escalation_unassigned", language),
        reason=reason,
    )


@lru_cache(maxsize=1024)  # the few names of the escalation file, on every case
def level_name(name: str, language: str) -> str:
    """A level's name in the team's language when the catalogue knows it ('lead' -> '组长'),
    else as the team's escalation file spells it."""
    key = f"case.level_{_key_word(name)}"
    return text(key, language) if key in load_catalogue().texts else name


@lru_cache(maxsize=1024)  # the few names of the escalation file, on every case
def _person_name(name: str, language: str) -> str:
    """A person's name as written, except the shipped placeholders ('Team lead', 'Manager'),
    which are roles and read in the team's language until a team names its people."""
    key = f"case.person_{_key_word(name)}"
    return text(key, language) if key in load_catalogue().texts else name


@lru_cache(maxsize=1024)  # the few level and person names, asked for on every case
def _key_word(name: str) -> str:
    """'Team lead' -> 'team_lead': a name as the last part of a catalogue key."""
    return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")


def escalation_event_key(case_id: str, level_key: str) -> str:
    """The Timeline event key of a level announced for a case (exactly-once)."""
    return f"{case_id}/escalation/{level_key}"


def _who(rule: LevelRule, config: EscalationRules, assignee: str | None) -> tuple[Person, ...]:
    if rule.who is None:
        name = (assignee or "").strip()
        return (Person(name=name, email=config.email_of(name)),) if name else ()
    return tuple(
        p if p.email else Person(name=p.name, email=config.email_of(p.name)) for p in rule.who
    )


def _holds(
    condition: Condition, facts: CaseFacts, ev: Evaluation, now: datetime
) -> tuple[str, str] | None:
    if condition.sla_overdue is not None:
        return _sla_reason(condition, ev, now)
    if condition.seller_window_missed:
        return _seller_reason(ev)
    assert condition.window_risk_hours is not None
    if ev.return_deadline is None or normalise(STATUSES, facts.status) == "Return Shipped":
        return None
    left = ev.return_deadline - now
    if left > timedelta(hours=condition.window_risk_hours):
        return None
    if left < timedelta(0) and not condition.include_passed:
        return None
    day = ev.return_deadline_date
    key = "case.reason_window_passed" if left < timedelta(0) else "case.reason_window_close"
    return _reason(key, lambda lang: {"day": format_date(day, lang)})


def _reason(key: str, params: Callable[[str], dict[str, object]]) -> tuple[str, str]:
    """A reason in English and in Chinese (a level keeps both; the team's language picks)."""
    en, zh = (text(key, lang, **params(lang)) for lang in LANGUAGES)
    return en, zh


def _sla_reason(condition: Condition, ev: Evaluation, now: datetime) -> tuple[str, str] | None:
    wanted = condition.sla_overdue
    clocks = [
        c
        for c in ev.sla
        if (wanted == "any" or c.name == wanted)
        and c.state is SlaState.OVERDUE
        and c.due_at is not None
    ]
    need = timedelta(days=condition.overdue_days_at_least or 0)
    over = [(now - _due(c), c) for c in clocks if now - _due(c) >= need]
    if not over:
        return None
    late, clock = max(over, key=lambda pair: pair[0])
    return _overdue_reason(clock.name, late.days)


@lru_cache(maxsize=1024)  # thousands of overdue cases name a few clocks and day counts
def _overdue_reason(clock: str, days: int) -> tuple[str, str]:
    if days >= 1:
        key = "case.reason_sla_overdue_day" if days == 1 else "case.reason_sla_overdue_days"
        return _reason(key, lambda lang: {"clock": clock_label(clock, lang), "days": days})
    return _reason("case.reason_sla_overdue", lambda lang: {"clock": clock_label(clock, lang)})


def _due(clock: SlaClock) -> datetime:
    assert clock.due_at is not None
    return clock.due_at


def _seller_reason(ev: Evaluation) -> tuple[str, str] | None:
    seller = ev.seller
    if seller is None or not seller.missed:
        return None
    when = seller.deadline.strftime("%Y-%m-%d %H:%M")
    return _reason(
        "case.reason_seller_missed",
        lambda lang: {"marketplace": marketplace(seller.marketplace, lang), "when": when},
    )
