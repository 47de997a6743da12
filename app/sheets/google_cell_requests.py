"""How the Google backend writes cells with `updateCells` requests (a `batchUpdate`): a small
write that grows a tab or formats its cells goes out as one atomic body of cells
(`one_cell_body`), and a larger one has its own number formats set this way (`format_requests`)
before its values go out as values:batchUpdate bodies (app/sheets/google_values.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from app.sheets.backend import CellUpdate, CellValue, RowUpdate, Write, as_cells
from sheet_schema import to_serial

__all__ = ["format_requests", "number_format", "one_cell_body"]

Json = dict[str, Any]
_POSITION = attrgetter("tab", "row", "col")


def one_cell_body(
    updates: Sequence[Write], sheet_ids: Mapping[str, int], max_bytes: int
) -> list[Json] | None:
    """updateCells requests setting the given cells (RAW: text stays text), one per run of
    adjacent cells in a row, when together they fit one body of ~max_bytes (or are a single
    request); None as soon as they would not (a first fill's 100,000s of cells are never all
    made into requests just to find that out)."""
    if _surely_too_big(updates, sheet_ids, max_bytes):
        return None
    body: list[Json] = []
    size = 0
    for run in _cell_runs(as_cells(updates)):
        first = run[0]
        fields = "userEnteredValue"
        cells = [_cell_data(u.value) for u in run]
        if first.own_format:
            fields += ",userEnteredFormat.numberFormat"
            cells[0]["userEnteredFormat"] = {"numberFormat": number_format(first.number_format)}
        request = {
            "updateCells": {
                "start": {
                    "sheetId": sheet_ids[first.tab],
                    "rowIndex": first.row - 1,
                    "columnIndex": first.col - 1,
                },
                "rows": [{"values": cells}],
                "fields": fields,
            }
        }
        request_size = len(json.dumps(request, ensure_ascii=False, default=str))
        if body and size + request_size > max_bytes:
            return None
        body.append(request)
        size += request_size
    return body


# The shortest updateCells request: one empty cell at sheet 0, row 0, column 0.
_LEAST_REQUEST_BYTES = len(
    json.dumps(
        {
            "updateCells": {
                "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": [{}]}],
                "fields": "userEnteredValue",
            }
        }
    )
)


def _surely_too_big(updates: Sequence[Write], sheet_ids: Mapping[str, int], max_bytes: int) -> bool:
    """Whether the requests would pass `max_bytes` whatever the walk finds: there is at least
    one request per row written, each at least the shortest request long less its one empty
    cell, and each cell is in one request, at least as long as `_least_cell_bytes` says.
    Counting is far cheaper than sorting the cells into runs and encoding 2 MB of them to find
    out (a 1,000-case first fill: 28,000 cells, a sixth of its CPU was that walk).
    (A tab without a sheet id is left to the walk, which says so as before.)"""
    rows = {(u.tab, u.row) for u in updates}
    if len(rows) < 2:
        return False
    if len(rows) * _LEAST_REQUEST_BYTES <= max_bytes:
        least = len(rows) * (_LEAST_REQUEST_BYTES - _EMPTY_CELL_BYTES)
        least += sum(map(_least_cell_bytes, _values(updates)))
        if least <= max_bytes:
            return False
    return {tab for tab, _ in rows} <= sheet_ids.keys()


def _cell_runs(updates: Sequence[CellUpdate]) -> Iterator[list[CellUpdate]]:
    """Adjacent cells of a row in (tab, row, col) order; a cell with its own format is a run
    of its own (the field mask covers a whole run)."""
    run: list[CellUpdate] = []
    for update in sorted(updates, key=_POSITION):
        if run and _joins(run[-1], update):
            run.append(update)
            continue
        if run:
            yield run
        run = [update]
    if run:
        yield run


def _joins(last: CellUpdate, update: CellUpdate) -> bool:
    """Whether `update` is the cell right of `last` in its row, neither with its own format."""
    return (
        (update.tab, update.row, update.col) == (last.tab, last.row, last.col + 1)
        and not update.own_format
        and not last.own_format
    )


def format_requests(updates: Sequence[Write], sheet_ids: Mapping[str, int]) -> list[Json]:
    """updateCells requests setting only the number format of the cells that carry their own."""
    return [
        {
            "updateCells": {
                "start": {
                    "sheetId": sheet_ids[u.tab],
                    "rowIndex": u.row - 1,
                    "columnIndex": u.col - 1,
                },
                "rows": [
                    {
                        "values": [
                            {"userEnteredFormat": {"numberFormat": number_format(u.number_format)}}
                        ]
                    }
                ],
                "fields": "userEnteredFormat.numberFormat",
            }
        }
        for u in _own_formats(updates)
    ]


def _own_formats(updates: Sequence[Write]) -> Iterator[CellUpdate]:
    """The cells that carry their own number format (a `RowUpdate`'s never do)."""
    for update in updates:
        if update.own_format:
            assert isinstance(update, CellUpdate)
            yield update


def number_format(pattern: str | None) -> Json:
    """A Sheets numberFormat for a pattern such as ``yyyy-mm-dd hh:mm``."""
    pattern = pattern or ""
    has_date = any(t in pattern for t in ("yy", "dd"))
    kind = ("DATE_TIME" if "h" in pattern else "DATE") if has_date else "NUMBER"
    return {"type": kind, "pattern": pattern}


def _cell_data(value: CellValue) -> Json:
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, str):
        return {"userEnteredValue": {"stringValue": value}}
    if isinstance(value, datetime):
        return {"userEnteredValue": {"numberValue": to_serial(value.replace(tzinfo=None))}}
    if isinstance(value, date):
        return {"userEnteredValue": {"numberValue": to_serial(value)}}
    return {"userEnteredValue": {"numberValue": value}}


# A cell's data in an updateCells request (`_cell_data`, as json.dumps writes it): `{}` when
# blank; a text's is the skeleton with "stringValue" and the text, escaped (never shorter);
# any other value's at least the shortest of a true or a one-digit number.
_EMPTY_CELL_BYTES = len(json.dumps(_cell_data(None)))
_TEXT_BYTES = len(json.dumps(_cell_data(" "))) - 1
_LEAST_VALUE_BYTES = min(len(json.dumps(_cell_data(v))) for v in (True, 0))


def _least_cell_bytes(value: CellValue) -> int:
    """The fewest characters the cell's data takes in a request."""
    if value is None or value == "":
        return _EMPTY_CELL_BYTES
    if isinstance(value, str):
        return _TEXT_BYTES + len(value)
    return _LEAST_VALUE_BYTES


def _values(updates: Sequence[Write]) -> Iterator[CellValue]:
    for update in updates:
        if isinstance(update, RowUpdate):
            yield from update.values
        else:
            yield update.value
