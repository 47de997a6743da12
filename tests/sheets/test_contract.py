"""The contract every SheetBackend keeps, whatever spreadsheet it talks to.

Written only against the protocol (read / write / apply_layout / describe / name / atomic), so
the same suite runs on the workbook backend and, once it exists, on the Google backend against
the local Sheets API emulator. Sheets are set up through the backend itself: `apply_layout`
makes tabs and headers, `write` writes cells, and a second backend instance reads them back.
Dates are compared the way the engine compares them: through `sheet_schema.parse_cell`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

import pytest

from app.errors import ConcurrentEditError
from app.sheets.backend import (
    CellUpdate,
    CellValue,
    ColumnLayout,
    HighlightRule,
    LetGo,
    LetGoRowRead,
    RowUpdate,
    SheetBackend,
    TabData,
    TabLayout,
)
from app.sync.layout import new_tab
from sheet_schema import ColumnSpec, ColumnType, Owner, ParseContext, load_schema, parse_cell
from tests.sheets.conftest import FreshSheet

CTX = ParseContext()
DATE = ColumnSpec(key="d", header="D", type=ColumnType.DATE, owner=Owner.USER)
DATETIME = ColumnSpec(key="dt", header="DT", type=ColumnType.DATETIME, owner=Owner.USER)
LONG_TEXT = ("客户说包裹到了但是鞋子尺码不对 📦🚚 size 42 → 44; " * 130)[:5000]


# -- helpers ----------------------------------------------------------------------------------


def plain_layout(title: str, headers: Sequence[str]) -> TabLayout:
    columns = tuple(ColumnLayout(index=i, header=h) for i, h in enumerate(headers, start=1))
    return TabLayout(title=title, columns=columns)


def add_tab(backend: SheetBackend, title: str, headers: Sequence[str]) -> None:
    """Create a tab with these headers and persist it (atomic backends defer layout)."""
    backend.apply_layout([plain_layout(title, headers)])
    backend.write([])


def every_tab(titles: Sequence[str]) -> list[str]:
    return list(titles)


def read_tab(backend: SheetBackend, title: str) -> TabData:
    data = backend.read(lambda titles: [title])
    assert title in data.tabs, f"tab {title!r} not read; tabs present: {data.titles}"
    return data.tabs[title]


def fresh_tab(sheet: FreshSheet, title: str) -> TabData:
    """The tab as a second, independent backend instance reads it."""
    return read_tab(sheet.reopen(), title)


def is_blank(value: CellValue) -> bool:
    return value is None or value == ""


# -- values -----------------------------------------------------------------------------------


def same_text(expected: str) -> Callable[[CellValue], bool]:
    return lambda got: isinstance(got, str) and got == expected


def same_number(expected: float) -> Callable[[CellValue], bool]:
    return lambda got: (
        isinstance(got, int | float) and not isinstance(got, bool) and got == expected
    )


def same_bool(expected: bool) -> Callable[[CellValue], bool]:
    return lambda got: got is expected


def same_date(expected: date) -> Callable[[CellValue], bool]:
    return lambda got: parse_cell(DATE, got, CTX).value == expected


def same_datetime(expected: datetime) -> Callable[[CellValue], bool]:
    def check(got: CellValue) -> bool:
        parsed = parse_cell(DATETIME, got, CTX).value
        return isinstance(parsed, datetime) and parsed.replace(tzinfo=None) == expected

    return check


ROUND_TRIPS = [
    pytest.param("Emma Wilson", None, same_text("Emma Wilson"), id="str"),
    pytest.param(42, None, same_number(42), id="int"),
    pytest.param(0, None, same_number(0), id="int-zero"),
    pytest.param(-17, None, same_number(-17), id="int-negative"),
    pytest.param(1234.56, "#,##0.00", same_number(1234.56), id="float"),
    pytest.param(True, None, same_bool(True), id="bool-true"),
    pytest.param(False, None, same_bool(False), id="bool-false"),
    pytest.param(date(2025, 10, 3), "yyyy-mm-dd", same_date(date(2025, 10, 3)), id="date"),
    pytest.param(date(2026, 2, 17), None, same_date(date(2026, 2, 17)), id="date-no-format"),
    pytest.param(
        datetime(2025, 10, 3, 14, 30),
        "yyyy-mm-dd hh:mm",
        same_datetime(datetime(2025, 10, 3, 14, 30)),
        id="datetime",
    ),
    pytest.param(
        datetime(2025, 12, 31, 23, 59),
        None,
        same_datetime(datetime(2025, 12, 31, 23, 59)),
        id="datetime-no-format",
    ),
]


@pytest.mark.parametrize(("value", "number_format", "matches"), ROUND_TRIPS)
def test_every_value_type_round_trips(
    sheet: FreshSheet,
    value: CellValue,
    number_format: str | None,
    matches: Callable[[CellValue], bool],
) -> None:
    """A value written to a cell reads back, from another instance, as the same typed value."""
    add_tab(sheet.backend, "Cases", ["Value"])
    sheet.backend.write([CellUpdate("Cases", 2, 1, value, number_format)])
    got = fresh_tab(sheet, "Cases").cell(1, 0)
    assert matches(got), f"wrote {value!r}, read back {got!r}"


TEXTS = [
    pytest.param("=SUM(1,2)", id="formula-like"),
    pytest.param('=HYPERLINK("http://example.invalid","click")', id="hyperlink-formula"),
    pytest.param("=", id="lone-equals"),
    pytest.param("+86 138 0013 8000", id="phone-plus"),
    pytest.param("-5 days", id="leading-minus"),
    pytest.param("@lily", id="leading-at"),
    pytest.param("00123", id="leading-zeros"),
    pytest.param("1e5", id="number-like"),
    pytest.param("TRUE", id="bool-like"),
    pytest.param("2025-10-03", id="date-like"),
    pytest.param("45933", id="serial-like"),
    pytest.param("客户很着急，请尽快处理。退款金额：¥128.50", id="chinese"),
    pytest.param("📦🚚✅ 😅 👨‍👩‍👧 🇨🇳", id="emoji"),
    pytest.param("Zoë Müller — naïve café, Chloé Dubois", id="accents"),
    pytest.param("line one\nline two\n第三行", id="multi-line"),
    pytest.param(LONG_TEXT, id="5000-chars"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_reads_back_as_the_exact_text(sheet: FreshSheet, text: str) -> None:
    """Text is stored as text: '=...' never becomes a formula, '00123' never a number."""
    add_tab(sheet.backend, "Cases", ["Customer", "After"])
    sheet.backend.write([CellUpdate("Cases", 2, 1, text), CellUpdate("Cases", 2, 2, "next cell")])
    row = fresh_tab(sheet, "Cases").rows[1]
    assert row[0] == text
    assert isinstance(row[0], str)
    assert row[1] == "next cell"


def test_none_clears_a_cell_and_leaves_its_neighbours(sheet: FreshSheet) -> None:
    """Writing None empties the cell; the cells around it keep their values."""
    add_tab(sheet.backend, "Cases", ["A", "B", "C"])
    sheet.backend.write(
        [
            CellUpdate("Cases", 2, 1, "left"),
            CellUpdate("Cases", 2, 2, "to clear"),
            CellUpdate("Cases", 2, 3, 7),
        ]
    )
    other = sheet.reopen()
    other.read(every_tab)
    other.write([CellUpdate("Cases", 2, 2, None)])
    tab = fresh_tab(sheet, "Cases")
    assert tab.cell(1, 0) == "left"
    assert is_blank(tab.cell(1, 1))
    assert tab.cell(1, 2) == 7


def test_trailing_blank_rows_and_columns_are_trimmed(sheet: FreshSheet) -> None:
    """Cells emptied at the far edge leave no trailing blank rows or cells in what is read."""
    add_tab(sheet.backend, "Cases", ["A", "B", "C"])
    sheet.backend.write(
        [
            CellUpdate("Cases", 3, 2, "kept"),
            CellUpdate("Cases", 3, 6, "far right"),
            CellUpdate("Cases", 9, 4, "far down"),
            CellUpdate("Cases", 4, 1, "blank text follows"),
            CellUpdate("Cases", 4, 3, ""),
        ]
    )
    other = sheet.reopen()
    other.read(every_tab)
    other.write([CellUpdate("Cases", 3, 6, None), CellUpdate("Cases", 9, 4, None)])
    rows = fresh_tab(sheet, "Cases").rows
    assert len(rows) == 4
    assert rows[0] == ["A", "B", "C"]
    assert all(is_blank(v) for v in rows[1])  # a blank row inside the data stays a row
    assert rows[2][-1] == "kept" and len(rows[2]) == 2
    assert rows[3] == ["blank text follows"]


def test_a_row_update_writes_its_cells_beside_single_cells(sheet: FreshSheet) -> None:
    """Whole rows (a Timeline's appended events) and single cells in one write land where they
    are addressed, typed, even past the tab's grid, and the result counts each cell of a row."""
    add_tab(sheet.backend, "时间线 Timeline", ["Event ID", "At", "Case ID", "Event", "Detail"])
    at = datetime(2025, 10, 3, 14, 30)
    result = sheet.backend.write(
        [
            RowUpdate("时间线 Timeline", 2, 1, ("E-1", at, "AS-1", "创建 Created"), (None,) * 4),
            CellUpdate("时间线 Timeline", 2, 5, "客户说下周寄回"),
            RowUpdate("时间线 Timeline", 3, 2, (at, "AS-2", "=SUM(1,2)"), (None,) * 3),
            # past the grid a new Google tab has (1,000 rows, columns A-Z): it grows to fit
            RowUpdate("时间线 Timeline", 1200, 26, ("Z", "AA", 3), (None,) * 3),
        ]
    )
    assert result.cells == 11
    tab = fresh_tab(sheet, "时间线 Timeline")
    rows = tab.rows
    assert rows[1][0] == "E-1" and rows[1][2:] == ["AS-1", "创建 Created", "客户说下周寄回"]
    assert same_datetime(at)(rows[1][1]) and same_datetime(at)(rows[2][1])
    assert is_blank(rows[2][0]) and rows[2][2:4] == ["AS-2", "=SUM(1,2)"]
    assert len(rows) == 1200 and rows[1199][25:] == ["Z", "AA", 3]


def test_equal_texts_of_a_read_are_one_string(sheet: FreshSheet) -> None:
    """A tab where many rows repeat a platform and a status reads back cell for cell as
    written, each repeated text held once (a sync holds its read to the end); texts that
    differ, and numbers equal to each other, stay apart."""
    add_tab(sheet.backend, "Cases", ["Case ID", "平台", "状态", "Amount"])
    statuses = ["待处理 New", "Waiting on seller", "Closed"]
    sheet.backend.write(
        [
            cell
            for n in range(1, 121)
            for cell in (
                CellUpdate("Cases", n + 1, 1, f"AS-{n:04d}"),
                CellUpdate("Cases", n + 1, 2, "Superbuy"),
                CellUpdate("Cases", n + 1, 3, statuses[n % 3]),
                CellUpdate("Cases", n + 1, 4, 1 if n % 2 else 1.5),
            )
        ]
    )
    rows = fresh_tab(sheet, "Cases").rows[1:]
    assert [row[:3] for row in rows] == [
        [f"AS-{n:04d}", "Superbuy", statuses[n % 3]] for n in range(1, 121)
    ]
    assert len({id(row[1]) for row in rows}) == 1
    assert len({id(row[2]) for row in rows}) == 3
    assert len({id(row[0]) for row in rows}) == 120
    assert [same_number(1 if n % 2 else 1.5)(row[3]) for n, row in enumerate(rows, 1)] == [
        True
    ] * 120


def test_a_narrowed_read_gives_the_header_whole_and_the_first_columns_below(
    sheet: FreshSheet,
) -> None:
    """A tab read narrowed to its first two columns gives its header row whole and, below it,
    each row's first two cells (trailing blanks dropped); rows past the last one holding
    something in those columns are not read. Other tabs of the same read come whole."""
    add_tab(sheet.backend, "时间线", ["Event ID", "跟进人", "At", "Detail"])
    add_tab(sheet.backend, "Cases", ["Case ID", "Status"])
    sheet.backend.write(
        [
            RowUpdate("时间线", 2, 1, ("AS-1:created", "小王", 45931.5, "创建"), (None,) * 4),
            RowUpdate("时间线", 3, 1, ("AS-2:created", None, 45932.25, "=A2"), (None,) * 4),
            CellUpdate("时间线", 4, 4, "a detail without its Event ID"),
            RowUpdate("时间线", 5, 1, (None, "小李 note"), (None,) * 2),
            CellUpdate("时间线", 6, 3, 45933),  # past the last row with an id or a note
            CellUpdate("Cases", 2, 1, "AS-1"),
            CellUpdate("Cases", 2, 2, "待处理 New"),
        ]
    )
    data = sheet.reopen().read(lambda titles: ["时间线", "Cases"], {"时间线": 2})
    blank_as_empty = [["" if v is None else v for v in row] for row in data.tabs["时间线"].rows]
    assert blank_as_empty == [
        ["Event ID", "跟进人", "At", "Detail"],
        ["AS-1:created", "小王"],
        ["AS-2:created"],
        [],
        ["", "小李 note"],
    ]
    assert data.tabs["Cases"].rows == [["Case ID", "Status"], ["AS-1", "待处理 New"]]


def test_rows_a_read_lets_go_keep_their_width_and_token_and_refuse_their_cells(
    sheet: FreshSheet,
) -> None:
    """A read asked to let a tab's rows go: each data row the rule gives a token (here, every
    row whose status is 已解决 Resolved) reads as a LetGo with that token and the row's width,
    and asking it for a cell raises; the header row is never offered, the other rows and the
    other tabs come whole. The rule sees each row's sheet row and its cells as read."""
    add_tab(sheet.backend, "工单 Cases", ["Case ID", "Status", "Customer"])
    add_tab(sheet.backend, "Settings", ["Key", "Value"])
    sheet.backend.write(
        [
            RowUpdate("工单 Cases", 2, 1, ("AS-1", "已解决 Resolved", "王芳"), (None,) * 3),
            RowUpdate("工单 Cases", 3, 1, ("AS-2", "待处理 New", "=SUM(1)"), (None,) * 3),
            RowUpdate("工单 Cases", 4, 1, ("AS-3", "已解决 Resolved"), (None,) * 2),
            RowUpdate("Settings", 2, 1, ("Timezone", "已解决 Resolved"), (None,) * 2),
        ]
    )
    offered: list[tuple[int, list[CellValue]]] = []

    def let_resolved_go(row: int, cells: list[CellValue]) -> bytes | None:
        offered.append((row, list(cells)))
        return f"token-{row}".encode() if "已解决 Resolved" in cells else None

    data = sheet.reopen().read(every_tab, None, {"工单 Cases": let_resolved_go})

    rows = data.tabs["工单 Cases"].rows
    assert rows[0] == ["Case ID", "Status", "Customer"]
    assert rows[2] == ["AS-2", "待处理 New", "=SUM(1)"]
    let_go = [rows[1], rows[3]]
    assert all(type(row) is LetGo for row in let_go)
    assert [(len(row), row.token) for row in let_go] == [(3, b"token-2"), (2, b"token-4")]
    with pytest.raises(LetGoRowRead):
        rows[1][0]
    with pytest.raises(LetGoRowRead):
        list(rows[3])
    assert [row for row, _ in offered] == [2, 3, 4]
    assert offered[0][1] == ["AS-1", "已解决 Resolved", "王芳"]
    assert data.tabs["Settings"].rows == [["Key", "Value"], ["Timezone", "已解决 Resolved"]]


def test_cells_land_where_they_are_addressed_beyond_column_z(sheet: FreshSheet) -> None:
    """Row and column numbers are 1-based A1 positions, including columns past Z and far rows."""
    add_tab(sheet.backend, "Cases", ["A"])
    result = sheet.backend.write(
        [
            CellUpdate("Cases", 2, 28, "AB2"),
            CellUpdate("Cases", 1500, 3, "C1500"),
            CellUpdate("Cases", 1, 53, "BA1"),
        ]
    )
    assert result.cells == 3
    tab = fresh_tab(sheet, "Cases")
    assert tab.cell(1, 27) == "AB2"
    assert tab.cell(1499, 2) == "C1500"
    assert tab.cell(0, 52) == "BA1"
    assert len(tab.rows) == 1500


def test_one_write_covers_several_tabs_and_reports_its_cells(sheet: FreshSheet) -> None:
    """A batch spanning tabs is written whole, and the result counts every cell in it."""
    sheet.backend.apply_layout(
        [plain_layout("Cases", ["Case ID"]), plain_layout("Timeline", ["Event"])]
    )
    result = sheet.backend.write(
        [
            CellUpdate("Cases", 2, 1, "AS-1"),
            CellUpdate("Cases", 3, 1, "AS-2"),
            CellUpdate("Timeline", 2, 1, "Created"),
        ]
    )
    assert result.cells == 3
    other = sheet.reopen()
    assert [r[0] for r in read_tab(other, "Cases").rows] == ["Case ID", "AS-1", "AS-2"]
    assert [r[0] for r in read_tab(other, "Timeline").rows] == ["Event", "Created"]


def test_what_one_instance_writes_the_next_one_keeps(sheet: FreshSheet) -> None:
    """Two instances writing one after the other (each reading first) lose nothing."""
    add_tab(sheet.backend, "Cases", ["Case ID", "Status"])
    sheet.backend.write([CellUpdate("Cases", 2, 1, "AS-1")])
    second = sheet.reopen()
    second.read(every_tab)
    second.write([CellUpdate("Cases", 2, 2, "Resolved")])
    assert fresh_tab(sheet, "Cases").rows == [["Case ID", "Status"], ["AS-1", "Resolved"]]


# -- reading ----------------------------------------------------------------------------------


def test_read_offers_every_title_and_returns_only_selected_tabs_that_exist(
    sheet: FreshSheet,
) -> None:
    """`select` sees all tab titles in order; only picked, existing tabs come back."""
    for title in ("Cases", "Timeline", "案件 2025"):
        add_tab(sheet.backend, title, ["Header"])
    offered: list[list[str]] = []

    def select(titles: Sequence[str]) -> list[str]:
        offered.append(list(titles))
        return ["Timeline", "案件 2025", "No Such Tab"]

    data = sheet.reopen().read(select)
    assert len(offered) == 1
    assert offered[0] == list(data.titles)
    created = [t for t in data.titles if t in ("Cases", "Timeline", "案件 2025")]
    assert created == ["Cases", "Timeline", "案件 2025"]
    assert set(data.tabs) == {"Timeline", "案件 2025"}
    assert data.tabs["案件 2025"].title == "案件 2025"
    assert data.tabs["案件 2025"].rows == [["Header"]]


def test_an_empty_tab_reads_as_no_rows(sheet: FreshSheet) -> None:
    """A tab with nothing in it is returned, with an empty grid."""
    sheet.backend.apply_layout([TabLayout(title="Holidays", columns=())])
    sheet.backend.write([])
    data = sheet.reopen().read(lambda titles: ["Holidays"])
    assert data.tabs["Holidays"].rows == []


# -- layout -----------------------------------------------------------------------------------


def test_apply_layout_creates_a_missing_tab_with_its_headers(sheet: FreshSheet) -> None:
    """A tab the layout names but the sheet lacks is created, headers in the given columns."""
    before = sheet.reopen().read(every_tab)
    assert "Timeline" not in before.titles
    changes = sheet.backend.apply_layout([plain_layout("Timeline", ["Event ID", "At", "Case ID"])])
    sheet.backend.write([])
    assert changes > 0
    after = sheet.reopen().read(every_tab)
    assert "Timeline" in after.titles
    assert after.tabs["Timeline"].rows == [["Event ID", "At", "Case ID"]]
    assert set(before.titles) <= set(after.titles)  # nothing else disappeared


def test_apply_layout_fills_missing_headers_and_keeps_a_teams_own(sheet: FreshSheet) -> None:
    """Missing headers are written; a header a team renamed or added is never overwritten."""
    add_tab(sheet.backend, "Cases", ["案件编号", "Team Tag"])
    sheet.backend.write([CellUpdate("Cases", 2, 1, "AS-1"), CellUpdate("Cases", 2, 2, "VIP")])
    other = sheet.reopen()
    other.read(every_tab)
    layout = TabLayout(
        title="Cases",
        columns=(
            ColumnLayout(index=1, header="Case ID"),
            ColumnLayout(index=3, header="Policy Ref", protected=True),
        ),
    )
    other.apply_layout([layout])
    other.write([])
    assert fresh_tab(sheet, "Cases").rows == [
        ["案件编号", "Team Tag", "Policy Ref"],
        ["AS-1", "VIP"],
    ]


def rich_layout(title: str) -> TabLayout:
    """A layout using every feature: hidden column, frozen rows, dropdowns, highlights."""
    return TabLayout(
        title=title,
        columns=(
            ColumnLayout(index=1, header="Case ID", width=14),
            ColumnLayout(
                index=2,
                header="Platform",
                choices=("Superbuy", "Bhiner", "Yoybuy"),
                strict_choices=False,
            ),
            ColumnLayout(index=3, header="Status", choices=("New", "Closed")),
            ColumnLayout(index=4, header="Window Start", number_format="yyyy-mm-dd"),
            ColumnLayout(index=5, header="SLA State", protected=True, width=16),
            ColumnLayout(index=6, header="Computed For", hidden=True, protected=True),
        ),
        frozen_rows=1,
        highlights=(
            HighlightRule("stale", 'AND($F2<>"",$F2<>$A2)', "E2E3E5", "6C757D"),
            HighlightRule("overdue", '$E2="Overdue"', "F8D7DA"),
        ),
        last_column=6,
    )


def test_apply_layout_is_idempotent_once_persisted(sheet: FreshSheet) -> None:
    """A second identical layout needs 0 changes, on this instance and on a fresh one."""
    layout = rich_layout("Cases")
    first = sheet.backend.apply_layout([layout])
    sheet.backend.write([])
    assert first > 0
    assert sheet.backend.apply_layout([layout]) == 0
    other = sheet.reopen()
    other.read(every_tab)
    assert other.apply_layout([layout]) == 0


def test_the_service_layouts_apply_cleanly_and_idempotently(sheet: FreshSheet) -> None:
    """The engine's own tab layouts (every schema tab) apply, persist, and then need nothing."""
    schema = load_schema()
    layouts = [new_tab(spec, spec.title).layout for spec in schema.tabs]
    assert sheet.backend.apply_layout(layouts) > 0
    sheet.backend.write([])
    other = sheet.reopen()
    data = other.read(every_tab)
    for spec in schema.tabs:
        assert [c.header for c in spec.columns] == data.tabs[spec.title].rows[0]
    assert other.apply_layout(layouts) == 0


def test_layout_features_do_not_disturb_values(sheet: FreshSheet) -> None:
    """Cells in a hidden, protected or dropdown column are written and read like any other."""
    sheet.backend.apply_layout([rich_layout("Cases")])
    sheet.backend.write(
        [
            CellUpdate("Cases", 2, 1, "AS-1"),
            CellUpdate("Cases", 2, 2, "Superbuy"),
            CellUpdate("Cases", 2, 5, "Overdue"),
            CellUpdate("Cases", 2, 6, "AS-1"),
        ]
    )
    rows = fresh_tab(sheet, "Cases").rows
    assert rows[0] == ["Case ID", "Platform", "Status", "Window Start", "SLA State", "Computed For"]
    values = [None if is_blank(v) else v for v in rows[1]]
    assert values == ["AS-1", "Superbuy", None, None, "Overdue", "AS-1"]


# -- identity ---------------------------------------------------------------------------------


def test_backend_describes_where_it_points_without_secrets(sheet: FreshSheet) -> None:
    """`describe()` names the spreadsheet for messages and shows no credential."""
    backend = sheet.backend
    assert isinstance(backend, SheetBackend)
    assert isinstance(backend.name, str) and backend.name
    assert isinstance(backend.atomic, bool)
    text = backend.describe()
    assert sheet.location in text
    for secret in sheet.secrets:
        assert secret not in text
        assert secret not in repr(backend)


# -- concurrency (atomic backends) ---------------------------------------------------------------


def require_atomic(backend: SheetBackend) -> None:
    if not backend.atomic:
        pytest.skip(f"{backend.name} writes positionally and cannot check a version")


def test_version_changes_only_when_the_spreadsheet_changes(sheet: FreshSheet) -> None:
    """Re-reading an unchanged sheet gives the same version; another writer's save changes it."""
    require_atomic(sheet.backend)
    add_tab(sheet.backend, "Cases", ["Case ID"])
    first = sheet.backend.read(every_tab).version
    assert first is not None
    assert sheet.backend.read(every_tab).version == first
    other = sheet.reopen()
    other.read(every_tab)
    other.write([CellUpdate("Cases", 2, 1, "AS-1")])
    assert sheet.backend.read(every_tab).version != first


def test_stale_write_is_refused_and_changes_nothing(sheet: FreshSheet) -> None:
    """After another instance wrote, a write expecting the old version raises and writes nothing."""
    require_atomic(sheet.backend)
    backend = sheet.backend
    add_tab(backend, "Cases", ["Case ID", "Status"])
    backend.write([CellUpdate("Cases", 2, 1, "AS-1")])
    seen = backend.read(every_tab)
    person = sheet.reopen()
    person.read(every_tab)
    person.write([CellUpdate("Cases", 2, 2, "Resolved")])

    backend.apply_layout([plain_layout("Timeline", ["Event"])])
    with pytest.raises(ConcurrentEditError):
        backend.write(
            [CellUpdate("Cases", 2, 2, "New"), CellUpdate("Cases", 3, 1, "AS-2")],
            expect_version=seen.version,
        )
    after = sheet.reopen().read(every_tab)
    assert after.tabs["Cases"].rows == [["Case ID", "Status"], ["AS-1", "Resolved"]]
    assert "Timeline" not in after.titles


def test_write_with_the_version_just_read_succeeds(sheet: FreshSheet) -> None:
    """Re-reading after a refusal gives a version that the next write is accepted with."""
    require_atomic(sheet.backend)
    backend = sheet.backend
    add_tab(backend, "Cases", ["Case ID", "Status"])
    stale = backend.read(every_tab).version
    person = sheet.reopen()
    person.read(every_tab)
    person.write([CellUpdate("Cases", 2, 1, "AS-1")])
    with pytest.raises(ConcurrentEditError):
        backend.write([CellUpdate("Cases", 2, 2, "New")], expect_version=stale)
    current = backend.read(every_tab).version
    result = backend.write([CellUpdate("Cases", 2, 2, "New")], expect_version=current)
    assert result.cells == 1
    assert fresh_tab(sheet, "Cases").rows == [["Case ID", "Status"], ["AS-1", "New"]]


# -- cache, formulas, API calls -----------------------------------------------------------------


def test_refresh_lets_a_backend_see_tabs_added_since_its_last_read(sheet: FreshSheet) -> None:
    """After `refresh`, a read offers a tab another instance added since this one last read."""
    add_tab(sheet.backend, "Cases", ["Case ID"])
    assert "退货 Notes" not in sheet.backend.read(every_tab).titles
    add_tab(sheet.reopen(), "退货 Notes", ["Note"])
    sheet.backend.refresh()
    data = sheet.backend.read(every_tab)
    assert "退货 Notes" in data.titles
    assert data.tabs["退货 Notes"].rows == [["Note"]]


def test_find_formulas_reports_a_persons_formula_that_shows_nothing(sheet: FreshSheet) -> None:
    """A blank-looking cell that holds a person's formula is reported by reads after the look-up."""
    add_tab(sheet.backend, "Cases", ["Case ID", "Opened"])
    sheet.backend.write([CellUpdate("Cases", 2, 1, "AS-1"), CellUpdate("Cases", 3, 1, "AS-2")])
    sheet.type_formula("Cases", "B2", '=IF(A2="AS-9","今天","")')
    backend = sheet.reopen()
    before = backend.read(every_tab).tabs["Cases"]
    assert is_blank(before.cell(1, 1))
    changed = backend.find_formulas([("Cases", 2, 2), ("Cases", 3, 2)])
    after = backend.read(every_tab).tabs["Cases"]
    assert after.formulas == frozenset({(1, 1)})  # row 2, column B; 0-based
    assert changed == (before.formulas != after.formulas)


def test_find_formulas_of_plain_cells_finds_none(sheet: FreshSheet) -> None:
    """Blank and typed cells are no formulas: nothing is reported and nothing changed."""
    add_tab(sheet.backend, "Cases", ["Case ID", "Opened"])
    sheet.backend.write([CellUpdate("Cases", 2, 1, "AS-1")])
    backend = sheet.reopen()
    backend.read(every_tab)
    assert backend.find_formulas([("Cases", 2, 2), ("Cases", 2, 1)]) is False
    assert backend.find_formulas([]) is False
    assert backend.read(every_tab).tabs["Cases"].formulas == frozenset()


def test_calls_count_requests_by_family_and_never_go_back(sheet: FreshSheet) -> None:
    """`calls` grows with reads and writes (a file backend stays at zero), by family and kind."""
    backend = sheet.backend
    start = (backend.calls.read, backend.calls.write, backend.calls.layout)
    add_tab(backend, "Cases", ["Case ID"])
    after_layout = (backend.calls.read, backend.calls.write, backend.calls.layout)
    backend.read(every_tab)
    backend.write([CellUpdate("Cases", 2, 1, "AS-1")])
    calls = backend.calls
    assert all(a <= b for a, b in zip(start, after_layout, strict=True))
    assert calls.read >= after_layout[0] and calls.write >= after_layout[1]
    assert calls.read + calls.write + calls.layout == sum(calls.by_kind.values())
    if backend.name == "google":  # an API: the read and the write were requests
        assert calls.read > after_layout[0] and calls.write > after_layout[1]
    else:
        assert (calls.read, calls.write, calls.layout, calls.retries) == (0, 0, 0, 0)
