"""The hostile sheets that found bugs, kept as explicit examples: both fuzz tests run each of
them first, every time, through the same rules (tests/fuzz/oracle.py).

1. A merge over service cells: openpyxl refused to write a merged cell (AttributeError).
2. A formula in Case ID with no saved value: the workbook read it as blank and filled it.
3. Data in a column without a header: the service appended its columns on top of it.
4. A 50,000-character Case ID and Evidence: Timeline cells past Google's 50,000 limit (400,
   and the sheet could never sync again).
5. NUL and other control characters: PostgreSQL text refuses NUL (every sync failed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, example, given, settings

from tests.fuzz.hostile import (
    CASES,
    GOOGLE_MAX_CELL,
    Cell,
    Formula,
    HostileSheet,
    Tag,
    hostile_sheets,
)

HEADERS = [
    "Case ID",
    "Opened",
    "Platform",
    "Issue Type",
    "Window Start",
    "Status",
    "Evidence",
    "Notes",
    "Validation",
]
KEYS = {spec.header: spec.key for spec in CASES.columns}


def _row(
    values: dict[str, Any], bad: tuple[str, ...] = (), extra: tuple[Any, ...] = ()
) -> list[Cell]:
    valid: dict[str, Any] = {
        "Case ID": "AS-R-0001",
        "Opened": datetime(2025, 10, 9, 9, 30),
        "Platform": "Superbuy",
        "Issue Type": "Defect",
        "Window Start": datetime(2025, 10, 1),
        "Status": "In Progress",
        "Evidence": "photos",
        "Notes": "",
        "Validation": None,
    }
    valid.update(values)
    cells = [Cell(valid[h], Tag.BAD if h in bad else Tag.GOOD, KEYS.get(h)) for h in HEADERS]
    return cells + [Cell(v) for v in extra]


MERGED_SERVICE_CELLS = HostileSheet(
    "Cases",
    [*HEADERS],
    [
        _row({"Case ID": "AS-R-0001"}),
        _row({"Case ID": "AS-R-0002", "Status": "Closedd"}, ("Status",)),
    ],
    merges=[(2, 9, 3, 9), (1, 10, 1, 12)],  # Validation of both rows; header cells to the right
)
FORMULA_CASE_ID = HostileSheet(
    "Cases",
    [*HEADERS],
    [
        _row({"Case ID": Formula("=1+1")}),
        _row({"Case ID": "AS-R-0003", "Opened": Formula('=""')}),
    ],
)
HEADERLESS_DATA = HostileSheet(
    "Cases",
    [*HEADERS],
    [_row({}, extra=("a team's own note", 42)), _row({"Case ID": "AS-R-0004"}, extra=("x",))],
)
HUGE_CELLS = HostileSheet(
    "Cases",
    [*HEADERS],
    [
        _row({"Case ID": "L" * 101}, ("Case ID",)),
        _row({"Case ID": "M" * GOOGLE_MAX_CELL}, ("Case ID",)),
        _row({"Case ID": "AS-R-0005", "Evidence": ";".join(["photo"] * (GOOGLE_MAX_CELL // 6))}),
        _row({"Case ID": "AS-R-0006", "Notes": "长" * GOOGLE_MAX_CELL}),
    ],
)
CONTROL_CHARACTERS = HostileSheet(
    "Cases",
    [*HEADERS[:-1], "Valida\x00tion"],
    [
        _row({"Case ID": "AS-\x00R-0007", "Evidence": "photos\x00, video\x01", "Notes": "n\x00"}),
        _row({"Case ID": "\x00", "Status": "In Progress\x00"}),
        _row({"Case ID": "AS-R-0008", "Window Start": "\x01\x02x"}, ("Window Start",)),
    ],
)
REGRESSIONS = (
    MERGED_SERVICE_CELLS,
    FORMULA_CASE_ID,
    HEADERLESS_DATA,
    HUGE_CELLS,
    CONTROL_CHARACTERS,
)

T = TypeVar("T", bound=Callable[..., Any])


def with_regressions(test: T) -> T:
    """Run `test` on every sheet of REGRESSIONS before any generated one."""
    for sheet in reversed(REGRESSIONS):
        test = example(sheet=sheet)(test)
    return test


def fuzzed(max_examples: int) -> Callable[[T], T]:
    """A fuzz test over hostile sheets: the regressions first, then `max_examples` generated
    ones, the same every run (derandomized, no example database), so CI is reproducible."""

    def decorate(test: T) -> T:
        configured = settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            database=None,
            # Explicit examples, then generation, no shrinking: a failure is reported as drawn.
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        return configured(with_regressions(given(sheet=hostile_sheets())(test)))  # type: ignore[no-any-return]

    return decorate
