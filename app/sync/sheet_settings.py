"""The sheet's Settings tab: a Setting | Value list that overrides shipped files for this sheet.

Read on every sync. Each row is checked against the registry (`app.sync.setting_keys`): a known
key with a readable value replaces the shipped value; an unknown key, an unreadable value or a
second row for the same key is named in that row's Validation cell (tab, cell, column, value)
and the shipped value stays in force; the rest of the sheet syncs as usual. Rows whose Setting
starts with '#' are the team's notes (or `init`'s examples) and are left alone. Pure.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from app.automation.escalation import EscalationRules, Person
from app.sheets.backend import CellUpdate
from app.sync.rows import SheetRow, show_value
from app.sync.setting_keys import (
    MARKETPLACE_KEY,
    SettingKey,
    known_settings,
    lookup,
    value_text,
)
from policies.team import CLOCK_NAMES, WEEKDAYS, BusinessDuration, TeamSettings
from sheet_schema import HeaderMap

COMMENT = "#"


@dataclass(slots=True)
class SheetSettings:
    """What this sync runs with, and the Validation message of every Settings row."""

    team: TeamSettings
    escalation: EscalationRules
    messages: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Accepted:
    spec: SettingKey
    value: object
    row: SheetRow


def apply_sheet_settings(
    rows: Sequence[SheetRow],
    headers: HeaderMap,
    team: TeamSettings,
    escalation: EscalationRules,
) -> SheetSettings:
    """The shipped team settings and escalation levels with the Settings tab's rows applied."""
    registry = known_settings(team, escalation)
    accepted: dict[str, _Accepted] = {}
    messages: dict[int, str] = {}
    for row in rows:
        typed = row.text("setting")
        if not row.values or (typed or "").startswith(COMMENT):
            continue
        message, found = _check_row(row, headers, registry, accepted)
        messages[row.row] = message
        if found is not None:
            accepted[found.spec.key] = found
    values = {key: a.value for key, a in accepted.items()}
    team_now, refused = _team_with(team, values)
    for key in refused:
        item = accepted[key]
        messages[item.row.row] = (
            f"✗ {_where(headers, item.row, 'value')}: with it no day has working hours; "
            f"the shipped value {item.spec.shipped} is used"
        )
    return SheetSettings(
        team=team_now, escalation=_escalation_with(escalation, values), messages=messages
    )


def settings_example_cells(
    headers: HeaderMap, team: TeamSettings, escalation: EscalationRules
) -> list[CellUpdate]:
    """Commented-out example rows, one per key with its shipped value, for a new Settings tab."""
    registry = known_settings(team, escalation)
    rows: list[tuple[str, str]] = [
        ("# Remove the # to use a row; blank or # rows keep the shipped value.", "")
    ]
    rows += [(f"{COMMENT} {key}", spec.shipped) for key, spec in registry.items() if spec.example]
    updates: list[CellUpdate] = []
    for offset, (setting, value) in enumerate(rows, start=2):
        for key, text in (("setting", setting), ("value", value)):
            index = headers.positions.get(key)
            if index is not None and text:
                updates.append(CellUpdate(headers.title, offset, index + 1, text))
    return updates


def _check_row(
    row: SheetRow,
    headers: HeaderMap,
    registry: Mapping[str, SettingKey],
    accepted: Mapping[str, _Accepted],
) -> tuple[str, _Accepted | None]:
    """The row's Validation message, and the value it sets when it is usable."""
    typed = row.text("setting")
    if typed is None:
        return f"✗ {_where(headers, row, 'setting')}: write a setting name", None
    spec = lookup(registry, typed)
    if spec is None:
        where = _cell(headers, row.row, "setting")
        hint = _did_you_mean(typed, registry)
        return f"✗ unknown setting '{typed}' ({where}){hint} This row is ignored.", None
    if spec.key in accepted:
        earlier = accepted[spec.key].row.row
        return f"✗ {spec.key} is already set on row {earlier}; this row is ignored", None
    problem = next((i.describe() for i in row.issues if i.column == "value"), None)
    text = row.text("value")
    if text is None and problem is None:
        return f"ℹ no value: the shipped value {spec.shipped} is used", None
    value: object = None
    if problem is None and text is not None:
        try:
            value = spec.parse(text)
        except ValueError as exc:
            problem = f"{_where(headers, row, 'value')}: {exc}"
    if problem is not None:
        return f"✗ {problem}; the shipped value {spec.shipped} is used", None
    return (
        f"OK: {spec.key} = {value_text(value)} (shipped: {spec.shipped} in {spec.replaces})",
        _Accepted(spec, value, row),
    )


def _did_you_mean(typed: str, registry: Mapping[str, SettingKey]) -> str:
    folded = {k.casefold(): k for k in registry}
    close = difflib.get_close_matches("".join(typed.split()).casefold(), list(folded), n=1)
    return f" — did you mean {folded[close[0]]}?" if close else "."


def _team_with(team: TeamSettings, values: Mapping[str, object]) -> tuple[TeamSettings, list[str]]:
    """The team settings with the sheet's SLA targets and working hours; the hours keys refused
    when they would leave no working hours at all."""
    update: dict[str, Any] = {}
    targets = {
        name: team.sla.get(name).model_copy(update={"target": values[f"sla.{name}"]})
        for name in CLOCK_NAMES
        if isinstance(values.get(f"sla.{name}"), BusinessDuration)
    }
    if targets:
        update["sla"] = team.sla.model_copy(update=targets)
    marketplace = values.get(MARKETPLACE_KEY)
    if isinstance(marketplace, str):
        update["default_marketplace"] = marketplace
    fraction = values.get("sla.due_soon_fraction")
    if isinstance(fraction, float):
        update["due_soon_fraction"] = fraction
    hours = {f"hours.{d}": values[f"hours.{d}"] for d in WEEKDAYS if f"hours.{d}" in values}
    refused: list[str] = []
    if hours:
        week = {d: values.get(f"hours.{d}", team.working_hours.get(d, ())) for d in WEEKDAYS}
        if any(week.values()):
            update["working_hours"] = week
        else:
            refused = list(hours)
    return (team.model_copy(update=update) if update else team), refused


def _escalation_with(rules: EscalationRules, values: Mapping[str, object]) -> EscalationRules:
    """The escalation levels with the people the sheet names for them."""
    levels = []
    for level in rules.levels:
        key = f"escalation.{level.key}"
        if key not in values:
            levels.append(level)
            continue
        who = values[key]
        people = who if isinstance(who, tuple) and all(isinstance(p, Person) for p in who) else None
        levels.append(level.model_copy(update={"who": people}))
    return rules.model_copy(update={"levels": tuple(levels)}) if values else rules


def _where(headers: HeaderMap, row: SheetRow, key: str) -> str:
    """The column, value and cell a message is about: Value 'two days' (Settings!B7)."""
    header = headers.tab.column(key).header
    return f"{header} {show_value(row.raw.get(key))} ({_cell(headers, row.row, key)})"


def _cell(headers: HeaderMap, row: int, key: str) -> str:
    index = headers.positions.get(key)
    column = get_column_letter(index + 1) if index is not None else "?"
    return f"{headers.title}!{column}{row}"
