"""`AuthSettings`: how callers prove who they are; a part of `app.settings.Settings`.

It imports nothing else of `app.auth` (the allow-list check is `app.allow_list`), so the
model itself depends on nothing above the settings.

Secrets are `SecretStr` and are deliberately *not* validated here: pydantic puts the raw input
into validation errors of nested models, so a too-short secret would be echoed in a startup error.
`Authenticator` checks secret lengths and raises a `ConfigurationError` that names only the field.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from app.allow_list import normalize_allow_list_entry

GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"]
GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"


def _split_commas(value: object) -> object:
    """Accept a JSON list, or "a,b" (handy in environment variables), as well as ["a", "b"]."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


# NoDecode: pydantic-settings hands the raw environment string to `_split_commas` instead of
# insisting on JSON, so AFTERSALES_AUTH__OIDC_AUDIENCES=a,b works (and so does '["a","b"]').
StrList = Annotated[list[str], NoDecode]


class AuthSettings(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True, extra="ignore")

    # OAuth client id(s) the add-on's identity tokens are issued for (`aud`). Empty: OIDC is off.
    oidc_audiences: StrList = Field(default_factory=list)
    # Accepted `iss` values; google-auth's verify_token does not check the issuer, we do.
    oidc_issuers: StrList = Field(default_factory=lambda: list(GOOGLE_ISSUERS))
    # Google's v1 certs endpoint ({kid: PEM x509 certificate}); tests point it at a local server.
    google_certs_url: str = GOOGLE_CERTS_URL
    # Global allow-list for non-sheet endpoints (/v1/policies, /readyz, /metrics):
    # exact emails ("lily@agency.com") or whole domains ("@agency.com").
    allowed_principals: StrList = Field(default_factory=list)
    # Master secret for HMAC signatures; sheet keys are derived from it. None: HMAC is off.
    hmac_master_secret: SecretStr | None = None
    # Static bearer token Prometheus sends; valid for /metrics only. None: off.
    metrics_token: SecretStr | None = None
    # HMAC timestamps may differ from our clock by at most this much, either way.
    max_skew_seconds: int = Field(default=300, gt=0, le=3600)
    # Leeway for the identity token's `iat`/`exp`/`nbf` against our clock.
    oidc_clock_skew_seconds: int = Field(default=30, ge=0, le=300)
    # At most one fetch of the certs endpoint per this many seconds (a token naming an unknown
    # `kid` triggers a refetch; random kids must not turn into a flood of requests to Google).
    certs_min_refetch_seconds: float = Field(default=60.0, ge=0)
    certs_timeout_seconds: float = Field(default=10.0, gt=0)
    # Bound of the in-memory replay cache (signatures seen within the skew window).
    replay_cache_max_entries: int = Field(default=100_000, gt=0)

    @field_validator("oidc_audiences", "oidc_issuers", "allowed_principals", mode="before")
    @classmethod
    def _accept_comma_separated(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("allowed_principals")
    @classmethod
    def _check_allow_list(cls, entries: list[str]) -> list[str]:
        return [normalize_allow_list_entry(entry) for entry in entries]

    @field_validator("oidc_audiences", "oidc_issuers")
    @classmethod
    def _no_blanks(cls, values: list[str]) -> list[str]:
        if any(not value.strip() for value in values):
            raise ValueError("entries must not be blank")
        return [value.strip() for value in values]
