"""The sheet every crash test syncs, on either backend, and what a test does with it.

Why one story: each kill is judged against the same uninterrupted sync (the control), so the
sheet must exercise what a crash can break. A first sync (at BASE, delivered) records three
cases and sends their escalations; then a person resolves one case (a "Status changed" Timeline
entry and a "tell the customer" notice, to both channels) and types a new row without Case ID
or Opened (an id fill and a "Created" entry). The sync under test runs and delivers at NOW;
LATER is past the delivery lease, when a message whose sender died before recording the send is
due again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from string import ascii_uppercase
from typing import Any

import openpyxl

from app.notify.dispatch import deliver_now
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.store import RunRecord
from tests.crash.child import Job
from tests.crash.harness import Peers, env_of
from tests.emulator.emulator import Emulator
from tests.google.conftest import USER_KEYS, GoogleSheet, typed_row
from tests.workbooks import NOW, case, write_workbook

BASE = NOW - timedelta(hours=1)
LEASE_SECONDS = 120
LATER = NOW + timedelta(seconds=LEASE_SECONDS + 60)

Tabs = dict[str, list[list[Any]]]


@dataclass
class Side:
    """One copy of the story: a sheet, its store (`runtime`) and the settings of both."""

    runtime: Runtime
    fields: dict[str, Any]  # Settings fields, handed to the child as AFTERSALES_* variables
    folder: Path
    target: dict[str, str]  # {"workbook": path} or {"sheet": spreadsheet id}
    read_tabs: Callable[[], Tabs]
    read_cases: Callable[[], list[list[Any]]]  # the Cases tab alone (quicker)

    def job(
        self, step: str, occurrence: int = 1, *, undo: int | None = None, now: datetime = NOW
    ) -> Job:
        return Job(
            env=env_of(self.fields),
            now=now.isoformat(),
            kill_at=step,
            occurrence=occurrence,
            undo=undo,
            **self.target,
        )

    def sync_and_deliver(self, now: datetime) -> None:
        """What `aftersales sync --now` does, in this process."""
        self.runtime.engine().sync(now=now)
        self.deliver(now)

    def deliver(self, now: datetime) -> None:
        rt = self.runtime
        deliver_now(rt.store.engine, rt.settings.notify, rt.team, now)

    def runs(self) -> list[RunRecord]:
        """The sheet's runs, oldest first."""
        return sorted(self.runtime.store.list_runs(self.runtime.sheet_key), key=lambda r: r.id)


# --- the workbook ---------------------------------------------------------------------------


def workbook_side(folder: Path, database_url: str, peers: Peers) -> Side:
    """A workbook after the first sync and the person's edits, ready for the sync under test."""
    folder.mkdir(parents=True)
    fields: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "workbook": str(folder / "cases.xlsx"),
        "notify": peers.notify(),
    }
    runtime = open_runtime(Settings(**fields))
    write_workbook(runtime.workbook, _workbook_cases())
    path = folder / "cases.xlsx"
    side = Side(runtime, fields, folder, {"workbook": str(path)}, _tabs_of(path), _cases_of(path))
    side.sync_and_deliver(BASE)
    _edit_workbook(runtime.workbook)
    peers.clear()
    return side


def _workbook_cases() -> list[dict[str, Any]]:
    return [
        case(Status="New"),
        case(**{"Case ID": "AS-T-0002", "Opened": datetime(2025, 10, 1, 9), "Platform": "Bhiner"}),
        case(**{"Case ID": "AS-T-0003", "Status": "Awaiting Seller"}),
    ]


def _edit_workbook(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("Status") + 1).value = "Resolved"
    sheet.cell(row=2, column=header.index("Outcome") + 1).value = "Full Refund"
    new = case(**{"Case ID": None, "Opened": None, "Customer": "Noor Haddad", "Assignee": "Chen"})
    sheet.append([new.get(h) for h in header])
    book.save(path)


def _tabs_of(path: Path) -> Callable[[], Tabs]:
    def read() -> Tabs:
        book = openpyxl.load_workbook(BytesIO(path.read_bytes()))
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}

    return read


def _cases_of(path: Path) -> Callable[[], list[list[Any]]]:
    def read() -> list[list[Any]]:
        book = openpyxl.load_workbook(BytesIO(path.read_bytes()), read_only=True)
        return [list(r) for r in book["Cases"].iter_rows(values_only=True)]

    return read


def stray_files(side: Side) -> list[str]:
    """Files in the workbook's folder that are neither the workbook nor the test's own."""
    mine = {"cases.xlsx", "child.log", ".cases.xlsx.aftersales-lock"}  # the sheet's own lock
    return sorted(
        p.name for p in side.folder.iterdir() if p.name not in mine and "store" not in p.name
    )


# --- the Google spreadsheet -----------------------------------------------------------------


def google_side(folder: Path, emulator: Emulator, account: Path, email: str, peers: Peers) -> Side:
    """A Google spreadsheet on the emulator, after the first sync and the person's edits."""
    folder.mkdir(parents=True)
    spreadsheet_id = emulator.create_spreadsheet("After-sales", shared_with={email: "writer"})
    fields: dict[str, Any] = {
        "environment": "test",
        "database_url": f"sqlite:///{folder}/store.db",
        "google_credentials": str(account),
        "google_api_override": emulator.base_url,
        "notify": peers.notify(),
    }
    runtime = open_runtime(Settings(**fields), sheet=spreadsheet_id)
    sheet = GoogleSheet(emulator, spreadsheet_id, runtime, account)
    sheet.fresh_runtime()  # a backend with short retries
    runtime.initialise()
    sheet.type_rows(
        [typed_row(1, status="New"), typed_row(2, opened="2025-10-01 09:00"), typed_row(3)]
    )

    def read() -> Tabs:
        titles = [t.title for t in emulator.spreadsheet(spreadsheet_id).sheets]
        return {t: emulator.values(spreadsheet_id, f"'{t}'") for t in titles}

    def cases() -> list[list[Any]]:
        return emulator.values(spreadsheet_id, "'Cases'")

    side = Side(runtime, fields, folder, {"sheet": spreadsheet_id}, read, cases)
    side.sync_and_deliver(BASE)
    status, outcome = (_letter(USER_KEYS.index(k)) for k in ("status", "outcome"))
    emulator.set_values(spreadsheet_id, f"'Cases'!{status}2", [["Resolved"]])
    emulator.set_values(spreadsheet_id, f"'Cases'!{outcome}2", [["Full Refund"]])
    sheet.type_rows([typed_row(9, case_id="", opened="", customer="Noor Haddad")], first_row=5)
    peers.clear()
    return side


def _letter(index: int) -> str:
    assert index < len(ascii_uppercase), "user columns fit in A..Z"
    return ascii_uppercase[index]
