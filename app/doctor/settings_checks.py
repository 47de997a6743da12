"""What the settings alone say about a deployment: the environment, who can authenticate, the
metrics token, and whether the quota governor keeps under Google's published Sheets API limits.
Pure: they read only the `Settings` they are given."""

from __future__ import annotations

import math

from app.auth.authenticator import MIN_MASTER_SECRET_LENGTH, MIN_METRICS_TOKEN_LENGTH
from app.doctor.check import Check, failed, passed
from app.service.quota import QuotaSettings
from app.settings import Settings

# Google's published Sheets API quotas, the same for reads and for writes: requests per minute
# per project, and per user per project (a service account is one user).
# https://developers.google.com/workspace/sheets/api/limits
GOOGLE_PER_PROJECT_PER_MINUTE = 300
GOOGLE_PER_USER_PER_MINUTE = 60
DEV_SECRET_NOTE = "var/dev-hmac-secret"


def environment(settings: Settings, *, google: bool) -> Check:
    """production for a deployment; development and test only for the demo, a workbook or the
    local emulator (development makes up its own HMAC secret, which no deployer knows)."""
    name = "settings: environment"
    env = settings.environment
    if env == "production":
        if settings.google_api_override:
            return failed(
                name,
                "production with AFTERSALES_GOOGLE_API_OVERRIDE set: the service refuses to start",
                "Unset AFTERSALES_GOOGLE_API_OVERRIDE (it is for tests against the emulator).",
            )
        return passed(name, "production")
    if google and not settings.google_api_override:
        return failed(
            name,
            f"{env} serving a Google spreadsheet",
            "Set AFTERSALES_ENVIRONMENT=production for a deployment (it refuses to start "
            "without authentication and never makes up a secret).",
        )
    where = "the local Google emulator" if google else "a local workbook"
    return passed(name, f"{env} (for {where})")


def authentication(settings: Settings) -> Check:
    """Someone can authenticate: Google identity tokens (OIDC audiences) and/or HMAC."""
    name = "settings: authentication"
    auth = settings.auth
    master = auth.hmac_master_secret
    if master is not None and len(master.get_secret_value()) < MIN_MASTER_SECRET_LENGTH:
        return failed(
            name,
            f"AFTERSALES_AUTH__HMAC_MASTER_SECRET is shorter than {MIN_MASTER_SECRET_LENGTH} "
            "characters: the service refuses to start",
            "Set it to a long random value, e.g. the output of `openssl rand -hex 32`.",
        )
    ways = []
    if auth.oidc_audiences:
        ways.append(f"Google sign-in for audience {', '.join(auth.oidc_audiences)}")
    if master is not None:
        ways.append("HMAC signatures (sheet keys from the master secret)")
    if ways:
        return passed(name, "; ".join(ways))
    if settings.environment == "development":
        return passed(name, f"development: HMAC with the random secret in {DEV_SECRET_NOTE}")
    return failed(
        name,
        "no caller can authenticate (no OIDC audience, no HMAC master secret)",
        "Set AFTERSALES_AUTH__OIDC_AUDIENCES to the add-on's OAuth client id (or the service's "
        "custom audience) and/or AFTERSALES_AUTH__HMAC_MASTER_SECRET to a random value of "
        f"{MIN_MASTER_SECRET_LENGTH}+ characters.",
    )


def metrics_token(settings: Settings) -> Check:
    """Prometheus scrapes /metrics with its own token (in production it must be set)."""
    name = "settings: metrics token"
    token = settings.auth.metrics_token
    fix = (
        f"Set AFTERSALES_AUTH__METRICS_TOKEN to a random value of {MIN_METRICS_TOKEN_LENGTH}+ "
        "characters and give it to Prometheus as its bearer token."
    )
    if token is None:
        if settings.environment == "production":
            return failed(name, "not set: Prometheus cannot scrape /metrics", fix)
        return passed(name, "not set (only signed callers may read /metrics)")
    if len(token.get_secret_value()) < MIN_METRICS_TOKEN_LENGTH:
        return failed(
            name,
            f"shorter than {MIN_METRICS_TOKEN_LENGTH} characters: the service refuses to start",
            fix,
        )
    return passed(name, "set")


def per_minute(requests: int, window_seconds: float) -> int:
    """The most requests the governor lets through in any one minute, `requests` per window."""
    if window_seconds >= 60:
        return requests
    return requests * math.ceil(60 / window_seconds)


def quota(settings: QuotaSettings) -> Check:
    """The governor is on and keeps every replica together under Google's per-minute quotas."""
    name = "google: quota"
    if not settings.enabled:
        return failed(
            name,
            "the quota governor is off: with many sheets Google answers 429",
            "Set AFTERSALES_QUOTA__ENABLED=true.",
        )
    project = per_minute(settings.per_project, settings.window_seconds)
    user = per_minute(settings.per_user, settings.window_seconds)
    over = []
    if project > GOOGLE_PER_PROJECT_PER_MINUTE:
        over.append(f"{project}/min per project (Google allows {GOOGLE_PER_PROJECT_PER_MINUTE})")
    if user > GOOGLE_PER_USER_PER_MINUTE:
        over.append(f"{user}/min per user (Google allows {GOOGLE_PER_USER_PER_MINUTE})")
    window = f"{settings.window_seconds:g} s"
    if over:
        return failed(
            name,
            f"up to {' and '.join(over)} with {settings.per_project} and {settings.per_user} "
            f"requests per {window}",
            f"Set AFTERSALES_QUOTA__PER_PROJECT={GOOGLE_PER_PROJECT_PER_MINUTE}, "
            f"AFTERSALES_QUOTA__PER_USER={GOOGLE_PER_USER_PER_MINUTE} and "
            "AFTERSALES_QUOTA__WINDOW_SECONDS=60 (or lower), unless Google raised your "
            "project's quota.",
        )
    return passed(
        name,
        f"{settings.per_project} per project and {settings.per_user} per user every {window}, "
        f"within Google's {GOOGLE_PER_PROJECT_PER_MINUTE} and {GOOGLE_PER_USER_PER_MINUTE} "
        "per minute",
    )
