"""`Authenticator`: turns a request's credentials into a `Principal` (401 when it cannot) and
decides whether that principal may act on a sheet or a non-sheet endpoint (403 when not).

Credentials, in the request headers (names are case-insensitive):

- `Authorization: Bearer <Google identity token>` (OIDC: the add-on's ScriptApp.getIdentityToken())
- `Authorization: Bearer <metrics_token>` (Prometheus; only for `/metrics`)
- `X-Aftersales-Timestamp` + `X-Aftersales-Nonce` + `X-Aftersales-Signature` (HMAC, see
  `app.auth.hmac_auth`): keyed by `derive_sheet_secret(master, sheet, key_version)` on sheet
  endpoints (the version comes from `sheet_key_version`, which also tells an unknown sheet apart
  from a wrong key) and by the master secret on the others.

Sending both a bearer token and a signature is refused as ambiguous. Only HMAC needs the body
(`needs_body`), so a bearer token is checked before the body is read.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping, Sequence

import requests
from pydantic import SecretStr

from app.auth.hmac_auth import (
    NONCE_HEADER,
    NONCE_RULE,
    SIGNATURE_HEADER,
    SIGNATURE_HEADERS,
    TIMESTAMP_HEADER,
    compute_signature,
    derive_sheet_secret,
    parse_nonce,
    parse_signature,
    parse_timestamp,
    signature_matches,
    window_phrase,
)
from app.auth.oidc import GoogleCertCache, GoogleTokenVerifier
from app.auth.principal import (
    MASTER_SUBJECT,
    METRICS_SUBJECT,
    Principal,
    domain_entry_without_workspace,
    email_allowed,
)
from app.auth.replay import InMemoryReplayCache, ReplayCache
from app.auth.settings import AuthSettings
from app.errors import AuthError, ConfigurationError, ForbiddenError

METRICS_PATH = "/metrics"
MIN_MASTER_SECRET_LENGTH = 32
MIN_METRICS_TOKEN_LENGTH = 16
_HMAC_HEADERS = tuple(name.lower() for name in SIGNATURE_HEADERS)


def first_key_version(sheet: str) -> int:
    """Without a registry every sheet has its first key."""
    return 1


def needs_body(headers: Mapping[str, str]) -> bool:
    """True when the request's credentials cover the body (an HMAC signature): only then must
    the body be read before the caller is known."""
    return any(name.lower() in _HMAC_HEADERS for name in headers)


def has_credentials(headers: Mapping[str, str]) -> bool:
    """True when the request carries any credential header at all (valid or not)."""
    return needs_body(headers) or any(name.lower() == "authorization" for name in headers)


def missing_credentials() -> AuthError:
    return AuthError(
        "missing credentials: send 'Authorization: Bearer <identity token>' or the "
        f"{TIMESTAMP_HEADER}, {NONCE_HEADER} and {SIGNATURE_HEADER} headers"
    )


class Authenticator:
    def __init__(
        self,
        settings: AuthSettings,
        *,
        clock: Callable[[], float] = time.time,
        http: requests.Session | None = None,
        replay_cache: ReplayCache | None = None,
        sheet_key_version: Callable[[str], int] = first_key_version,
    ) -> None:
        """`sheet_key_version(sheet)` is the sheet's current key version; it raises (e.g. a
        404 for a sheet nobody registered) when there is no key to check a signature with."""
        self._master = _checked_secret(
            settings.hmac_master_secret, "hmac_master_secret", MIN_MASTER_SECRET_LENGTH
        )
        self._metrics_token = _checked_secret(
            settings.metrics_token, "metrics_token", MIN_METRICS_TOKEN_LENGTH
        )
        self._settings = settings
        self._clock = clock
        self._sheet_key_version = sheet_key_version
        if replay_cache is None:  # not `or`: an empty cache is falsy (it has __len__)
            replay_cache = InMemoryReplayCache(settings.replay_cache_max_entries)
        self._replay = replay_cache
        certs = GoogleCertCache(
            settings.google_certs_url,
            clock=clock,
            http=http or requests.Session(),
            min_refetch_seconds=settings.certs_min_refetch_seconds,
            timeout_seconds=settings.certs_timeout_seconds,
        )
        self._tokens = GoogleTokenVerifier(
            certs,
            audiences=settings.oidc_audiences,
            issuers=settings.oidc_issuers,
            clock=clock,
            clock_skew_seconds=settings.oidc_clock_skew_seconds,
        )

    def authenticate(
        self,
        *,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        sheet: str | None,
    ) -> Principal:
        """Who sent this request. `path` is the request target with its query string, exactly as
        received; `sheet` is the sheet id from the URL (None for non-sheet endpoints)."""
        if sheet is not None and not sheet:
            raise AuthError("the sheet id is empty")
        lowered = {name.lower(): value for name, value in headers.items()}
        authorization = lowered.get("authorization")
        signature = lowered.get(SIGNATURE_HEADER.lower())
        timestamp = lowered.get(TIMESTAMP_HEADER.lower())
        nonce = lowered.get(NONCE_HEADER.lower())
        signed = signature is not None or timestamp is not None or nonce is not None
        if authorization is not None and signed:
            raise AuthError(
                "send either an Authorization bearer token or an HMAC signature, not both"
            )
        if signed:
            return self._authenticate_hmac(
                method=method,
                path=path,
                body=body,
                sheet=sheet,
                signature=signature,
                timestamp=timestamp,
                nonce=nonce,
            )
        if authorization is not None:
            return self._authenticate_bearer(authorization, path=path, sheet=sheet)
        raise missing_credentials()

    def authorize(self, principal: Principal, *, sheet: str | None, allowed: Sequence[str]) -> None:
        """Raise ForbiddenError unless `principal` may act on `sheet` (None: a non-sheet endpoint).

        `allowed` is the sheet's allow-list, or the global one (`allowed_principals`) when `sheet`
        is None; it only matters for Google principals.
        """
        if principal.kind == "google":
            if email_allowed(principal.subject, allowed, principal.hosted_domain):
                return
            where = "on this sheet" if sheet is not None else "to call this endpoint"
            refusal = f"email {principal.subject} is not allowed {where}"
            entry = domain_entry_without_workspace(principal.subject, allowed)
            if entry is not None:
                domain = entry.strip().lower()[1:]
                account = (
                    "this is a personal Google account (no hosted domain)"
                    if principal.hosted_domain is None
                    else f"this account belongs to the {principal.hosted_domain} Workspace"
                )
                refusal += (
                    f": '{entry}' admits only accounts of the {domain} Google Workspace, and "
                    f"{account}; sign in with your {domain} Workspace account or ask for the "
                    "address to be listed exactly"
                )
            raise ForbiddenError(refusal)
        if principal.kind == "hmac":
            if principal.sheet == sheet:
                return
            if sheet is None:
                raise ForbiddenError("a sheet key may only be used on its own sheet's endpoints")
            raise ForbiddenError("this key is not valid for this sheet")
        if sheet is None:  # metrics: authenticate() already restricted it to /metrics
            return
        raise ForbiddenError("the metrics token cannot act on sheets")

    def _authenticate_bearer(
        self, authorization: str, *, path: str, sheet: str | None
    ) -> Principal:
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise AuthError("the Authorization header must be 'Bearer <token>'")
        if self._metrics_token is not None and hmac.compare_digest(
            credential.encode("utf-8"), self._metrics_token.get_secret_value().encode("utf-8")
        ):
            if sheet is None and path.partition("?")[0] == METRICS_PATH:
                return Principal(kind="metrics", subject=METRICS_SUBJECT)
            raise AuthError(f"the metrics token is only accepted on {METRICS_PATH}")
        if not self._settings.oidc_audiences:
            raise AuthError("Google identity tokens are not accepted: no OAuth client id is set")
        identity = self._tokens.verify(credential)
        return Principal(
            kind="google", subject=identity.email, hosted_domain=identity.hosted_domain
        )

    def _authenticate_hmac(
        self,
        *,
        method: str,
        path: str,
        body: bytes,
        sheet: str | None,
        signature: str | None,
        timestamp: str | None,
        nonce: str | None,
    ) -> Principal:
        if self._master is None:
            raise AuthError("HMAC signatures are not enabled on this service")
        if signature is None or timestamp is None:
            raise AuthError(f"an HMAC request needs both {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}")
        seconds = parse_timestamp(timestamp)
        if seconds is None:
            raise AuthError(f"{TIMESTAMP_HEADER} must be unix seconds (a decimal integer)")
        provided = parse_signature(signature)
        if provided is None:
            raise AuthError(f"{SIGNATURE_HEADER} must be 'sha256=<64 hex digits>'")
        if nonce is None:
            raise AuthError(
                f"a signed request needs the {NONCE_HEADER} header ({NONCE_RULE}, fresh for "
                "every request, covered by the signature)"
            )
        if parse_nonce(nonce) is None:
            raise AuthError(f"{NONCE_HEADER} must be {NONCE_RULE}")
        now = self._clock()
        skew = self._settings.max_skew_seconds
        if abs(now - seconds) > skew:
            raise AuthError(f"timestamp outside the {window_phrase(skew)} window")

        master = self._master.get_secret_value()
        if sheet is not None:
            # Before the signature: a mistyped sheet id is "unknown sheet", not a wrong key.
            key = derive_sheet_secret(master, sheet, self._sheet_key_version(sheet))
        else:
            key = master
        expected = compute_signature(key, method, path, body, seconds, nonce)
        if not signature_matches(expected, provided):
            scope = "this sheet's key" if sheet is not None else "the master secret"
            raise AuthError(f"signature does not match (expected one made with {scope})")

        scope_key = f"sheet:{sheet}" if sheet is not None else "master"
        if not self._replay.check_and_remember(
            f"{scope_key}:{provided}", expires_at=seconds + skew + 1, now=now
        ):
            raise AuthError("signature replayed")
        if sheet is not None:
            return Principal(kind="hmac", subject=f"hmac:{sheet}", sheet=sheet)
        return Principal(kind="hmac", subject=MASTER_SUBJECT)


def _checked_secret(secret: SecretStr | None, field: str, min_length: int) -> SecretStr | None:
    """Refuse a short secret without ever quoting its value."""
    if secret is not None and len(secret.get_secret_value()) < min_length:
        raise ConfigurationError(f"{field} must be at least {min_length} characters long")
    return secret
