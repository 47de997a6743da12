"""End-to-end syncs of workbooks shaped the way busy teams leave them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from app.errors import SheetContractError, SheetLockedError
from app.runtime import Runtime
from tests.workbooks import NOW, case, read_tab, records, user_cells, write_workbook


def sync(rt: Runtime, now: datetime = NOW):
    return rt.engine().sync(now=now)


def test_valid_case_gets_every_computed_column(runtime: Runtime) -> None:
    """A clean Superbuy defect gets its policy ref, deadline, days left, SLA and next action."""
    write_workbook(runtime.workbook, [case()])
    report = sync(runtime)
    row = records(runtime.workbook)[0]
    assert report.errors == 0
    assert row["Policy Ref"] == "superbuy@2025.1"
    assert row["Return Deadline"].date() == date(2025, 10, 31)  # 2025-10-01 + 30 days
    assert row["Days Left"] == 21
    assert row["SLA State"].split(":")[0] in {"On track", "Due soon", "Overdue"}
    assert row["Priority"] in {"P1", "P2", "P3", "P4"}
    assert row["Next Action"]
    assert row["Validation"] == "OK"
    assert row["Computed For"] == "AS-T-0001"
    assert row["Last Changed By Service"] == datetime(2025, 10, 10, 10, 0)


def test_second_sync_of_unchanged_sheet_writes_nothing(runtime: Runtime) -> None:
    """Syncing twice at the same moment writes zero cells the second time and keeps the file."""
    write_workbook(runtime.workbook, [case(), case(**{"Case ID": "AS-T-0002"})])
    first = sync(runtime)
    before = runtime.workbook.read_bytes()
    second = sync(runtime)
    assert first.cells_written > 0
    assert second.cells_written == 0
    assert runtime.workbook.read_bytes() == before


def test_blank_case_id_and_opened_are_filled_and_nothing_else_a_person_typed(
    runtime: Runtime,
) -> None:
    """A new row gets an AS- id and an Opened time; every other user cell stays as typed."""
    write_workbook(
        runtime.workbook,
        [case(**{"Case ID": None, "Opened": None}), case(**{"Case ID": "AS-T-0009"})],
    )
    before = user_cells(runtime.workbook)
    report = sync(runtime)
    after = user_cells(runtime.workbook)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {(2, "Case ID"), (2, "Opened")}
    assert after[(2, "Case ID")] == "AS-251010-0001"
    assert after[(2, "Opened")] == datetime(2025, 10, 10, 10, 0)
    assert report.new_cases == 2


def test_new_ids_are_unique_across_the_sheet_history(runtime: Runtime) -> None:
    """Ids handed out today never repeat one already used, even after its row was deleted."""
    write_workbook(runtime.workbook, [case(**{"Case ID": None})])
    sync(runtime)
    write_workbook(runtime.workbook, [case(**{"Case ID": None})])  # first row deleted
    sync(runtime)
    assert records(runtime.workbook)[0]["Case ID"] == "AS-251010-0002"


def test_shuffled_renamed_headers_and_team_columns_are_handled(runtime: Runtime) -> None:
    """Chinese aliases, another order and a team's own column: found by name, left alone."""
    headers = ["备注", "状态", "平台", "Team Tag", "案件编号", "开案时间", "问题类型", "入库日期"]
    row = {
        "案件编号": "AS-CN-1",
        "开案时间": datetime(2025, 10, 9, 9, 0),
        "平台": "yoybuy",
        "问题类型": "defect",
        "入库日期": "2025年9月28日",
        "状态": "in progress",
        "备注": "客户很着急 😅",
        "Team Tag": "VIP",
    }
    write_workbook(runtime.workbook, [row], headers=headers)
    before = user_cells(runtime.workbook)
    report = sync(runtime)
    out = records(runtime.workbook)[0]
    assert report.errors == 0
    assert out["Policy Ref"] == "yoybuy@2025.1"
    assert out["Return Deadline"].date() == date(2025, 10, 16)  # the National Day run skipped
    header = read_tab(runtime.workbook)[0]
    assert header[: len(headers)] == headers  # the team's layout is kept
    assert "Policy Ref" in header[len(headers) :]  # service columns appended after them
    assert user_cells(runtime.workbook) == before


