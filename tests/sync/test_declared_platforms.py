"""Platforms a team declares in its Policies tab, synced on a real workbook: a window in days
and one in hours, a date-only Window Start, and broken rows that are named while the rest syncs."""

from __future__ import annotations

from datetime import datetime, timedelta

import openpyxl

from app.runtime import Runtime
from tests.workbooks import NOW, case, records, write_workbook

# The team's own Policies tab: their column order, a stray notes column, only what they need.
POLICY_HEADERS = [
    "Platform",
    "Version",
    "Effective From",
    "Window Days",
    "Window Hours",
    "Window Starts",
    "Aliases",
    "Excluded Categories",
    "Source",
    "备注",
]


def policy_row(**values: object) -> list[object]:
    return [values.get(h) for h in POLICY_HEADERS]


TEAM_POLICIES = [
    POLICY_HEADERS,
    policy_row(
        **{
            "Platform": "CNFans",
            "Version": "2025.1",
            "Effective From": datetime(2025, 1, 1),
            "Window Days": 10,
            "Aliases": "CF; 希恩凡、cn fans",
            "Excluded Categories": "food, second hand",
            "Source": "CNFans help centre, read by Lily 2025-09",
        }
    ),
    policy_row(
        **{
            "Platform": "Joy Buy",
            "Version": "v1",
            "Effective From": "2025-01-01",
            "Window Hours": 72,
            "Window Starts": "JoyBuy status 已入库 (with its time)",
            "备注": "ask Marco before changing",
        }
    ),
    # broken rows: a word where a number belongs, and a new platform with no window at all
    policy_row(
        **{
            "Platform": "Hagobuy",
            "Version": "1",
            "Effective From": datetime(2025, 1, 1),
            "Window Days": "ten",
        }
    ),
    policy_row(**{"Platform": "Oopsbuy", "Version": "1", "Effective From": datetime(2025, 1, 1)}),
]


def rows() -> list[dict[str, object]]:
    return [
        # declared by days, typed with one of the team's aliases
        case(**{"Case ID": "AS-D-1", "Platform": "希恩凡", "Window Start": datetime(2025, 10, 1)}),
        # declared by hours, with the arrival's time
        case(
            **{
                "Case ID": "AS-D-2",
                "Platform": "joy buy",
                "Issue Type": "Wrong Size",
                "Window Start": datetime(2025, 10, 8, 16, 40),
            }
        ),
        # declared by hours, a date alone
        case(
            **{
                "Case ID": "AS-D-3",
                "Platform": "Joy Buy",
                "Window Start": datetime(2025, 10, 8),
                "Assignee": "Chen",
            }
        ),
        case(**{"Case ID": "AS-D-4", "Platform": "Hagobuy"}),
        case(**{"Case ID": "AS-D-5", "Platform": "Superbuy"}),
    ]


def test_declared_platforms_get_deadlines_days_left_and_everything_else(
    runtime: Runtime,
) -> None:
    """Cases on a declared platform get deadline, days left, next action, reply and KPIs."""
    write_workbook(runtime.workbook, rows(), extra_tabs={"Policies": TEAM_POLICIES})
    report = runtime.engine().sync(now=NOW)  # NOW is 2025-10-10 10:00 in Shanghai
    out = {r["Case ID"]: r for r in records(runtime.workbook)}

    days = out["AS-D-1"]
    assert days["Policy Ref"] == "cnfans@2025.1"
    assert days["Return Deadline"] == datetime(2025, 10, 11)  # 1 Oct + 10 days, a date alone
    assert days["Days Left"] == 1
    assert days["Validation"] == "OK"
    assert days["Next Action"] and days["Suggested Reply"]

    hours = out["AS-D-2"]
    assert hours["Policy Ref"] == "joy_buy@v1"
    # 16:40 -> counted from 17:00 on 8 Oct; + 72 h = 11 Oct 17:00
    assert hours["Return Deadline"] == datetime(2025, 10, 11, 17, 0)
    assert hours["Days Left"] == 1  # 10 Oct 10:00 -> 11 Oct 17:00: 1 day 7 hours
    assert hours["Validation"] == "OK"

    date_only = out["AS-D-3"]
    # 8 Oct 00:00 + 72 h = 11 Oct 00:00, the end of 10 Oct: shown as that date
    assert date_only["Return Deadline"] == datetime(2025, 10, 10)
    assert date_only["Days Left"] == 0
    lines = date_only["Validation"].splitlines()
    assert len(lines) == 1 and lines[0].startswith("ℹ Window Start '2025-10-08")
    assert "72-hour window is counted from 2025-10-08 00:00" in lines[0]

    assert "Unknown platform" in out["AS-D-4"]["Validation"]
    assert out["AS-D-5"]["Policy Ref"] == "superbuy@2025.1"  # the rest syncs as before
    assert report.cases == 5

    book = openpyxl.load_workbook(runtime.workbook)
    cases = book["Cases"]
    column = [c.value for c in cases[1]].index("Return Deadline") + 1
    assert cases.cell(row=3, column=column).number_format == "yyyy-mm-dd hh:mm"
    assert cases.cell(row=2, column=column).number_format == "yyyy-mm-dd"
    kpi_labels = {r[0] for r in book["KPIs"].iter_rows(values_only=True)} | {
        r[1] for r in book["KPIs"].iter_rows(values_only=True)
    }
    assert {"CNFans", "Joy Buy"} <= kpi_labels


