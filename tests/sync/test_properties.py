"""Properties of a sync over workbooks shaped the way busy teams leave them.

Hypothesis builds Cases tabs with a random subset and order of the user headers (the required
ones always there), Chinese aliases and other spellings, the team's own columns, some service
columns already present with junk in them, blank rows, and cells drawn from valid values, dates
typed in many ways, serial numbers, garbage, text starting with '=', emoji, long text, blank or
duplicate Case IDs and unknown platforms. Whatever the sheet, a sync must never change a cell a
person owns (except filling a blank Case ID or Opened), and a second sync at the same moment
must write nothing.
"""

from __future__ import annotations

import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.runtime import Runtime, open_runtime
from app.settings import Settings
from sheet_schema import ColumnSpec, ColumnType, header_key, load_schema, to_serial
from tests.workbooks import NOW, case, user_cells, write_workbook

CASES = load_schema().tab("cases")
USER_COLUMNS = CASES.user_columns
REQUIRED = tuple(c for c in USER_COLUMNS if c.required)
OPTIONAL = tuple(c for c in USER_COLUMNS if not c.required)
# Service columns a sheet synced before would already have; their contents are the service's.
SERVICE_HEADERS = ("Policy Ref", "Days Left", "Validation", "Last Synced", "Computed For")
TEAM_COLUMNS = ("Team Tag", "Follow-up", "客服备注", "Box #", "Internal Ref")
KNOWN_HEADERS = {k for c in CASES.columns for k in c.match_keys}
assert not {header_key(t) for t in TEAM_COLUMNS} & KNOWN_HEADERS, "team columns must be unknown"

NEW_ID = re.compile(r"^AS-251010-\d{4}$")  # ids handed out on NOW's day in Shanghai
LONG_TEXT = ("很长的备注，客户多次联系 🚚📦 long note; " * 200)[:5000]
HOSTILE_TEXT = (
    "=SUM(A1:A9)",
    '=HYPERLINK("http://x.invalid","click")',
    "=",
    "+86 138 0013 8000",
    "00123",
    "客户很着急 😅",
    "📦🚚✅",
    "Zoë Müller — naïve café",
    "line one\nline two",
    "tab\tseparated",
    LONG_TEXT,
)
GARBAGE = ("???", "n/a", "TBD", "-", "待定", "yesterday", "32/13/2025", "2025-02-30", "=NOW()")
ID_POOL = ("AS-P-0001", "AS-P-0002", "AS-P-0003", "AS-251010-0001", "12345", "售后-7")
PLATFORMS = ("Superbuy", "Bhiner", "Yoybuy", "superbuy", " BHINER ", "yoybuy")
UNKNOWN_PLATFORMS = ("Taobao Direct", "pandabuy", "淘宝", "CSSBuy")

SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), max_size=24
)
MINUTES = st.datetimes(min_value=datetime(2024, 6, 1), max_value=datetime(2026, 3, 1)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@st.composite
def moments(draw: st.DrawFn, *, with_time: bool) -> Any:
    """A date or time as people enter it: typed value, text in many formats, serial, junk."""
    d = draw(MINUTES)
    if not with_time:
        d = d.replace(hour=0, minute=0)
    typed = [
        d,
        d.date(),
        f"{d:%Y-%m-%d}",
        f"{d:%Y-%m-%d %H:%M}",
        f"{d:%Y/%m/%d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%d/%m/%Y}",
        f"{d:%m/%d/%Y}",
        f"{d:%Y-%m-%dT%H:%M:%S}+08:00",
        to_serial(d),
        int(to_serial(d.date())),
        "1899-12-31",
        7,
    ]
    return draw(st.sampled_from([*typed, *GARBAGE]))


def cell_values(spec: ColumnSpec) -> st.SearchStrategy[Any]:
    """Everything a person might leave in a cell of this column."""
    junk = st.sampled_from((*GARBAGE, *HOSTILE_TEXT))
    blank = st.sampled_from((None, ""))
    if spec.key == "case_id":
        # Whitespace-only ids are left out: see test_whitespace_only_case_id_or_opened_...
        return st.one_of(st.sampled_from(ID_POOL), blank, st.integers(1, 99_999), junk)
    if spec.key == "platform":
        return st.one_of(st.sampled_from(PLATFORMS + UNKNOWN_PLATFORMS), blank, junk)
    if spec.type is ColumnType.DATETIME:
        return st.one_of(moments(with_time=True), st.just(None))
    if spec.type is ColumnType.DATE:
        return st.one_of(moments(with_time=False), blank)
    if spec.type is ColumnType.DATE_OR_DATETIME:  # Window Start: a date, or with its time
        return st.one_of(moments(with_time=False), moments(with_time=True), blank)
    if spec.type is ColumnType.CHOICE:
        choices = spec.choices + tuple(c.lower() for c in spec.choices)
        return st.one_of(st.sampled_from(choices), blank, junk)
    if spec.type is ColumnType.BOOL:
        return st.sampled_from(("Yes", "No", "yes", "是", "否", True, False, 1, 0, "maybe", None))
    if spec.type is ColumnType.NUMBER:
        amounts = st.floats(0, 10_000, allow_nan=False, allow_infinity=False)
        return st.one_of(amounts, st.sampled_from(("¥128.50", "12,5", "USD 30")), blank, junk)
    if spec.type is ColumnType.INTEGER:
        return st.one_of(st.integers(-2, 8), st.sampled_from(("5", "five", 4.5)), blank)
    return st.one_of(SAFE_TEXT, st.sampled_from(HOSTILE_TEXT), st.integers(0, 10**9), blank)


def header_for(spec: ColumnSpec) -> st.SearchStrategy[str]:
    """The header as the team wrote it: canonical, a (Chinese) alias, or another spelling."""
    chinese = [a for a in spec.aliases if re.search(r"[\u4e00-\u9fff]", a)]
    return st.sampled_from([spec.header, spec.header.upper(), f" {spec.header.lower()} ", *chinese])


@st.composite
def busy_sheets(draw: st.DrawFn) -> tuple[list[str], list[dict[str, Any]], str, str]:
    """(headers, rows by header, the Case ID header, the Opened header)."""
    optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=len(OPTIONAL)))
    columns = [*REQUIRED, *optional]
    named = {spec.key: draw(header_for(spec)) for spec in columns}
    team = draw(st.lists(st.sampled_from(TEAM_COLUMNS), unique=True, max_size=2))
    service = draw(st.lists(st.sampled_from(SERVICE_HEADERS), unique=True, max_size=2))
    headers = draw(st.permutations([*named.values(), *team, *service]))
    rows: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 7))):
        if draw(st.integers(0, 5)) == 0:
            rows.append({})  # a blank row between cases
            continue
        row = {named[spec.key]: draw(cell_values(spec)) for spec in columns}
        for header in team:
            row[header] = draw(st.one_of(SAFE_TEXT, st.sampled_from(HOSTILE_TEXT), st.none()))
        for header in service:
            row[header] = draw(st.sampled_from((None, "stale", 99, "AS-OTHER")))
        rows.append(row)
    return headers, rows, named["case_id"], named["opened"]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def new_runtime(folder: Path) -> Runtime:
    return open_runtime(
        Settings(
            environment="test",
            database_url=f"sqlite:///{folder}/store.db",  # type: ignore[arg-type]
            workbook=folder / "cases.xlsx",
        )
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(sheet=busy_sheets())
def test_sync_keeps_user_cells_and_a_second_sync_writes_nothing(
    sheet: tuple[list[str], list[dict[str, Any]], str, str],
) -> None:
    """Sync changes no person's cell but blank Case ID / Opened, and then has nothing to write."""
    headers, rows, id_header, opened_header = sheet
    with tempfile.TemporaryDirectory() as folder:
        rt = new_runtime(Path(folder))
        try:
            write_workbook(rt.workbook, rows, headers=headers)
            before = user_cells(rt.workbook)
            rt.engine().sync(now=NOW)
            after = user_cells(rt.workbook)

            changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
            not_fills = {
                k: (before.get(k), after.get(k))
                for k in changed
                if k[1] not in (id_header, opened_header)
                or not is_blank(before.get(k))
                or is_blank(after.get(k))
            }
            assert not_fills == {}, "user cells changed by the sync"
            new_ids = [after[k] for k in changed if k[1] == id_header]
            assert all(isinstance(i, str) and NEW_ID.match(i) for i in new_ids), new_ids
            old_ids = {str(v) for (_, h), v in before.items() if h == id_header}
            assert len(set(new_ids)) == len(new_ids) and not set(new_ids) & old_ids

            written = rt.workbook.read_bytes()
            again = rt.engine().sync(now=NOW)
            assert again.cells_written == 0
            assert rt.workbook.read_bytes() == written
        finally:
            rt.store.close()


@pytest.mark.parametrize("header", ["Case ID", "Opened"])
def test_whitespace_only_case_id_or_opened_counts_as_blank(runtime: Runtime, header: str) -> None:
    """A Case ID or Opened holding only a space is filled like an empty cell, the sync goes on."""
    write_workbook(runtime.workbook, [case(**{header: " "}), case(**{"Case ID": "AS-T-0002"})])
    report = runtime.engine().sync(now=NOW)
    after = user_cells(runtime.workbook)
    assert report.cases == 2
    if header == "Case ID":
        assert after[(2, "Case ID")] == "AS-251010-0001"
    else:
        assert after[(2, "Opened")] == NOW.replace(tzinfo=None) + timedelta(hours=8)
