"""A hypothesis state machine that checks incremental evaluation against a full recomputation.

Two copies of the same sheet (a real .xlsx each, with its own SQLite store) get the same
person's edits, tab changes and clock advances; one syncs with incremental evaluation, its twin
with it switched off. After every step both are synced at the same instant and must agree on
every tab (Cases, Timeline, Outbox, KPIs, ...) and on the store's Timeline: identical, always.
Used by tests/sync/test_incremental_equivalence.py (bounded) and tests/bench (a longer run).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from openpyxl.worksheet.worksheet import Worksheet

from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.workbooks import NOW, case, write_workbook

# 10:00 Shanghai on a Friday; the team works 09:00-18:00 there.
SHANGHAI = timedelta(hours=8)

PERSON_VALUES: dict[str, list[Any]] = {
    "Status": [
        "New",
        "In Progress",
        "Waiting Customer",
        "Waiting Seller",
        "Resolved",
        "Closed",
        "in progres",
        "处理中",
        None,
    ],
    "Platform": ["Superbuy", "Bhiner", "CSSBuy", "superbuy ", "淘宝代购X", None],
    "Issue Type": ["Defect", "Wrong Item", "Size Issue", "质量问题", "Changed Mind", None],
    "Evidence": ["photos", "photos, video", "照片", "", None],
    "Original Packaging": ["Yes", "No", "是", None],
    "Window Start": [
        datetime(2025, 10, 1),
        datetime(2025, 9, 12),
        datetime(2025, 10, 10),
        "2025-10-03",
        "十月三号",
        None,
    ],
    "Opened": [
        datetime(2025, 10, 9, 9, 30),
        datetime(2025, 10, 10, 8, 55),
        datetime(2025, 10, 12, 9, 0),
        None,
    ],
    "Assignee": ["Lily", "王芳", None],
    "Priority Override": ["P1", "p3", None],
    "First Response At": [datetime(2025, 10, 10, 11, 0), None],
    "Notes": ["客户说下周寄回", "called twice, no answer", None],
}
SERVICE_COLUMNS = [
    "Days Left",
    "SLA State",
    "Next Action",
    "Next Due",
    "Priority",
    "Validation",
    "Suggested Reply",
    "Escalation",
    "Computed For",
    "Return Deadline",
]
# Clock steps: small ones inside a working day, and ones that cross 18:00, midnight, 09:00,
# reminder and escalation thresholds (hours and days).
CLOCK_STEPS = [timedelta(minutes=m) for m in (1, 29, 61, 179, 481, 600, 1439, 1441, 2880, 4333)]


def _first_rows() -> list[dict[str, Any]]:
    return [
        case(**{"Case ID": "AS-T-0001", "Status": "New"}),
        case(
            **{
                "Case ID": "AS-T-0002",
                "Status": "Waiting Customer",
                "Evidence": None,
                "Customer": "李娜",
            }
        ),
        case(
            **{
                "Case ID": "AS-T-0003",
                "Status": "In Progress",
                "Platform": "Bhiner",
                "Window Start": datetime(2025, 9, 28),
                "Notes": "客户要求换货",
            }
        ),
        case(**{"Case ID": "AS-T-0004", "Status": "Resolved", "Outcome": "Refunded"}),
        case(**{"Case ID": None, "Opened": None, "Status": "新建"}),
    ]


def _edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def _column(ws: Worksheet, header: str) -> int | None:
    for cell in ws[1]:
        if cell.value == header:
            return int(cell.column)
    return None


def _data_rows(ws: Worksheet) -> int:
    return max(int(ws.max_row) - 1, 0)


def _tabs(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}


class IncrementalEquivalence(RuleBasedStateMachine):
    """Random edits and clock advances; the incremental sheet must equal a full recomputation."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="incremental-"))
        self.now = NOW
        self.fast = self._runtime("fast", incremental=True)
        self.full = self._runtime("full", incremental=False)
        self.reused = 0

    def _runtime(self, name: str, *, incremental: bool) -> Runtime:
        folder = self.root / name
        folder.mkdir()
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{folder}/store.db",  # type: ignore[arg-type]
            workbook=folder / "售后.xlsx",
            incremental=incremental,
        )
        write_workbook(settings.workbook, _first_rows())
        return open_runtime(settings)

    def teardown(self) -> None:
        self.fast.store.close()
        self.full.store.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- applying one change to both sheets, then syncing both -----------------------------------

    def _both(self, change: Callable[[openpyxl.Workbook], None]) -> None:
        for rt in (self.fast, self.full):
            _edit(rt.workbook, change)

    @initialize()
    def first_sync(self) -> None:
        self._sync_both()

    @invariant()
    def same_as_full_recomputation(self) -> None:
        self._sync_both()

    def _sync_both(self, *, nightly: bool = False) -> None:
        fast = self.fast.engine().sync(now=self.now, full=nightly)
        full = self.full.engine().sync(now=self.now, full=nightly)
        assert fast.cache_mismatches == [], f"the cache disagrees at {self.now}"
        self.reused += fast.cases_reused
        assert full.cases_reused == 0
        assert (fast.cells_written, fast.errors, fast.warnings, fast.cases) == (
            full.cells_written,
            full.errors,
            full.warnings,
            full.cases,
        ), f"at {self.now}"
        fast_tabs, full_tabs = _tabs(self.fast.workbook), _tabs(self.full.workbook)
        assert fast_tabs.keys() == full_tabs.keys()
        for title in fast_tabs:
            assert fast_tabs[title] == full_tabs[title], f"tab {title} differs at {self.now}"
        assert self._timeline(self.fast) == self._timeline(self.full)

    def _timeline(self, rt: Runtime) -> list[tuple[Any, ...]]:
        events = rt.store.timeline(rt.engine().sheet_key)
        return sorted((e.event_key, e.kind, e.at, e.detail, repr(e.data)) for e in events)

    @rule()
    def nightly_recalculation(self) -> None:
        """The full recalculation checks every case the cache would have reused."""
        self._sync_both(nightly=True)

    # -- a person's edits on the Cases tab -------------------------------------------------------

    @rule(row=st.integers(0, 30), header=st.sampled_from(sorted(PERSON_VALUES)), data=st.data())
    def person_edits_a_cell(self, row: int, header: str, data: st.DataObject) -> None:
        value = data.draw(st.sampled_from(PERSON_VALUES[header]))

        def change(book: openpyxl.Workbook) -> None:
            ws = book["Cases"]
            col = _column(ws, header)
            if col is not None and _data_rows(ws):
                ws.cell(2 + row % _data_rows(ws), col).value = value

        self._both(change)

    @rule(fresh_id=st.booleans(), copy_of=st.integers(0, 30))
    def person_adds_a_row(self, fresh_id: bool, copy_of: int) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book["Cases"]
            headers = [c.value for c in ws[1]]
            values = case(**{"Case ID": None, "Opened": None, "Customer": "张伟"})
            if not fresh_id and _data_rows(ws):  # a copied row: its Case ID is now duplicated
                source = 2 + copy_of % _data_rows(ws)
                values["Case ID"] = ws.cell(source, 1).value
            ws.append([values.get(h) if isinstance(h, str) else None for h in headers])

        self._both(change)

    @rule(row=st.integers(0, 30))
    def person_deletes_a_row(self, row: int) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book["Cases"]
            if _data_rows(ws) > 1:
                ws.delete_rows(2 + row % _data_rows(ws))

        self._both(change)

    @rule(by=st.sampled_from(["Status", "Customer", "Platform"]), reverse=st.booleans())
    def person_sorts_the_rows(self, by: str, reverse: bool) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book["Cases"]
            col = _column(ws, by)
            rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
            if col is None or not rows:
                return
            rows.sort(key=lambda r: str(r[col - 1] or ""), reverse=reverse)
            for i, values in enumerate(rows):
                for j, value in enumerate(values):
                    ws.cell(2 + i, 1 + j).value = value

        self._both(change)

    @rule(
        row=st.integers(0, 30),
        header=st.sampled_from(SERVICE_COLUMNS),
        value=st.sampled_from([None, "", "改过了", 3]),
    )
    def person_overwrites_a_service_cell(self, row: int, header: str, value: Any) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book["Cases"]
            col = _column(ws, header)
            if col is not None and _data_rows(ws):
                ws.cell(2 + row % _data_rows(ws), col).value = value

        self._both(change)

    # -- the team's other tabs -------------------------------------------------------------------

    @rule(days_ahead=st.integers(-3, 12), kind=st.sampled_from(["Day off", "Working day", "假期"]))
    def team_adds_a_holiday(self, days_ahead: int, kind: str) -> None:
        day = (self.now + SHANGHAI).date() + timedelta(days=days_ahead)

        def change(book: openpyxl.Workbook) -> None:
            book["Holidays"].append([datetime.combine(day, datetime.min.time()), kind, "国庆调休"])

        self._both(change)

    @rule(days_ahead=st.integers(-2, 6), window=st.sampled_from([7, 20, 45]))
    def team_adds_a_policy_version(self, days_ahead: int, window: int) -> None:
        effective = (self.now + SHANGHAI).date() + timedelta(days=days_ahead)
        version = f"2025.{9 + days_ahead % 7}{window}"

        def change(book: openpyxl.Workbook) -> None:
            ws = book["Policies"]
            headers = [c.value for c in ws[1]]
            row = {
                "Platform": "Superbuy",
                "Version": version,
                "Effective From": datetime.combine(effective, datetime.min.time()),
                "Source": "团队手册 2025-10",
                "Window Days": window,
            }
            ws.append([row.get(h) if isinstance(h, str) else None for h in headers])

        self._both(change)

    @rule(extra=st.sampled_from(["\n\n祝好", "\nThanks again!", ""]))
    def team_edits_a_template(self, extra: str) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book["Templates"]
            body = _column(ws, "Body")
            if body is not None and ws.max_row > 1:
                cell = ws.cell(2, body)
                cell.value = f"{cell.value or ''}{extra}"

        self._both(change)

    @rule(language=st.sampled_from(["en", "zh", "中文"]))
    def team_sets_a_case_language(self, language: str) -> None:
        def change(book: openpyxl.Workbook) -> None:
            ws = book["Cases"]
            col = _column(ws, "Language")
            if col is not None and _data_rows(ws):
                ws.cell(2, col).value = language

        self._both(change)

    # -- time ------------------------------------------------------------------------------------

    @rule(step=st.sampled_from(CLOCK_STEPS))
    def clock_advances(self, step: timedelta) -> None:
        self.now += step

    @rule(hour=st.sampled_from([0, 9, 18]), before=st.booleans())
    def clock_goes_to_a_boundary(self, hour: int, before: bool) -> None:
        """To just before or at the next midnight, 09:00 or 18:00 in Shanghai."""
        local = self.now + SHANGHAI
        target = datetime.combine(local.date(), datetime.min.time()) + timedelta(hours=hour)
        if target <= local.replace(tzinfo=None):
            target += timedelta(days=1)
        moment = (target - SHANGHAI).replace(tzinfo=UTC) - (
            timedelta(minutes=1) if before else timedelta(0)
        )
        if moment > self.now:
            self.now = moment