def test_missing_required_header_stops_before_writing(runtime: Runtime) -> None:
    """Without a Status column the sync names it, and the file is byte-for-byte unchanged."""
    headers = [h for h in read_headers() if h != "Status"]
    write_workbook(runtime.workbook, [case()], headers=headers)
    before = runtime.workbook.read_bytes()
    with pytest.raises(SheetContractError, match="'Status'"):
        sync(runtime)
    assert runtime.workbook.read_bytes() == before


def test_two_headers_for_one_column_stop_the_sync_naming_both(runtime: Runtime) -> None:
    """'Platform' and '平台' both mean Platform: the error names the two headers."""
    headers = [*read_headers(), "平台"]
    write_workbook(runtime.workbook, [case()], headers=headers)
    with pytest.raises(SheetContractError, match="'Platform' and '平台'"):
        sync(runtime)


def test_missing_cases_tab_is_named(runtime: Runtime) -> None:
    """A workbook without a Cases tab is refused with the tabs that are there."""
    write_workbook(runtime.workbook, [case()], title="Orders")
    with pytest.raises(SheetContractError, match=r"No Cases tab.*Orders"):
        sync(runtime)


def test_row_problems_are_written_to_validation_and_other_rows_sync(runtime: Runtime) -> None:
    """Bad cells are named with tab, cell, column and value; good rows still get results."""
    write_workbook(
        runtime.workbook,
        [
            case(**{"Case ID": "AS-1", "Window Start": "2025-13-45"}),
            case(**{"Case ID": "AS-2", "Platform": "Taobao Direct"}),
            case(**{"Case ID": "AS-3", "Window Start": "03/10/2025"}),
            case(**{"Case ID": "AS-4"}),
        ],
    )
    report = sync(runtime)
    rows = {r["Case ID"]: r for r in records(runtime.workbook)}
    assert "Window Start '2025-13-45' (Cases!J2): is not a date" in rows["AS-1"]["Validation"]
    assert "Platform 'Taobao Direct' (Cases!C3)" in rows["AS-2"]["Validation"]
    assert "day/month or month/day" in rows["AS-3"]["Validation"]
    for bad in ("AS-1", "AS-2", "AS-3"):
        assert rows[bad]["Return Deadline"] is None
        assert rows[bad]["Next Action"] == "Fix the problems listed in Validation"
    assert rows["AS-4"]["Validation"] == "OK"
    assert rows["AS-4"]["Policy Ref"] == "superbuy@2025.1"
    assert report.errors == 3


def test_duplicate_case_ids_are_flagged_on_both_rows(runtime: Runtime) -> None:
    """Two rows with one id both say so, naming the other row; neither gets computed values."""
    write_workbook(runtime.workbook, [case(), case(Customer="Other"), case(**{"Case ID": "AS-9"})])
    sync(runtime)
    rows = records(runtime.workbook)
    assert "also on row(s) 3" in rows[0]["Validation"]
    assert "also on row(s) 2" in rows[1]["Validation"]
    assert rows[0]["Policy Ref"] is None and rows[1]["Policy Ref"] is None
    assert rows[2]["Validation"] == "OK"


def test_blank_rows_are_skipped_and_hostile_text_stays_text(runtime: Runtime) -> None:
    """Blank rows stay blank; '=' text, 5,000-character notes, Chinese and emoji survive."""
    notes = "很长的备注 🚚 " * 500
    write_workbook(
        runtime.workbook,
        [
            case(**{"Case ID": "AS-1", "Customer": '=HYPERLINK("http://x.invalid","x")'}),
            {},
            case(**{"Case ID": "AS-2", "Notes": notes}),
        ],
    )
    report = sync(runtime)
    rows = read_tab(runtime.workbook)
    assert rows[2] == [None] * len(rows[2])  # the blank row got nothing
    sheet = openpyxl.load_workbook(runtime.workbook)["Cases"]
    assert sheet["E2"].value == '=HYPERLINK("http://x.invalid","x")'
    assert sheet["E2"].data_type == "s"
    assert records(runtime.workbook)[2]["Notes"] == notes
    assert report.cases == 2


