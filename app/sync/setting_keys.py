"""The keys of the sheet's Settings tab: what each replaces and how its value is read. Pure.

A registry, not a model: each key has a parser that turns the text a person typed into a value
or raises `ValueError` with a sentence they can act on, and names the shipped value it replaces
(said in the row's Validation, and used when the row's value cannot be). New keys (which tab
holds the cases, which header is which column) are new entries here; the reader stays as it is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from app.automation.escalation import EscalationRules, LevelRule, Person
from app.sync.team_language import LANGUAGE_KEY, parse_language
from policies.team import CLOCK_NAMES, WEEKDAYS, BusinessDuration, TeamSettings, parse_slot
from policies.vocab import fold
from sheet_schema import load_schema
from sheet_schema.messages import DEFAULT_LANGUAGE, text
from sheet_schema.vocabulary import canonical_items, shipped_vocabulary

TEAM_FILE = "policies/data/team.yaml"
ESCALATION_FILE = "app/automation/data/escalation.yaml"
ASSIGNEE_WORDS = frozenset({"assignee", "负责人"})
DAY_OFF_WORDS = frozenset({"off", "closed", "none", "-", "休息", "不上班"})

_UNITS = (("小时", "h"), ("天", "d"), ("分钟", "m"), ("分", "m"))
_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?[dhm])+$")
_PEOPLE_SPLIT = re.compile(r"[,，;；、\n]+")
_NAMED_EMAIL = re.compile(r"^(?P<name>.*?)\s*[<＜(（]\s*(?P<email>[^<>()\s]+)\s*[>＞)）]$")
_SLOTS_SPLIT = re.compile(r"[,，;；\n]+")


@dataclass(frozen=True, slots=True)
class SettingKey:
    """One setting a team may write in its Settings tab."""

    key: str  # canonical spelling, e.g. "sla.first_response"
    replaces: str  # the shipped file the shipped value comes from
    shipped: str  # the shipped value, written as the tab would take it
    parse: Callable[[str], object]
    help: str  # what the value means, for the README and init's example rows
    example: bool = True  # listed among init's commented-out example rows


def known_settings(team: TeamSettings, rules: EscalationRules) -> dict[str, SettingKey]:
    """Every key this sheet may set, by canonical spelling (level keys come from the rules)."""
    keys: list[SettingKey] = []
    for level in rules.levels:
        keys.append(
            SettingKey(
                f"escalation.{level.key}",
                ESCALATION_FILE,
                people_text(level),
                parse_people,
                f"who hears of a level-{level.key} ({level.name}) escalation: names, "
                "'Name <email>' to be emailed, or 'assignee' for the case's Assignee",
            )
        )
    for name in CLOCK_NAMES:
        keys.append(
            SettingKey(
                f"sla.{name}",
                TEAM_FILE,
                str(team.sla.get(name).target),
                parse_target,
                f"the {name.replace('_', ' ')} SLA target: 6h = six working hours, "
                "2d = two working days",
            )
        )
    keys.append(
        SettingKey(
            "sla.due_soon_fraction",
            TEAM_FILE,
            f"{team.due_soon_fraction:g}",
            parse_fraction,
            "'Due soon' once this share of a target (or less) is left: 0.25 or 25%",
        )
    )
    for day in WEEKDAYS:
        keys.append(
            SettingKey(
                f"hours.{day}",
                TEAM_FILE,
                slots_text(team.working_hours.get(day, ())),
                parse_slots,
                "working hours that day: '09:00-12:00, 13:30-18:30', or 'off'",
            )
        )
    keys.append(
        SettingKey(
            MARKETPLACE_KEY,
            TEAM_FILE,
            team.default_marketplace,
            parse_marketplace,
            "the marketplace a case was bought on when its Marketplace cell is blank "
            "(Taobao, Tmall, JD, Pinduoduo, 1688, ...; 淘宝, 京东 ...)",
        )
    )
    keys.append(
        SettingKey(
            LANGUAGE_KEY,
            text("language.replaces", DEFAULT_LANGUAGE, option="sheets add --language"),
            DEFAULT_LANGUAGE,
            parse_language,
            text("language.setting_help", DEFAULT_LANGUAGE, zh="zh", en="en"),
        )
    )
    keys += mapping_keys()
    return {k.key: k for k in keys}


MARKETPLACE_KEY = "marketplace.default"


def parse_marketplace(text: str) -> str:
    """A marketplace word (any the vocabulary knows: 'tmall', '天猫') -> its canonical name."""
    return canonical_items(shipped_vocabulary()["marketplace"], [text.strip()], "marketplace")[0]


SCHEMA_FILE = "sheet_schema/data/schema.yaml"
TAB_KEY = "tab.cases"
COLUMN_PREFIX = "column."


def mapping_keys() -> list[SettingKey]:
    """How this sheet maps (written by `aftersales adopt`): which tab holds the cases and which
    of the team's headers is which column. Read before the tabs are found (app/sync/mapping.py)."""
    cases = load_schema().tab("cases")
    keys = [
        SettingKey(
            TAB_KEY,
            SCHEMA_FILE,
            cases.title,
            parse_name,
            "the name of the tab that holds the cases",
            example=False,
        )
    ]
    keys += [
        SettingKey(
            f"{COLUMN_PREFIX}{spec.key}",
            SCHEMA_FILE,
            spec.header,
            parse_name,
            f"the team's header for the {spec.header} column",
            example=False,
        )
        for spec in cases.user_columns
    ]
    return keys


