"""Authentication and authorisation for the API: Google OIDC identity tokens from the add-on,
HMAC-signed requests, and a static token for Prometheus. Framework-free; `fastapi_adapter` is the
thin glue for FastAPI requests."""

from app.allow_list import normalize_allow_list_entry
from app.auth.authenticator import METRICS_PATH, Authenticator
from app.auth.hmac_auth import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    canonical_request,
    derive_sheet_secret,
    sign_request,
)
from app.auth.principal import Principal, email_allowed
from app.auth.replay import InMemoryReplayCache, ReplayCache
from app.auth.settings import AuthSettings

__all__ = [
    "METRICS_PATH",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "AuthSettings",
    "Authenticator",
    "InMemoryReplayCache",
    "Principal",
    "ReplayCache",
    "canonical_request",
    "derive_sheet_secret",
    "email_allowed",
    "normalize_allow_list_entry",
    "sign_request",
]
