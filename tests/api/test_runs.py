"""Run history over HTTP: the list of runs, the cells a run wrote, and undo."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pytest

from app.store.codec import decode_value
from tests.api.support import SHEET, Api, edit_cell, slow_down
from tests.workbooks import case, records, write_workbook

SERVICE_HEADERS = (
    "Policy Ref",
    "Return Deadline",
    "Days Left",
    "Next Action",
    "Next Due",
    "SLA State",
    "Priority",
    "Validation",
    "Last Changed By Service",
)


def runs(api: Api, sheet: str = SHEET, query: str = "") -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = api.get(f"/v1/sheets/{sheet}/runs{query}")
    return body


def service_cells(api: Api) -> dict[str, tuple[Any, ...]]:
    return {r["Case ID"]: tuple(r[h] for h in SERVICE_HEADERS) for r in records(api.workbook())}


def sync_after_a_status_change(api: Api) -> dict[str, Any]:
    """A first sync, then a person sets a status and a later sync recomputes the row."""
    api.sync()
    edit_cell(api.workbook(), "AS-T-0001", "Status", "Awaiting Customer")
    api.clock.advance(hours=1)
    return api.sync()


def test_runs_are_listed_newest_first(api: Api) -> None:
    """GET /runs lists the sheet's syncs newest first with trigger, outcome and counts, and
    `limit` keeps the newest ones."""
    first = api.sync()
    api.clock.advance(hours=1)
    second = api.sync()
    api.clock.advance(hours=1)
    third = api.sync(action="recalculate")

    listed = runs(api)

    assert [r["id"] for r in listed] == [third["run_id"], second["run_id"], first["run_id"]]
    assert [r["trigger"] for r in listed] == ["recalculate", "sync-now", "sync-now"]
    assert [r["started_at"] for r in listed] == [
        "2025-10-10T04:00:00Z",
        "2025-10-10T03:00:00Z",
        "2025-10-10T02:00:00Z",
    ]
    assert listed[-1]["outcome"] == "ok"
    assert listed[-1]["counts"]["cells_written"] == first["cells_written"]
    assert [r["id"] for r in runs(api, query="?limit=2")] == [third["run_id"], second["run_id"]]


def test_run_detail_lists_the_cells_written_with_old_and_new_values(api: Api) -> None:
    """GET /runs/{run} lists each cell the run wrote, by case and header, with the value it
    replaced and the value it wrote, and the new values are what the workbook now holds."""
    run_id = api.sync()["run_id"]

    detail = api.get(f"/v1/sheets/{SHEET}/runs/{run_id}")

    assert detail["id"] == run_id
    writes = {(w["case_id"], w["header"]): w for w in detail["writes"] if w["tab"] == "Cases"}
    policy = writes[("AS-T-0001", "Policy Ref")]
    assert policy["column"] == "policy_ref"
    assert policy["row"] == 2
    assert policy["old_value"] == {"t": "null"}
    assert policy["new_value"] == {"t": "str", "v": "superbuy@2025.1"}
    assert decode_value(writes[("AS-T-0001", "Return Deadline")]["new_value"]) == date(2025, 10, 31)
    sheet = {r["Case ID"]: r for r in records(api.workbook())}
    for (case_id, header), write in writes.items():
        written = decode_value(write["new_value"])
        held = sheet[case_id][header]
        if isinstance(written, date) and not isinstance(written, datetime):
            held = held.date()  # the workbook stores dates as midnight datetimes
        assert held == written, (case_id, header)


def test_undo_restores_the_cells_a_run_wrote(api: Api) -> None:
    """Undoing a sync puts every service cell it wrote back as it was, leaves the status the
    person typed alone, marks the run undone, and a second undo of it is a 409."""
    api.sync()
    before = service_cells(api)
    edit_cell(api.workbook(), "AS-T-0001", "Status", "Awaiting Customer")
    api.clock.advance(hours=1)
    run_id = api.sync()["run_id"]
    assert service_cells(api) != before

    response = api.signed("POST", f"/v1/sheets/{SHEET}/runs/{run_id}/undo")

    assert response.status_code == 200, response.text
    undo = response.json()
    cases_writes = [
        w for w in api.get(f"/v1/sheets/{SHEET}/runs/{run_id}")["writes"] if w["tab"] == "Cases"
    ]
    assert undo["undone_run"] == run_id
    assert undo["restored"] == len(cases_writes) > 0
    assert undo["skipped"] == []
    assert service_cells(api) == before
    assert records(api.workbook())[0]["Status"] == "Awaiting Customer"
    listed = runs(api)
    assert listed[0]["id"] == undo["run_id"]
    assert listed[0]["trigger"] == f"undo:{run_id}"
    assert next(r for r in listed if r["id"] == run_id)["undone_by"] == undo["run_id"]

    saved = api.workbook().read_bytes()
    again = api.signed("POST", f"/v1/sheets/{SHEET}/runs/{run_id}/undo")
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"
    assert f"by run {undo['run_id']}" in again.json()["detail"]
    assert api.workbook().read_bytes() == saved


def test_undo_keeps_a_cell_someone_changed_since(api: Api) -> None:
    """A cell typed over after the run is not restored: the undo skips it and says which."""
    run_id = api.sync()["run_id"]
    edit_cell(api.workbook(), "AS-T-0001", "Policy Ref", "checked by Lily")

    undo = api.signed("POST", f"/v1/sheets/{SHEET}/runs/{run_id}/undo").json()

    assert undo["skipped"] == [f"Policy Ref of AS-T-0001: changed since run {run_id}"]
    rows = {r["Case ID"]: r for r in records(api.workbook())}
    assert rows["AS-T-0001"]["Policy Ref"] == "checked by Lily"
    assert rows["AS-T-0002"]["Policy Ref"] is None  # the other case's cell was restored


def test_a_run_of_another_sheet_is_404(api: Api) -> None:
    """A run id of another sheet (or of no sheet) is 404 through this sheet, for its details
    and for undo, and the other sheet's workbook is not touched."""
    other = api.add_sheet("other", write_workbook(api.tmp / "other.xlsx", [case()]))
    foreign = api.sync("other")["run_id"]
    saved = other.read_bytes()

    for method, path in [
        ("GET", f"/v1/sheets/{SHEET}/runs/{foreign}"),
        ("POST", f"/v1/sheets/{SHEET}/runs/{foreign}/undo"),
        ("GET", f"/v1/sheets/{SHEET}/runs/987654"),
    ]:
        response = api.signed(method, path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"
    assert other.read_bytes() == saved
    assert runs(api) == []
    assert [r["id"] for r in runs(api, "other")] == [foreign]


def test_an_undo_that_fails_is_recorded_as_failed(api: Api) -> None:
    """Undo while the workbook is open in LibreOffice is a 423, and the run history shows no
    run left hanging without an outcome."""
    run_id = api.sync()["run_id"]
    book = api.workbook()
    (book.parent / f".~lock.{book.name}#").write_text(",Lily,desk-pc,")

    response = api.signed("POST", f"/v1/sheets/{SHEET}/runs/{run_id}/undo")

    assert response.status_code == 423
    assert [r for r in runs(api) if r["outcome"] is None or r["finished_at"] is None] == []


def test_sync_now_during_an_undo_still_syncs(api: Api) -> None:
    """Sync now pressed while an undo runs waits for it and then syncs: it answers a sync-now
    run, not the undo's run."""
    run_id = sync_after_a_status_change(api)["run_id"]
    locks = RefusalSpy(api.context.coordinator.locks)
    api.context.coordinator.locks = locks
    # The undo's read waits until Sync now has found the sheet busy.
    slow = slow_down(api, 0.0, gate=locks.refused)

    with ThreadPoolExecutor(1) as pool:
        undoing = pool.submit(api.signed, "POST", f"/v1/sheets/{SHEET}/runs/{run_id}/undo")
        assert slow.reading.wait(10)  # the undo holds the sheet and is reading it
        synced = api.signed("POST", f"/v1/sheets/{SHEET}/sync")
        undo = undoing.result()

    assert undo.status_code == 200 and synced.status_code == 200
    summary = synced.json()
    assert summary["run_id"] != undo.json()["run_id"]
    assert api.context.store.get_run(summary["run_id"]).trigger == "sync-now"  # type: ignore[union-attr]


class RefusalSpy:
    """The service's sheet locks, noting when a caller that would not wait was refused."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.refused = threading.Event()

    @contextmanager
    def hold(self, name: str, *, wait: bool, timeout: float = 600.0) -> Iterator[bool]:
        with self.inner.hold(name, wait=wait, timeout=timeout) as held:
            if not held:
                self.refused.set()
            yield held


def test_a_run_that_failed_on_a_bug_gives_a_code_and_the_run_id_not_the_exception(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A sync that hits an unexpected error is listed as failed with a stable code, a sentence
    and its run id; the exception's text is in the log under that run id, never in /runs."""
    secret_detail = "password=hunter2 at <Connection object at 0x7f3a2b>"

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(secret_detail)

    monkeypatch.setattr(api.context.store, "record_sync", broken)
    caplog.set_level(logging.ERROR, logger="aftersales.sync")
    with pytest.raises(RuntimeError):  # the test client re-raises what the app answers 500 to
        api.signed("POST", f"/v1/sheets/{SHEET}/sync")
    monkeypatch.undo()

    [failed] = runs(api)
    assert failed["outcome"] == "failed"
    expected = (
        "internal_error: the sync failed unexpectedly; "
        f"the error was logged with run {failed['id']}"
    )
    # The bug struck after the write: the run says first what it wrote (it can be undone).
    assert failed["message"].startswith(f"run {failed['id']} wrote "), failed["message"]
    assert expected in failed["message"]
    assert secret_detail not in str(failed)
    [record] = [r for r in caplog.records if r.name == "aftersales.sync"]
    assert str(failed["id"]) in record.getMessage()
    assert record.exc_info is not None and secret_detail in str(record.exc_info[1])


def test_runs_recorded_with_an_exception_repr_are_shown_with_the_stable_message(
    api: Api,
) -> None:
    """Runs an older version recorded as "internal error: RuntimeError(...)" are listed with
    the stable code and sentence instead of the repr."""
    store = api.context.store
    run_id = store.start_run(api.sheet_key(), "sync-now", api.clock(), "workbook")
    store.finish_run(
        run_id, api.clock(), "failed", {}, "internal error: KeyError('/srv/app/secrets.toml')"
    )

    [listed] = runs(api)
    assert listed["message"] == (
        f"internal_error: the sync failed unexpectedly; the error was logged with run {run_id}"
    )
