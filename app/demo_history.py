"""The demo's past: its cases replayed week by week, so the Timeline, the SLA clocks and the
KPIs tab have a history to show (a chart of one day would be a single point).

Each case moves along a plausible path (New -> In Progress -> Awaiting Seller -> ... -> its
final status), its steps spread evenly between its Opened time and `now`. At every checkpoint
the rows are rewritten as they stood then, as the team would have typed them, and synced at
that time; rows only ever get appended (cases are ordered by Opened), as in a real sheet.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from app.demo import build_demo_workbook, demo_cases
from app.sync.engine import SyncEngine
from app.sync.report import SyncReport
from sheet_schema import Owner, load_schema

SHANGHAI = ZoneInfo("Asia/Shanghai")
FINAL_ONLY = ("outcome", "refund_amount", "currency", "csat")
PATHS = {
    "New": ["New"],
    "In Progress": ["New", "In Progress"],
    "Awaiting Customer": ["New", "In Progress", "Awaiting Customer"],
    "Awaiting Seller": ["New", "In Progress", "Awaiting Seller"],
    "Awaiting Platform": ["New", "In Progress", "Awaiting Seller", "Awaiting Platform"],
    "Return Shipped": ["New", "In Progress", "Awaiting Seller", "Return Shipped"],
    "Resolved": ["New", "In Progress", "Awaiting Seller", "Resolved"],
    "Closed": ["New", "In Progress", "Awaiting Seller", "Resolved", "Closed"],
}


def replay_demo(
    engine: SyncEngine, path: Path, now: datetime, *, weeks: int = 5, seed: int = 7
) -> SyncReport:
    """Build the demo workbook and sync it at `weeks` weekly checkpoints, then at `now`."""
    cases = demo_cases(now, seed=seed)
    cases.sort(key=lambda c: (c["opened"] is None, c["opened"] or datetime.max))
    build_demo_workbook(path, now, rows=[])
    wall_now = now.astimezone(SHANGHAI).replace(tzinfo=None)
    report: SyncReport | None = None
    for back in [*range(weeks, 0, -1), 0]:
        moment = now - timedelta(days=7 * back)
        wall = moment.astimezone(SHANGHAI).replace(tzinfo=None)
        rows = [_as_of(c, wall, wall_now) for c in cases if _visible(c, wall, back)]
        _write_user_rows(path, rows)
        report = engine.sync(now=moment, trigger="demo")
    assert report is not None
    return report


def _visible(case: dict[str, object], wall: datetime, back: int) -> bool:
    opened = case["opened"]
    if opened is None:
        return back == 0  # typed a minute ago: only in the present
    return isinstance(opened, datetime) and opened <= wall


def _as_of(case: dict[str, object], wall: datetime, wall_now: datetime) -> dict[str, object]:
    """The row as it stood at `wall` (team wall-clock time)."""
    opened = case["opened"]
    if not isinstance(opened, datetime):
        return case
    final = str(case["status"])
    path = PATHS.get(final, [final])
    span = wall_now - opened
    reached = [s for i, s in enumerate(path) if opened + span * i / len(path) <= wall]
    status = reached[-1] if reached else "New"
    row = dict(case, status=status)
    if status != final:
        for key in FINAL_ONLY:
            row[key] = None
    first = case.get("first_response_at")
    if isinstance(first, datetime) and first > wall:
        row["first_response_at"] = None
    if status not in ("Awaiting Platform", "Resolved", "Closed"):
        row["platform_response"] = None
    return row


def _write_user_rows(path: Path, rows: list[dict[str, object]]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    header = {str(c.value): c.column for c in sheet[1] if c.value}
    user = [c for c in load_schema().tab("cases").columns if c.owner is Owner.USER]
    for offset, row in enumerate(rows, start=2):
        for spec in user:
            col = header.get(spec.header)
            if col is None:
                continue
            cell = sheet.cell(row=offset, column=col)
            if spec.key in ("case_id", "opened") and cell.value not in (None, ""):
                continue  # filled by an earlier sync: the row keeps it
            cell.value = row.get(spec.key)
            if isinstance(cell.value, str):
                cell.data_type = "s"
            if spec.number_format and cell.value is not None:
                cell.number_format = spec.number_format
    book.save(path)
