"""The benchmark's cases: what a busy agency's sheet holds after half a year.

Opened dates spread over the 180 days before the sync (so SLA clocks span months), all three
platforms, every status, evidence sometimes missing, a few reminders due. The same logical
cases are written to a workbook (typed values) and to a Google sheet (text as a person types it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sheet_schema import load_schema

CASES = load_schema().tab("cases")
USER_KEYS = [c.key for c in CASES.user_columns]
HEADER = {c.key: c.header for c in CASES.columns}
NOW = datetime(2025, 10, 10, 2, 0)  # UTC; 10:00 in Shanghai, a Friday

PLATFORMS = ("Superbuy", "Bhiner", "Yoybuy")
STATUSES = ("New", "In Progress", "Awaiting Seller", "Return Shipped", "Resolved", "Closed")
ISSUES = ("Defect", "Wrong Size", "Damaged in Transit", "Wrong Item", "Not as Described")
EVIDENCE = ("photos, video", "photos", "", "video")
ASSIGNEES = ("Lily", "Chen", "Marco", "Aisha")


def logical_case(i: int) -> dict[str, Any]:
    """Case `i` by column key, with Python values (datetimes for dates)."""
    opened = NOW - timedelta(days=(i * 7) % 180, hours=(i * 5) % 24)
    return {
        "case_id": f"AS-B-{i:06d}",
        "opened": opened.replace(second=0, microsecond=0),
        "platform": PLATFORMS[i % 3],
        "order_no": f"ORD{i:08d}",
        "customer": f"Customer {i}",
        "issue_type": ISSUES[i % len(ISSUES)],
        "item_condition": "New",
        "window_start": (opened - timedelta(days=i % 9)).replace(hour=0, minute=0),
        "evidence": EVIDENCE[i % len(EVIDENCE)],
        "original_packaging": "Yes" if i % 5 else "No",
        "video_proof": "Yes" if i % 4 == 0 else "",
        "assignee": ASSIGNEES[i % len(ASSIGNEES)],
        "status": STATUSES[i % len(STATUSES)],
    }


def workbook_rows(n: int) -> list[dict[str, Any]]:
    """Rows by header, for `tests.workbooks.write_workbook`."""
    return [{HEADER[k]: v for k, v in logical_case(i).items()} for i in range(n)]


def typed_rows(n: int) -> list[list[Any]]:
    """The user columns (schema order) as text a person types into Google Sheets."""
    out = []
    for i in range(n):
        row = logical_case(i)
        row["opened"] = row["opened"].strftime("%Y-%m-%d %H:%M")
        row["window_start"] = row["window_start"].strftime("%Y-%m-%d")
        out.append([row.get(k, "") for k in USER_KEYS])
    return out


def status_rows(cases: int, edits: int) -> list[int]:
    """The sheet rows (1-based, below the header) of `edits` cases spread evenly over `cases`."""
    step = max(1, cases // edits)
    return [2 + i * step for i in range(min(edits, cases))]
