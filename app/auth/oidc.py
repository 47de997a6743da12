"""Google OIDC identity tokens: the signing-certificate cache and the token verifier.

The RSA signature is checked with google-auth (`google.auth.crypt.RSAVerifier` over the x509
certificate Google publishes, the same primitive `google.oauth2.id_token.verify_token` uses).
The claims are checked here rather than by `google.auth.jwt.decode` because (a) it reads the wall
clock, and the authenticator has an injectable clock, (b) it does not check the issuer, and
(c) its error messages quote the token, which we must never echo.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from google.auth import crypt

from app.errors import AuthError, BackendUnavailableError

log = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 8192
ALGORITHM = "RS256"

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_MAX_AGE = re.compile(r'(?:^|,)\s*max-age\s*=\s*"?(\d+)"?', re.IGNORECASE)


def cache_lifetime(headers: Mapping[str, str]) -> float:
    """Seconds a certs response may be reused: `Cache-Control: max-age` minus `Age`, else 0."""
    cache_control = headers.get("Cache-Control", "")
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return 0.0
    match = _MAX_AGE.search(cache_control)
    if match is None:
        return 0.0
    age_text = headers.get("Age", "0").strip()
    age = int(age_text) if age_text.isdigit() else 0
    return float(max(0, int(match.group(1)) - age))


class GoogleCertCache:
    """Google's signing certificates ({kid: PEM}), cached as long as `Cache-Control` allows.

    A fetch happens when nothing is cached, when the cache has expired, or when a token names a
    `kid` we do not know (Google rotated its keys), but never more than once per
    `min_refetch_seconds` (failed attempts count), so tokens with random kids cannot make us hammer
    the endpoint. If a refetch fails or is throttled, the previous (stale) certificates are used.
    """

    def __init__(
        self,
        url: str,
        *,
        clock: Callable[[], float],
        http: requests.Session,
        min_refetch_seconds: float,
        timeout_seconds: float,
    ) -> None:
        self._url = url
        self._clock = clock
        self._http = http
        self._min_refetch = min_refetch_seconds
        self._timeout = timeout_seconds
        self._verifiers: dict[str, crypt.Verifier] | None = None
        self._expires_at = 0.0
        self._last_attempt: float | None = None
        self._lock = threading.Lock()

    def verifier(self, kid: str) -> crypt.Verifier:
        """The verifier for `kid`; AuthError if unknown, BackendUnavailableError if no certs."""
        with self._lock:
            now = self._clock()
            if self._verifiers is None or now >= self._expires_at:
                self._refresh(now)
            if self._verifiers is not None and kid not in self._verifiers:
                self._refresh(now)
            if self._verifiers is None:
                raise BackendUnavailableError(
                    "could not fetch Google's signing certificates; retry shortly"
                )
            found = self._verifiers.get(kid)
            if found is None:
                raise AuthError("unknown key id")
            return found

    def _refresh(self, now: float) -> None:
        last = self._last_attempt
        if last is not None and last <= now < last + self._min_refetch:
            return
        self._last_attempt = now
        try:
            verifiers, lifetime = self._fetch()
        except (requests.RequestException, ValueError) as exc:
            log.warning("fetching Google certificates from %s failed: %s", self._url, exc)
            return
        self._verifiers = verifiers
        self._expires_at = now + lifetime

    def _fetch(self) -> tuple[dict[str, crypt.Verifier], float]:
        response = self._http.get(self._url, timeout=self._timeout)
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}")
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("the response is not a JSON object")
        verifiers: dict[str, crypt.Verifier] = {}
        for kid, pem in document.items():
            if not isinstance(kid, str) or not isinstance(pem, str):
                continue
            try:
                verifiers[kid] = crypt.RSAVerifier.from_string(pem)  # type: ignore[no-untyped-call]
            except ValueError:
                log.warning("ignoring an unreadable certificate in %s", self._url)
        if not verifiers:
            raise ValueError("the response holds no usable certificate")
        return verifiers, cache_lifetime(response.headers)


def _b64decode(segment: str) -> bytes:
    if not _B64URL.fullmatch(segment):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _json_object(segment: str) -> dict[str, Any]:
    value = json.loads(_b64decode(segment))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True, slots=True)
class GoogleIdentity:
    """What a verified identity token says about its holder."""

    email: str  # verified, lower-cased
    # The `hd` claim: the Google Workspace domain the account belongs to (lower-cased); None for
    # a personal Google account, even one registered on a company address.
    hosted_domain: str | None


class GoogleTokenVerifier:
    """Verifies an identity token and returns the caller's verified email and hosted domain."""

    def __init__(
        self,
        certs: GoogleCertCache,
        *,
        audiences: Sequence[str],
        issuers: Sequence[str],
        clock: Callable[[], float],
        clock_skew_seconds: int,
    ) -> None:
        self._certs = certs
        self._audiences = frozenset(audiences)
        self._issuers = frozenset(issuers)
        self._clock = clock
        self._skew = clock_skew_seconds

    def verify(self, token: str) -> GoogleIdentity:
        if len(token) > MAX_TOKEN_LENGTH:
            raise AuthError("token too long")
        parts = token.split(".")
        if len(parts) != 3:
            raise AuthError("malformed token: expected a JWT (three dot-separated parts)")
        try:
            header = _json_object(parts[0])
            claims = _json_object(parts[1])
            signature = _b64decode(parts[2])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise AuthError("malformed token") from None

        if header.get("alg") != ALGORITHM:
            raise AuthError(f"unsupported token algorithm (expected {ALGORITHM})")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token has no key id")
        verifier = self._certs.verifier(kid)
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
        if not verifier.verify(signed, signature):  # type: ignore[no-untyped-call]
            raise AuthError("invalid token signature")

        self._check_claims(claims)
        hosted = claims.get("hd")
        hosted_domain = (
            hosted.strip().lower() if isinstance(hosted, str) and hosted.strip() else None
        )
        return GoogleIdentity(str(claims["email"]).strip().lower(), hosted_domain)

    def _check_claims(self, claims: Mapping[str, Any]) -> None:
        if claims.get("iss") not in self._issuers:
            raise AuthError("issuer not allowed")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(aud, str) and aud in self._audiences for aud in audiences):
            raise AuthError("audience not allowed")

        now = self._clock()
        expires = _number(claims.get("exp"))
        issued = _number(claims.get("iat"))
        if expires is None or issued is None:
            raise AuthError("token lacks exp or iat")
        if now > expires + self._skew:
            raise AuthError("token expired")
        if issued > now + self._skew:
            raise AuthError("token issued in the future (check the server clock)")
        not_before = _number(claims.get("nbf"))
        if not_before is not None and not_before > now + self._skew:
            raise AuthError("token not yet valid")

        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise AuthError("token has no email (the add-on needs the userinfo.email scope)")
        if claims.get("email_verified") not in (True, "true"):
            raise AuthError("email is not verified")
