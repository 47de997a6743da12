"""Reading the Settings tab row by row: how a team writes people, targets and hours, and how
each row it cannot use is named while the shipped value stays in force."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.automation.escalation import load_escalation_rules
from app.sheets.backend import TabData
from app.sync.rows import parse_rows
from app.sync.sheet_settings import SheetSettings, apply_sheet_settings
from policies import load_team_settings
from sheet_schema import ParseContext, load_schema, match_headers

TAB = load_schema().tab("settings")
HEADER = ["Setting", "Value", "Validation"]


def apply(*rows: list[Any], header: list[str] = HEADER) -> SheetSettings:
    data = TabData("Settings", [header, *rows])
    headers = match_headers(TAB, "Settings", header)
    parsed = parse_rows(data, headers, ParseContext())
    return apply_sheet_settings(parsed, headers, load_team_settings(), load_escalation_rules())


def test_people_are_names_with_optional_emails_in_either_script() -> None:
    """'Name <email>' and bare names, split on Chinese or Latin commas, become a level's people."""
    result = apply(
        ["escalation.L3", "王经理 <wang.jl@example.cn>，Marco Rossi; ops@example.com"],
        ["Escalation.l2", "assignee"],
    )
    levels = {level.key: level for level in result.escalation.levels}
    assert [(p.name, p.email) for p in levels["L3"].who or ()] == [
        ("王经理", "wang.jl@example.cn"),
        ("Marco Rossi", None),
        ("ops@example.com", "ops@example.com"),
    ]
    assert levels["L2"].who is None  # the case's Assignee, instead of the shipped "Team lead"
    assert result.messages[2].startswith("OK: escalation.L3 = 王经理 <wang.jl@example.cn>")
    assert result.messages[3].startswith("OK: escalation.L2 = assignee")


def test_targets_take_units_in_english_or_chinese_and_a_bare_number_asks_for_one() -> None:
    """'1d 4h' and '8小时' are targets; '8' is refused with the two ways to write it."""
    result = apply(
        ["sla.resolution", "1d 4h"],
        ["sla.seller_response", "3天"],
        ["sla.first_response", 8],
    )
    assert result.team.sla.resolution.target.days == 1
    assert result.team.sla.resolution.target.time == timedelta(hours=4)
    assert result.team.sla.seller_response.target.days == 3
    assert result.team.sla.calendar_for("seller_response") == "china"  # the shipped calendar
    assert result.team.sla.first_response.target.time == timedelta(hours=4)  # shipped
    assert result.messages[4] == (
        "✗ Value '8' (Settings!B4): add a unit: 8h for working hours or 8d for working days; "
        "the shipped value 4h is used"
    )


def test_a_key_set_twice_a_blank_value_and_a_blank_key_are_each_named() -> None:
    """The first row of a key wins; later ones, blank values and blank keys say what happened."""
    result = apply(
        ["sla.first_response", "6h"],
        ["SLA.First_Response", "2h"],
        ["sla.resolution", None],
        [None, "3d"],
    )
    assert result.team.sla.first_response.target.time == timedelta(hours=6)
    assert result.messages[3] == "✗ sla.first_response is already set on row 2; this row is ignored"
    assert result.messages[4] == "ℹ no value: the shipped value 5d is used"
    assert result.messages[5] == "✗ Setting (blank) (Settings!A5): write a setting name"


def test_working_hours_replace_a_day_and_a_week_with_no_hours_is_refused() -> None:
    """'hours.sat' adds Saturday hours; turning every day off is named and the shipped week kept."""
    saturday = apply(["hours.sat", "10:00-16:00"])
    assert saturday.team.working_hours["sat"] == ((600, 960),)
    assert saturday.team.working_hours["mon"] == ((540, 720), (810, 1110))

    week = ["mon", "tue", "wed", "thu", "fri"]
    closed = apply(*[[f"hours.{d}", "off"] for d in week])
    assert closed.team.working_hours["mon"] == ((540, 720), (810, 1110))
    assert "no day has working hours" in closed.messages[2]
    overlap = apply(["hours.mon", "09:00-12:00, 11:00-18:00"])
    assert overlap.messages[2].startswith("✗ Value '09:00-12:00, 11:00-18:00' (Settings!B2)")


def test_an_unknown_key_far_from_any_known_one_gets_no_guess() -> None:
    """A key that resembles nothing is named without a misleading suggestion."""
    result = apply(["打印机颜色", "彩色"])
    assert result.messages[2] == (
        "✗ unknown setting '打印机颜色' (Settings!A2). This row is ignored."
    )
