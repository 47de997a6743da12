"""What the settings alone say about a deployment: the environment, who can authenticate, the
metrics token, and whether the quota governor keeps under Google's published Sheets API limits.
Pure: they read only the `Settings` they are given."""

from __future__ import annotations

import math

from app.auth.authenticator import MIN_MASTER_SECRET_LENGTH, MIN_METRICS_TOKEN_LENGTH
from app.doctor.check import Check, failed, passed
from app.service.quota import QuotaSettings
from app.settings import Settings
from sheet_schema.messages import text

# Google's published Sheets API quotas, the same for reads and for writes: requests per minute
# per project, and per user per project (a service account is one user).
# https://developers.google.com/workspace/sheets/api/limits
GOOGLE_PER_PROJECT_PER_MINUTE = 300
GOOGLE_PER_USER_PER_MINUTE = 60
DEV_SECRET_NOTE = "var/dev-hmac-secret"


def environment(settings: Settings, *, google: bool, language: str = "en") -> Check:
    """production for a deployment; development and test only for the demo, a workbook or the
    local emulator (development makes up its own HMAC secret, which no deployer knows)."""
    name = "settings: environment"
    env = settings.environment
    if env == "production":
        if settings.google_api_override:
            return failed(
                name,
                text("doctor.env_override_detail", language),
                text("doctor.env_override_fix", language),
            )
        return passed(name, text("doctor.env_production", language))
    if google and not settings.google_api_override:
        return failed(
            name,
            text("doctor.env_not_production_detail", language, env=env),
            text("doctor.env_not_production_fix", language),
        )
    where = text(f"doctor.env_where_{'emulator' if google else 'workbook'}", language)
    return passed(name, text("doctor.env_local", language, env=env, where=where))


def authentication(settings: Settings, language: str = "en") -> Check:
    """Someone can authenticate: Google identity tokens (OIDC audiences) and/or HMAC."""
    name = "settings: authentication"
    auth = settings.auth
    master = auth.hmac_master_secret
    if master is not None and len(master.get_secret_value()) < MIN_MASTER_SECRET_LENGTH:
        return failed(
            name,
            text("doctor.auth_short_secret_detail", language, length=MIN_MASTER_SECRET_LENGTH),
            text("doctor.auth_short_secret_fix", language),
        )
    ways = []
    if auth.oidc_audiences:
        audiences = ", ".join(auth.oidc_audiences)
        ways.append(text("doctor.auth_oidc", language, audiences=audiences))
    if master is not None:
        ways.append(text("doctor.auth_hmac", language))
    if ways:
        return passed(name, text("doctor.auth_separator", language).join(ways))
    if settings.environment == "development":
        return passed(name, text("doctor.auth_development", language, path=DEV_SECRET_NOTE))
    return failed(
        name,
        text("doctor.auth_none_detail", language),
        text("doctor.auth_none_fix", language, length=MIN_MASTER_SECRET_LENGTH),
    )


def metrics_token(settings: Settings, language: str = "en") -> Check:
    """Prometheus scrapes /metrics with its own token (in production it must be set)."""
    name = "settings: metrics token"
    token = settings.auth.metrics_token
    fix = text("doctor.metrics_fix", language, length=MIN_METRICS_TOKEN_LENGTH)
    if token is None:
        if settings.environment == "production":
            return failed(name, text("doctor.metrics_unset_production", language), fix)
        return passed(name, text("doctor.metrics_unset", language))
    if len(token.get_secret_value()) < MIN_METRICS_TOKEN_LENGTH:
        return failed(
            name, text("doctor.metrics_short", language, length=MIN_METRICS_TOKEN_LENGTH), fix
        )
    return passed(name, text("doctor.metrics_set", language))


def per_minute(requests: int, window_seconds: float) -> int:
    """The most requests the governor lets through in any one minute, `requests` per window."""
    if window_seconds >= 60:
        return requests
    return requests * math.ceil(60 / window_seconds)


def quota(settings: QuotaSettings, language: str = "en") -> Check:
    """The governor is on and keeps every replica together under Google's per-minute quotas."""
    name = "google: quota"
    if not settings.enabled:
        return failed(
            name, text("doctor.quota_off_detail", language), text("doctor.quota_off_fix", language)
        )
    project = per_minute(settings.per_project, settings.window_seconds)
    user = per_minute(settings.per_user, settings.window_seconds)
    over = []
    if project > GOOGLE_PER_PROJECT_PER_MINUTE:
        over.append(
            text(
                "doctor.quota_over_project",
                language,
                count=project,
                limit=GOOGLE_PER_PROJECT_PER_MINUTE,
            )
        )
    if user > GOOGLE_PER_USER_PER_MINUTE:
        over.append(
            text("doctor.quota_over_user", language, count=user, limit=GOOGLE_PER_USER_PER_MINUTE)
        )
    window = f"{settings.window_seconds:g} s"
    limits = {
        "project_limit": GOOGLE_PER_PROJECT_PER_MINUTE,
        "user_limit": GOOGLE_PER_USER_PER_MINUTE,
    }
    counts = {"project": settings.per_project, "user": settings.per_user, "window": window}
    if over:
        return failed(
            name,
            text(
                "doctor.quota_over_detail",
                language,
                over=text("doctor.quota_and", language).join(over),
                **counts,
            ),
            text("doctor.quota_over_fix", language, **limits),
        )
    return passed(name, text("doctor.quota_ok", language, **counts, **limits))
