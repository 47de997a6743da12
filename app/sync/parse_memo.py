"""Parsing of unchanged rows, remembered between syncs (incremental evaluation's read side).

Parsing a row is pure: the same cells, in the same columns, with the same parse context (time
zone, date order, the team's vocabulary) and the same formula cells, give the same values and
the same problems. So a row whose cells are what they were at the last sync of that tab takes
its parsed values from then instead of parsing every cell again. The key holds all of that, so
a memo never answers for different input; it holds at most `max_tabs` tabs' rows.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from hashlib import blake2b
from operator import itemgetter
from threading import Lock

from app.sheets.backend import CellValue, TabData
from app.sync.rows import CellIssue, RowReading, SheetRow, parse_row
from sheet_schema import HeaderMap, ParseContext, ParsedValue

__all__ = ["PARSES", "ParseMemo"]

_RowKey = tuple[int, tuple[CellValue, ...], tuple[int, ...]]
_Parsed = tuple[dict[str, ParsedValue], tuple[CellIssue, ...]]


class ParseMemo:
    """The parsed rows of recently read tabs, by everything their parsing depends on."""

    def __init__(self, max_tabs: int = 64) -> None:
        self._max = max_tabs
        self._tabs: OrderedDict[bytes, dict[_RowKey, _Parsed]] = OrderedDict()
        self._lock = Lock()

    def parse_rows(
        self, data: TabData | None, headers: HeaderMap, ctx: ParseContext
    ) -> list[SheetRow]:
        """`rows.parse_rows`, reusing the rows parsed at the last read of the same tab."""
        if data is None:
            return []
        key = blake2b(
            repr((headers.title, sorted(headers.positions.items()), ctx)).encode(),
            digest_size=16,
        ).digest()
        with self._lock:
            known = self._tabs.pop(key, {})
        formulas: defaultdict[int, list[int]] = defaultdict(list)
        for row_index, col in data.formulas:
            formulas[row_index].append(col)
        reading = RowReading.of(data, headers)
        keys = [k for k, _ in reading.positions]
        pick = itemgetter(*(col for _, col in reading.positions))
        span = 1 + max((col for _, col in reading.positions), default=0)
        seen: dict[_RowKey, _Parsed] = {}
        rows: list[SheetRow] = []
        for index in range(1, len(data.rows)):
            row_key = (index, tuple(data.rows[index]), tuple(sorted(formulas.get(index, ()))))
            found = known.get(row_key)
            if found is None:
                row = parse_row(reading, index, ctx)
                found = (dict(row.values), tuple(row.issues))
            else:
                cells = data.rows[index]
                if len(cells) < span:
                    cells = [*cells, *([None] * (span - len(cells)))]
                picked = pick(cells) if len(keys) > 1 else (pick(cells),)
                raw = dict(zip(keys, picked, strict=True))
                # copies: the planner fills in a new Case ID or Opened on its row's values
                row = SheetRow(index + 1, raw, dict(found[0]), list(found[1]))
            seen[row_key] = found
            rows.append(row)
        with self._lock:
            self._tabs[key] = seen
            while len(self._tabs) > self._max:
                self._tabs.popitem(last=False)
        return rows


PARSES = ParseMemo()
