"""Google identity tokens: signature, claims and the certificate cache, against a local certs
endpoint that serves test certificates the way Google's v1 endpoint does."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest

from app.auth import Authenticator, Principal
from app.auth.oidc import cache_lifetime
from app.errors import AuthError, BackendUnavailableError
from tests.auth.support import (
    GOOGLE_KID,
    OTHER_AUDIENCE,
    ROTATED_KID,
    CertServer,
    FakeClock,
    SigningKey,
    bearer,
)

SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def authenticate(
    authenticator: Authenticator, token: str, *, sheet: str | None = SHEET
) -> Principal:
    return authenticator.authenticate(
        method="POST",
        path=f"/v1/sheets/{sheet}/sync",
        headers=bearer(token),
        body=b"{}",
        sheet=sheet,
    )


def refused(authenticator: Authenticator, token: str, expected: str) -> AuthError:
    """Authenticate, expect a 401 whose message says `expected` and never quotes the token."""
    with pytest.raises(AuthError) as caught:
        authenticate(authenticator, token)
    assert expected in caught.value.message
    assert token not in str(caught.value)
    for part in token.split("."):
        if len(part) > 8:
            assert part not in str(caught.value)
    return caught.value


def test_valid_token_is_accepted(authenticator: Authenticator, mint: Callable[..., str]) -> None:
    """A token signed by the published key, for our audience, with a verified email, is accepted."""
    principal = authenticate(authenticator, mint(email="Lily@Agency.com"))
    assert principal == Principal(kind="google", subject="lily@agency.com", sheet=None)


def test_any_configured_audience_is_accepted(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """Several OAuth client ids may be configured, and a token for any of them is accepted."""
    assert authenticate(authenticator, mint(aud=OTHER_AUDIENCE)).subject == "lily@agency.com"


@pytest.mark.parametrize("issuer", ["https://accounts.google.com", "accounts.google.com"])
def test_both_google_issuer_spellings_are_accepted(
    authenticator: Authenticator, mint: Callable[..., str], issuer: str
) -> None:
    """Google issues tokens with either spelling of its issuer, and both are accepted."""
    assert authenticate(authenticator, mint(iss=issuer)).kind == "google"


def test_token_signed_by_another_key_is_refused(
    authenticator: Authenticator, mint: Callable[..., str], attacker_key: SigningKey
) -> None:
    """A token naming Google's key id but signed with another key fails the signature check."""
    refused(authenticator, mint(key=attacker_key, kid=GOOGLE_KID), "invalid token signature")


def test_tampered_claims_are_refused(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """Changing the payload of a valid token (e.g. the email) breaks its signature."""
    header, _, signature = mint().split(".")
    payload = json.dumps({"email": "boss@agency.com", "email_verified": True}).encode()
    forged = ".".join([header, base64.urlsafe_b64encode(payload).decode().rstrip("="), signature])
    refused(authenticator, forged, "invalid token signature")


def test_expired_token_is_refused(
    authenticator: Authenticator, mint: Callable[..., str], clock: FakeClock
) -> None:
    """A token whose exp is past (beyond the small leeway) is refused as expired."""
    token = mint()
    clock.advance(3600 + 31)
    refused(authenticator, token, "token expired")


def test_token_within_expiry_leeway_is_accepted(
    authenticator: Authenticator, mint: Callable[..., str], clock: FakeClock
) -> None:
    """A token that expired less than the clock-skew leeway ago is still accepted."""
    token = mint()
    clock.advance(3600 + 29)
    assert authenticate(authenticator, token).kind == "google"


def test_token_from_the_future_is_refused(
    authenticator: Authenticator, mint: Callable[..., str], clock: FakeClock
) -> None:
    """A token issued well after our clock's now is refused."""
    refused(authenticator, mint(iat=int(clock.now) + 600), "issued in the future")


def test_wrong_audience_is_refused(authenticator: Authenticator, mint: Callable[..., str]) -> None:
    """A token for another OAuth client is refused."""
    refused(
        authenticator, mint(aud="999-stranger.apps.googleusercontent.com"), "audience not allowed"
    )


def test_wrong_issuer_is_refused(authenticator: Authenticator, mint: Callable[..., str]) -> None:
    """A token whose issuer is not Google's is refused even when the signature is valid."""
    refused(authenticator, mint(iss="https://evil.example.com"), "issuer not allowed")


def test_unknown_key_id_is_refused(
    authenticator: Authenticator, mint: Callable[..., str], attacker_key: SigningKey
) -> None:
    """A token naming a key id the certs endpoint does not publish is refused."""
    refused(authenticator, mint(key=attacker_key, kid="attacker-kid"), "unknown key id")


@pytest.mark.parametrize("verified", [False, "false", None])
def test_unverified_email_is_refused(
    authenticator: Authenticator, mint: Callable[..., str], verified: object
) -> None:
    """A token whose email_verified is false or missing is refused."""
    refused(authenticator, mint(email_verified=verified), "email is not verified")


def test_token_without_email_is_refused(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """A token without an email claim (add-on missing the email scope) is refused with a hint."""
    refused(authenticator, mint(email=None), "userinfo.email")


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512"])
def test_other_algorithms_are_refused(
    authenticator: Authenticator, mint: Callable[..., str], alg: str
) -> None:
    """Only RS256 is accepted, so 'none' or HMAC-with-the-public-key tricks fail."""
    _, payload, signature = mint().split(".")
    header = {"alg": alg, "kid": GOOGLE_KID, "typ": "JWT"}
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    refused(authenticator, f"{encoded}.{payload}.{signature}", "unsupported token algorithm")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        "eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln",
        "x" * 9000,
    ],
)
def test_malformed_tokens_are_refused(authenticator: Authenticator, token: str) -> None:
    """Garbage bearer tokens are refused without quoting them."""
    error = refused(authenticator, token, "token")
    assert "x" * 50 not in error.message


