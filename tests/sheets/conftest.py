"""The `backend_factory` fixture the shared SheetBackend contract suite runs against.

Each parameter is one backend ("workbook-openpyxl": the workbook read by openpyxl alone).
A factory call gives a backend on a brand-new spreadsheet (one
default tab, like a spreadsheet Google just created) and a way to open a second, independent
backend instance on that same spreadsheet, so a test can check that what one wrote another reads.
"google" is a GoogleBackend talking to the local Sheets API emulator over HTTP.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from app.sheets.backend import SheetBackend
from app.sheets.google import GoogleBackend
from app.sheets.redirect import redirected_session
from app.sheets.retry import RetryPolicy
from app.sheets.workbook import WorkbookBackend

DEFAULT_TAB = "Sheet1"


@dataclass(frozen=True)
class FreshSheet:
    """A backend on a new spreadsheet, plus how to reach the same spreadsheet again."""

    backend: SheetBackend
    reopen: Callable[[], SheetBackend]  # a second, independent instance on the same sheet
    location: str  # what `describe()` must name (file path, spreadsheet id, ...)
    # Types a formula into a cell (tab, A1 cell, formula) as a person would, outside the backend.
    type_formula: Callable[[str, str, str], None]
    secrets: tuple[str, ...] = ()  # credentials the backend holds; never shown in messages


BackendFactory = Callable[[], FreshSheet]


def _workbook_factory(folder: Path, *, fast_reads: bool = True) -> BackendFactory:
    """Workbooks read with calamine (the default), or with openpyxl only (`fast_reads=False`,
    the path a workbook whose tabs hold formulas takes): both keep the same contract."""
    numbers = itertools.count(1)

    def make() -> FreshSheet:
        path = folder / f"sheet-{next(numbers)}.xlsx"
        WorkbookBackend(path).create([DEFAULT_TAB])

        def type_formula(tab: str, cell: str, formula: str) -> None:
            book = openpyxl.load_workbook(path)
            book[tab][cell] = formula
            book.save(path)

        return FreshSheet(
            backend=WorkbookBackend(path, fast_reads=fast_reads),
            reopen=lambda: WorkbookBackend(path, fast_reads=fast_reads),
            location=str(path),
            type_formula=type_formula,
        )

    return make


def _google_factory(request: pytest.FixtureRequest) -> BackendFactory:
    emulator = request.getfixturevalue("emulator")
    account = request.getfixturevalue("service_account")
    numbers = itertools.count(1)

    def open_backend(spreadsheet_id: str) -> SheetBackend:
        return GoogleBackend.from_service_account(
            spreadsheet_id,
            account.path,
            session_factory=lambda creds: redirected_session(creds, emulator.base_url),
            retry=RetryPolicy(base_delay=0.01, max_delay=0.05, budget=5),
            timeout=10,
        )

    def make() -> FreshSheet:
        spreadsheet_id = emulator.create_spreadsheet(
            f"contract-{next(numbers)}", shared_with={account.email: "writer"}
        )
        key = json.loads(Path(account.path).read_text())["private_key"]
        return FreshSheet(
            backend=open_backend(spreadsheet_id),
            reopen=lambda: open_backend(spreadsheet_id),
            location=spreadsheet_id,
            type_formula=lambda tab, cell, formula: emulator.set_values(
                spreadsheet_id, f"'{tab}'!{cell}", [[formula]]
            ),
            secrets=(key.splitlines()[1],),
        )

    return make


@pytest.fixture(params=["workbook", "workbook-openpyxl", "google"])
def backend_factory(request: pytest.FixtureRequest, tmp_path: Path) -> BackendFactory:
    if request.param == "workbook":
        return _workbook_factory(tmp_path)
    if request.param == "workbook-openpyxl":
        return _workbook_factory(tmp_path, fast_reads=False)
    if request.param == "google":
        return _google_factory(request)
    raise AssertionError(f"no factory for backend {request.param!r}")  # pragma: no cover


@pytest.fixture
def sheet(backend_factory: BackendFactory) -> FreshSheet:
    return backend_factory()
