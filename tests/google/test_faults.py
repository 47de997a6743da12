"""Google failing mid-sync: every request of a sync in turn answers 429, 500, 503, drops, or has
its answer cut off half-way (served, the rest of the answer lost).

The sync either completes (retried within its budget) or stops with BackendUnavailableError
having written only whole batches; either way the next sync brings the sheet to exactly the
state a sync without faults produces, and no person's cell changes.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import BackendUnavailableError
from tests.google.conftest import SERVICE_KEYS, USER_KEYS, GoogleSheet, typed_row
from tests.workbooks import NOW

ROWS = [typed_row(1), typed_row(2, case_id="", opened=""), typed_row(3), typed_row(4)]
STABLE = [k for k in SERVICE_KEYS if k not in ("last_synced",)]


def _reference(google_sheet: GoogleSheet) -> list[dict[str, Any]]:
    """The sheet as a fault-free sync leaves it (computed on a twin spreadsheet)."""
    twin = google_sheet.twin()
    twin.type_rows(ROWS)
    twin.sync()
    return twin.records()


@pytest.mark.parametrize("fault", ["429", "500", "503", "drop", "cut"])
def test_each_request_failing_once_is_retried(google_sheet: GoogleSheet, fault: str) -> None:
    """A single failure on any request of the sync is retried and the sync completes."""
    expected = _reference(google_sheet)
    google_sheet.type_rows(ROWS)
    total = _requests_of_a_clean_sync(google_sheet)
    for k in range(1, total + 1):
        sheet = google_sheet.twin()
        sheet.type_rows(ROWS)
        sheet.emulator.clear_requests()
        sheet.emulator.inject_fault(fault, at=k, times=1)
        report = sheet.sync()
        sheet.emulator.clear_faults()
        assert report.cases == len(ROWS), f"fault {fault} at request {k}"
        _assert_same(sheet.records(), expected, f"fault {fault} at request {k}")


@pytest.mark.parametrize("fault", ["429", "503", "drop", "cut"])
def test_persistent_failure_stops_cleanly_and_next_sync_repairs(
    google_sheet: GoogleSheet, fault: str
) -> None:
    """Failing from request k on: the sync gives up within its budget, leaves only whole
    batches, and the next sync (Google healthy again) gives the fault-free result."""
    expected = _reference(google_sheet)
    google_sheet.type_rows(ROWS)
    total = _requests_of_a_clean_sync(google_sheet)
    for k in range(1, total + 1):
        sheet = google_sheet.twin(budget=0.5, attempts=3)
        sheet.type_rows(ROWS)
        before = sheet.records()
        sheet.emulator.clear_requests()
        sheet.emulator.inject_fault(fault, at=range(k, k + 50))
        with pytest.raises(BackendUnavailableError):
            sheet.sync()
        sheet.emulator.clear_faults()
        middle = sheet.records()
        for b, m in zip(before, middle, strict=True):  # people's cells: untouched or ids filled
            for key in USER_KEYS:
                if key in ("case_id", "opened") and b[key] in ("", None):
                    continue
                assert m[key] == b[key], f"{fault} from request {k}: {key} changed"
        sheet.sync(NOW)
        _assert_same(sheet.records(), expected, f"{fault} from request {k}, then healthy")


def _requests_of_a_clean_sync(google_sheet: GoogleSheet) -> int:
    probe = google_sheet.twin()
    probe.type_rows(ROWS)
    probe.emulator.clear_requests()
    probe.sync()
    return probe.emulator.count()


def _assert_same(actual: list[dict[str, Any]], expected: list[dict[str, Any]], why: str) -> None:
    assert len(actual) == len(expected), why
    for a, e in zip(actual, expected, strict=True):
        for key in [*USER_KEYS, *STABLE]:
            if key in ("case_id", "opened"):
                assert bool(a[key]) == bool(e[key]), f"{why}: {key}"
                continue
            if key in ("next_action", "validation") or key not in e:
                continue
            assert a[key] == e[key], f"{why}: {key} {a[key]!r} != {e[key]!r}"
        assert a["computed_for"] == a["case_id"], why
