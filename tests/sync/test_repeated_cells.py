"""A read parses each distinct repeating cell once (a status, a platform, a Yes, a date): rows
typed alike still read each as its own cells say, every unreadable one is named on its own row
with its own value, and values Python calls equal (1, True, 1.0; 0.0 and -0.0) stay apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.sheets.backend import TabData
from app.sync.rows import parse_rows
from sheet_schema import ParseContext, load_schema, match_headers

CASES = load_schema().tab("cases")
HEADER = ["Case ID", "Opened", "平台", "Issue Type", "Window Start", "状态", "视频"]
HEADER += ["Refund Amount", "CSAT", "Policy Exception"]


def read(rows: list[list[Any]]) -> list[dict[str, Any]]:
    headers = match_headers(CASES, "售后 Cases", HEADER)
    parsed = parse_rows(TabData("售后 Cases", [HEADER, *rows]), headers, ParseContext())
    return [
        {
            "values": {k: row.values.get(k) for k in ("status", "video_proof", "refund_amount")},
            "opened": row.values.get("opened"),
            "issues": [(i.row, i.column, i.value) for i in row.issues],
        }
        for row in parsed
    ]


def test_rows_typed_alike_read_alike_and_each_typo_is_named_on_its_row() -> None:
    """The same status typed in three spellings and the same typo on two rows: each row reads
    its own status, and the typo is named twice, each time with its own row and value."""
    base = ["2025-10-03 09:30", "Superbuy", "Defect", "2025-10-01"]
    rows = [
        ["AS-1", *base, "in progress", "Yes", "", "", ""],
        ["AS-2", *base, "In Progress", "yes", "", "", ""],
        ["AS-3", *base, "In Progres", "no", "", "", ""],  # a typo
        ["AS-4", *base, "In Progress", "Yes", "", "", ""],
        ["AS-5", *base, "In Progres", "Yes", "", "", ""],  # the same typo again
    ]
    read_rows = read(rows)
    assert [r["values"]["status"] for r in read_rows] == [
        "In Progress",
        "In Progress",
        None,
        "In Progress",
        None,
    ]
    assert [r["values"]["video_proof"] for r in read_rows] == [True, True, False, True, True]
    assert [r["issues"] for r in read_rows] == [
        [],
        [],
        [(4, "status", "In Progres")],  # sheet row 4: the third data row
        [],
        [(6, "status", "In Progres")],
    ]
    assert {r["opened"] for r in read_rows} == {datetime(2025, 10, 3, 9, 30, tzinfo=UTC)}


def test_values_python_calls_equal_are_read_each_as_its_own_type() -> None:
    """A workbook's typed cells: True, 1 and 1.0 in a Yes/No column are all Yes, and "1"
    too; in an amount column 1 and 1.0 are one amount, -0.0 stays -0.0 beside a 0.0, and True
    is not an amount (named on its row)."""
    base = [datetime(2025, 10, 3, 9, 30), "Bhiner", "Wrong Size", datetime(2025, 10, 1)]
    rows = [
        ["AS-1", *base, "New", True, True, "", ""],
        ["AS-2", *base, "New", 1, 1, "", ""],
        ["AS-3", *base, "New", 1.0, 1.0, "", ""],
        ["AS-4", *base, "New", "1", -0.0, "", ""],
        ["AS-5", *base, "New", "", 0.0, "", ""],
        ["AS-6", *base, "New", True, True, "", ""],
    ]
    read_rows = read(rows)
    assert [r["values"]["status"] for r in read_rows] == ["New"] * 6
    assert [r["values"]["video_proof"] for r in read_rows] == [True, True, True, True, None, True]
    amounts = [r["values"]["refund_amount"] for r in read_rows]
    assert [str(a) for a in amounts] == ["None", "1.0", "1.0", "-0.0", "0.0", "None"]
    assert [r["issues"] for r in read_rows] == [
        [(2, "refund_amount", True)],
        [],
        [],
        [],
        [],
        [(7, "refund_amount", True)],
    ]
