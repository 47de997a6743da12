"""A hypothesis state machine that checks incremental evaluation against a full recomputation.

Two copies of the same sheet (each with its own SQLite store), on either backend
(tests/sync/equivalence_sheets.py: a real .xlsx, or a Google spreadsheet on the local Sheets API
emulator), get the same person's edits (values, new rows, deleted rows, sorts, cleared service
cells), the team's tab changes (templates, policy versions, vocabulary, holidays) and clock
advances (to the deadlines the sheet shows, across midnights, 09:00 and 18:00, reminder and
escalation thresholds); one syncs with incremental evaluation, its twin with it switched off
(every case planned from scratch, no cache read or written); the incremental one also plans two
rows at a time (app/sync/memory_step.py: each chunk's stored memory loaded, planned and measured
for the KPIs before the next), its twin the whole sheet at once. After every step both are synced
at the same instant and must agree on every tab's values (Cases, Timeline, Outbox, KPIs, ...),
the store's Timeline events and the store's outbox: identical, always. Used by
tests/sync/test_incremental_equivalence.py (bounded, both backends) and
tests/bench/test_incremental_equivalence_long.py (a longer run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from app.runtime import Runtime
from app.sync.engine import SyncEngine
from tests.sync.equivalence_sheets import (
    Sheet,
    TwinsFactory,
    comparable,
    google_twins,
    shown_instant,
    workbook_twins,
)
from tests.workbooks import NOW, case

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
        "等退款",
        "Parcel Back",
        None,
    ],
    "Platform": ["Superbuy", "Bhiner", "CSSBuy", "superbuy ", "淘宝代购X", "SB代购", None],
    "Issue Type": [
        "Defect",
        "Wrong Item",
        "Size Issue",
        "质量问题",
        "尺码不对",
        "Changed Mind",
        None,
    ],
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
# Words a team adds in its Vocabulary tab (column, meaning); until then they are unknown words.
TEAM_WORDS: dict[str, tuple[str, str]] = {
    "等退款": ("Status", "Awaiting Platform"),
    "Parcel Back": ("Status", "Return Shipped"),
    "SB代购": ("Platform", "Superbuy"),
    "尺码不对": ("Issue Type", "Wrong Size"),
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


def _first_rows() -> list[Mapping[str, Any]]:
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


class IncrementalEquivalence(RuleBasedStateMachine):
    """Random edits and clock advances; the incremental sheet must equal a full recomputation."""

    def __init__(self, make_twins: TwinsFactory) -> None:
        super().__init__()
        self.now = NOW
        self.twins = make_twins(_first_rows())
        self.fast, self.full = self.twins.fast, self.twins.full
        self.reused = 0  # cases the incremental sync reused (the run must reuse some)

    def teardown(self) -> None:
        self.twins.close()

    # -- applying one change to both sheets, then syncing both -----------------------------------

    def _both(self, change: Callable[[Sheet], None]) -> None:
        for sheet in (self.fast, self.full):
            change(sheet)

    def _cases(self) -> int:
        """Data rows of the Cases tab (the same on both: the last step compared them)."""
        return self.fast.data_rows("Cases")

    @initialize()
    def first_sync(self) -> None:
        self._sync_both()

    @invariant()
    def same_as_full_recomputation(self) -> None:
        self._sync_both()

    def _fast_engine(self) -> SyncEngine:
        """The incremental twin's engine, planning two rows at a time (chunk boundaries then
        fall between every kind of row the steps make: duplicates, new rows, moved rows), and
        making its cache again after every sync that planned a case, two entries per pickle
        (app/sync/cache_compaction.py: a service does it past 20,000 cases, 1,000 per pickle)."""
        engine = self.fast.runtime.engine()
        config = replace(engine.config, memory_chunk=2, compact_cache_from=1, compact_part=2)
        return SyncEngine(engine.backend, engine.store, config)

    def _sync_both(self, *, nightly: bool = False) -> None:
        fast = self._fast_engine().sync(now=self.now, full=nightly)
        full = self.full.runtime.engine().sync(now=self.now, full=nightly)
        assert fast.cache_mismatches == [], f"the cache disagrees at {self.now}"
        self.reused += fast.cases_reused
        assert full.cases_reused == 0
        # Not cells_written: the twins queue one sync's messages in the order of their
        # idempotency keys (digests of the sheet key), so their Outbox tabs are rewritten in
        # different orders; the tabs themselves are compared below.
        assert (fast.errors, fast.warnings, fast.cases) == (
            full.errors,
            full.warnings,
            full.cases,
        ), f"at {self.now}"
        (fast_tabs, fast_outbox), (full_tabs, full_outbox) = (
            comparable(self.fast),
            comparable(self.full),
        )
        assert fast_tabs.keys() == full_tabs.keys()
        for title in fast_tabs:
            assert fast_tabs[title] == full_tabs[title], f"tab {title} differs at {self.now}"
        assert _timeline(self.fast.runtime) == _timeline(self.full.runtime), f"at {self.now}"
        assert fast_outbox == full_outbox, f"the outbox differs at {self.now}"

    # -- time: the first rule (see clock_goes_to_the_next_deadline) --------------------------------

    @rule()
    def clock_goes_to_the_next_deadline(self) -> None:
        """To a minute before the next deadline the sheet shows (Next Due, Return Deadline).

        Hypothesis's simplest example repeats the first rule (fewest arguments, then by name),
        so even a short derandomized run walks the clock from deadline to deadline: the sync a
        minute before one, the next sync past it."""
        self._to_deadline(("Next Due", "Return Deadline"), timedelta(minutes=-1))

    @rule(
        column=st.sampled_from(["Next Due", "Return Deadline"]),
        nudge=st.sampled_from([timedelta(0), timedelta(minutes=1), timedelta(minutes=-1)]),
    )
    def clock_goes_to_a_deadline(self, column: str, nudge: timedelta) -> None:
        """To the next deadline the sheet shows, a minute after it, or a minute before."""
        self._to_deadline((column,), nudge)

    def _to_deadline(self, columns: tuple[str, ...], nudge: timedelta) -> None:
        local_now = (self.now + SHANGHAI).replace(tzinfo=None)
        header, *rows = self.fast.tabs()["Cases"]
        shown = [
            shown_instant(r[at])
            for at in (list(header).index(c) for c in columns)
            for r in rows
            if at < len(r)
        ]
        ahead = [t + nudge for t in shown if t is not None and t + nudge > local_now]
        if ahead:
            self.now = (min(ahead) - SHANGHAI).replace(tzinfo=UTC)

    @rule()
    def nightly_recalculation(self) -> None:
        """The full recalculation checks every case the cache would have reused."""
        self._sync_both(nightly=True)

    # -- a person's edits on the Cases tab -------------------------------------------------------

    @rule(row=st.integers(0, 30), header=st.sampled_from(sorted(PERSON_VALUES)), data=st.data())
    def person_edits_a_cell(self, row: int, header: str, data: st.DataObject) -> None:
        value = data.draw(st.sampled_from(PERSON_VALUES[header]))
        if n := self._cases():
            self._both(lambda sheet: sheet.set("Cases", row % n, header, value))

    @rule(fresh_id=st.booleans(), copy_of=st.integers(0, 30))
    def person_adds_a_row(self, fresh_id: bool, copy_of: int) -> None:
        values = case(**{"Case ID": None, "Opened": None, "Customer": "张伟"})
        if not fresh_id and (n := self._cases()):  # a copied row: its Case ID is now duplicated
            values["Case ID"] = self.fast.get("Cases", copy_of % n, "Case ID")
        self._both(lambda sheet: sheet.append("Cases", values))

    @rule(row=st.integers(0, 30))
    def person_deletes_a_row(self, row: int) -> None:
        if (n := self._cases()) > 1:
            self._both(lambda sheet: sheet.delete_row("Cases", row % n))

    @rule(by=st.sampled_from(["Status", "Customer", "Platform"]), reverse=st.booleans())
    def person_sorts_the_rows(self, by: str, reverse: bool) -> None:
        if self._cases():
            self._both(lambda sheet: sheet.sort("Cases", by, reverse))

    @rule(
        row=st.integers(0, 30),
        header=st.sampled_from(SERVICE_COLUMNS),
        value=st.sampled_from([None, "", "改过了", 3]),
    )
    def person_overwrites_a_service_cell(self, row: int, header: str, value: Any) -> None:
        """Clears (None, "") or overwrites a cell the service writes."""
        if n := self._cases():
            self._both(lambda sheet: sheet.set("Cases", row % n, header, value))

    @rule(language=st.sampled_from(["en", "zh", "中文"]))
    def person_sets_a_case_language(self, language: str) -> None:
        if self._cases():
            self._both(lambda sheet: sheet.set("Cases", 0, "Language", language))

    # -- the team's other tabs -------------------------------------------------------------------

    @rule(days_ahead=st.integers(-3, 12), kind=st.sampled_from(["Day off", "Working day", "假期"]))
    def team_adds_a_holiday(self, days_ahead: int, kind: str) -> None:
        day = (self.now + SHANGHAI).date() + timedelta(days=days_ahead)
        row = {"Date": datetime.combine(day, datetime.min.time()), "Kind": kind, "Note": "国庆调休"}
        self._both(lambda sheet: sheet.append("Holidays", row))

    @rule(days_ahead=st.integers(-2, 6), window=st.sampled_from([7, 20, 45]))
    def team_adds_a_policy_version(self, days_ahead: int, window: int) -> None:
        effective = (self.now + SHANGHAI).date() + timedelta(days=days_ahead)
        row = {
            "Platform": "Superbuy",
            "Version": f"2025.{9 + days_ahead % 7}{window}",
            "Effective From": datetime.combine(effective, datetime.min.time()),
            "Source": "团队手册 2025-10",
            "Window Days": window,
        }
        self._both(lambda sheet: sheet.append("Policies", row))

    @rule(extra=st.sampled_from(["\n\n祝好", "\nThanks again!", ""]))
    def team_edits_a_template(self, extra: str) -> None:
        if self.fast.data_rows("Templates"):
            body = f"{self.fast.get('Templates', 0, 'Body') or ''}{extra}"
            self._both(lambda sheet: sheet.set("Templates", 0, "Body", body))

    @rule(word=st.sampled_from(sorted(TEAM_WORDS)))
    def team_adds_a_vocabulary_word(self, word: str) -> None:
        """A team word (which a person may type next: see PERSON_VALUES)."""
        column, means = TEAM_WORDS[word]
        row = {"Column": column, "Team Word": word, "Means": means}
        self._both(lambda sheet: sheet.append("Vocabulary", row))

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


def _timeline(rt: Runtime) -> list[tuple[Any, ...]]:
    events = rt.store.timeline(rt.engine().sheet_key)
    return sorted((e.event_key, e.kind, e.at, e.detail, repr(e.data)) for e in events)


def run_equivalence(backend: str, request: pytest.FixtureRequest, run: settings) -> None:
    """Run the machine on one backend ("workbook" or "google": the emulator fixtures are taken
    from `request`); the incremental syncs must have reused some cases, or nothing was tested."""
    make_twins: TwinsFactory = workbook_twins
    if backend == "google":
        make_twins = google_twins(
            request.getfixturevalue("emulator"), request.getfixturevalue("service_account")
        )
    machines: list[IncrementalEquivalence] = []

    class OnBackend(IncrementalEquivalence):
        def __init__(self) -> None:
            super().__init__(make_twins)
            machines.append(self)

    run_state_machine_as_test(OnBackend, settings=run)
    assert sum(m.reused for m in machines) > 0, "no sync reused a case: the cache was never used"
