"""The emulator's own tests use its pytest plugin (tests.emulator.fixtures)."""

from __future__ import annotations

from collections.abc import Callable

import gspread
import pytest

from tests.emulator import fixtures

# the emulator's pytest plugin, registered for this directory
sheets_emulator = fixtures.sheets_emulator
service_account = fixtures.service_account
emulator = fixtures.emulator
gspread_client = fixtures.gspread_client


@pytest.fixture
def new_sheet(gspread_client: gspread.Client) -> Callable[..., gspread.Spreadsheet]:
    """Factory: a fresh spreadsheet created through gspread (Drive files.create)."""

    def make(title: str = "Emulator test") -> gspread.Spreadsheet:
        return gspread_client.create(title)

    return make


@pytest.fixture
def ws(new_sheet: Callable[..., gspread.Spreadsheet]) -> gspread.Worksheet:
    """The first worksheet of a fresh spreadsheet."""
    return new_sheet().sheet1
