"""The cells the planner writes into a Cases row: service cells where they differ from what the
cell holds, a blank Case ID or Opened filled, a row emptied of its stale service values. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.sheets.backend import CellUpdate, CellValue, storable, storable_text
from app.sync.plan_types import CasesInput, CasesPlan
from app.sync.rows import SheetRow
from app.sync.values import same_value
from sheet_schema import (
    ColumnSpec,
    ColumnType,
    HeaderMap,
    ParseContext,
    is_blank,
    parse_cell,
)

DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(slots=True, kw_only=True, unsafe_hash=True)  # a value, not frozen: see CellUpdate
class CaseCellUpdate(CellUpdate):
    """A cell of a case to write (a service cell, or a new Case ID or Opened), carrying what the
    run's record keeps of it (the store takes it as a `PlannedWrite`): one object instead of a
    `CellUpdate` and a `CellWrite`, at a first fill some 120,000 of each."""

    case_id: str
    column: str
    header: str
    old_value: CellValue

    @property
    def new_value(self) -> CellValue:
        return self.value

    @property
    def row_hint(self) -> int | None:
        return self.row


def plan_row_values(
    plan: CasesPlan, inp: CasesInput, row: SheetRow, values: dict[str, CellValue], validation: str
) -> None:
    """Plan the service cells of one row; Last Synced moves only when something else changed."""
    values = {**values, "validation": validation}
    changed = _diff(plan, inp, row, values)
    if changed:
        _diff(plan, inp, row, {"last_synced": inp.now_wall})


def _diff(plan: CasesPlan, inp: CasesInput, row: SheetRow, values: Mapping[str, CellValue]) -> int:
    changed = 0
    case_id = row.text("case_id") or str(values.get("computed_for") or "")
    headers, ctx, slots = inp.headers, inp.ctx, inp.service_slots
    title, row_number, raw = headers.title, row.row, row.raw
    add_update, add_write = plan.updates.append, plan.writes.append
    texts = plan.texts
    for key, desired in values.items():
        slot = slots.get(key)
        if slot is None:  # not in the tab, or (a bug) a person's column
            assert key not in headers.positions, f"planner tried to write user column {key}"
            continue
        col, spec, dated = slot
        if isinstance(desired, str):  # as stored, and one string for equal texts
            stored = texts.get(desired)
            if stored is None:
                stored = texts[desired] = storable_text(desired)
            desired = stored
        current = raw.get(key)
        if same_value(spec, current, desired, ctx):
            continue
        cell = CaseCellUpdate(
            title,
            row_number,
            col,
            desired,
            cell_format(spec, desired) if dated else spec.number_format,
            dated and _own_format(spec, current, desired, ctx),
            case_id=case_id,
            column=key,
            header=spec.header,
            old_value=current,
        )
        add_update(cell)
        add_write(cell)
        changed += 1
    return changed


def cell_format(spec: ColumnSpec, value: CellValue) -> str | None:
    """The number format of one cell: a date-or-time column shows the time when it has one."""
    if spec.type is ColumnType.DATE_OR_DATETIME and isinstance(value, datetime):
        return DATE_TIME_FORMAT
    return spec.number_format


def _own_format(
    spec: ColumnSpec, current: CellValue, desired: CellValue, ctx: ParseContext
) -> bool:
    """A date-or-time cell's format is its own when it shows (or showed) a time: the column's
    date format would hide the time, or keep showing 00:00 after it."""
    if spec.type is not ColumnType.DATE_OR_DATETIME:
        return False
    return isinstance(desired, datetime) or isinstance(
        parse_cell(spec, current, ctx).value, datetime
    )


def fill_blank(
    plan: CasesPlan, headers: HeaderMap, row: SheetRow, key: str, value: CellValue
) -> None:
    """Fill a blank user-owned Case ID or Opened: the only user cells the service writes."""
    index = headers.positions[key]
    assert key in ("case_id", "opened") and is_blank(row.raw.get(key))
    spec = headers.tab.column(key)
    case_id = value if key == "case_id" else (row.text("case_id") or "")
    fill = CaseCellUpdate(
        headers.title,
        row.row,
        index + 1,
        value,
        spec.number_format,
        case_id=str(case_id),
        column=key,
        header=spec.header,
        old_value=None,
    )
    plan.id_fills.append(fill)
    plan.writes.append(fill)
    if key == "case_id":
        row.values["case_id"] = value  # the row is addressed by its new id from here on


def clear_service_cells(plan: CasesPlan, headers: HeaderMap, row: SheetRow) -> None:
    """A row whose user cells were emptied keeps no stale service values."""
    for spec in headers.tab.service_columns:
        index = headers.positions.get(spec.key)
        if index is None or row.raw.get(spec.key) in (None, ""):
            continue
        computed_for = storable(row.raw.get("computed_for"))  # a person may have typed it
        cell = CaseCellUpdate(
            headers.title,
            row.row,
            index + 1,
            None,
            case_id=str(computed_for or ""),
            column=spec.key,
            header=spec.header,
            old_value=row.raw.get(spec.key),
        )
        plan.updates.append(cell)
        plan.writes.append(cell)