def parse_name(text: str) -> str:
    """A tab or header name: any text but blank."""
    name = text.strip()
    if not name:
        raise ValueError("write the name as it appears in the sheet")
    return name


def parse_target(text: str) -> BusinessDuration:
    """'6h', '2d', '1d 4h' (also 6小时, 2天); a bare number asks for its unit."""
    compact = "".join(text.split()).lower()
    for word, unit in _UNITS:
        compact = compact.replace(word, unit)
    if re.fullmatch(r"\d+(?:\.\d+)?", compact):
        raise ValueError(f"add a unit: {compact}h for working hours or {compact}d for working days")
    if not _DURATION.fullmatch(compact):
        raise ValueError("expected a target like 6h (working hours) or 2d (working days)")
    target = BusinessDuration.model_validate(compact)
    if target.days <= 0 and target.time <= timedelta(0):
        raise ValueError("a target must be longer than zero")
    return target


def parse_fraction(text: str) -> float:
    """'0.25' or '25%': a share strictly between 0 and 1."""
    compact = text.strip()
    percent = compact.endswith(("%", "％"))
    try:
        number = float(compact.rstrip("%％").strip())
    except ValueError:
        raise ValueError("expected a share such as 0.25 or 25%") from None
    if percent:
        number /= 100
    if not 0 < number < 1:
        raise ValueError("expected a share between 0 and 1 (e.g. 0.25 or 25%)")
    return number


def parse_people(text: str) -> tuple[Person, ...] | None:
    """'陈静 <chen.jing@example.com>, Marco' -> people; 'assignee' -> None (the case's Assignee)."""
    if fold(text) in ASSIGNEE_WORDS:
        return None
    people: list[Person] = []
    for part in (p.strip() for p in _PEOPLE_SPLIT.split(text)):
        if not part:
            continue
        match = _NAMED_EMAIL.match(part)
        name, email = (match["name"], match["email"]) if match else (part, None)
        if email is None and "@" in part and " " not in part:
            name, email = part, part
        if email is not None and ("@" not in email or email.startswith("@")):
            raise ValueError(f"{email!r} is not an email address")
        if "<" in name or ">" in name or ("@" in name and email is None):
            raise ValueError(f"write a person as 'Name' or 'Name <email>', not {part!r}")
        people.append(Person(name=name.strip() or str(email), email=email))
    if not people:
        raise ValueError("name at least one person, or write 'assignee'")
    return tuple(people)


def parse_slots(text: str) -> tuple[tuple[int, int], ...]:
    """'09:00-12:00, 13:30-18:30' -> minutes after midnight; 'off' -> no hours that day."""
    if fold(text) in DAY_OFF_WORDS:
        return ()
    slots = sorted(parse_slot(part) for part in _SLOTS_SPLIT.split(text) if part.strip())
    if not slots:
        raise ValueError("expected hours like '09:00-12:00, 13:30-18:30', or 'off'")
    for (_, end), (start, _) in itertools.pairwise(slots):
        if start < end:
            raise ValueError("the time slots overlap")
    return tuple(slots)


def people_text(level: LevelRule) -> str:
    if level.who is None:
        return "assignee"
    return ", ".join(f"{p.name} <{p.email}>" if p.email else p.name for p in level.who)


def slots_text(slots: tuple[tuple[int, int], ...]) -> str:
    if not slots:
        return "off"
    return ", ".join(f"{_clock(s)}-{_clock(e)}" for s, e in slots)


def value_text(value: object) -> str:
    """A parsed value as the tab would take it (for the row's OK message)."""
    if value is None:
        return "assignee"
    if isinstance(value, BusinessDuration):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple) and all(isinstance(p, Person) for p in value):
        return ", ".join(f"{p.name} <{p.email}>" if p.email else p.name for p in value)
    if isinstance(value, tuple):
        return slots_text(value)
    return str(value)


def lookup(registry: Mapping[str, SettingKey], typed: str) -> SettingKey | None:
    """The key a person meant, ignoring case and spaces ('SLA.First_Response ' is fine)."""
    wanted = "".join(typed.split()).casefold()
    return next((k for name, k in registry.items() if name.casefold() == wanted), None)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
