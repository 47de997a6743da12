"""Each run started over HTTP is logged with the kind of credential that started it."""

from __future__ import annotations

import logging

import pytest

from tests.api.support import SHEET, Api


def test_a_signed_sync_and_its_undo_log_the_hmac_credential(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """A sync and an undo signed with the sheet's secret each log their run id with
    "credential hmac", so a sheet secret's use is recorded run by run."""
    caplog.set_level(logging.INFO, logger="aftersales.api")
    run = api.sync()["run_id"]
    undone = api.signed("POST", f"/v1/sheets/{SHEET}/runs/{run}/undo")
    assert undone.status_code == 200, undone.text
    lines = [r.getMessage() for r in caplog.records if r.name == "aftersales.api"]
    assert f"run {run} of sheet {SHEET} (sync-now): credential hmac, caller hmac:{SHEET}" in lines
    undo_run = undone.json()["run_id"]
    assert (
        f"run {undo_run} of sheet {SHEET} (undo:{run}): credential hmac, caller hmac:{SHEET}"
        in lines
    )


def test_a_google_sign_in_sync_logs_the_google_credential(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """A Sync now with a person's identity token logs "credential google" and the email."""
    caplog.set_level(logging.INFO, logger="aftersales.api")
    email = "lily@agency.com"  # on the sheet's allow-list (tests/api/support.py SHEET_ALLOWED)
    response = api.as_user(email, "POST", f"/v1/sheets/{SHEET}/sync")
    assert response.status_code == 200, response.text
    run = response.json()["run_id"]
    lines = [r.getMessage() for r in caplog.records if r.name == "aftersales.api"]
    assert f"run {run} of sheet {SHEET} (sync-now): credential google, caller {email}" in lines
