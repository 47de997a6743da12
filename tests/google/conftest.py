"""A team's Google spreadsheet on the local Sheets API emulator, synced through the real
GoogleBackend (gspread over google-auth, traffic routed to the emulator over HTTP)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.sheets.google import GoogleBackend
from app.sheets.redirect import redirected_session
from app.sheets.retry import RetryPolicy
from sheet_schema import Owner, load_schema
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator
from tests.workbooks import NOW

CASES = load_schema().tab("cases")
HEADERS = [c.header for c in CASES.columns]  # the layout `init` creates, in schema order
USER_KEYS = [c.key for c in CASES.columns if c.owner is Owner.USER]
SERVICE_KEYS = [c.key for c in CASES.columns if c.owner is Owner.SERVICE]
CHECKED = ["policy_ref", "return_deadline", "days_left", "next_action", "sla_state", "priority"]


def typed_row(n: int, **values: Any) -> dict[str, Any]:
    """A case as a person types it into Google Sheets (text the UI parses)."""
    row = {
        "case_id": f"AS-G-{n:04d}",
        "opened": "2025-10-09 09:30",
        "platform": ("Superbuy", "Bhiner", "Yoybuy")[n % 3],
        "order_no": f"ORD{n:06d}",
        "customer": f"Customer {n:03d}",
        "issue_type": ("Defect", "Wrong Size", "Damaged in Transit", "Wrong Item")[n % 4],
        "item_condition": "New",
        "window_start": f"2025-10-{1 + n % 8:02d}",
        "evidence": "photos, video",
        "original_packaging": "Yes",
        "video_proof": "Yes",
        "assignee": ("Lily", "Chen", "Marco")[n % 3],
        "status": ("New", "In Progress", "Awaiting Seller")[n % 3],
    }
    row.update(values)
    return row


@dataclass
class GoogleSheet:
    """One spreadsheet on the emulator with a runtime (store + engine) syncing it."""

    emulator: Emulator
    spreadsheet_id: str
    runtime: Runtime
    account_path: Path

    def backend(self, **retry: float) -> GoogleBackend:
        return GoogleBackend.from_service_account(
            self.spreadsheet_id,
            self.account_path,
            session_factory=lambda creds: redirected_session(creds, self.emulator.base_url),
            retry=RetryPolicy(
                base_delay=retry.get("base_delay", 0.01),
                max_delay=0.05,
                budget=retry.get("budget", 3.0),
                attempts=int(retry.get("attempts", 6)),
            ),
            timeout=retry.get("timeout", 10.0),
        )

    def twin(self, **retry: float) -> GoogleSheet:
        """Another new spreadsheet (same emulator, account and a fresh store), set up by init."""
        spreadsheet_id = self.emulator.create_spreadsheet(
            "Twin", shared_with={self.runtime.backend().account: "writer"}
        )
        folder = Path(tempfile.mkdtemp(prefix="twin-"))
        settings = self.runtime.settings.model_copy(
            update={"database_url": SecretStr(f"sqlite:///{folder}/store.db")}
        )
        runtime = open_runtime(settings, sheet=spreadsheet_id)
        twin = GoogleSheet(self.emulator, spreadsheet_id, runtime, self.account_path)
        runtime._backend = twin.backend(**retry)
        runtime.initialise()
        return twin

    def fresh_runtime(self) -> Runtime:
        """The same sheet and store, with a new backend (no cached metadata)."""
        self.runtime._backend = self.backend()
        return self.runtime

    def type_rows(self, rows: Sequence[dict[str, Any]], first_row: int = 2) -> None:
        """Type rows as a person would (pasting past the grid first grows it, as Sheets does)."""
        needed = first_row + len(rows) - 1
        sheet = next(
            t for t in self.emulator.spreadsheet(self.spreadsheet_id).sheets if t.title == "Cases"
        )
        have = int(sheet.props["gridProperties"]["rowCount"])
        if needed > have:
            grow = {"sheetId": sheet.sheet_id, "dimension": "ROWS", "length": needed - have}
            self.emulator.edit_now(Edit.requests(self.spreadsheet_id, [{"appendDimension": grow}]))
        values = [[row.get(k, "") for k in USER_KEYS] for row in rows]
        self.emulator.set_values(self.spreadsheet_id, f"'Cases'!A{first_row}", values)

    def sync(self, now: datetime = NOW) -> Any:
        return self.runtime.engine().sync(now=now)

    def grid(self) -> list[list[Any]]:
        return self.emulator.values(self.spreadsheet_id, "'Cases'")

    def records(self) -> list[dict[str, Any]]:
        rows = self.grid()
        header = rows[0]
        keys = [next((c.key for c in CASES.columns if c.header == h), str(h)) for h in header]
        return [
            {k: (row[i] if i < len(row) else "") for i, k in enumerate(keys)} for row in rows[1:]
        ]


@pytest.fixture
def google_sheet(emulator: Emulator, service_account: Any, tmp_path: Path) -> Iterator[GoogleSheet]:
    spreadsheet_id = emulator.create_spreadsheet(
        "Team after-sales", shared_with={service_account.email: "writer"}
    )
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        google_credentials=str(service_account.path),  # type: ignore[arg-type]
        google_api_override=emulator.base_url,
    )
    runtime = open_runtime(settings, sheet=spreadsheet_id)
    sheet = GoogleSheet(emulator, spreadsheet_id, runtime, Path(service_account.path))
    sheet.fresh_runtime()
    runtime.initialise()
    emulator.clear_requests()
    yield sheet
    runtime.store.close()
