"""Plans for the service's other tabs: Timeline rows, Policies rows, Validation messages. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from app.sheets.backend import CellUpdate, CellValue, RowUpdate, TabData, storable_text
from app.store import TimelineEvent
from app.sync.derive import wall_clock
from app.sync.rows import SheetRow
from app.sync.team_config import shipped_message
from app.sync.timeline_texts import event_detail, event_name
from policies import Policy
from policies.models import DEFAULT_WINDOW_START
from policies.vocab import BUYER_REASON_ISSUES, SELLER_FAULT_ISSUES
from sheet_schema import HeaderMap
from sheet_schema.messages import Language

EVENT_LABELS = {
    "created": "Created",
    "status_changed": "Status changed",
    "reopened": "Re-opened",
    "evidence_added": "Evidence added",
    "platform_response": "Platform responded",
    "reply_generated": "Reply generated",
    "evidence_requested": "Evidence requested",
    "evidence_reminder": "Evidence reminder",
    "escalated": "Escalated",
}


def existing_event_ids(data: TabData | None, headers: HeaderMap) -> set[str]:
    index = headers.positions.get("event_id")
    if data is None or index is None:
        return set()
    # (by the rows themselves, not TabData.cell: a Timeline is tens of thousands of rows)
    return {str(row[index]) for row in data.rows[1:] if len(row) > index and row[index]}


def next_free_row(data: TabData | None) -> int:
    """1-based row after the last non-blank row (row 2 for an empty tab with a header)."""
    return max(len(data.rows) if data else 0, 1) + 1


TIMELINE_KEYS = ("event_id", "at", "case_id", "event", "detail", "run")


def timeline_rows(
    events: Sequence[TimelineEvent],
    present: set[str],
    headers: HeaderMap,
    first_row: int,
    run_id: int,
    tz: tzinfo,
    language: Language = "en",
) -> list[RowUpdate]:
    """Append events whose Event ID the tab does not show yet (append-only, exactly once),
    named and described in the team `language`. A row is one `RowUpdate` (or one per run of
    adjacent columns, when a blank value or the tab's own order leaves a gap)."""
    updates: list[RowUpdate] = []
    layout = _row_layout(headers, TIMELINE_KEYS)
    formats: dict[tuple[str | None, ...], tuple[str | None, ...]] = {}  # one tuple, all rows
    row = first_row
    names: dict[str, str] = {}  # a kind's name, looked up once
    walls: dict[datetime, datetime | None] = {}  # each instant as the sheet shows it, once
    for event in sorted(events, key=lambda e: (e.at, e.case_id, e.event_key)):
        if event.event_key in present:
            continue
        name = names.get(event.kind)
        if name is None:
            name = event_name(event.kind, EVENT_LABELS.get(event.kind, event.kind), language)
            names[event.kind] = name
        at = walls.get(event.at)
        if at is None:
            at = walls[event.at] = wall_clock(event.at, tz)
        values: dict[str, CellValue] = {
            "event_id": event.event_key,
            "at": at,
            "case_id": event.case_id,
            "event": name,
            "detail": event_detail(event, language),
            "run": run_id,
        }
        updates.extend(_row_updates(headers.title, row, layout, values, formats))
        row += 1
    return updates


def builtin_policy_rows(
    policies: Sequence[Policy],
    present: set[tuple[str, str]],
    headers: HeaderMap,
    first_row: int,
    language: Language = "en",
) -> list[CellUpdate]:
    """Rows for shipped policy versions the Policies tab does not list yet (marked Built-in)."""
    updates: list[CellUpdate] = []
    row = first_row
    for policy in policies:
        if (policy.platform, policy.version) in present:
            continue
        window = policy.window
        values: dict[str, CellValue] = {
            "platform": policy.name,
            "version": policy.version,
            "effective_from": policy.effective_from,
            "source": policy.source,
            "window_days": window.default_days,
            "window_hours": window.default_hours,
            "window_starts": window.starts_at if window.starts_at != DEFAULT_WINDOW_START else None,
            "excluded_categories": ", ".join(policy.excluded_categories),
            "refund_kinds": ", ".join(policy.refunds.kinds),
            "requires": ", ".join(sorted({r.kind for r in policy.evidence})),
            "holiday_rule": window.holiday_rule,
            "built_in": "Yes",
            "validation": shipped_message(language),
        }
        values.update(_window_groups(policy))
        updates.extend(_cells(headers, row, values))
        row += 1
    return updates


def validation_updates(
    rows: Sequence[SheetRow],
    messages: Mapping[int, str],
    headers: HeaderMap,
) -> list[CellUpdate]:
    """Write each row's Validation message where it changed."""
    index = headers.positions.get("validation")
    if index is None:
        return []
    updates = []
    for row in rows:
        message = messages.get(row.row) if row.values else None
        if (row.raw.get("validation") or None) != message:
            updates.append(CellUpdate(headers.title, row.row, index + 1, message))
    return updates


def _window_groups(policy: Policy) -> dict[str, CellValue]:
    """Window days of each issue group, for the Built-in rows."""
    seller = policy.window.decide(SELLER_FAULT_ISSUES[0], None)[1]
    buyer = policy.window.decide(BUYER_REASON_ISSUES[0], None)[1]
    return {"seller_fault_days": seller, "buyer_reason_days": buyer}


def _row_layout(headers: HeaderMap, keys: Sequence[str]) -> list[tuple[int, str, str | None]]:
    """(column, key, number format) of each of `keys` the tab has, left to right."""
    layout = []
    for key in keys:
        index = headers.positions.get(key)
        if index is not None:
            spec = headers.tab.columns_by_key.get(key) or headers.tab.column(key)
            layout.append((index + 1, key, spec.number_format))
    return sorted(layout)


def _row_updates(
    title: str,
    row: int,
    layout: Sequence[tuple[int, str, str | None]],
    values: Mapping[str, CellValue],
    formats: dict[tuple[str | None, ...], tuple[str | None, ...]],
) -> list[RowUpdate]:
    """One row's non-blank `values` as `RowUpdate`s, one per run of adjacent columns in
    `layout` (`formats` holds the format tuples made so far, so that rows share theirs)."""
    out: list[RowUpdate] = []
    run: list[CellValue] = []
    run_formats: list[str | None] = []
    start = last = 0
    for col, key, number_format in layout:
        value = _written(values.get(key))
        if value is None:
            continue
        if run and col != last + 1:
            out.append(_row_update(title, row, start, run, run_formats, formats))
            run, run_formats = [], []
        if not run:
            start = col
        run.append(value)
        run_formats.append(number_format)
        last = col
    if run:
        out.append(_row_update(title, row, start, run, run_formats, formats))
    return out


def _row_update(
    title: str,
    row: int,
    col: int,
    values: list[CellValue],
    number_formats: list[str | None],
    formats: dict[tuple[str | None, ...], tuple[str | None, ...]],
) -> RowUpdate:
    shape = tuple(number_formats)
    return RowUpdate(title, row, col, tuple(values), formats.setdefault(shape, shape))


def _cells(headers: HeaderMap, row: int, values: Mapping[str, CellValue]) -> list[CellUpdate]:
    """`values` as the cells of one row under the tab's headers (blank ones left alone)."""
    return [
        CellUpdate(headers.title, row, col, value, number_format)
        for col, key, number_format in _row_layout(headers, tuple(values))
        if (value := _written(values[key])) is not None
    ]


def _written(value: CellValue) -> CellValue:
    """What a planned value writes: nothing for a blank, and text that fits a cell (a detail
    may quote a person's 50,000-character cell); other values as they are."""
    if value is None or value == "":
        return None
    return storable_text(value) if isinstance(value, str) else value
