"""A case walked through the team's whole procedure, per platform, with a fixed clock:
intake -> evidence request -> reminder -> seller message -> platform response -> outcome ->
closing with CSAT. At each step: the sheet, the Timeline and the messages a webhook received."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.notify.dispatch import deliver_now
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.workbooks import records, write_workbook

SHANGHAI_10AM = {  # weekdays in October 2025, 10:00 in Shanghai
    "fri": datetime(2025, 10, 10, 2, 0, tzinfo=UTC),
    "mon": datetime(2025, 10, 13, 2, 0, tzinfo=UTC),
    "mon_pm": datetime(2025, 10, 13, 6, 0, tzinfo=UTC),
    "tue": datetime(2025, 10, 14, 2, 0, tzinfo=UTC),
    "wed": datetime(2025, 10, 15, 2, 0, tzinfo=UTC),
    "thu": datetime(2025, 10, 16, 2, 0, tzinfo=UTC),
}
MISSING = {"Superbuy": "Original Packaging", "Bhiner": "Video Proof", "Yoybuy": None}


class Receiver:
    """A local webhook endpoint that records every delivery (body and idempotency key)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(
                    {"key": self.headers.get("Idempotency-Key"), "body": json.loads(body)}
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def kinds(self) -> list[str]:
        return [str(m["body"].get("kind")) for m in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def _runtime(tmp_path: Path, receiver: Receiver) -> Runtime:
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        workbook=tmp_path / "desk.xlsx",
        notify={"webhooks": [{"name": "team", "url": receiver.url, "style": "generic"}]},  # type: ignore[arg-type]
    )
    return open_runtime(settings)


def _edit(path: Path, **cells: object) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    header = [c.value for c in sheet[1]]
    for name, value in cells.items():
        sheet.cell(row=2, column=header.index(name.replace("_", " ")) + 1).value = value
    book.save(path)


def _step(rt: Runtime, receiver: Receiver, at: str) -> tuple[dict[str, Any], list[str]]:
    """Sync at a moment, deliver what is due; the case's row and its Timeline event kinds."""
    rt.engine().sync(now=SHANGHAI_10AM[at])
    deliver_now(rt.store.engine, rt.settings.notify, rt.team, SHANGHAI_10AM[at])
    row = records(rt.workbook)[0]
    kinds = [e.kind for e in rt.store.timeline(rt.sheet_key, "AS-P-1")]
    return row, kinds


def _situation(rt: Runtime) -> str:
    """The situation of the newest suggested reply, from the Timeline."""
    replies = [e for e in rt.store.timeline(rt.sheet_key, "AS-P-1") if e.kind == "reply_generated"]
    return str(replies[-1].data["situation"])


@pytest.mark.parametrize("platform", ["Superbuy", "Bhiner", "Yoybuy"])
def test_case_goes_through_the_whole_procedure(
    platform: str, tmp_path: Path, receiver: Receiver
) -> None:
    """Each step writes the right reply, records the Timeline and delivers the messages once."""
    rt = _runtime(tmp_path, receiver)
    case = {
        "Case ID": "AS-P-1",
        "Opened": datetime(2025, 10, 10, 9, 30),
        "Platform": platform,
        "Order No.": "ORD-1",
        "Customer": "Emma Wilson",
        "Language": "English",
        "Issue Type": "Defect",
        "Item Condition": "New",
        "Window Start": datetime(2025, 10, 2),
        "Evidence": "photos",
        "Assignee": "Lily",
        "Status": "New",
    }
    if MISSING[platform] is None:
        case["Original Packaging"] = "Yes"
    write_workbook(rt.workbook, [case])
    missing = MISSING[platform]

    # 1. Intake: acknowledged, policy checked, evidence asked for, seller request drafted.
    row, kinds = _step(rt, receiver, "fri")
    assert row["Policy Ref"].startswith(platform.lower())
    assert row["Suggested Reply"] and "Emma Wilson" in row["Suggested Reply"]
    assert row["Seller Message"] and "您好" in row["Seller Message"]
    assert _situation(rt) == "acknowledgement"
    assert ("evidence_requested" in kinds) == (missing is not None)

    # 2. Three days later, first response sent, evidence still missing: one reminder, delivered.
    _edit(rt.workbook, Status="In Progress", First_Response_At=datetime(2025, 10, 10, 10, 30))
    row, kinds = _step(rt, receiver, "mon")
    if missing is not None:
        assert kinds.count("evidence_reminder") == 1
        assert "evidence_reminder" in receiver.kinds()
        assert _situation(rt) == "evidence_request"
    else:
        assert "evidence_reminder" not in kinds
    delivered = len(receiver.received)
    keys = [m["key"] for m in receiver.received]
    assert all(keys) and len(set(keys)) == len(keys)

    # 3. Evidence arrives; the request goes to the seller.
    _edit(
        rt.workbook,
        Status="Awaiting Seller",
        Evidence="photos, video",
        Video_Proof="Yes",
        Original_Packaging="Yes",
    )
    row, kinds = _step(rt, receiver, "mon_pm")
    assert "evidence_added" in kinds and kinds.count("evidence_reminder") <= 1
    assert "卖家" in row["Seller Message"] or "您好" in row["Seller Message"]
    assert row["Validation"] == "OK"

    # 4. The platform answers; the customer is told.
    _edit(
        rt.workbook,
        Status="Awaiting Platform",
        Platform_Response="Seller agreed to refund after return",
    )
    row, kinds = _step(rt, receiver, "tue")
    assert "platform_response" in kinds
    assert _situation(rt) == "platform_response"

    # 5. Outcome: a full refund; the customer update goes out.
    _edit(rt.workbook, Status="Resolved", Outcome="Full Refund")
    row, kinds = _step(rt, receiver, "wed")
    assert _situation(rt).startswith("outcome")
    assert "refund" in row["Suggested Reply"].lower()
    assert len(receiver.received) > delivered

    # 6. Closing: the closing message asks for a CSAT score; once given, no reply is needed.
    _edit(rt.workbook, Status="Closed")
    row, kinds = _step(rt, receiver, "thu")
    assert _situation(rt) == "closing"
    assert "1" in row["Suggested Reply"] and "5" in row["Suggested Reply"]
    _edit(rt.workbook, CSAT=5)
    row, kinds = _step(rt, receiver, "thu")
    assert row["Suggested Reply"] is None
    assert row["SLA State"] == "Closed"

    # Nothing was delivered twice, and a sync with nothing new delivers nothing.
    before = len(receiver.received)
    _step(rt, receiver, "thu")
    assert len(receiver.received) == before
    keys = [m["key"] for m in receiver.received]
    assert len(set(keys)) == len(keys)
    timeline = records(rt.workbook, "Timeline")
    ids = [e["Event ID"] for e in timeline]
    assert len(ids) == len(set(ids)) == len(rt.store.timeline(rt.sheet_key))
    rt.store.close()
