"""AuthSettings: defaults, list parsing, allow-list checks, and embedding into the service's
pydantic-settings `Settings` under AFTERSALES_AUTH__*."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.auth import AuthSettings


class EmbeddingSettings(BaseSettings):
    """How the lead embeds AuthSettings (mirrors app.settings.Settings' env prefix)."""

    model_config = SettingsConfigDict(
        env_prefix="AFTERSALES_", env_nested_delimiter="__", hide_input_in_errors=True
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)


def test_defaults_are_closed() -> None:
    """By default no audience, allow-list entry, HMAC secret or metrics token is configured."""
    settings = AuthSettings()
    assert settings.oidc_audiences == []
    assert settings.oidc_issuers == ["https://accounts.google.com", "accounts.google.com"]
    assert settings.google_certs_url == "https://www.googleapis.com/oauth2/v1/certs"
    assert settings.allowed_principals == []
    assert settings.hmac_master_secret is None and settings.metrics_token is None
    assert settings.max_skew_seconds == 300


def test_lists_accept_comma_separated_text_and_entries_are_normalised() -> None:
    """List settings accept "a, b" as well as JSON, and allow-list entries are lower-cased."""
    settings = AuthSettings.model_validate(
        {
            "oidc_audiences": "a.apps.googleusercontent.com, b.apps.googleusercontent.com",
            "allowed_principals": '["Lily@Agency.com", "@desk.example"]',
        }
    )
    assert settings.oidc_audiences == [
        "a.apps.googleusercontent.com",
        "b.apps.googleusercontent.com",
    ]
    assert settings.allowed_principals == ["lily@agency.com", "@desk.example"]


def test_bad_allow_list_entry_is_rejected() -> None:
    """An allow-list entry that is neither an email nor "@domain" is a validation error."""
    with pytest.raises(ValidationError, match="allow-list entry"):
        AuthSettings(allowed_principals=["agency.com"])


def test_embedded_settings_read_nested_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Embedded as `auth`, the settings come from AFTERSALES_AUTH__* and secrets stay masked."""
    monkeypatch.setenv("AFTERSALES_AUTH__OIDC_AUDIENCES", "x.apps.googleusercontent.com,y")
    monkeypatch.setenv("AFTERSALES_AUTH__ALLOWED_PRINCIPALS", "@agency.com")
    monkeypatch.setenv("AFTERSALES_AUTH__HMAC_MASTER_SECRET", "s3cr3t-" * 6)
    monkeypatch.setenv("AFTERSALES_AUTH__MAX_SKEW_SECONDS", "120")
    settings = EmbeddingSettings()
    assert settings.auth.oidc_audiences == ["x.apps.googleusercontent.com", "y"]
    assert settings.auth.allowed_principals == ["@agency.com"]
    assert settings.auth.max_skew_seconds == 120
    assert settings.auth.hmac_master_secret is not None
    assert settings.auth.hmac_master_secret.get_secret_value() == "s3cr3t-" * 6
    assert "s3cr3t" not in repr(settings)
