"""The emulator's own tests; its pytest plugin (tests.emulator.fixtures) is registered in
tests/conftest.py and provides sheets_emulator, service_account, emulator, gspread_client."""

from __future__ import annotations

from collections.abc import Callable

import gspread
import pytest


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
