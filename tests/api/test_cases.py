"""Case details (what the add-on's sidebar shows) agree with what the sync wrote into the sheet,
and carry the clocks, missing evidence, findings and timeline behind it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.api.support import SHEET, Api, edit_cell
from tests.workbooks import case, records, write_workbook

MIXED = [
    case(),  # Superbuy defect, in progress
    case(**{"Case ID": "AS-T-0002", "Platform": "Bhiner", "Video Proof": "No"}),
    case(
        **{"Case ID": "AS-T-0003", "Platform": "Yoybuy", "Status": "Closed", "Outcome": "Refunded"}
    ),
    case(**{"Case ID": "AS-T-0004", "Status": "Waiting for Godot"}),  # not a status: an error
]


def details(api: Api, case_id: str, sheet: str = SHEET) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/v1/sheets/{sheet}/cases/{case_id}")
    return body


def wall_minute(value: str | None) -> datetime | None:
    """An API time as the sheet shows it: wall clock in the team's zone, to the minute."""
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=None, second=0, microsecond=0)


def assert_matches_sheet(shown: dict[str, Any], row: dict[str, Any]) -> None:
    deadline = row["Return Deadline"]
    assert shown["policy_ref"] == row["Policy Ref"]
    assert shown["return_deadline"] == (deadline.date().isoformat() if deadline else None)
    assert shown["days_left"] == row["Days Left"]
    # The sheet names the clock and its due time after the state word the API gives.
    assert ((row["SLA State"] or "").split(":")[0] or None) == shown["sla_state"]
    assert shown["next_action"] == row["Next Action"]
    assert wall_minute(shown["next_due"]) == row["Next Due"]
    assert shown["priority"] == row["Priority"]
    assert shown["validation"] == row["Validation"]


@pytest.mark.parametrize("case_id", ["AS-T-0001", "AS-T-0002", "AS-T-0003", "AS-T-0004"])
def test_case_details_agree_with_the_sheet(api: Api, case_id: str) -> None:
    """For a clean case, one missing evidence, a closed one and a row with an error, the
    sidebar's policy ref, deadline, days left, SLA state, next action, due time, priority and
    validation are exactly what the sync wrote into that row."""
    api.add_sheet("mixed", write_workbook(api.tmp / "mixed.xlsx", MIXED))
    api.sync("mixed")
    row = next(r for r in records(api.workbook("mixed")) if r["Case ID"] == case_id)

    shown = details(api, case_id, "mixed")

    assert shown["case_id"] == case_id
    assert_matches_sheet(shown, row)


def test_case_details_explain_the_case(api: Api) -> None:
    """A Bhiner defect without video proof shows its policy, deadline, the three SLA clocks,
    the missing video proof with its finding, and the 'created' event of the first sync."""
    api.sync()
    shown = details(api, "AS-T-0002")

    assert shown["row"] == 3
    assert shown["platform"] == "bhiner"
    assert shown["policy_ref"] == "bhiner@2025.1"
    assert shown["return_deadline"] == "2025-10-15"  # window start 10-01 + 14 days
    assert [c["name"] for c in shown["sla"]] == ["first_response", "seller_response", "resolution"]
    first = shown["sla"][0]
    assert first["state"] == shown["sla_state"] == "Overdue"  # opened 10-09 09:30, no reply yet
    assert first["due_at"] == "2025-10-09T15:00:00+08:00"
    assert shown["missing_evidence"] == ["video_proof"]
    assert [(f["code"], f["severity"], f["column"]) for f in shown["findings"]] == [
        ("evidence.missing", "warning", "video_proof")
    ]
    assert [e for e in shown["timeline"] if e["kind"] == "created"] == [
        {
            "at": "2025-10-10T10:00:00+08:00",
            "kind": "created",
            "detail": "Case opened with status In Progress",
        }
    ]
    kinds = {e["kind"] for e in shown["timeline"]}  # what the automation did, once each
    assert {"escalated", "reply_generated", "evidence_requested"} <= kinds
    assert shown["replies"]["customer"] and shown["replies"]["seller"]


def test_timeline_grows_with_what_later_syncs_observed(api: Api) -> None:
    """After the status is changed in the sheet and a later sync sees it, the case's timeline
    lists the change at that sync's time, and the SLA state follows the sheet (paused)."""
    api.sync()
    edit_cell(api.workbook(), "AS-T-0001", "Status", "Awaiting Customer")
    api.clock.advance(hours=2)
    api.sync()

    shown = details(api, "AS-T-0001")

    statuses = [e for e in shown["timeline"] if e["kind"] in ("created", "status_changed")]
    assert [(e["kind"], e["at"], e["detail"]) for e in statuses] == [
        ("created", "2025-10-10T10:00:00+08:00", "Case opened with status In Progress"),
        ("status_changed", "2025-10-10T12:00:00+08:00", "Status In Progress → Awaiting Customer"),
    ]
    row = records(api.workbook())[0]
    assert shown["sla_state"] == row["SLA State"].split(":")[0] == "Paused"


def test_case_details_write_nothing(api: Api) -> None:
    """Opening a case's details is a dry run: the workbook and the run history are unchanged."""
    api.sync()
    saved = api.workbook().read_bytes()
    edit_cell(api.workbook(), "AS-T-0001", "Status", "Resolved")
    edited = api.workbook().read_bytes()
    details(api, "AS-T-0001")
    assert api.workbook().read_bytes() == edited != saved
    assert len(api.get(f"/v1/sheets/{SHEET}/runs")) == 1


def test_an_hour_window_shows_its_deadline_with_the_time(api: Api) -> None:
    """A Ponybuy case stocked in at 14:20 has 120 hours from 15:00: the sidebar shows the same
    date and time the sheet holds, not the date alone."""
    stocked_in = datetime(2025, 10, 9, 14, 20)
    rows = [case(**{"Case ID": "PB-1", "Platform": "Ponybuy", "Window Start": stocked_in})]
    api.add_sheet("pony", write_workbook(api.tmp / "pony.xlsx", rows))
    api.sync("pony")
    row = records(api.workbook("pony"))[0]
    # 15:00 on 9 October plus 120 hours (five days) is 15:00 on 14 October, Shanghai time.
    assert row["Return Deadline"] == datetime(2025, 10, 14, 15, 0)

    shown = details(api, "PB-1", "pony")

    assert shown["return_deadline"] == "2025-10-14T15:00:00+08:00"


def test_unknown_case_is_404(api: Api) -> None:
    """A case id that is in no row of the sheet is a 404 not_found naming it."""
    api.sync()
    response = api.signed("GET", f"/v1/sheets/{SHEET}/cases/AS-T-9999")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "AS-T-9999" in response.json()["detail"]


def test_a_status_typo_is_not_recorded_as_a_blank_status(api: Api) -> None:
    """A mistyped status is a validation error in the row; the timeline does not claim that the
    status became blank, nor that it changed from blank once fixed."""
    api.sync()
    edit_cell(api.workbook(), "AS-T-0001", "Status", "Awaiting Costumer")
    api.sync()
    edit_cell(api.workbook(), "AS-T-0001", "Status", "Awaiting Customer")
    api.sync()

    timeline = details(api, "AS-T-0001")["timeline"]

    assert not [e["detail"] for e in timeline if "(blank)" in e["detail"]]
