"""The two sheets of the incremental-equivalence state machine (tests/sync/incremental_machine.py),
on either backend, edited the way a person edits them.

A `Sheet` is one spreadsheet plus the runtime (its own SQLite store) that syncs it. A `Twins`
factory makes the pair for one run: a sheet synced with incremental evaluation and its twin
with it switched off, both starting from the same cases. The rules speak only of tabs, data
rows (0-based, below the header) and headers, so one rule set drives both backends:

- workbook: a real .xlsx edited with openpyxl (load, change, save), as a person's Excel would;
- google: a spreadsheet on the local Sheets API emulator, synced through the real GoogleBackend
  over HTTP; a person types through the values API (USER_ENTERED: "2025-10-09 09:30" becomes a
  date, as in the Sheets UI), sorts with sortRange and deletes a row with deleteDimension.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import openpyxl
from pydantic import SecretStr

from app.notify.outbox import Outbox
from app.notify.settings import NotifySettings, WebhookSettings
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.sheets.google import GoogleBackend
from app.sheets.redirect import redirected_session
from app.sheets.retry import RetryPolicy
from tests.emulator.auth import ServiceAccount
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator
from tests.workbooks import write_workbook

# A team webhook, so escalations and reminders land in the outbox (never delivered here).
NOTIFY = NotifySettings(
    webhooks=(WebhookSettings(name="team", url=SecretStr("https://hooks.example.com/x")),)
)
SERIAL_EPOCH = datetime(1899, 12, 30)  # day 0 of a Sheets date serial
OUTBOX_KEY = "Idempotency Key"  # a digest of the sheet key: differs between the twins


class Sheet(Protocol):
    runtime: Runtime

    def headers(self, tab: str) -> list[Any]: ...
    def data_rows(self, tab: str) -> int: ...
    def get(self, tab: str, row: int, header: str) -> Any: ...
    def set(self, tab: str, row: int, header: str, value: Any) -> None: ...
    def append(self, tab: str, values: Mapping[str, Any]) -> None: ...
    def delete_row(self, tab: str, row: int) -> None: ...
    def sort(self, tab: str, header: str, reverse: bool) -> None: ...
    def tabs(self) -> dict[str, list[tuple[Any, ...]]]: ...


@dataclass
class Twins:
    """One run's pair of sheets and how to throw them away."""

    fast: Sheet
    full: Sheet
    close: Callable[[], None]


TwinsFactory = Callable[[list[Mapping[str, Any]]], Twins]


def _twins(root: Path, sheet: Callable[[str, bool], Sheet]) -> Twins:
    """The incremental sheet and its full-recalculation twin, made by `sheet(name,
    incremental)` under `root`, which closing removes."""
    fast, full = sheet("fast", True), sheet("full", False)

    def close() -> None:
        fast.runtime.store.close()
        full.runtime.store.close()
        shutil.rmtree(root, ignore_errors=True)

    return Twins(fast, full, close)


def comparable(sheet: Sheet) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """Every tab's values and the store's outbox, without what names the sheet itself.

    The outbox's idempotency keys are digests of the sheet key, and one sync's messages are
    queued in key order: so the twins' keys differ, and so does the order of messages queued
    at the same instant. The keys are checked to be the store's and then masked; the Outbox
    tab's rows and the store's messages are compared as sorted lists (every other column as
    it is)."""
    rt = sheet.runtime
    records = Outbox(rt.store.engine).records(rt.sheet_key, limit=100_000)
    tabs = sheet.tabs()
    outbox = tabs.get("Outbox")
    if outbox:
        col = list(outbox[0]).index(OUTBOX_KEY)
        shown = {r[col] for r in outbox[1:] if col < len(r) and r[col] not in (None, "")}
        # The tab shows the outbox as the sync found it (this sync's notices: the next one).
        assert shown <= {r.idempotency_key for r in records}, "Outbox tab vs store's outbox"
        masked = [(*r[:col], "<key>", *r[col + 1 :]) for r in outbox[1:]]
        tabs["Outbox"] = [outbox[0], *sorted(masked, key=repr)]
    skip = {"id", "sheet_key", "idempotency_key"}
    kept = [
        tuple(repr(getattr(r, f.name)) for f in fields(r) if f.name not in skip) for r in records
    ]
    return tabs, sorted(kept)


