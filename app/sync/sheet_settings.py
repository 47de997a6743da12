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

from app.automation.escalation import EscalationRules, Person
from app.sheets.backend import CellUpdate, column_letter
from app.sync.rows import SheetRow, show_value
from app.sync.setting_keys import (
    MARKETPLACE_KEY,
    SettingKey,
    known_settings,
    lookup,
    value_text,
)
from app.sync.team_language import LANGUAGE_KEY
from policies.team import CLOCK_NAMES, WEEKDAYS, BusinessDuration, TeamSettings
from sheet_schema import HeaderMap
from sheet_schema.messages import text
from sheet_schema.team_texts import column_header

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
    language: str = "en",
) -> SheetSettings:
    """The shipped team settings and escalation levels with the Settings tab's rows applied,
    each row's Validation message in the team `language`."""
    registry = known_settings(team, escalation)
    accepted: dict[str, _Accepted] = {}
    messages: dict[int, str] = {}
    for row in rows:
        typed = row.text("setting")
        if not row.values or (typed or "").startswith(COMMENT):
            continue
        message, found = _check_row(row, headers, registry, accepted, language)
        messages[row.row] = message
        if found is not None:
            accepted[found.spec.key] = found
    values = {key: a.value for key, a in accepted.items()}
    team_now, refused = _team_with(team, values)
    for key in refused:
        item = accepted[key]
        messages[item.row.row] = text(
            "tabs_validation.settings_no_hours",
            language,
            where=_where(headers, item.row, "value", language),
            shipped=item.spec.shipped,
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
        for key, cell in (("setting", setting), ("value", value)):
            index = headers.positions.get(key)
            if index is not None and cell:
                updates.append(CellUpdate(headers.title, offset, index + 1, cell))
    return updates


def _check_row(
    row: SheetRow,
    headers: HeaderMap,
    registry: Mapping[str, SettingKey],
    accepted: Mapping[str, _Accepted],
    language: str = "en",
) -> tuple[str, _Accepted | None]:
    """The row's Validation message, and the value it sets when it is usable."""
    typed = row.text("setting")
    if typed is None:
        where = _where(headers, row, "setting", language)
        return text("tabs_validation.settings_no_name", language, where=where), None
    spec = lookup(registry, typed)
    if spec is None:
        where = _cell(headers, row.row, "setting")
        hint = _did_you_mean(typed, registry, language)
        message = text(
            "tabs_validation.settings_unknown", language, typed=typed, where=where, hint=hint
        )
        return message, None
    if spec.key in accepted:
        earlier = accepted[spec.key].row.row
        message = text("tabs_validation.settings_duplicate", language, key=spec.key, row=earlier)
        return message, None
    problem = next((i.describe(language) for i in row.issues if i.column == "value"), None)
    typed_value = row.text("value")
    if typed_value is None and problem is None:
        return text("tabs_validation.settings_no_value", language, shipped=spec.shipped), None
    value: object = None
    if problem is None and typed_value is not None:
        try:
            value = spec.parse(typed_value)
        except ValueError as exc:
            where = _where(headers, row, "value", language)
            # the reader's reasons are English sentences; a Chinese team reads one of its own
            detail = (
                exc if language == "en" else text("tabs_validation.settings_unreadable", language)
            )
            problem = text(
                "tabs_validation.settings_bad_value", language, where=where, detail=detail
            )
    if problem is not None:
        message = text(
            "tabs_validation.settings_refused", language, problem=problem, shipped=spec.shipped
        )
        return message, None
    message = text(
        "tabs_validation.settings_ok",
        language,
        key=spec.key,
        value=value_text(value),
        shipped=spec.shipped,
        replaces=_replaces(spec, language),
    )
    return message, _Accepted(spec, value, row)


def _replaces(spec: SettingKey, language: str) -> str:
    """Where the shipped value comes from, as the team reads it (files are named as they are;
    the language's own sources are a sentence)."""
    if spec.key == LANGUAGE_KEY:
        return text("language.replaces", language, option="sheets add --language")
    return spec.replaces


def _did_you_mean(typed: str, registry: Mapping[str, SettingKey], language: str) -> str:
    folded = {k.casefold(): k for k in registry}
    close = difflib.get_close_matches("".join(typed.split()).casefold(), list(folded), n=1)
    if not close:
        return text("tabs_validation.settings_no_hint", language)
    return text("tabs_validation.settings_did_you_mean", language, key=folded[close[0]])


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


def _where(headers: HeaderMap, row: SheetRow, key: str, language: str = "en") -> str:
    """The column, value and cell a message is about: Value 'two days' (Settings!B7)."""
    return text(
        "tabs_validation.where",
        language,
        header=column_header(headers.tab.key, headers.tab.column(key), language),
        value=show_value(row.raw.get(key), language),
        cell=_cell(headers, row.row, key),
    )


def _cell(headers: HeaderMap, row: int, key: str) -> str:
    index = headers.positions.get(key)
    column = column_letter(index + 1) if index is not None else "?"
    return f"{headers.title}!{column}{row}"
