"""Request bodies are bounded for every route: over `max_request_body_bytes` (1 MiB by default)
is a 413 with the API's error body, declared or streamed; a body within the limit still reaches
a signed endpoint, whose signature covers it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.settings import Settings
from tests.api.support import SHEET, Api

MIB = 1024 * 1024


def streamed(total: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent chunked (no Content-Length), as a streaming client sends it."""
    sent = 0
    while sent < total:
        size = min(piece, total - sent)
        sent += size
        yield b"{" * size


def test_default_limit_is_one_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is a setting: 1 MiB unless AFTERSALES_MAX_REQUEST_BODY_BYTES says otherwise."""
    monkeypatch.delenv("AFTERSALES_MAX_REQUEST_BODY_BYTES", raising=False)
    assert Settings(_env_file=None).max_request_body_bytes == MIB  # type: ignore[call-arg]
    monkeypatch.setenv("AFTERSALES_MAX_REQUEST_BODY_BYTES", "2048")
    assert Settings(_env_file=None).max_request_body_bytes == 2048  # type: ignore[call-arg]


def test_a_declared_body_over_the_limit_is_413_with_the_error_body(api: Api) -> None:
    """A signed Sync now declaring 1 MiB + 1 byte is refused with 413 payload_too_large."""
    body = b" " * (MIB + 1)
    response = api.signed("POST", f"/v1/sheets/{SHEET}/sync", body=body)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert "1 MiB" in response.json()["detail"]
    assert api.context.store.list_runs(api.sheet_key()) == []


def test_a_streamed_body_over_the_limit_is_413(api: Api) -> None:
    """A signed Sync now whose chunked body runs past 1 MiB is refused with 413 and no run."""
    headers = api.signature("POST", f"/v1/sheets/{SHEET}/sync", b"")
    response = api.client.post(
        f"/v1/sheets/{SHEET}/sync", content=streamed(3 * MIB), headers=headers
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert api.context.store.list_runs(api.sheet_key()) == []


def test_an_anonymous_body_is_401_whatever_its_size(api: Api) -> None:
    """Without credentials a streamed body is a 401 unauthenticated, like any anonymous call."""
    response = api.client.post(f"/v1/sheets/{SHEET}/sync", content=streamed(2 * MIB))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_bad_bearer_token_with_a_body_is_401(api: Api) -> None:
    """A bearer token that is not a valid identity token is a 401 even with a body coming."""
    response = api.client.post(
        f"/v1/sheets/{SHEET}/sync",
        content=streamed(2 * MIB),
        headers={"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_signed_body_within_the_limit_reaches_the_endpoint(api: Api, chunked: bool) -> None:
    """A signed Sync now with a 200 KiB body (declared or chunked) is checked against its
    signature over those bytes and syncs."""
    body = b"{" * (200 * 1024)
    headers = api.signature("POST", f"/v1/sheets/{SHEET}/sync", body)
    content = streamed(len(body)) if chunked else body
    response = api.client.post(f"/v1/sheets/{SHEET}/sync", content=content, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["cases"] == 2
