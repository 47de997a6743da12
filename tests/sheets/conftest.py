"""The `backend_factory` fixture the shared SheetBackend contract suite runs against.

Each parameter is one backend. A factory call gives a backend on a brand-new spreadsheet (one
default tab, like a spreadsheet Google just created) and a way to open a second, independent
backend instance on that same spreadsheet, so a test can check that what one wrote another reads.
A later change adds "google": a GoogleBackend talking to the local Sheets API emulator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.sheets.backend import SheetBackend
from app.sheets.workbook import WorkbookBackend

DEFAULT_TAB = "Sheet1"


@dataclass(frozen=True)
class FreshSheet:
    """A backend on a new spreadsheet, plus how to reach the same spreadsheet again."""

    backend: SheetBackend
    reopen: Callable[[], SheetBackend]  # a second, independent instance on the same sheet
    location: str  # what `describe()` must name (file path, spreadsheet id, ...)
    secrets: tuple[str, ...] = ()  # credentials the backend holds; never shown in messages


BackendFactory = Callable[[], FreshSheet]


def _workbook_factory(folder: Path) -> BackendFactory:
    numbers = itertools.count(1)

    def make() -> FreshSheet:
        path = folder / f"sheet-{next(numbers)}.xlsx"
        WorkbookBackend(path).create([DEFAULT_TAB])
        return FreshSheet(
            backend=WorkbookBackend(path),
            reopen=lambda: WorkbookBackend(path),
            location=str(path),
        )

    return make


@pytest.fixture(params=["workbook"])
def backend_factory(request: pytest.FixtureRequest, tmp_path: Path) -> BackendFactory:
    if request.param == "workbook":
        return _workbook_factory(tmp_path)
    raise AssertionError(f"no factory for backend {request.param!r}")  # pragma: no cover


@pytest.fixture
def sheet(backend_factory: BackendFactory) -> FreshSheet:
    return backend_factory()
