"""How the Google backend encodes cells for the Sheets API: A1 names, RAW values, and compact
values:batchUpdate bodies (adjacent cells merged into rectangles, split past ~2 MB)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any, NamedTuple

import orjson

from app.sheets.backend import (
    CellValue,
    RowUpdate,
    Write,
    column_letter,
    each_cell,
)
from sheet_schema import to_serial
from sheet_schema.cells import SERIAL_EPOCH

MAX_BODY_BYTES = 2_000_000
# A larger block of rows goes out as ranges of about this size (two to a body).
RANGE_BYTES = MAX_BODY_BYTES // 2
_DAY = timedelta(days=1)
_COLUMN = attrgetter("col")
Json = dict[str, Any]


def quote_title(title: str) -> str:
    """A1 notation for a whole tab: 'Tab name' with quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def encode(value: CellValue) -> Any:
    """A value as RAW input: text stays text, dates become serial numbers, None clears."""
    if value is None:
        return ""
    if isinstance(value, str | bool):
        return value
    if isinstance(value, datetime):
        # Minute precision is all a cell shows; 6 decimals keep it and halve the bytes.
        # (`to_serial` of the naive time, worked out here: a first fill writes ~100,000.)
        return round((value.replace(tzinfo=None, microsecond=0) - SERIAL_EPOCH) / _DAY, 6)
    if isinstance(value, date):
        return to_serial(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


def value_bodies(updates: Sequence[Write]) -> Iterator[bytes]:
    """values:batchUpdate bodies, made one at a time as they are sent (a first sync's ~11 MB
    of JSON is never held at once). Adjacent cells of a row form a span; consecutive rows with
    the same span form one rectangle (a first sync of 10,000 rows is a few ranges, not
    20,000). Only changed cells are in any range. A body is split only past ~2 MB."""
    data: list[bytes] = []
    size = 0
    for run in _range_runs(_blocks(_spans(updates))):
        if data and size + len(run) > MAX_BODY_BYTES:
            body = _values_body(data)
            data, size = [], 0  # (its ranges are let go before it is sent, not after)
            yield body
            del body
        data.append(run)
        size += len(run) + 1
    if data:
        yield _values_body(data)


class _Span(NamedTuple):
    """Adjacent cells of a row: where the first is, and the values left to right."""

    tab: str
    row: int
    col: int
    values: Sequence[CellValue]

    @property
    def last_col(self) -> int:
        return self.col + len(self.values) - 1


def _spans(updates: Sequence[Write]) -> list[_Span | RowUpdate]:
    """Adjacent cells of a row, in (tab, row, col) order. The cells are grouped by tab and row
    first and only a row's few cells are sorted: sorting a first fill's 284,000 cells by
    position made a key per cell, 22 MB alive at once, and the write is where a sync peaks. A
    row given as one update (a `RowUpdate`: 27,000 Timeline rows at a first fill) is kept as
    it is, not in a list, and is a span itself."""
    by_tab: dict[str, dict[int, Write | list[Write]]] = {}
    for update in updates:
        rows = by_tab.get(update.tab)
        if rows is None:
            rows = by_tab[update.tab] = {}
        held = rows.get(update.row)
        if held is None:
            rows[update.row] = update
        elif isinstance(held, list):
            held.append(update)
        else:
            rows[update.row] = [held, update]
    spans: list[_Span | RowUpdate] = []
    for tab in sorted(by_tab):
        rows = by_tab.pop(tab)
        for row in sorted(rows):
            held = rows.pop(row)
            if type(held) is RowUpdate:
                spans.append(held)
                continue
            entries = held if isinstance(held, list) else [held]
            cells = sorted(each_cell(entries), key=_COLUMN)  # stable: a cell twice keeps order
            start = 0
            for end in range(1, len(cells) + 1):
                if end == len(cells) or cells[end].col != cells[end - 1].col + 1:
                    head = cells[start]
                    values = tuple([c.value for c in cells[start:end]])
                    spans.append(_Span(head.tab, head.row, head.col, values))
                    start = end
    return spans


def _blocks(spans: list[_Span | RowUpdate]) -> list[list[_Span | RowUpdate]]:
    """Consecutive rows' spans over the same columns of a tab, as rectangles."""
    blocks: list[list[_Span | RowUpdate]] = []
    open_blocks: dict[tuple[str, int, int], list[_Span | RowUpdate]] = {}
    for span in spans:
        key = (span.tab, span.col, span.last_col)
        block = open_blocks.get(key)
        if block is not None and block[-1].row == span.row - 1:
            block.append(span)
        else:
            block = [span]
            blocks.append(block)
            open_blocks[key] = block
    return blocks


def _range_runs(blocks: list[list[_Span | RowUpdate]]) -> Iterator[bytes]:
    """Each block as the compact JSON of its ranges: one, or ranges of about `RANGE_BYTES`
    each when it is larger (a range's JSON is its head and its rows' JSON, so each row is
    encoded once, as json.dumps would encode the range, byte for byte). Rows are encoded as
    they go out, and a block is let go once sent: a first fill's Timeline is 27,000 rows,
    and holding them all encoded, then joined to learn their size, took 11 MB at the write,
    where a sync peaks."""
    raw = _RawInputs()
    for at, block in enumerate(blocks):
        rows: list[bytes] = []
        size = first = 0
        for i, span in enumerate(block):
            # (text, most of a fill's cells, is its own RAW input: encode() is skipped for it)
            row = _compact([v if type(v) is str else raw.of(v) for v in span.values])
            if rows and size + len(row) > RANGE_BYTES:
                yield _range_json(block[first], block[i - 1], rows)
                rows, size, first = [], 0, i
            rows.append(row)
            size += len(row) + 1
        yield _range_json(block[first], block[-1], rows)
        blocks[at] = []


class _RawInputs:
    """`encode` of the values of one write, each instant worked out once: equal instants are
    mostly one object (policies/sharing.py: the 46,142 instants a 10,000-case first fill
    writes are 8,319 objects), so they are known by identity, and each is kept with its
    answer, so no id is taken by another object while this lives."""

    def __init__(self) -> None:
        self._instants: dict[int, tuple[datetime, Any]] = {}

    def of(self, value: CellValue) -> Any:
        if type(value) is not datetime:
            return encode(value)
        known = self._instants.get(id(value))
        if known is None:
            known = self._instants[id(value)] = (value, encode(value))
        return known[1]


def _range_json(first: _Span | RowUpdate, last: _Span | RowUpdate, rows: list[bytes]) -> bytes:
    """The compact JSON of one range, from `first`'s row to `last`'s, holding `rows`'
    values (encoded)."""
    a1 = f"{column_letter(first.col)}{first.row}"
    if first is not last or len(first.values) > 1:
        a1 += f":{column_letter(last.last_col)}{last.row}"
    head = _compact(f"{quote_title(first.tab)}!{a1}")
    return _joined(b'{"range":' + head + b',"majorDimension":"ROWS","values":[', rows, b"]}")


def _joined(head: bytes, items: list[bytes], tail: bytes) -> bytes:
    """`head`, `items` comma-separated, then `tail`: one join, which sizes the result first
    and copies each part once (`head + b",".join(items) + tail` copied a 2 MB body twice)."""
    parts = [head]
    for i, item in enumerate(items):
        if i:
            parts.append(b",")
        parts.append(item)
    parts.append(tail)
    return b"".join(parts)


def _compact(value: Any) -> bytes:
    """Compact JSON, as `json.dumps(ensure_ascii=False, separators=(",", ":"))` writes it (the
    same values; orjson writes a float below 1e-4 without an exponent)."""
    try:
        # A right-sized copy: orjson's own answer keeps a buffer of some 4 KB, and a range
        # holds one per row until it is joined (40 MB more at a 10,000-case fill's peak).
        return memoryview(orjson.dumps(value)).tobytes()
    except orjson.JSONEncodeError:  # an integer past 64 bits: the json module writes it
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _values_body(runs: list[bytes]) -> bytes:
    """A compact JSON values:batchUpdate body (RAW input), built from encoded ranges."""
    return _joined(b'{"valueInputOption":"RAW","data":[', runs, b"]}")


class FormulaLookup:
    """Which cells hold a formula: the ranges to read with FORMULA rendering (one per tab and
    column, from the first to the last cell wanted, read as columns) and their answer."""

    def __init__(self, wanted: set[tuple[str, int, int]]) -> None:  # tab, 0-based row, col
        self._rows: dict[tuple[str, int], list[int]] = {}
        for tab, row, col in wanted:
            self._rows.setdefault((tab, col), []).append(row)
        self._keys = sorted(self._rows)
        self.ranges = []
        for tab, col in self._keys:
            rows = self._rows[tab, col]
            self.ranges.append(f"{quote_title(tab)}!{_a1(min(rows), col)}:{_a1(max(rows), col)}")

    def formulas(self, payload: Mapping[str, Any]) -> dict[str, set[tuple[int, int]]]:
        """The wanted cells whose answer is a formula ("=..."), by tab, 0-based (row, col)."""
        found: dict[str, set[tuple[int, int]]] = {}
        answers = payload.get("valueRanges", [])
        for (tab, col), value_range in zip(self._keys, answers, strict=False):
            column = (value_range.get("values") or [[]])[0]
            first = min(self._rows[tab, col])
            for row in self._rows[tab, col]:
                at = row - first
                value = column[at] if at < len(column) else None
                if isinstance(value, str) and value.startswith("="):
                    found.setdefault(tab, set()).add((row, col))
        return found


def _a1(row: int, col: int) -> str:
    """The A1 address of a 0-based (row, col)."""
    return f"{column_letter(col + 1)}{row + 1}"
