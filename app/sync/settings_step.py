"""The sync's Settings-tab step: the sheet's Settings tab over the shipped team settings and
escalation people (for this sheet only), with the templates of the Templates tab."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from app.automation.settings import AutomationSettings
from app.automation.workflow import Automation
from app.sync.read_step import SheetRead
from app.sync.sheet_settings import apply_sheet_settings
from app.sync.workflow_tabs import load_automation
from policies import TeamSettings


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
        sheet.rows["settings"],
        tab.headers,
        team,
        automation.escalation_rules,
        sheet.language.language,
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
