"""HMAC-signed requests: the canonical string, per-sheet derived keys, the skew window, replay
refusal, and the master secret for non-sheet endpoints."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from app.auth import (
    Authenticator,
    AuthSettings,
    InMemoryReplayCache,
    Principal,
    canonical_request,
    derive_sheet_secret,
    sign_request,
)
from app.errors import AuthError
from tests.auth.support import MASTER_SECRET, START, FakeClock

SHEET_A = "1SheetAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
SHEET_B = "1SheetBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
BODY = b'{"mode": "sync", "note": "\xe5\x94\xae\xe5\x90\x8e"}'


def sync_path(sheet: str) -> str:
    return f"/v1/sheets/{sheet}/sync?dry_run=1"


def signed(
    sheet: str | None, *, timestamp: float = START, secret: str | None = None
) -> dict[str, str]:
    """Headers for POST sync_path(sheet) (or /v1/policies) with BODY, signed with the right key."""
    key = secret or (derive_sheet_secret(MASTER_SECRET, sheet) if sheet else MASTER_SECRET)
    path = sync_path(sheet) if sheet else "/v1/policies"
    return sign_request(key, "POST", path, BODY, int(timestamp))


def call(
    authenticator: Authenticator,
    headers: dict[str, str],
    *,
    sheet: str | None,
    path: str | None = None,
    body: bytes = BODY,
    method: str = "POST",
) -> Principal:
    target = path or (sync_path(sheet) if sheet else "/v1/policies")
    return authenticator.authenticate(
        method=method, path=target, headers=headers, body=body, sheet=sheet
    )


def refused(
    expected: str, authenticator: Authenticator, headers: dict[str, str], **kw: object
) -> None:
    with pytest.raises(AuthError) as caught:
        call(authenticator, headers, **kw)  # type: ignore[arg-type]
    assert expected in caught.value.message
    assert MASTER_SECRET not in str(caught.value)


def test_canonical_string_is_exactly_as_documented() -> None:
    """The signed bytes are METHOD, path with query, timestamp and nonce, each ending in a
    newline, then the raw body."""
    assert (
        canonical_request("post", "/v1/sheets/x/sync?a=1&b=2", 1700000000, "N" * 16, b"\x00{}")
        == b"POST\n/v1/sheets/x/sync?a=1&b=2\n1700000000\nNNNNNNNNNNNNNNNN\n\x00{}"
    )


def test_sheet_secret_derivation_is_hmac_of_the_prefixed_sheet_id() -> None:
    """A sheet's key is hex(HMAC-SHA256(master, "aftersales-sheet:" + sheet_id))."""
    expected = hmac.new(b"m" * 32, b"aftersales-sheet:abc", hashlib.sha256).hexdigest()
    assert derive_sheet_secret("m" * 32, "abc") == expected
    assert derive_sheet_secret("m" * 32, "abd") != expected
    with pytest.raises(ValueError):
        derive_sheet_secret("m" * 32, "")


def test_sign_request_returns_the_three_headers() -> None:
    """sign_request gives the timestamp, the nonce and a sha256=<hex> signature over the
    canonical string."""
    nonce = "press-2025-06-15-0001"
    headers = sign_request("k", "GET", "/readyz", b"", 1700000000, nonce)
    message = f"GET\n/readyz\n1700000000\n{nonce}\n".encode()
    digest = hmac.new(b"k", message, hashlib.sha256).hexdigest()
    assert headers == {
        "X-Aftersales-Timestamp": "1700000000",
        "X-Aftersales-Nonce": nonce,
        "X-Aftersales-Signature": f"sha256={digest}",
    }


def test_valid_sheet_signature_is_accepted(authenticator: Authenticator) -> None:
    """A request signed with the sheet's derived key authenticates as that sheet's key."""
    principal = call(authenticator, signed(SHEET_A), sheet=SHEET_A)
    assert principal == Principal(kind="hmac", subject=f"hmac:{SHEET_A}", sheet=SHEET_A)


def test_bare_hex_and_any_header_case_are_accepted(authenticator: Authenticator) -> None:
    """The signature may omit the sha256= prefix, and header names are case-insensitive."""
    headers = signed(SHEET_A)
    bare = {
        "x-aftersales-timestamp": headers["X-Aftersales-Timestamp"],
        "X-AFTERSALES-NONCE": headers["X-Aftersales-Nonce"],
        "X-AFTERSALES-SIGNATURE": headers["X-Aftersales-Signature"].removeprefix("sha256=").upper(),
    }
    assert call(authenticator, bare, sheet=SHEET_A).sheet == SHEET_A


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("body", b'{"mode": "recalculate"}'),
        ("path", f"/v1/sheets/{SHEET_A}/sync?dry_run=0"),
        ("method", "PUT"),
    ],
)
def test_tampered_request_is_refused(
    authenticator: Authenticator, change: str, value: object
) -> None:
    """Changing the body, the query or the method after signing breaks the signature."""
    refused(
        "signature does not match", authenticator, signed(SHEET_A), sheet=SHEET_A, **{change: value}
    )


def test_wrong_signature_is_refused(authenticator: Authenticator) -> None:
    """A well-formed signature made with another secret is refused."""
    refused(
        "signature does not match",
        authenticator,
        signed(SHEET_A, secret="guess" * 8),
        sheet=SHEET_A,
    )


@pytest.mark.parametrize("offset", [-301, 301, -10_000, 10_000])
def test_timestamp_outside_the_window_is_refused(
    authenticator: Authenticator, clock: FakeClock, offset: int
) -> None:
    """A timestamp more than 5 minutes behind or ahead of our clock is refused."""
    headers = signed(SHEET_A, timestamp=clock.now + offset)
    refused("timestamp outside the 5-minute window", authenticator, headers, sheet=SHEET_A)


