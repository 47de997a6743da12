"""one_cell_body: it gives up early (counting rows and the least each cell takes) exactly when
walking the cells would, and a cell's own format never reaches the cells beside it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import pytest

from app.sheets import google_cell_requests
from app.sheets.backend import CellUpdate, RowUpdate, Write
from app.sheets.google import GoogleBackend
from app.sheets.google_cell_requests import one_cell_body
from app.sheets.google_values import MAX_BODY_BYTES
from app.sheets.redirect import redirected_session
from tests.emulator.auth import ServiceAccount
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator

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
    monkeypatch.setattr(google_cell_requests, "_surely_too_big", lambda *_: False)
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
    monkeypatch.setattr(google_cell_requests, "_surely_too_big", lambda *_: False)
    assert quick == _outcome(updates, sheets, max_bytes)


REPLY = (
    "王芳您好：感谢您的耐心等待，关于订单 TB-20251003-88 的退货申请，"
    "我们已联系卖家，会在三个工作日内回复。"
)


def _first_fill_like(rows: int) -> list[Write]:
    """What a first fill writes, as a team's sheet gives it: per case a row of service cells
    (a Chinese reply and a seller message, blanks, a date with its time, numbers, a tick box,
    short labels) and three Timeline rows."""
    out: list[Write] = []
    for row in range(2, rows + 2):
        case_id = f"AS-251003-{row:04d}"
        out += [
            CellUpdate("Cases", row, 14, "OK"),
            CellUpdate("Cases", row, 15, "Contact seller"),
            CellUpdate("Cases", row, 16, "P2"),
            CellUpdate("Cases", row, 17, datetime(2025, 10, 9, 9, 30), "yyyy-mm-dd hh:mm", True),
            CellUpdate("Cases", row, 18, 3),
            CellUpdate("Cases", row, 19, "On track"),
            CellUpdate("Cases", row, 20, f"{REPLY} ({case_id})"),
            CellUpdate(
                "Cases", row, 21, f"卖家您好，买家反映商品有质量问题，请在48小时内处理 {case_id}。"
            ),
            CellUpdate("Cases", row, 22, None),
            CellUpdate("Cases", row, 23, True),
            CellUpdate("Cases", row, 24, ""),
            CellUpdate("Cases", row, 25, case_id),
        ]
        for n, what in enumerate(("Case opened", "Suggested reply: request", "Evidence requested")):
            out.append(
                RowUpdate(
                    "Timeline",
                    3 * row + n,
                    1,
                    (f"{case_id}/{n}", 45933.3958, case_id, what, f"{what}: 等待卖家", 7),
                    (None,) * 6,
                )
            )
    return out


def _one_text_a_row(rows: int) -> list[Write]:
    """The tightest case for the count: a text alone in column A of each of the first rows
    (at most 9: a one-digit row index, as in the shortest request, keeps the count exact)."""
    return [CellUpdate("Cases", row, 1, REPLY[: 5 * row]) for row in range(1, min(rows, 9) + 1)]


def _walked_size(updates: list[Write]) -> int:
    body = one_cell_body(updates, SHEETS, 10**9)
    assert body is not None
    return sum(len(json.dumps(r, ensure_ascii=False, default=str)) for r in body)


@pytest.mark.parametrize("shape", [_first_fill_like, _one_text_a_row])
@pytest.mark.parametrize("rows", [2, 3, 17, 120])
@pytest.mark.parametrize("share", [0.3, 0.9, 0.99, 1.0, 1.01, 1.5])
def test_texts_dates_and_timeline_rows_give_the_walks_answer_near_its_size(
    shape: Callable[[int], list[Write]], rows: int, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With long texts, blanks, dates, numbers, tick boxes and whole Timeline rows (or a text
    alone in each row, where the count is exact), and a limit just under, at or just over what
    the walk makes, the quick answer is the walk's: the count never calls a body that fits
    too big."""
    updates = shape(rows)
    max_bytes = int(_walked_size(updates) * share)
    quick = one_cell_body(updates, SHEETS, max_bytes)
    monkeypatch.setattr(google_cell_requests, "_surely_too_big", lambda *_: False)
    assert quick == one_cell_body(updates, SHEETS, max_bytes)


def test_a_thousand_case_fill_is_too_big_without_walking_its_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 1,000-case first fill's cells are known too big for one request by counting: the walk
    (sorting 30,000 cells into runs and encoding them) is never started."""
    updates = _first_fill_like(1_000)
    assert _walked_size(updates) > MAX_BODY_BYTES  # (the walk's answer: None)

    def walk(*_: object) -> None:
        raise AssertionError("walked the cells")

    monkeypatch.setattr(google_cell_requests, "_cell_runs", walk)
    assert one_cell_body(updates, SHEETS, MAX_BODY_BYTES) is None


def test_a_teams_format_beside_a_formatted_date_is_kept(
    emulator: Emulator, service_account: ServiceAccount
) -> None:
    """The service writes a date with its own format and, right of it, a text: the team's
    number format on the text's cell (a price column shown as ¥0.00) is still there after
    the write, on the emulator over HTTP. The date's format covers the date's cell only."""
    sheet_id = emulator.create_spreadsheet("Formats", shared_with={service_account.email: "writer"})
    tab = emulator.spreadsheet(sheet_id).sheets[0]
    team_format = {"type": "NUMBER", "pattern": "¥0.00"}
    emulator.edit_now(
        Edit.requests(
            sheet_id,
            [
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": tab.sheet_id,
                            "startRowIndex": 1,
                            "endRowIndex": 2,
                            "startColumnIndex": 1,
                            "endColumnIndex": 2,
                        },
                        "cell": {"userEnteredFormat": {"numberFormat": team_format}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            ],
        )
    )
    backend = GoogleBackend.from_service_account(
        sheet_id,
        service_account.path,
        session_factory=lambda creds: redirected_session(creds, emulator.base_url),
        timeout=10,
    )
    title = tab.props["title"]
    backend.write(
        [
            CellUpdate(title, 2, 1, datetime(2025, 10, 9, 9, 30), "yyyy-mm-dd hh:mm", True),
            CellUpdate(title, 2, 2, "待卖家回复"),
        ]
    )
    after = emulator.spreadsheet(sheet_id).sheets[0]
    date_cell, text_cell = after.get(1, 0), after.get(1, 1)
    assert text_cell.value == {"stringValue": "待卖家回复"}
    assert (text_cell.format or {}).get("numberFormat") == team_format
    assert (date_cell.format or {}).get("numberFormat", {}).get("pattern") == "yyyy-mm-dd hh:mm"
