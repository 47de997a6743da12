"""The thin FastAPI adapter, through a tiny app: signed requests with a query string and a JSON
body authenticate, the endpoint still reads the body, and failures map to 401/403."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from app.auth import Authenticator, derive_sheet_secret, sign_request
from app.auth.fastapi_adapter import authenticate_request
from app.errors import AftersalesError
from tests.auth.support import MASTER_SECRET, START, bearer

ALLOW_LISTS = {"s1": ["@agency.com"], "s2": ["boss@agency.com"]}


def build_app(authenticator: Authenticator) -> FastAPI:
    app = FastAPI()

    @app.exception_handler(AftersalesError)
    async def handle(request: Request, exc: AftersalesError) -> JSONResponse:
        return JSONResponse(
            {"error": exc.code, "message": exc.message}, status_code=exc.status_code
        )

    @app.post("/v1/sheets/{sheet_id}/sync")
    async def sync(sheet_id: str, request: Request) -> dict[str, object]:
        principal = await authenticate_request(request, authenticator, sheet=sheet_id)
        authenticator.authorize(principal, sheet=sheet_id, allowed=ALLOW_LISTS.get(sheet_id, []))
        return {"subject": principal.subject, "payload": await request.json()}

    return app


def test_signed_request_through_fastapi(authenticator: Authenticator) -> None:
    """An HMAC-signed POST with a query authenticates, and the endpoint still reads the body."""
    body = json.dumps({"mode": "sync"}).encode()
    path = "/v1/sheets/s1/sync?dry_run=1&tab=%E5%94%AE%E5%90%8E"
    headers = sign_request(derive_sheet_secret(MASTER_SECRET, "s1"), "POST", path, body, int(START))
    with TestClient(build_app(authenticator)) as client:
        response = client.post(path, content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"subject": "hmac:s1", "payload": {"mode": "sync"}}


def test_failures_map_to_401_and_403(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """No credentials is a 401; a valid token whose email is not on the sheet's list is a 403."""
    with TestClient(build_app(authenticator)) as client:
        anonymous = client.post("/v1/sheets/s1/sync", json={})
        token = mint(hd="agency.com")
        forbidden = client.post("/v1/sheets/s2/sync", json={}, headers=bearer(token))
        allowed = client.post("/v1/sheets/s1/sync", json={}, headers=bearer(token))
    assert anonymous.status_code == 401
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "email lily@agency.com is not allowed on this sheet"
    assert token not in forbidden.text
    assert allowed.status_code == 200