def test_status_change_becomes_one_timeline_entry_even_when_repeated(runtime: Runtime) -> None:
    """A status change between syncs is recorded once in the tab and the store, not per sync."""
    write_workbook(runtime.workbook, [case(Status="New")])
    sync(runtime)
    _set(runtime.workbook, "Status", 2, "Awaiting Seller")
    later = NOW + timedelta(hours=1)
    sync(runtime, later)
    sync(runtime, later + timedelta(minutes=5))
    events = _status_events(records(runtime.workbook, "Timeline"))
    assert [e["Event"] for e in events] == ["Created", "Status changed"]
    assert events[1]["Detail"] == "Status New → Awaiting Seller"
    stored = runtime.store.timeline(runtime.sheet_key, "AS-T-0001")
    assert [e.kind for e in stored if e.kind in ("created", "status_changed")] == [
        "created",
        "status_changed",
    ]
    every = [e["Event ID"] for e in records(runtime.workbook, "Timeline")]
    assert len(every) == len(set(every)) == len(stored)  # nothing recorded twice


def test_interrupted_sync_records_timeline_exactly_once(runtime: Runtime, monkeypatch) -> None:
    """A crash after the write but before the record leaves no duplicate once synced again."""
    write_workbook(runtime.workbook, [case(Status="New")])
    sync(runtime)
    _set(runtime.workbook, "Status", 2, "Resolved")
    engine = runtime.engine()

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed between write and record")

    monkeypatch.setattr(engine.store, "record_sync", crash)
    with pytest.raises(RuntimeError):
        engine.sync(now=NOW + timedelta(hours=2))
    monkeypatch.undo()
    sync(runtime, NOW + timedelta(hours=3))
    events = records(runtime.workbook, "Timeline")
    assert [e["Event"] for e in _status_events(events)] == ["Created", "Status changed"]
    ids = [e["Event ID"] for e in events]
    assert len(ids) == len(set(ids)) == len(runtime.store.timeline(runtime.sheet_key, "AS-T-0001"))
    outcomes = sorted((r.id, r.outcome) for r in runtime.store.list_runs(runtime.sheet_key))
    assert [o for _, o in outcomes] == ["ok", "failed", "nothing_to_do"]


def test_file_changed_between_read_and_write_is_replanned(runtime: Runtime) -> None:
    """If someone saves the file after our read, the engine re-reads instead of overwriting."""
    write_workbook(runtime.workbook, [case()])
    engine = runtime.engine()
    backend = engine.backend
    original_read = backend.read
    calls = {"n": 0}

    def read_then_edit(select, narrow=None, let_go=None):  # type: ignore[no-untyped-def]
        data = original_read(select, narrow, let_go)
        calls["n"] += 1
        if calls["n"] == 1:  # a person saves a new row right after our first read
            book = openpyxl.load_workbook(runtime.workbook)
            book["Cases"].append(["AS-LATE", None, "Bhiner", None, "Late Customer"])
            book.save(runtime.workbook)
        return data

    backend.read = read_then_edit  # type: ignore[method-assign]
    report = engine.sync(now=NOW)
    assert report.replans == 1
    ids = [r["Case ID"] for r in records(runtime.workbook)]
    assert ids == ["AS-T-0001", "AS-LATE"]


def test_workbook_open_in_office_suite_is_refused(runtime: Runtime) -> None:
    """A LibreOffice lock file beside the workbook stops the sync with the user's name."""
    write_workbook(runtime.workbook, [case()])
    lock = runtime.workbook.parent / f".~lock.{runtime.workbook.name}#"
    lock.write_text(",Lily Chen,desk-3,27.11.2026 10:00,file:///home/lily;")
    with pytest.raises(SheetLockedError, match="Lily Chen"):
        sync(runtime)