def shown_instant(value: Any) -> datetime | None:
    """A date-time cell as either backend reads it back (a datetime, or a Sheets serial number),
    as the team's local wall-clock time; None for anything else."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = SERIAL_EPOCH + timedelta(days=value)
        return moment.replace(second=0, microsecond=0) + timedelta(minutes=moment.second >= 30)
    return None


def _settings(folder: Path, *, incremental: bool, **extra: Any) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite:///{folder}/store.db",
        workbook=folder / "售后.xlsx",
        incremental=incremental,
        notify=NOTIFY,
        **extra,
    )


# -- workbook ------------------------------------------------------------------------------------


class WorkbookSheet:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.path = runtime.workbook

    def _change(self, change: Callable[[openpyxl.Workbook], None]) -> None:
        book = openpyxl.load_workbook(self.path)
        change(book)
        book.save(self.path)

    def headers(self, tab: str) -> list[Any]:
        return [c.value for c in openpyxl.load_workbook(self.path, read_only=True)[tab][1]]

    def data_rows(self, tab: str) -> int:
        return max(len(self.tabs().get(tab, ())) - 1, 0)

    def get(self, tab: str, row: int, header: str) -> Any:
        rows = self.tabs()[tab]
        return rows[1 + row][list(rows[0]).index(header)]

    def set(self, tab: str, row: int, header: str, value: Any) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book[tab]
            col = [c.value for c in ws[1]].index(header)
            ws.cell(2 + row, 1 + col).value = value

        self._change(change)

    def append(self, tab: str, values: Mapping[str, Any]) -> None:
        def change(book: openpyxl.Workbook) -> None:
            if tab not in book.sheetnames:  # the team makes the tab (Vocabulary is optional)
                book.create_sheet(tab).append(list(values))
            ws = book[tab]
            ws.append([values.get(c.value) if isinstance(c.value, str) else None for c in ws[1]])

        self._change(change)

    def delete_row(self, tab: str, row: int) -> None:
        self._change(lambda book: book[tab].delete_rows(2 + row))

    def sort(self, tab: str, header: str, reverse: bool) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book[tab]
            col = [c.value for c in ws[1]].index(header)
            rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
            rows.sort(key=lambda r: str(r[col] or ""), reverse=reverse)
            for i, values in enumerate(rows):
                for j, value in enumerate(values):
                    ws.cell(2 + i, 1 + j).value = value

        self._change(change)

    def tabs(self) -> dict[str, list[tuple[Any, ...]]]:
        book = openpyxl.load_workbook(self.path)
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def workbook_twins(first_rows: list[Mapping[str, Any]]) -> Twins:
    root = Path(tempfile.mkdtemp(prefix="incremental-"))

    def sheet(name: str, incremental: bool) -> WorkbookSheet:
        folder = root / name
        folder.mkdir()
        settings = _settings(folder, incremental=incremental)
        write_workbook(settings.workbook, first_rows)
        return WorkbookSheet(open_runtime(settings))

    return _twins(root, sheet)


# -- google --------------------------------------------------------------------------------------


def typed(value: Any) -> Any:
    """What a person types into Google Sheets for a value (a date as the UI parses it)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(
            "%Y-%m-%d" if value.time() == datetime.min.time() else "%Y-%m-%d %H:%M"
        )
    return value


