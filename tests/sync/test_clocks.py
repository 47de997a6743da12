"""Due times hold still between syncs, and the SLA State cell says which clock and when."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.runtime import Runtime
from tests.workbooks import case, records, write_workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 2025-10-14, 10:00 in Shanghai: a working morning after the National Day holidays.
MORNING = datetime(2025, 10, 14, 10, 0, tzinfo=SHANGHAI)


def team_sheet() -> list[dict[str, Any]]:
    """Three open cases as a small team keeps them: one still missing the original packaging,
    one waiting on the customer, one waiting on the seller."""
    return [
        case(
            **{
                "Case ID": "AS-251013-0001",
                "Opened": datetime(2025, 10, 13, 9, 30),
                "Platform": "Superbuy",
                "Customer": "王伟",
                "Language": "Chinese",
                "Issue Type": "Wrong Size",
                "Item Condition": "Unused",
                "Window Start": datetime(2025, 10, 10),
                "Evidence": "photos",
                "Original Packaging": None,
                "Assignee": "Chen",
                "Status": "In Progress",
                "First Response At": datetime(2025, 10, 13, 10, 5),
            }
        ),
        case(
            **{
                "Case ID": "AS-251013-0002",
                "Opened": datetime(2025, 10, 13, 11, 0),
                "Platform": "bhiner",
                "Customer": "Sofia Rossi",
                "Issue Type": "Defect",
                "Item Condition": "Used",
                "Window Start": datetime(2025, 10, 9),
                "Evidence": "photos, video",
                "Video Proof": "Yes",
                "Assignee": "Lily",
                "Status": "Awaiting Customer",
                "First Response At": datetime(2025, 10, 13, 11, 40),
            }
        ),
        case(
            **{
                "Case ID": "AS-251013-0003",
                "Opened": datetime(2025, 10, 13, 14, 10),
                "Platform": "Yoybuy",
                "Customer": "Jonas Berg",
                "Issue Type": "Wrong Item",
                "Window Start": datetime(2025, 10, 11),
                "Evidence": "photos",
                "Assignee": "Marco",
                "Status": "Awaiting Seller",
                "First Response At": datetime(2025, 10, 13, 15, 0),
                "Notes": "卖家说周三前回复",
            }
        ),
    ]


def test_two_syncs_an_hour_apart_without_edits_write_nothing(runtime: Runtime) -> None:
    """A second sync an hour later, with no edit and no boundary crossed, writes no cell and
    leaves every Next Due where the first sync put it."""
    write_workbook(runtime.workbook, team_sheet())
    runtime.engine().sync(now=MORNING)
    first = {r["Case ID"]: r for r in records(runtime.workbook)}
    second = runtime.engine().sync(now=MORNING + timedelta(hours=1))
    after = {r["Case ID"]: r for r in records(runtime.workbook)}

    assert second.cells_written == 0
    assert {k: r["Next Due"] for k, r in after.items()} == {
        k: r["Next Due"] for k, r in first.items()
    }
    asked = first["AS-251013-0001"]
    assert asked["Next Action"] == "Ask the customer for: original packaging"
    # Asked at the first sync: due a day after the request, not a day after every sync.
    assert asked["Next Due"] == datetime(2025, 10, 15, 10, 0)


def test_request_due_time_moves_only_when_the_request_changes(runtime: Runtime) -> None:
    """An answered request stops its clock; asking again later starts a new one from then."""
    rows = team_sheet()
    write_workbook(runtime.workbook, rows)
    runtime.engine().sync(now=MORNING)
    rows[0]["Original Packaging"] = "Yes"  # the customer sent photos of the box
    write_workbook(runtime.workbook, rows)
    runtime.engine().sync(now=MORNING + timedelta(hours=2))
    answered = {r["Case ID"]: r for r in records(runtime.workbook)}["AS-251013-0001"]
    rows[0]["Original Packaging"] = "No"  # ...which turned out to be another box
    write_workbook(runtime.workbook, rows)
    runtime.engine().sync(now=MORNING + timedelta(hours=5))
    asked_again = {r["Case ID"]: r for r in records(runtime.workbook)}["AS-251013-0001"]

    assert not answered["Next Action"].startswith("Ask the customer")
    assert asked_again["Next Action"] == "Ask the customer for: original packaging"
    assert asked_again["Next Due"] == datetime(2025, 10, 15, 15, 0)
