"""The cells the planner writes into a Cases row (app/sync/row_cells.py), on a team's own
header row: service cells only, at the column the team's tab has them in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.sync.packed_cells import CellsView
from app.sync.plan_types import CasesInput, CasesPlan
from app.sync.row_cells import plan_row_values
from app.sync.rows import SheetRow
from policies import TeamSettings, build_calendars, load_policies
from sheet_schema import ParseContext, load_schema, match_headers

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 10, 30, tzinfo=SHANGHAI)
# A team's order: their own columns first, the service's Next Action in column F, Validation
# in H; the tab has no Priority column at all.
HEADER = ["售后单号", "客户", "平台", "Opened", "Status", "Next Action", "备注", "Validation"]


def _input() -> CasesInput:
    headers = match_headers(load_schema().tab("cases"), "售后登记", HEADER)
    team = TeamSettings()
    return CasesInput(
        headers=headers,
        rows=(),
        now=NOW,
        tz=SHANGHAI,
        ctx=ParseContext(tz=SHANGHAI),
        policies=load_policies(),
        calendars=build_calendars(team, []),
        team=team,
        memory=None,  # type: ignore[arg-type]  # (not asked: no chunk is loaded here)
    )


def _row(inp: CasesInput, cells: list[object]) -> SheetRow:
    return SheetRow(row=7, raw=CellsView(inp.headers.positions, cells), values={})


def test_service_cells_land_in_the_teams_columns_and_a_missing_one_is_skipped() -> None:
    """Next Action goes to column F and Validation to H of row 7, as the team's tab has them;
    Priority and Last Synced, which the tab lacks, are planned nowhere."""
    inp, plan = _input(), CasesPlan()
    row = _row(inp, ["AS-1", "王芳", "Superbuy", "2026-12-01", "New", "", "=1+1", ""])
    plan_row_values(plan, inp, row, {"next_action": "联系卖家", "priority": "High"}, "OK")
    assert [(u.row, u.col, u.value) for u in plan.updates] == [(7, 6, "联系卖家"), (7, 8, "OK")]
    assert [w.column for w in plan.writes] == ["next_action", "validation"]


def test_a_value_for_a_persons_column_is_refused() -> None:
    """A planned value for a column people own (Notes) is a bug the planner stops at, never a
    cell written over a person's text."""
    inp, plan = _input(), CasesPlan()
    row = _row(inp, ["AS-1", "王芳", "Superbuy", "2026-12-01", "New", "", "客户说下周寄回", ""])
    with pytest.raises(AssertionError, match="user column notes"):
        plan_row_values(plan, inp, row, {"notes": "覆盖"}, "OK")
    assert plan.updates == []
