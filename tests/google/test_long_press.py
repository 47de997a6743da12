"""A press of Sync now on a Google sheet whose API is slow (the emulator's `slow` fault): the
service answers 202 within its bound, the run goes on, polling shows its progress and then its
summary, and the sheet ends as a press that waited for its answer leaves a twin sheet."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.app import create_app
from tests.api.conftest import api_settings
from tests.api.support import SHEET_ALLOWED, Api, Clock
from tests.auth.conftest import cert_server, google_key  # noqa: F401  (fixtures, reused)
from tests.auth.support import CertServer, SigningKey
from tests.google.conftest import GoogleSheet, typed_row

WAIT = 60.0
ROWS = [
    typed_row(1, customer="王芳"),
    typed_row(2, case_id="", opened=""),  # a new case: the service gives it an id
    typed_row(3, platform="bhiner", notes="客户催了两次"),
    typed_row(4, customer="Emma Wilson"),
]


@pytest.fixture
def service(
    google_sheet: GoogleSheet,
    tmp_path: Path,
    cert_server: CertServer,  # noqa: F811
    google_key: SigningKey,  # noqa: F811
) -> Iterator[tuple[Api, GoogleSheet]]:
    """The service (1-second answer bound) with the emulator's spreadsheet as `desk` and a
    twin spreadsheet as `twin`, the same rows typed into both."""
    twin = google_sheet.twin()
    google_sheet.type_rows(ROWS)
    twin.type_rows(ROWS)
    settings = api_settings(tmp_path, cert_server.url).model_copy(
        update={
            "press_answer_seconds": 1.0,
            "google_credentials": SecretStr(str(google_sheet.account_path)),
            "google_api_override": google_sheet.emulator.base_url,
        }
    )
    app = create_app(settings, clock=Clock(), start_scheduler=False)
    with TestClient(app) as client:
        api = Api(app=app, client=client, tmp=tmp_path, google_key=google_key, clock=Clock())
        registry = api.context.registry
        for sheet, spreadsheet in (("desk", google_sheet), ("twin", twin)):
            registry.add(
                sheet, kind="google", location=spreadsheet.spreadsheet_id, allowed=SHEET_ALLOWED
            )
        yield api, twin
    twin.runtime.store.close()


def test_a_press_on_a_slow_google_sheet_is_answered_202_and_ends_as_a_waited_press(
    service: tuple[Api, GoogleSheet], google_sheet: GoogleSheet
) -> None:
    """With Google's reads slowed by 4 s, Sync now answers 202 (the bound is 1 s); polling
    sees the run reading, then its summary; the sheet matches its twin synced by a press that
    waited (?wait=600), and one run is recorded."""
    api, twin = service
    google_sheet.emulator.inject_fault(
        "slow", kinds=["values.batchGet", "spreadsheets.get"], delay=4.0, times=1
    )
    pressed = api.signed("POST", "/v1/sheets/desk/sync")
    assert pressed.status_code == 202, pressed.text
    location = pressed.headers["location"]
    run_id = pressed.json()["run_id"]

    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        seen.append(api.get(f"{location}?writes=false"))
        if seen[-1]["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    done = seen[-1]
    assert done["state"] == "succeeded", done
    assert seen[0]["progress"]["step"] == "read"
    assert done["progress"] == {"step": "record", "done": len(ROWS), "total": len(ROWS)}
    summary = done["summary"]
    assert (summary["run_id"], summary["cases"], summary["new_cases"]) == (run_id, 4, 4)

    waited = api.signed("POST", "/v1/sheets/twin/sync?wait=600")
    assert waited.status_code == 200, waited.text
    counts = ("cases", "new_cases", "cells_written", "errors", "warnings")
    assert {k: summary[k] for k in counts} == {k: waited.json()[k] for k in counts}
    assert google_sheet.records() == twin.records()
    runs = api.get("/v1/sheets/desk/runs")
    assert [(r["id"], r["state"]) for r in runs] == [(run_id, "succeeded")]