@pytest.mark.parametrize("offset", [-300, 300])
def test_timestamp_at_the_window_edge_is_accepted(
    authenticator: Authenticator, clock: FakeClock, offset: int
) -> None:
    """Exactly 5 minutes of skew either way is still accepted."""
    assert call(authenticator, signed(SHEET_A, timestamp=clock.now + offset), sheet=SHEET_A)


def test_replayed_signature_is_refused(authenticator: Authenticator, clock: FakeClock) -> None:
    """The same signed request sent twice is refused the second time, even moments later."""
    headers = signed(SHEET_A)
    call(authenticator, headers, sheet=SHEET_A)
    clock.advance(5)
    refused("signature replayed", authenticator, headers, sheet=SHEET_A)


def test_replay_cache_forgets_signatures_once_they_leave_the_window(
    auth_settings: AuthSettings, clock: FakeClock
) -> None:
    """Seen signatures are dropped after the skew window, when the timestamp check refuses them."""
    cache = InMemoryReplayCache(100)
    authenticator = Authenticator(auth_settings, clock=clock, replay_cache=cache)
    headers = signed(SHEET_A)
    call(authenticator, headers, sheet=SHEET_A)
    assert len(cache) == 1
    clock.advance(302)
    refused("timestamp outside", authenticator, headers, sheet=SHEET_A)
    call(authenticator, signed(SHEET_B, timestamp=clock.now), sheet=SHEET_B)
    assert len(cache) == 1


def test_signature_for_one_sheet_is_refused_on_another(authenticator: Authenticator) -> None:
    """A signature made with sheet A's key does not authenticate a request for sheet B (401)."""
    key_a = derive_sheet_secret(MASTER_SECRET, SHEET_A)
    headers = sign_request(key_a, "POST", sync_path(SHEET_B), BODY, int(START))
    refused("signature does not match", authenticator, headers, sheet=SHEET_B)


def test_master_secret_signs_non_sheet_endpoints(authenticator: Authenticator) -> None:
    """A request to a non-sheet endpoint signed with the master secret is the master principal."""
    principal = call(authenticator, signed(None), sheet=None)
    assert principal == Principal(kind="hmac", subject="hmac:master", sheet=None)


def test_master_secret_does_not_sign_sheet_endpoints(authenticator: Authenticator) -> None:
    """On a sheet endpoint only the sheet's derived key is accepted, not the master secret."""
    headers = signed(SHEET_A, secret=MASTER_SECRET)
    refused("signature does not match", authenticator, headers, sheet=SHEET_A)


def test_sheet_key_does_not_sign_non_sheet_endpoints(authenticator: Authenticator) -> None:
    """A sheet's derived key cannot call /v1/policies and the like."""
    headers = signed(None, secret=derive_sheet_secret(MASTER_SECRET, SHEET_A))
    refused("signature does not match", authenticator, headers, sheet=None)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Aftersales-Timestamp": "1750000000"}, "needs both"),
        ({"X-Aftersales-Signature": "sha256=" + "0" * 64}, "needs both"),
        (
            {"X-Aftersales-Timestamp": "1750000000.5", "X-Aftersales-Signature": "0" * 64},
            "unix seconds",
        ),
        (
            {"X-Aftersales-Timestamp": "01750000000", "X-Aftersales-Signature": "0" * 64},
            "unix seconds",
        ),
        (
            {"X-Aftersales-Timestamp": "1750000000", "X-Aftersales-Signature": "sha1=abc"},
            "64 hex digits",
        ),
    ],
)
def test_malformed_hmac_headers_are_refused(
    authenticator: Authenticator, headers: dict[str, str], expected: str
) -> None:
    """Missing or malformed timestamp/signature headers are refused with what is wrong."""
    refused(expected, authenticator, headers, sheet=SHEET_A)


def test_hmac_is_off_without_a_master_secret(
    make_authenticator: Callable[..., Authenticator],
) -> None:
    """Without a configured master secret no signature is accepted."""
    refused(
        "not enabled", make_authenticator(hmac_master_secret=None), signed(SHEET_A), sheet=SHEET_A
    )


@settings(max_examples=40, deadline=None)
@given(
    body=st.binary(max_size=300),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    query=st.text(alphabet="abcxyz=&%20", max_size=20),
    flip=st.integers(min_value=0, max_value=10_000),
)
def test_signed_requests_verify_and_any_body_change_breaks_them(
    body: bytes, method: str, query: str, flip: int
) -> None:
    """Whatever the method, query and body, sign_request's headers verify, and flipping any body
    byte (or appending one) makes verification fail."""
    clock = FakeClock()
    authenticator = Authenticator(
        AuthSettings(hmac_master_secret=SecretStr(MASTER_SECRET)), clock=clock
    )
    path = f"/v1/sheets/{SHEET_A}/sync" + (f"?{query}" if query else "")
    headers = sign_request(
        derive_sheet_secret(MASTER_SECRET, SHEET_A), method, path, body, int(clock.now)
    )
    ok = authenticator.authenticate(
        method=method, path=path, headers=headers, body=body, sheet=SHEET_A
    )
    assert ok.sheet == SHEET_A
    if body:
        index = flip % len(body)
        changed = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    else:
        changed = b"\x00"
    with pytest.raises(AuthError, match="signature does not match"):
        authenticator.authenticate(
            method=method, path=path, headers=headers, body=changed, sheet=SHEET_A
        )
