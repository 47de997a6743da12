"""Due times hold still between syncs, and the SLA State cell says which clock and when."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from app.notify.settings import NotifySettings, WebhookSettings
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.workbooks import DEFAULT_HEADERS, case, read_tab, records, write_workbook

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


def test_sla_state_names_the_clock_and_when_it_falls_due(runtime: Runtime) -> None:
    """SLA State says which clock it is read from and that clock's due time, so an Overdue
    row with days left on its return window reads consistently."""
    late = case(
        **{
            "Case ID": "AS-251009-0007",
            "Opened": datetime(2025, 10, 9, 9, 30),  # Thursday morning, no reply since
            "Platform": "Superbuy",
            "Customer": "李娜",
            "Issue Type": "Not as Described",
            "Window Start": datetime(2025, 10, 8),
            "Status": "New",
        }
    )
    write_workbook(runtime.workbook, [late, *team_sheet()])
    runtime.engine().sync(now=MORNING)
    rows = {r["Case ID"]: r for r in records(runtime.workbook)}

    # First response target 4 working hours (09:00-12:00, 13:30-18:30): 09:30 + 2h30 = 12:00,
    # then 1h30 after lunch: due 15:00 the day it was opened.
    assert rows["AS-251009-0007"]["SLA State"] == "Overdue: first response, due 10-09 15:00"
    assert rows["AS-251009-0007"]["Days Left"] > 0  # the return window is another clock
    # Awaiting Seller since this sync (Tue 10:00): the seller has 2 whole China working days,
    # due Thu 10:00, before the resolution clock (5 days of 8h from Mon 14:10).
    assert rows["AS-251013-0003"]["SLA State"] == "On track: seller response, due 10-16 10:00"
    # Waiting on the customer since the first sync: the clock stands, its due time is open.
    paused = rows["AS-251013-0002"]
    assert paused["Next Due"] is None
    # Resolution from Mon 11:00 to Tue 10:00 used 1h + 5h + 1h = 7h of 40h: 33h left.
    assert paused["SLA State"] == "Paused: resolution, 33 working hours left"


def test_row_change_time_is_named_for_what_it_is(runtime: Runtime, tmp_path: Path) -> None:
    """The per-row time is headed 'Last Changed By Service' (it moves only when the service
    changes the row); a sheet still headed 'Last Synced' keeps working under its old name."""
    write_workbook(runtime.workbook, team_sheet())
    runtime.engine().sync(now=MORNING)
    runtime.engine().sync(now=MORNING + timedelta(hours=1))
    header = read_tab(runtime.workbook)[0]
    assert "Last Changed By Service" in header and "Last Synced" not in header
    changed = records(runtime.workbook)[0]["Last Changed By Service"]
    assert changed == datetime(2025, 10, 14, 10, 0)  # the first sync's time: nothing changed since

    old = write_workbook(
        tmp_path / "old.xlsx", team_sheet(), headers=[*DEFAULT_HEADERS, "Last Synced"]
    )
    rt = open_runtime(runtime.settings.model_copy(update={"workbook": old}))
    try:
        rt.engine().sync(now=MORNING)
    finally:
        rt.store.close()
    header = read_tab(old)[0]
    assert header.count("Last Synced") == 1 and "Last Changed By Service" not in header
    assert records(old)[0]["Last Synced"] == datetime(2025, 10, 14, 10, 0)


def _overdue_case() -> dict[str, Any]:
    return case(
        **{
            "Case ID": "AS-251009-0007",
            "Opened": datetime(2025, 10, 9, 9, 30),
            "Customer": "李娜",
            "Status": "New",
            "Assignee": "Chen",
        }
    )


def test_notices_with_no_channel_say_they_were_not_sent(runtime: Runtime) -> None:
    """With no webhook or SMTP configured, the Escalation cell and the Timeline say the
    escalation was not sent, instead of reading as if someone was told."""
    write_workbook(runtime.workbook, [_overdue_case()])
    runtime.engine().sync(now=MORNING)
    row = records(runtime.workbook)[0]
    timeline = records(runtime.workbook, "Timeline")

    assert row["Escalation"].endswith(" — not sent: no channel configured")
    escalated = [t["Detail"] for t in timeline if t["Event"] == "Escalated"]
    assert escalated and all(d.endswith(" — not sent: no channel configured") for d in escalated)


def test_notices_with_a_channel_read_as_sent(settings: Settings, tmp_path: Path) -> None:
    """With a team webhook configured, the same escalation carries no 'not sent' note."""
    hook = WebhookSettings(name="team", url=SecretStr("https://hooks.example.com/x"))
    configured = settings.model_copy(update={"notify": NotifySettings(webhooks=(hook,))})
    rt = open_runtime(configured)
    try:
        write_workbook(rt.workbook, [_overdue_case()])
        rt.engine().sync(now=MORNING)
    finally:
        rt.store.close()
    row = records(rt.workbook)[0]
    assert row["Escalation"].startswith("L2 lead") and "not sent" not in row["Escalation"]
    details = [t["Detail"] for t in records(rt.workbook, "Timeline") if t["Event"] == "Escalated"]
    assert details and not any("not sent" in d for d in details)
