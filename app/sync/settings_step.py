"""The sync's Settings-tab step: the sheet's Settings tab over the shipped team settings and
escalation people (for this sheet only), with the templates of the Templates tab."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from app.automation.settings import AutomationSettings
from app.automation.workflow import Automation
from app.sync.read_step import SheetRead
from app.sync.setting_keys import LANGUAGE_KEY
from app.sync.sheet_settings import apply_sheet_settings
from app.sync.workflow_tabs import load_automation
from policies import TeamSettings
from sheet_schema.messages import Language, team_language


@dataclass(frozen=True, slots=True)
class TeamSettingsRead:
    """What the sheet's Settings tab makes of the shipped team settings and automation."""

    team: TeamSettings
    automation: Automation
    messages: Mapping[int, str]  # Validation text by row
    notes: list[str]


def read_team_settings(
    sheet: SheetRead, shipped: AutomationSettings, team: TeamSettings
) -> TeamSettingsRead:
    """The Settings tab over the shipped team file and escalation people (this sheet only),
    with the templates of the Templates tab."""
    automation = load_automation(shipped, sheet.rows["templates"])
    tab = sheet.placed["settings"]
    applied = apply_sheet_settings(
        sheet.rows["settings"], tab.headers, team, automation.escalation_rules
    )
    notes = []
    if "settings" in sheet.tabs and not tab.headers.ok:
        notes = [
            f"{problem} Its settings are not used until then." for problem in tab.headers.problems()
        ]
    return TeamSettingsRead(
        team=applied.team,
        automation=replace(automation, escalation_rules=applied.escalation),
        messages=applied.messages,
        notes=notes,
    )


def sheet_language(sheet: SheetRead) -> Language:
    """The team language the Settings tab sets (its `language` row; English without one).

    Temporary and minimal: the team-language resolution (the spreadsheet's locale, Chinese
    headers, `sheets add --language`) is built elsewhere and replaces this."""
    for row in sheet.rows["settings"]:
        if (row.text("setting") or "").strip().casefold() == LANGUAGE_KEY:
            return team_language(row.text("value"))
    return "en"
