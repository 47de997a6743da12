"""`GET /v1/sheets/{sheet}/doctor`: the checks of `aftersales doctor`, run by the service for a
registered sheet and answered to a caller allowed on it (what the add-on's Test connection
shows): all ✓ on the workbook `desk`, and a read-only Google share on the emulator named with
its fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.app import create_app
from tests.api.conftest import api_settings
from tests.api.support import SHEET_ALLOWED, Api, Clock
from tests.auth.support import CertServer, SigningKey
from tests.doctor.conftest import team_spreadsheet
from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator


def test_a_registered_workbook_passes_every_check(api: Api) -> None:
    """The workbook `desk` in the test service: every check ✓ except Google's, skipped with
    the reason; the answer has each check's name, ok, detail, fix and skipped."""
    body = api.get("/v1/sheets/desk/doctor")
    assert (body["ok"], body["exit_code"], body["service_account"]) == (True, 0, None)
    assert body["language"] == "en", "the team language (a stub until the service reads it)"
    assert body["target"] == f"workbook {api.tmp / 'desk.xlsx'}"
    names = [c["name"] for c in body["checks"]]
    assert names == [
        "settings: environment",
        "settings: authentication",
        "settings: metrics token",
        "store: reachable",
        "store: migrated",
        "store: replicas",
        "sheet: registered",
        "google",
        "sheet: opens",
        "sheet: can edit",
        "sheet: cases tab and columns",
    ]
    google = body["checks"][7]
    assert (google["ok"], google["skipped"]) == (True, True)
    assert google["detail"].startswith("skipped: ")
    assert all(c["ok"] and c["fix"] == "" for c in body["checks"])


def test_doctor_needs_a_caller_allowed_on_the_sheet(api: Api) -> None:
    """Anonymous: 401; a Google account not on the sheet's allow-list: 403."""
    assert api.client.get("/v1/sheets/desk/doctor").status_code == 401
    assert api.as_user("eve@elsewhere.example", "GET", "/v1/sheets/desk/doctor").status_code == 403


@pytest.fixture
def google_api(
    tmp_path: Path,
    cert_server: CertServer,
    google_key: SigningKey,
    emulator: Emulator,
    service_account: ServiceAccount,
) -> Iterator[Api]:
    """The service with the service account's key, Google on the emulator."""
    settings = api_settings(tmp_path, cert_server.url).model_copy(
        update={
            "google_credentials": SecretStr(str(service_account.path)),
            "google_api_override": emulator.base_url,
        }
    )
    clock = Clock()
    app = create_app(settings, clock=clock, start_scheduler=False)
    with TestClient(app) as client:
        yield Api(app=app, client=client, tmp=tmp_path, google_key=google_key, clock=clock)


def test_a_read_only_google_share_is_named_with_its_fix(
    google_api: Api, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """A spreadsheet shared with the service account as Viewer, asked by Lily with her Google
    sign-in: 200 with ok false, exit_code 1, and the can-edit check's fix."""
    sid = team_spreadsheet(emulator, {service_account.email: "reader"})
    google_api.context.registry.add(
        sid, kind="google", location=sid, timezone="Asia/Shanghai", allowed=SHEET_ALLOWED
    )

    response = google_api.as_user("lily@agency.com", "GET", f"/v1/sheets/{sid}/doctor")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["ok"], body["exit_code"]) == (False, 1)
    assert body["service_account"] == service_account.email
    failing = [c for c in body["checks"] if not c["ok"]]
    assert [c["name"] for c in failing] == ["sheet: can edit"]
    assert failing[0]["fix"] == (
        f"In the spreadsheet: Share ▸ {service_account.email} ▸ change Viewer to Editor ▸ Save."
    )
