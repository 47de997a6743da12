"""Sheet keys through the HTTP API: a signed request for a sheet id nobody registered answers
"unknown sheet" (not a signature mismatch), and rotating one sheet's key refuses its old secret
while every other sheet keeps its own."""

from __future__ import annotations

import hashlib
import hmac

from app.auth import derive_sheet_secret
from tests.api.support import SHEET, Api
from tests.auth.support import MASTER_SECRET
from tests.workbooks import case, write_workbook


def first_secret(sheet: str) -> str:
    """A sheet's secret before any rotation, worked out from the documented derivation:
    hex(HMAC-SHA256(master, "aftersales-sheet:" + sheet id))."""
    message = f"aftersales-sheet:{sheet}".encode()
    return hmac.new(MASTER_SECRET.encode(), message, hashlib.sha256).hexdigest()


def test_a_mistyped_sheet_id_answers_unknown_sheet(api: Api) -> None:
    """The add-on set up with the id "dsek" instead of "desk" (signing with desk's secret) is
    told the sheet is unknown, naming the id: 404 sheet_not_found, not 'signature does not
    match'."""
    response = api.signed("POST", "/v1/sheets/dsek/sync", secret=first_secret(SHEET))
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "sheet_not_found"
    assert "dsek" in response.json()["detail"]
    assert "signature" not in response.json()["detail"]


def test_an_unregistered_sheet_id_answers_unknown_sheet_whatever_the_key(api: Api) -> None:
    """A request signed with the key an unregistered id would have is a 404 sheet_not_found."""
    response = api.signed("POST", "/v1/sheets/never-registered/sync")
    assert response.status_code == 404
    assert response.json()["error"] == "sheet_not_found"
    assert "never-registered" in response.json()["detail"]


def test_rotating_one_sheet_refuses_its_old_secret_and_keeps_the_others(api: Api) -> None:
    """After `rotate` the desk's old secret is refused (401) and its new one works; the other
    sheet's secret, unchanged, still syncs it."""
    api.add_sheet("returns-cn", write_workbook(api.tmp / "returns.xlsx", [case()]))
    old = first_secret(SHEET)
    assert api.signed("POST", f"/v1/sheets/{SHEET}/sync", secret=old).status_code == 200

    rotated = api.context.registry.rotate_key(SHEET)
    assert rotated.key_version == 2
    new = derive_sheet_secret(MASTER_SECRET, SHEET, rotated.key_version)
    assert new != old

    refused = api.signed("POST", f"/v1/sheets/{SHEET}/sync", secret=old)
    assert refused.status_code == 401
    assert "signature does not match" in refused.json()["detail"]
    assert api.signed("POST", f"/v1/sheets/{SHEET}/sync", secret=new).status_code == 200
    other = api.signed("POST", "/v1/sheets/returns-cn/sync", secret=first_secret("returns-cn"))
    assert other.status_code == 200, other.text


def test_replacing_a_sheet_entry_keeps_its_rotated_key(api: Api) -> None:
    """`sheets add --replace` (to change the allow-list) does not bring a rotated-out secret
    back."""
    old = first_secret(SHEET)
    api.context.registry.rotate_key(SHEET)
    entry = api.context.registry.get(SHEET)
    api.context.registry.add(
        SHEET, kind="workbook", location=entry.location, allowed=["lily@agency.com"], replace=True
    )
    assert api.context.registry.get(SHEET).key_version == 2
    assert api.signed("POST", f"/v1/sheets/{SHEET}/sync", secret=old).status_code == 401
