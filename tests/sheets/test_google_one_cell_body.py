"""one_cell_body gives up early (counting rows) exactly when walking the cells would."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.sheets import google_values
from app.sheets.backend import CellUpdate
from app.sheets.google_values import one_cell_body

SHEETS = {"Cases": 0, "Timeline": 1234567}


def _updates(rows: int) -> list[CellUpdate]:
    out = []
    for row in range(2, rows + 2):
        out.append(CellUpdate("Cases", row, 3, f"case {row}"))
        out.append(CellUpdate("Cases", row, 4, None))
        out.append(CellUpdate("Timeline", row, 1, datetime(2025, 10, 3, 9, 30), "yyyy-mm-dd"))
    return out


@pytest.mark.parametrize("rows", [1, 2, 5, 40])
@pytest.mark.parametrize("max_bytes", [100, 500, 2_000, 10_000, 50_000])
def test_the_same_answer_as_the_walk(
    rows: int, max_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates = _updates(rows)
    quick = one_cell_body(updates, SHEETS, max_bytes)
    monkeypatch.setattr(google_values, "_surely_too_big", lambda *_: False)
    assert quick == one_cell_body(updates, SHEETS, max_bytes)


def _outcome(updates: list[CellUpdate], sheets: dict[str, int], max_bytes: int) -> object:
    try:
        return one_cell_body(updates, sheets, max_bytes)
    except KeyError as exc:
        return f"KeyError {exc}"


@pytest.mark.parametrize("max_bytes", [2_000, 8_000, 50_000])
def test_an_unknown_tab_is_left_to_the_walk(
    max_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates, sheets = _updates(40), {"Cases": 0}
    quick = _outcome(updates, sheets, max_bytes)
    monkeypatch.setattr(google_values, "_surely_too_big", lambda *_: False)
    assert quick == _outcome(updates, sheets, max_bytes)