def test_holidays_tab_day_off_extends_a_yoybuy_deadline(runtime: Runtime) -> None:
    """A team day off inside a holiday run is skipped; a bad Holidays row gets a message."""
    holidays = [
        ["Date", "Kind", "Note"],
        [date(2025, 10, 9), "Day off", "Extended National Day"],
        ["not a date", "Day off", ""],
    ]
    row = case(Platform="Yoybuy", **{"Window Start": datetime(2025, 9, 28)})
    write_workbook(runtime.workbook, [row], extra_tabs={"Holidays": holidays})
    sync(runtime)
    out = records(runtime.workbook)[0]
    assert out["Return Deadline"].date() == date(2025, 10, 17)  # one more day skipped
    messages = [r["Validation"] for r in records(runtime.workbook, "Holidays")]
    assert messages[0].startswith("OK")
    assert "not a date" in messages[1] and "Holidays!A3" in messages[1]


def test_policies_tab_team_row_overrides_window_and_bad_row_is_reported(runtime: Runtime) -> None:
    """A team row with a later Effective From wins; a broken team row is named, sync goes on."""
    write_workbook(runtime.workbook, [case(**{"Opened": datetime(2025, 10, 9, 9, 0)})])
    sync(runtime)  # adds the built-in rows
    book = openpyxl.load_workbook(runtime.workbook)
    policies = book["Policies"]
    header = [c.value for c in policies[1]]
    team_row = dict.fromkeys(header)
    team_row.update(
        {
            "Platform": "superbuy",
            "Version": "team-1",
            "Effective From": datetime(2025, 10, 1),
            "Seller-fault Days": 45,
        }
    )
    bad_row = dict.fromkeys(header)
    bad_row.update({"Platform": "Nowhere", "Version": "x", "Effective From": datetime(2025, 1, 1)})
    policies.append([team_row[h] for h in header])
    policies.append([bad_row[h] for h in header])
    book.save(runtime.workbook)
    report = sync(runtime, NOW + timedelta(minutes=1))
    out = records(runtime.workbook)[0]
    assert out["Policy Ref"] == "superbuy@team-1"
    assert out["Return Deadline"].date() == date(2025, 11, 15)
    rows = records(runtime.workbook, "Policies")
    assert rows[-2]["Validation"].startswith("OK")
    # a platform the service does not ship is declared by its row, which then needs a window
    assert "'Nowhere' is not a platform the service ships" in rows[-1]["Validation"]
    assert "Window Days" in rows[-1]["Validation"]
    assert report.cases == 1


def test_undo_restores_what_a_run_wrote_but_not_what_people_changed(runtime: Runtime) -> None:
    """Undo puts back previous values; a cell changed since the run is left alone."""
    write_workbook(runtime.workbook, [case(**{"Case ID": None}), case(**{"Case ID": "AS-2"})])
    first = sync(runtime)
    assert first.run_id is not None
    result = runtime.undo(first.run_id, NOW + timedelta(minutes=1))
    rows = records(runtime.workbook)
    assert rows[0]["Case ID"] is None and rows[0]["Policy Ref"] is None
    assert rows[1]["Policy Ref"] is None and rows[1]["Validation"] is None
    on_cases = [w for w in runtime.store.cell_writes(first.run_id) if w.tab == "Cases"]
    assert result.restored == len(on_cases) > 0
    runs = {r.id: r for r in runtime.store.list_runs(runtime.sheet_key)}
    assert runs[first.run_id].undone_by == result.run_id


def test_undo_skips_cells_changed_since(runtime: Runtime) -> None:
    """A service cell rewritten by a later run is not rolled back by undoing the earlier run."""
    write_workbook(runtime.workbook, [case(Status="New")])
    first = sync(runtime)
    _set(runtime.workbook, "Status", 2, "Awaiting Customer")
    sync(runtime, NOW + timedelta(hours=1))
    assert first.run_id is not None
    result = runtime.undo(first.run_id, NOW + timedelta(hours=2))
    assert any("SLA State" in s for s in result.skipped)
    assert records(runtime.workbook)[0]["SLA State"].startswith("Paused: ")


def _status_events(events: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for e in events if e["Event"] in ("Created", "Status changed", "Re-opened")]


def read_headers() -> list[str]:
    from tests.workbooks import DEFAULT_HEADERS

    return list(DEFAULT_HEADERS)


def _set(path: Path, header: str, row: int, value: object) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    col = [c.value for c in sheet[1]].index(header) + 1
    sheet.cell(row=row, column=col).value = value
    book.save(path)
