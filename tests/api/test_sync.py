"""Sync now and Recalculate all over HTTP: what the add-on gets back, what lands in the
workbook, how sheet problems are reported, and that presses during a run join it."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from typing import Any

import pytest

from tests.api.support import SHEET, Api, edit_cell, press_together, slow_down
from tests.workbooks import DEFAULT_HEADERS, case, records, write_workbook

SUMMARY_KEYS = {
    "run_id",
    "backend",
    "cases",
    "new_cases",
    "cells_written",
    "timeline_events",
    "findings",
    "errors",
    "warnings",
    "duration_ms",
    "notes",
    "joined",
    "language",
}


def by_id(api: Api, sheet: str = SHEET) -> dict[str, dict[str, Any]]:
    return {r["Case ID"]: r for r in records(api.workbook(sheet))}


def test_signed_sync_answers_a_summary_and_writes_the_sheet(api: Api) -> None:
    """An HMAC-signed Sync now answers the run's summary and the workbook gets each case's
    policy ref and return deadline."""
    assert "Policy Ref" not in by_id(api)["AS-T-0001"]  # the team never added the column

    summary = api.sync()

    assert summary.keys() == SUMMARY_KEYS
    assert isinstance(summary["run_id"], int)
    assert summary["backend"] == "workbook"
    assert (summary["cases"], summary["new_cases"]) == (2, 2)
    assert summary["timeline_events"] >= 2  # two cases opened, plus what the automation did
    assert summary["cells_written"] > 0
    assert summary["findings"] == summary["errors"] + summary["warnings"]
    assert summary["joined"] is False
    after = by_id(api)
    assert after["AS-T-0001"]["Policy Ref"] == "superbuy@2025.1"
    assert after["AS-T-0001"]["Return Deadline"].date() == date(2025, 10, 31)  # 10-01 + 30 days
    assert after["AS-T-0002"]["Policy Ref"] == "bhiner@2025.1"
    assert after["AS-T-0002"]["Return Deadline"] is not None
    assert after["AS-T-0001"]["Customer"] == "Emma Wilson"  # people's cells are left alone


def test_second_sync_of_an_unchanged_sheet_writes_nothing(api: Api) -> None:
    """Syncing again at the same moment writes 0 cells and leaves the file byte for byte."""
    first = api.sync()
    saved = api.workbook().read_bytes()
    second = api.sync()
    assert first["cells_written"] > 0
    assert second["cells_written"] == 0
    assert second["timeline_events"] == 0
    assert second["run_id"] != first["run_id"]
    assert api.workbook().read_bytes() == saved


def test_recalculate_all_repairs_a_service_cell_a_person_overwrote(api: Api) -> None:
    """Recalculate all answers the same summary shape and puts back a computed cell that
    someone typed over."""
    api.sync()
    edit_cell(api.workbook(), "AS-T-0001", "Policy Ref", "my own note")
    summary = api.sync(action="recalculate")
    assert summary.keys() == SUMMARY_KEYS
    assert summary["cells_written"] >= 1
    assert by_id(api)["AS-T-0001"]["Policy Ref"] == "superbuy@2025.1"
    runs = api.get(f"/v1/sheets/{SHEET}/runs")
    assert runs[0]["trigger"] == "recalculate"


def test_sheet_without_status_header_is_a_422_naming_it(api: Api) -> None:
    """A workbook whose Cases tab lacks the Status header is refused with 422 sheet_contract
    naming 'Status'; the file is untouched and the failed run is on record with the reason."""
    headers = [h for h in DEFAULT_HEADERS if h != "Status"]
    book = api.add_sheet("nostatus", write_workbook(api.tmp / "nostatus.xlsx", [case()], headers))
    saved = book.read_bytes()

    response = api.signed("POST", "/v1/sheets/nostatus/sync")

    assert response.status_code == 422
    assert response.json()["error"] == "sheet_contract"
    assert "'Status'" in response.json()["detail"]
    assert book.read_bytes() == saved
    (run,) = api.get("/v1/sheets/nostatus/runs")
    assert run["outcome"] == "failed"
    assert "'Status'" in run["message"]


def test_workbook_open_in_libreoffice_is_a_423(api: Api) -> None:
    """While LibreOffice's lock file sits beside the workbook, Sync now and Case details
    answer 423 sheet_locked naming who has it open, and the file is not written."""
    book = api.workbook()
    (book.parent / f".~lock.{book.name}#").write_text(",Lily Chen,desk-pc,10.10.2025 10:00,")
    saved = book.read_bytes()

    for method, path in [
        ("POST", f"/v1/sheets/{SHEET}/sync"),
        ("POST", f"/v1/sheets/{SHEET}/recalculate"),
        ("GET", f"/v1/sheets/{SHEET}/cases/AS-T-0001"),
    ]:
        response = api.signed(method, path)
        assert response.status_code == 423, path
        assert response.json()["error"] == "sheet_locked"
        assert "Lily Chen" in response.json()["detail"]
        assert f".~lock.{book.name}#" in response.json()["detail"]
    assert book.read_bytes() == saved


def test_registered_workbook_that_is_gone_is_a_404_sheet_not_found(api: Api) -> None:
    """A registered workbook whose file was moved away answers 404 sheet_not_found."""
    api.workbook().unlink()
    response = api.signed("POST", f"/v1/sheets/{SHEET}/sync")
    assert response.status_code == 404
    assert response.json()["error"] == "sheet_not_found"


def test_concurrent_sync_presses_share_one_run(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six people pressing Sync now during one slow sync start one run: all get 200 with that
    run's id, five of them marked joined, and the store holds exactly one run."""
    presses = 6
    arrived: Counter[str] = Counter()
    everyone_in = threading.Event()
    press = api.context.coordinator.press

    async def counting_press(*args: Any, **kwargs: Any) -> Any:
        arrived["presses"] += 1
        if arrived["presses"] == presses:
            everyone_in.set()
        return await press(*args, **kwargs)

    monkeypatch.setattr(api.context.coordinator, "press", counting_press)
    # The sync reads the sheet only once all presses reached the service, then takes 0.3 s more.
    slow = slow_down(api, 0.3, gate=everyone_in)

    responses = press_together(api, [f"/v1/sheets/{SHEET}/sync"] * presses)

    assert [r.status_code for r in responses] == [200] * presses, [r.text for r in responses]
    bodies = [r.json() for r in responses]
    assert len({b["run_id"] for b in bodies}) == 1
    assert sorted(b["joined"] for b in bodies) == [False] + [True] * (presses - 1)
    assert all(b["cases"] == 2 and b["cells_written"] > 0 for b in bodies)
    runs = api.context.store.list_runs(api.sheet_key())
    assert [r.id for r in runs] == [bodies[0]["run_id"]]
    assert slow.reads == 1


def test_sync_summary_names_a_missing_evidence_column_once(api: Api) -> None:
    """Sync now on a sheet without an Original Packaging column and two open Superbuy cases
    answers one note naming the column to add; the rows' Validation stays clean."""
    headers = [h for h in DEFAULT_HEADERS if h != "Original Packaging"]
    rows = [case(**{"Case ID": f"AS-T-07{n:02d}", "Status": "New"}) for n in (1, 2)]
    api.add_sheet("nopack", write_workbook(api.tmp / "nopack.xlsx", rows, headers=headers))

    summary = api.sync("nopack")

    assert summary["notes"] == [
        "The Cases tab has no Original Packaging column, and 2 open cases need the original "
        "packaging (Superbuy 2025.1): add an Original Packaging column (Yes/No), or write "
        "'original packaging' in Evidence."
    ]
    assert [r["Validation"] for r in records(api.workbook("nopack"))] == ["OK", "OK"]
