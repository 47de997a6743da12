"""People sort, insert and delete rows while a sync runs; nobody's value may be lost.

For every position k of a sync's API requests, a person's edit (a sort, a row insert, a row
delete) is applied just before the k-th request. Then, compared with the sheet as the person's
edit alone would have left it:
- right after that sync, any service value sitting on another case's row is recognisable as
  stale (its row's Computed For differs from its Case ID);
- after at most one more sync, no user-owned cell is lost or changed (filling a blank Case ID
  or Opened is the only change) and every service value sits on its own case's row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator.edits import Edit
from tests.google.conftest import SERVICE_KEYS, USER_KEYS, GoogleSheet, typed_row

ROWS = [
    typed_row(1),
    typed_row(2, case_id="", opened=""),
    typed_row(3),
    typed_row(4, case_id=""),
    typed_row(5),
    typed_row(6, case_id="", opened=""),
]
COMPARED = [k for k in SERVICE_KEYS if k not in ("computed_for", "last_synced")]
CUSTOMER_COLUMN = USER_KEYS.index("customer")

EDITS: dict[str, Callable[[str], Edit]] = {
    "sort": lambda sid: Edit.sort(sid, "Cases", CUSTOMER_COLUMN, ascending=False),
    "insert": lambda sid: Edit.insert_rows(sid, "Cases", 3, 2),
    "delete": lambda sid: Edit.delete_rows(sid, "Cases", 3, 1),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_no_value_lost_when_rows_move_during_a_sync(google_sheet: GoogleSheet, edit: str) -> None:
    """Every k: stale values are marked at once, and one more sync puts everything right."""
    reference = _reference_values(google_sheet)
    probe = google_sheet.twin()
    probe.type_rows(ROWS)
    probe.emulator.clear_requests()
    probe.sync()
    total = probe.emulator.count()
    assert total >= 4  # read, ids, read back, service cells

    for k in range(1, total + 1):
        expected = _edited_alone(google_sheet, edit)
        sheet = google_sheet.twin()
        sheet.type_rows(ROWS)
        sheet.emulator.clear_requests()
        sheet.emulator.schedule_edit(EDITS[edit](sheet.spreadsheet_id), at_request=k)
        sheet.sync()
        why = f"{edit} before request {k}"
        _assert_stale_is_marked(sheet.records(), reference, why)
        sheet.sync()
        final = sheet.records()
        _assert_people_kept(final, expected, why)
        _assert_service_values_home(final, reference, why)
    assert not google_sheet.emulator.edit_errors


def _reference_values(google_sheet: GoogleSheet) -> dict[str, dict[str, Any]]:
    """Service values per order number from a sync nobody disturbed."""
    clean = google_sheet.twin()
    clean.type_rows(ROWS)
    clean.sync()
    values = {r["order_no"]: _comparable(r) for r in clean.records()}
    assert all(v["validation"] == "OK" for v in values.values())
    return values


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    """A row's service values, with its own Case ID masked (new ids differ between sheets)."""
    own = str(row["case_id"])
    return {
        k: row[k].replace(own, "<id>") if isinstance(row[k], str) and own else row[k]
        for k in COMPARED
    }


def _edited_alone(google_sheet: GoogleSheet, edit: str) -> list[dict[str, Any]]:
    """The rows as the person's edit alone leaves them (no sync at all)."""
    twin = google_sheet.twin()
    twin.type_rows(ROWS)
    twin.emulator.edit_now(EDITS[edit](twin.spreadsheet_id))
    return twin.records()


def _has_data(row: dict[str, Any]) -> bool:
    return any(row.get(k) not in ("", None) for k in USER_KEYS)


def _assert_stale_is_marked(
    rows: list[dict[str, Any]], reference: dict[str, dict[str, Any]], why: str
) -> None:
    for row in rows:
        if not _has_data(row) or not row["case_id"] or row["computed_for"] != row["case_id"]:
            continue  # blank, not yet given an id, or visibly stale (greyed out)
        assert _comparable(row) == reference[row["order_no"]], (
            f"{why}: row of {row['order_no']} shows another case's values unmarked"
        )


def _assert_people_kept(
    final: list[dict[str, Any]], expected: list[dict[str, Any]], why: str
) -> None:
    real = [r for r in final if _has_data(r)]
    wanted = [r for r in expected if _has_data(r)]
    assert [r["order_no"] for r in real] == [r["order_no"] for r in wanted], why
    for got, want in zip(real, wanted, strict=True):
        for key in USER_KEYS:
            if key in ("case_id", "opened") and want[key] in ("", None):
                assert got[key] not in ("", None), f"{why}: {key} of {want['order_no']} unfilled"
                continue
            assert got[key] == want[key], f"{why}: {key} of {want['order_no']} changed"
    ids = [r["case_id"] for r in real]
    assert len(set(ids)) == len(ids), f"{why}: duplicate ids {ids}"


def _assert_service_values_home(
    final: list[dict[str, Any]], reference: dict[str, dict[str, Any]], why: str
) -> None:
    for row in final:
        if not _has_data(row):
            assert all(row.get(k) in ("", None) for k in SERVICE_KEYS), f"{why}: blank row"
            continue
        assert row["computed_for"] == row["case_id"], f"{why}: {row['order_no']} still stale"
        assert _comparable(row) == reference[row["order_no"]], why
