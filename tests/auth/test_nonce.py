"""Signed requests carry a nonce (X-Aftersales-Nonce) covered by the signature: two presses in the
same second are distinct requests, a real replay is still refused, and a signature without a
valid nonce is refused naming the header."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from app.auth import Authenticator, canonical_request, derive_sheet_secret, sign_request
from app.errors import AuthError
from tests.auth.support import MASTER_SECRET, START, FakeClock

SHEET = "1TeamLeadSheetAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
PATH = f"/v1/sheets/{SHEET}/sync"
KEY = derive_sheet_secret(MASTER_SECRET, SHEET)


def press(authenticator: Authenticator, headers: dict[str, str], body: bytes = b"") -> str:
    """Send one Sync-now press through the authenticator; the principal's subject."""
    return authenticator.authenticate(
        method="POST", path=PATH, headers=headers, body=body, sheet=SHEET
    ).subject


def hand_signed(nonce: str | None, timestamp: int = int(START)) -> dict[str, str]:
    """Headers signed the way the add-on does it, written out here rather than by the product:
    HMAC-SHA256 over "METHOD\\npath\\ntimestamp\\nnonce\\n" + body with the sheet's key."""
    message = f"POST\n{PATH}\n{timestamp}\n{nonce or ''}\n".encode()
    digest = hmac.new(KEY.encode(), message, hashlib.sha256).hexdigest()
    headers = {"X-Aftersales-Timestamp": str(timestamp), "X-Aftersales-Signature": digest}
    if nonce is not None:
        headers["X-Aftersales-Nonce"] = nonce
    return headers


def test_two_presses_in_the_same_second_with_different_nonces_are_both_accepted(
    authenticator: Authenticator,
) -> None:
    """Lily and Wang press Sync now in the same second with the same sheet secret: both are
    accepted because their nonces differ."""
    first = hand_signed("lily-press-0001-abcdef")
    second = hand_signed("wang-press-0002-abcdef")
    assert first["X-Aftersales-Signature"] != second["X-Aftersales-Signature"]
    assert press(authenticator, first) == f"hmac:{SHEET}"
    assert press(authenticator, second) == f"hmac:{SHEET}"


def test_sign_request_makes_a_fresh_nonce_for_every_request(authenticator: Authenticator) -> None:
    """sign_request called twice in one second yields two different nonces and signatures, and
    both requests are accepted."""
    one = sign_request(KEY, "POST", PATH, b"", int(START))
    two = sign_request(KEY, "POST", PATH, b"", int(START))
    assert one["X-Aftersales-Nonce"] != two["X-Aftersales-Nonce"]
    press(authenticator, one)
    press(authenticator, two)


def test_a_real_replay_is_still_refused(authenticator: Authenticator, clock: FakeClock) -> None:
    """The very same signed request (same nonce, same signature) sent again is refused."""
    headers = hand_signed("lily-press-0001-abcdef")
    press(authenticator, headers)
    clock.advance(2)
    with pytest.raises(AuthError, match="replayed"):
        press(authenticator, headers)


def test_the_nonce_is_covered_by_the_signature(authenticator: Authenticator) -> None:
    """Swapping the nonce of a captured request for a new one breaks the signature, so a replay
    cannot dodge the cache by changing the header."""
    headers = hand_signed("lily-press-0001-abcdef")
    headers["X-Aftersales-Nonce"] = "attacker-changed-0001"
    with pytest.raises(AuthError, match="signature does not match"):
        press(authenticator, headers)


@pytest.mark.parametrize(
    "nonce",
    [
        None,
        "",
        "short-15-chars!",
        "only15charsxxxx",
        "x" * 65,
        "has space in it 123",
        "点击同步按钮的随机数随机数随机数随",
    ],
)
def test_a_signature_without_a_valid_nonce_is_refused_naming_the_header(
    authenticator: Authenticator, nonce: str | None
) -> None:
    """A signed request whose nonce is missing, too short, too long or has other characters
    than letters, digits, '-' and '_' is a 401 that names X-Aftersales-Nonce."""
    with pytest.raises(AuthError) as caught:
        press(authenticator, hand_signed(nonce))
    assert caught.value.status_code == 401
    assert "X-Aftersales-Nonce" in caught.value.message


def test_canonical_message_puts_the_nonce_after_the_timestamp() -> None:
    """The signed bytes are METHOD, path with query, timestamp and nonce, each ending in a
    newline, then the raw body."""
    assert (
        canonical_request("post", "/v1/sheets/x/sync?a=1", 1700000000, "n0nce-n0nce-n0nce", b"{}")
        == b"POST\n/v1/sheets/x/sync?a=1\n1700000000\nn0nce-n0nce-n0nce\n{}"
    )