class GoogleSheet:
    def __init__(self, emulator: Emulator, spreadsheet_id: str, runtime: Runtime) -> None:
        self.emulator = emulator
        self.id = spreadsheet_id
        self.runtime = runtime

    def _values(self, tab: str) -> list[list[Any]]:
        return self.emulator.values(self.id, f"'{tab}'")

    def _sheet_id(self, tab: str) -> int:
        book = self.emulator.spreadsheet(self.id)
        return next(int(t.sheet_id) for t in book.sheets if t.title == tab)

    def _requests(self, requests: list[dict[str, Any]]) -> None:
        self.emulator.edit_now(Edit.requests(self.id, requests))

    def _type(self, tab: str, row: int, values: list[Any]) -> None:
        """Type a row of values at 1-based `row`, growing the grid first as Sheets does."""
        sheet = next(t for t in self.emulator.spreadsheet(self.id).sheets if t.title == tab)
        if row > sheet.rows:
            grow = {"sheetId": sheet.sheet_id, "dimension": "ROWS", "length": row - sheet.rows}
            self._requests([{"appendDimension": grow}])
        self.emulator.set_values(self.id, f"'{tab}'!A{row}", [[typed(v) for v in values]])

    def headers(self, tab: str) -> list[Any]:
        return list(self._values(tab)[0])

    def data_rows(self, tab: str) -> int:
        return max(len(self._values(tab)) - 1, 0)

    def get(self, tab: str, row: int, header: str) -> Any:
        rows = self._values(tab)
        values = rows[1 + row]
        col = rows[0].index(header)
        return values[col] if col < len(values) else None

    def set(self, tab: str, row: int, header: str, value: Any) -> None:
        col = self.headers(tab).index(header)
        self.emulator.set_values(self.id, f"'{tab}'!R{2 + row}C{1 + col}", [[typed(value)]])

    def append(self, tab: str, values: Mapping[str, Any]) -> None:
        rows = self._values(tab)
        self._type(tab, len(rows) + 1, [values.get(h) for h in rows[0]])

    def delete_row(self, tab: str, row: int) -> None:
        self.emulator.edit_now(Edit.delete_rows(self.id, tab, 2 + row))

    def sort(self, tab: str, header: str, reverse: bool) -> None:
        rows = self._values(tab)
        span = {
            "sheetId": self._sheet_id(tab),
            "startRowIndex": 1,
            "endRowIndex": len(rows),
            "startColumnIndex": 0,
            "endColumnIndex": max(len(r) for r in rows),
        }
        order = "DESCENDING" if reverse else "ASCENDING"
        spec = {"dimensionIndex": rows[0].index(header), "sortOrder": order}
        self._requests([{"sortRange": {"range": span, "sortSpecs": [spec]}}])

    def tabs(self) -> dict[str, list[tuple[Any, ...]]]:
        book = self.emulator.spreadsheet(self.id)
        return {t.title: [tuple(r) for r in self._values(t.title)] for t in book.sheets}


def google_twins(emulator: Emulator, account: ServiceAccount) -> TwinsFactory:
    """Twins on the emulator: one spreadsheet set up by `init` and typed in once, then copied
    (directly, like a person's File > Make a copy) for each run's pair."""
    original: list[str] = []
    assert account.path is not None
    key_file = account.path

    def backend(spreadsheet_id: str) -> GoogleBackend:
        return GoogleBackend.from_service_account(
            spreadsheet_id,
            key_file,
            session_factory=lambda creds: redirected_session(creds, emulator.base_url),
            retry=RetryPolicy(base_delay=0.01, max_delay=0.05, budget=5),
            timeout=10,
        )

    def runtime(folder: Path, spreadsheet_id: str, incremental: bool) -> Runtime:
        settings = _settings(
            folder,
            incremental=incremental,
            google_credentials=str(key_file),
            google_api_override=emulator.base_url,
        )
        rt = open_runtime(settings, sheet=spreadsheet_id)
        rt._backend = backend(spreadsheet_id)
        return rt

    def make(first_rows: list[Mapping[str, Any]]) -> Twins:
        root = Path(tempfile.mkdtemp(prefix="incremental-google-"))
        if not original:
            spreadsheet_id = emulator.create_spreadsheet(
                "售后 cases", shared_with={account.email: "writer"}
            )
            (root / "init").mkdir()
            rt = runtime(root / "init", spreadsheet_id, True)
            rt.initialise()
            rt.store.close()
            first = GoogleSheet(emulator, spreadsheet_id, rt)
            headers = first.headers("Cases")
            for i, row in enumerate(first_rows):
                first._type("Cases", 2 + i, [row.get(h) for h in headers])
            original.append(spreadsheet_id)

        def sheet(name: str, incremental: bool) -> GoogleSheet:
            (root / name).mkdir()
            spreadsheet_id = emulator.copy_spreadsheet(original[0], name)
            return GoogleSheet(
                emulator, spreadsheet_id, runtime(root / name, spreadsheet_id, incremental)
            )

        return _twins(root, sheet)

    return make
