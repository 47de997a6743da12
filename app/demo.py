"""A realistic demo workbook: ~200 cases across Superbuy, Bhiner and Yoybuy.

Seeded, and relative to the `now` it is given, so the same command always builds the same
workbook for the same day. It is what a busy team's sheet looks like: most rows clean, some
rows new (no Case ID yet), a few typos and bad dates for the Validation column to explain.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.styles import Font

from app.sync.planner import CaseResult
from sheet_schema import Owner, load_schema

PLATFORMS = ("Superbuy", "Bhiner", "Yoybuy")
ISSUES = (
    ("Defect", 26),
    ("Wrong Item", 14),
    ("Not as Described", 12),
    ("Missing Item", 8),
    ("Damaged in Transit", 10),
    ("Wrong Size", 16),
    ("Changed Mind", 8),
    ("Lost Parcel", 6),
)
STATUSES = (
    ("New", 14),
    ("In Progress", 16),
    ("Awaiting Customer", 10),
    ("Awaiting Seller", 14),
    ("Awaiting Platform", 8),
    ("Return Shipped", 8),
    ("Resolved", 14),
    ("Closed", 16),
)
OUTCOMES = ("Full Refund", "Partial Refund", "Store Credit", "Exchange", "Reship", "Rejected")
CUSTOMERS = (
    "Emma Wilson",
    "Lucas Martin",
    "Sofia Rossi",
    "Noah Schmidt",
    "Mia Jensen",
    "Liam O'Brien",
    "Chloé Dubois",
    "Mateo García",
    "Hannah Kowalski",
    "Oliver Smith",
    "Ava Johansson",
    "王伟",
    "李娜",
    "Kenji Tanaka",
    "Priya Patel",
    "Jonas Berg",
    "Zoë van Dijk",
    "Ahmed Hassan",
    "Ella Nguyen",
    "Finn Müller",
)
ASSIGNEES = ("Lily", "Chen", "Marco", "Aisha", "Tom")
CHANNELS = ("Email", "WhatsApp", "Discord", "WeChat", "Telegram")
EVIDENCE = ("photos", "photos, video", "photos, tracking", "", "video")


def demo_cases(now: datetime, cases: int = 200, seed: int = 7) -> list[dict[str, object]]:
    """The demo's cases as they stand at `now`, by column key."""
    rng = random.Random(seed)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    return [_case(rng, n, now, today) for n in range(cases)]


def build_demo_workbook(
    path: Path,
    now: datetime,
    cases: int = 200,
    seed: int = 7,
    rows: list[dict[str, object]] | None = None,
) -> Path:
    """Write a demo workbook with a Cases tab only; the first sync adds everything else."""
    schema = load_schema()
    spec = schema.tab("cases")
    columns = [c for c in spec.columns if c.owner is Owner.USER]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = spec.title
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for n, row in enumerate(demo_cases(now, cases, seed) if rows is None else rows):
        sheet.append([row.get(c.key) for c in columns])
        for index, c in enumerate(columns, start=1):
            cell = sheet.cell(row=n + 2, column=index)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a customer text starting with "=" is text
            if c.number_format and row.get(c.key) is not None:
                cell.number_format = c.number_format
    for c in columns:
        width = 14 if c.key not in ("customer", "notes", "platform_response") else 22
        sheet.column_dimensions[
            openpyxl.utils.get_column_letter(columns.index(c) + 1)
        ].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _case(rng: random.Random, n: int, now: datetime, today: date) -> dict[str, object]:
    platform = PLATFORMS[n % 3]
    issue = _pick(rng, ISSUES)
    status = _pick(rng, STATUSES)
    # Most open cases are days old; closed ones are older.
    age_days = min(40, int(rng.expovariate(1 / (14 if status in ("Resolved", "Closed") else 4))))
    day = (now - timedelta(days=age_days)).astimezone(ZoneInfo("Asia/Shanghai")).date()
    opened = datetime.combine(day, datetime.min.time()) + timedelta(
        hours=rng.randint(8, 19), minutes=rng.choice((5, 20, 35, 50))
    )
    opened = min(opened, now.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None))
    opened = opened.replace(second=0, microsecond=0)
    window_start = (opened - timedelta(days=rng.randint(1, 12))).date()
    closed = status in ("Resolved", "Closed")
    row: dict[str, object] = {
        "case_id": f"AS-DEMO-{n + 1:04d}",
        "opened": opened,
        "platform": platform if rng.random() > 0.05 else platform.lower(),
        "order_no": f"{platform[:2].upper()}{rng.randint(10_000_000, 99_999_999)}",
        "customer": rng.choice(CUSTOMERS),
        "channel": rng.choice(CHANNELS),
        "language": "Chinese" if rng.random() < 0.2 else "English",
        "issue_type": issue,
        "item_condition": rng.choice(("New", "Unused", "Used", "Damaged")),
        "window_start": window_start,
        "evidence": rng.choice(EVIDENCE),
        "original_packaging": rng.choice(("Yes", "No", None)),
        "video_proof": rng.choice(("Yes", "No", None)),
        "assignee": rng.choice(ASSIGNEES),
        "status": status,
    }
    if status != "New" and rng.random() < 0.8:
        row["first_response_at"] = opened + timedelta(minutes=rng.randint(20, 600))
    if status in ("Awaiting Platform", "Resolved", "Closed") and rng.random() < 0.7:
        row["platform_response"] = rng.choice(
            (
                "Seller agreed to refund after return",
                "Platform approved partial refund",
                "卖家同意换货",
            )
        )
    if closed:
        row["outcome"] = rng.choice(OUTCOMES)
        if row["outcome"] in ("Full Refund", "Partial Refund"):
            row["refund_amount"] = round(rng.uniform(8, 260), 2)
            row["currency"] = "USD"
        if status == "Closed" and rng.random() < 0.7:
            row["csat"] = rng.choice((3, 4, 4, 5, 5, 5, 2))
    if rng.random() < 0.06:
        row["policy_exception"] = "Yes"
    # What a real sheet also holds: rows typed a minute ago, and a few mistakes.
    if n % 23 == 5:
        row.update(case_id=None, opened=None, status="New", first_response_at=None, outcome=None)
    if n == 17:
        row["window_start"] = "2025-13-45"
    if n == 41:
        row["platform"] = "Taobao Direct"
    if n == 63:
        row["window_start"] = "03/10/2025"
    if n == 88:
        row["customer"] = '=HYPERLINK("http://example.invalid","click")'
        row["notes"] = "Customer name pasted from a form; must stay text."
    return row


_STATE_RANK = {"Overdue": 0, "Due soon": 1}


def urgent_first(results: Sequence[CaseResult]) -> list[CaseResult]:
    """Cases most urgent first: overdue, then due soon, then rows with errors (they cannot be
    worked until fixed), then the rest; within each, the earliest Next Due, then priority."""

    def key(result: CaseResult) -> tuple[int, datetime, str, int]:
        ev = result.evaluation
        rank = 2 if result.errors or ev is None else _STATE_RANK.get(ev.sla_state.value, 3)
        due = result.next_due or datetime.max.replace(tzinfo=UTC)
        return rank, due.astimezone(UTC), result.priority or "P9", result.row

    return sorted(results, key=key)


def is_urgent(result: CaseResult) -> bool:
    """Overdue, due soon, P1, or a row with errors."""
    ev = result.evaluation
    if result.errors or ev is None:
        return True
    return ev.sla_state.value in _STATE_RANK or result.priority == "P1"