def test_oidc_is_off_without_a_configured_audience(
    make_authenticator: Callable[..., Authenticator], mint: Callable[..., str]
) -> None:
    """With no OAuth client id configured no identity token is accepted, whatever its aud."""
    refused(make_authenticator(oidc_audiences=[]), mint(), "no OAuth client id")


def test_certs_are_cached_for_max_age_and_refetched_after(
    authenticator: Authenticator,
    mint: Callable[..., str],
    clock: FakeClock,
    cert_server: CertServer,
) -> None:
    """The certs are fetched once, reused while max-age allows, and fetched again after it."""
    cert_server.max_age = 600
    for _ in range(3):
        authenticate(authenticator, mint())
    assert cert_server.hits == 1
    clock.advance(599)
    authenticate(authenticator, mint())
    assert cert_server.hits == 1
    clock.advance(2)
    authenticate(authenticator, mint())
    assert cert_server.hits == 2
    authenticate(authenticator, mint())
    assert cert_server.hits == 2


def test_rotated_key_is_picked_up_by_refetching_on_unknown_kid(
    authenticator: Authenticator,
    mint: Callable[..., str],
    clock: FakeClock,
    cert_server: CertServer,
    rotated_key: SigningKey,
) -> None:
    """A token naming a new kid makes the cache refetch before max-age, and the new key verifies."""
    authenticate(authenticator, mint())
    cert_server.certs[ROTATED_KID] = rotated_key.certificate_pem
    clock.advance(31)
    principal = authenticate(authenticator, mint(key=rotated_key, kid=ROTATED_KID))
    assert principal.kind == "google"
    assert cert_server.hits == 2


def test_unknown_kids_refetch_at_most_once_per_interval(
    authenticator: Authenticator,
    mint: Callable[..., str],
    clock: FakeClock,
    cert_server: CertServer,
    attacker_key: SigningKey,
) -> None:
    """Tokens with random kids cannot make us fetch the certs more than once per interval."""
    authenticate(authenticator, mint())
    assert cert_server.hits == 1
    clock.advance(31)
    for n in range(20):
        refused(authenticator, mint(key=attacker_key, kid=f"random-{n}"), "unknown key id")
    assert cert_server.hits == 2
    clock.advance(29)
    refused(authenticator, mint(key=attacker_key, kid="random-x"), "unknown key id")
    assert cert_server.hits == 2
    clock.advance(2)
    refused(authenticator, mint(key=attacker_key, kid="random-y"), "unknown key id")
    assert cert_server.hits == 3


def test_stale_certs_are_used_when_the_refetch_fails(
    authenticator: Authenticator,
    mint: Callable[..., str],
    clock: FakeClock,
    cert_server: CertServer,
) -> None:
    """When the certs endpoint fails after max-age, the previous certs keep verifying tokens."""
    authenticate(authenticator, mint())
    cert_server.status = 500
    clock.advance(601)
    assert authenticate(authenticator, mint()).kind == "google"
    assert cert_server.hits == 2


def test_unreachable_certs_endpoint_is_a_503(
    authenticator: Authenticator, mint: Callable[..., str], cert_server: CertServer
) -> None:
    """With no certs ever fetched, a failing endpoint is reported as 503, not as bad credentials."""
    cert_server.status = 503
    with pytest.raises(BackendUnavailableError, match="signing certificates"):
        authenticate(authenticator, mint())


def test_cache_lifetime_reads_max_age_and_age() -> None:
    """The cache lifetime is max-age minus Age, and zero when caching is not allowed."""
    assert cache_lifetime({"Cache-Control": "public, max-age=19766, must-revalidate"}) == 19766
    assert cache_lifetime({"Cache-Control": "public, max-age=100", "Age": "40"}) == 60
    assert cache_lifetime({"Cache-Control": "public, max-age=100", "Age": "400"}) == 0
    assert cache_lifetime({"Cache-Control": "no-store, max-age=100"}) == 0
    assert cache_lifetime({"Cache-Control": "s-maxage=100"}) == 0
    assert cache_lifetime({}) == 0
