"""Hostile sheets through the Google backend, against the local Sheets API emulator over HTTP:
no crash, every bad cell named in its Validation cell, no cell a person owns changed (formulas
included), and a second sync has nothing to write.

Google's values API returns what a formula computes, so a Case ID or Opened formula that
computes nothing (`=""`) reads as blank; the backend looks such cells up (FORMULA rendering)
before filling, and the oracle holds it to the same rule as the workbook: a formula is a
person's cell.

Derandomized (and without the example database), so `make test` runs the same examples every
time; the rules are in tests/fuzz/oracle.py, the sheets in tests/fuzz/hostile.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, note

from app.errors import SheetContractError
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.sheets.google import GoogleBackend
from app.sheets.redirect import redirected_session
from app.sheets.retry import RetryPolicy
from tests.emulator.emulator import Emulator
from tests.fuzz.backends import create_google_sheet, google_book, google_grid, writes_made
from tests.fuzz.hostile import HostileSheet
from tests.fuzz.oracle import book_changes, check_refused, check_synced, header_map
from tests.fuzz.regressions import fuzzed
from tests.store.conftest import postgres_schema_url  # noqa: F401  (fixture, reused)
from tests.workbooks import NOW

pytestmark = pytest.mark.postgres

EXAMPLES = 25


@pytest.fixture
def shared(
    sheets_emulator: Emulator,
    service_account: Any,
    postgres_schema_url: str,  # noqa: F811
) -> Iterator[Runtime]:
    """One PostgreSQL store for every example (each spreadsheet is its own sheet in it): the
    store of the several-replica set-up, and the one that cannot hold a NUL character."""
    rt = open_runtime(
        Settings(
            environment="test",
            database_url=postgres_schema_url,  # type: ignore[arg-type]
            google_credentials=str(service_account.path),  # type: ignore[arg-type]
            google_api_override=sheets_emulator.base_url,
        )
    )
    yield rt
    rt.store.close()


def backend(emulator: Emulator, account: Any, spreadsheet_id: str) -> GoogleBackend:
    return GoogleBackend.from_service_account(
        spreadsheet_id,
        Path(account.path),
        session_factory=lambda creds: redirected_session(creds, emulator.base_url),
        retry=RetryPolicy(base_delay=0.01, max_delay=0.05, budget=3.0),
        timeout=10.0,
    )


@fuzzed(EXAMPLES)
def test_hostile_google_sheet_is_synced_safely_or_refused_cleanly(
    emulator: Emulator, service_account: Any, shared: Runtime, sheet: HostileSheet
) -> None:
    """A hostile Google spreadsheet is refused with a contract error (no write request) only
    when its header row breaks the contract; otherwise it syncs, touching no person's cell,
    naming every bad cell in Validation, and leaving nothing for a second sync to write."""
    note(sheet.describe())
    for feature in sheet.features():
        event(feature)
    emulator.clock.freeze()  # NOW() in a person's formula gives one answer per example
    sid = create_google_sheet(emulator, service_account.email, sheet)
    title = sheet.title
    before = google_grid(emulator, sid, title)
    runtime = replace(shared, sheet=sid, _backend=backend(emulator, service_account, sid))
    contract_ok = header_map(title, before).ok
    emulator.clear_requests()
    try:
        runtime.engine().sync(now=NOW)
    except SheetContractError as exc:
        assert not contract_ok, f"refused a sheet whose headers are fine: {exc}"
        event("refused: header row breaks the contract")
        check_refused(exc, before, google_grid(emulator, sid, title), len(writes_made(emulator)))
        return
    assert contract_ok, "synced a sheet whose header row breaks the contract"
    check_synced(sheet, title, before, google_grid(emulator, sid, title))
    synced = google_book(emulator, sid)
    again = runtime.engine().sync(now=NOW)
    assert again.cells_written == 0, "a second sync wrote cells again:\n" + "\n".join(
        book_changes(synced, google_book(emulator, sid))
    )