def test_declared_rows_are_validated_and_broken_ones_named(runtime: Runtime) -> None:
    """Each Policies row gets its own Validation; a bad one names its column and value."""
    write_workbook(runtime.workbook, rows(), extra_tabs={"Policies": TEAM_POLICIES})
    runtime.engine().sync(now=NOW)
    by_platform = {r["Platform"]: r["Validation"] for r in records(runtime.workbook, "Policies")}
    assert by_platform["CNFans"].startswith("OK: CNFans declared for this sheet as cnfans@2025.1")
    assert "JoyBuy status 已入库" in by_platform["Joy Buy"]
    assert by_platform["Hagobuy"] == "✗ Window Days 'ten' (Policies!D4): is not a number"
    assert "'Oopsbuy' is not a platform the service ships" in by_platform["Oopsbuy"]
    # the shipped agents were appended as built-in rows, the hour one with its hours
    ponybuy = next(r for r in records(runtime.workbook, "Policies") if r["Platform"] == "Ponybuy")
    assert ponybuy["Window Hours"] == 120 and ponybuy["Built-in"] == "Yes"


def test_a_second_sync_changes_nothing_and_a_later_row_is_a_new_version(runtime: Runtime) -> None:
    """Dates with a time read back equal; a later row for Joy Buy moves its cases' deadlines."""
    write_workbook(runtime.workbook, rows(), extra_tabs={"Policies": TEAM_POLICIES})
    runtime.engine().sync(now=NOW)
    assert runtime.engine().sync(now=NOW).cells_written == 0
    book = openpyxl.load_workbook(runtime.workbook)
    policies = book["Policies"]
    header = [c.value for c in policies[1]]
    later = dict.fromkeys(header)
    later.update({"Platform": "JOY BUY", "Version": "v2", "Effective From": datetime(2025, 10, 1)})
    later["Window Hours"] = 96
    policies.append([later[h] for h in header])
    book.save(runtime.workbook)
    runtime.engine().sync(now=NOW + timedelta(minutes=5))
    out = {r["Case ID"]: r for r in records(runtime.workbook)}
    assert out["AS-D-2"]["Policy Ref"] == "joy_buy@v2"  # opened 9 Oct, after 1 Oct
    assert out["AS-D-2"]["Return Deadline"] == datetime(2025, 10, 12, 17, 0)  # 8 Oct 17:00 + 96 h
    assert out["AS-D-3"]["Return Deadline"] == datetime(2025, 10, 11)  # 8 Oct 00:00 + 96 h


def test_an_hour_window_with_a_day_holiday_rule_is_refused_in_words(runtime: Runtime) -> None:
    """Window Hours with the Chinese-holiday rule names the conflict; Yoybuy keeps its days."""
    header = ["Platform", "Version", "Effective From", "Window Hours", "Holiday Rule"]
    team = [header, ["yoybuy", "hours-1", datetime(2025, 1, 1), 48, None]]
    write_workbook(
        runtime.workbook,
        [case(**{"Platform": "Yoybuy", "Window Start": datetime(2025, 10, 1)})],
        extra_tabs={"Policies": team},
    )
    runtime.engine().sync(now=NOW)
    message = next(
        r["Validation"] for r in records(runtime.workbook, "Policies") if r["Version"] == "hours-1"
    )
    # Yoybuy skips official holiday periods; an hour window cannot
    assert message.startswith("✗ an hour window counts every hour")
    assert "skip_official_holiday_periods" in message
    assert records(runtime.workbook)[0]["Policy Ref"] == "yoybuy@2025.1"
