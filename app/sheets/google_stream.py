"""A values:batchGet answer decoded as its bytes arrive, one value range at a time.

Why: read whole, a synced 10,000-case Cases tab is 12.7 MB of JSON held as bytes (twice while
requests joins the chunks), then parsed by orjson into a document tree before the lists are
built; at 50,000 cases that is some 250 MB on top of what the read gives, and it was a steady
press's peak. ijson's C parser (yajl) builds each value range from the chunks as they come off
the socket, so only the decoded rows are ever held.

Where yajl would read an answer otherwise than the json module, the caller reads it again whole
(`None` here), so a cell is never read as something it does not hold: yajl reads the escape of
a lone UTF-16 surrogate (`"\\ud800"`, not a character) as "?" (Google sends text as UTF-8, so
an escaped surrogate only ever stands for such a lone one), and refuses numbers beyond a double
or a 64-bit integer (Google sends doubles).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import ijson
import requests

from app.sheets.backend import CellValue, RowLetGo, let_row_go, share_equal_texts, texts_shared

__all__ = ["CHUNK_BYTES", "RangeLetGo", "value_ranges"]

# A value range's rule for letting rows go (the sheet row of its first row, and the rule), or
# None to keep every row.
RangeLetGo = tuple[int, RowLetGo] | None

CHUNK_BYTES = 1 << 16
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_TAIL = 5  # an escape split between two chunks is still seen


def value_ranges(
    response: requests.Response, let_go: Sequence[RangeLetGo] = ()
) -> list[dict[str, Any]] | None:
    """The answer's `valueRanges`, decoded from `response` (sent with `stream=True`) as its
    chunks arrive; None when yajl would read it otherwise than the json module (read it whole
    instead). A cut-off answer raises as requests says (the caller retries it).

    `let_go`: by value range, in order, the rule each of its rows is let go by as it arrives
    (`SheetBackend.read`); such an answer is decoded row by row."""
    body = _Body(response.iter_content(CHUNK_BYTES))
    try:
        if any(rule is not None for rule in let_go):
            return _row_by_row(body, let_go)
        # ijson reading a file (its C reader) is twice as fast as its push interface.
        ranges = []
        for value_range in ijson.items(
            body, "valueRanges.item", use_float=True, buf_size=CHUNK_BYTES
        ):
            share_equal_texts(value_range.get("values") or [])
            ranges.append(value_range)
        return ranges
    except (_EscapedSurrogate, ijson.JSONError):
        # (JSONError: a number beyond a double or a 64-bit integer, which Google does not send)
        return None


def _row_by_row(body: _Body, let_go: Sequence[RangeLetGo]) -> list[dict[str, Any]]:
    """The value ranges, each row decided on (kept, its equal texts one string, or let go) as
    soon as its last cell is decoded, so no range is ever held whole. yajl's events, in C; the
    loop costs about what building the lists did (a quiet 10,000-case press: 0.34 s both)."""
    ranges: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    values: list[list[CellValue]] = []
    row: list[CellValue] = []
    rule: RangeLetGo = None
    shared: dict[str, str] = {}
    for prefix, event, value in ijson.parse(body, use_float=True, buf_size=CHUNK_BYTES):
        if prefix == "valueRanges.item.values.item.item":  # a cell: most events
            row.append(value)
        elif prefix == "valueRanges.item.values.item":
            if event == "start_array":
                row = []
            else:
                values.append(_row_as_kept(row, len(values), rule, shared))
        elif prefix == "valueRanges.item":
            if event == "start_map":
                current = {}
                ranges.append(current)
                rule = let_go[len(ranges) - 1] if len(ranges) <= len(let_go) else None
                shared = {}
        elif prefix == "valueRanges.item.values":
            if event == "start_array":
                values = current["values"] = []
        elif prefix in ("valueRanges.item.range", "valueRanges.item.majorDimension"):
            current[prefix.rpartition(".")[2]] = value
    return ranges


def _row_as_kept(
    cells: list[CellValue], index: int, rule: RangeLetGo, shared: dict[str, str]
) -> list[CellValue]:
    if rule is not None and (row := let_row_go(rule[0] + index, cells, rule[1])) is not None:
        return row
    return texts_shared(cells, shared)


class _EscapedSurrogate(Exception):
    pass


class _Body:
    """The answer's body as a file for ijson: requests' chunks (decompressed, and raising its
    errors), each looked at for an escaped surrogate first, even one cut across two chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        if not self._buffer:
            chunk = next(self._chunks, b"")
            window = self._tail + chunk
            if _SURROGATE_ESCAPE.search(window):
                raise _EscapedSurrogate
            self._tail = window[-_TAIL:]
            self._buffer = chunk
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out
