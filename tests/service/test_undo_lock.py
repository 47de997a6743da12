"""The undo endpoint and the sheet's lock: an undo must never run while a sync holds the sheet."""

from __future__ import annotations

import secrets
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.app import create_app
from app.auth import AuthSettings, derive_sheet_secret, sign_request
from app.service.locks import SheetLocks
from app.settings import Settings
from tests.workbooks import NOW, case, write_workbook

SHEET = "team"


@dataclass
class ShortWaits:
    """The same locks, with every wait cut to 0.3 s: stands in for the endpoint's 120 s
    passing while a long sync (here: the test) keeps the sheet."""

    inner: SheetLocks

    def hold(
        self, name: str, *, wait: bool, timeout: float = 600.0
    ) -> AbstractContextManager[bool]:
        return self.inner.hold(name, wait=wait, timeout=min(timeout, 0.3))


def test_undo_refuses_to_run_while_a_sync_keeps_the_sheet(tmp_path: Path) -> None:
    """POST /runs/{id}/undo while another holder keeps the sheet's lock past the endpoint's wait
    answers 409 sync_in_progress and restores nothing, rather than undoing alongside the running
    sync (the endpoint used to ignore whether it got the lock)."""
    master = secrets.token_hex(32)
    settings = Settings(
        environment="test",
        database_url=SecretStr(f"sqlite:///{tmp_path}/store.db"),
        workbook=tmp_path / "unused.xlsx",
        auth=AuthSettings(hmac_master_secret=SecretStr(master)),
    )
    app = create_app(settings, clock=lambda: NOW, start_scheduler=False)
    key = derive_sheet_secret(master, SHEET)

    def post(path: str) -> httpx.Response:
        headers = sign_request(key, "POST", path, b"", int(time.time()))
        response: httpx.Response = client.post(path, headers=headers)
        return response

    with TestClient(app) as client:
        context = app.state.context
        workbook = write_workbook(tmp_path / "team.xlsx", [case()])
        entry = context.registry.add(SHEET, kind="workbook", location=str(workbook))
        synced = post(f"/v1/sheets/{SHEET}/sync")
        assert synced.status_code == 200, synced.text
        run_id = synced.json()["run_id"]

        locks = context.coordinator.locks
        context.coordinator.locks = ShortWaits(locks)
        with locks.hold(entry.sheet_key, wait=True) as held:  # a long sync of another caller
            assert held
            undo = post(f"/v1/sheets/{SHEET}/runs/{run_id}/undo")
            triggers = [r.trigger for r in context.store.list_runs(entry.sheet_key)]

        assert undo.status_code == 409, undo.text
        assert undo.json()["error"] == "sync_in_progress"
        assert triggers == ["sync-now"], "an undo ran while the sheet was locked"
