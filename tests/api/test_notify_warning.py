"""The service says at start when notices have nowhere to go."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.app import create_app
from app.notify.settings import NotifySettings, WebhookSettings
from tests.api.conftest import api_settings
from tests.auth.support import CertServer


def test_start_without_a_channel_warns(
    tmp_path: Path, cert_server: CertServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Starting with no webhook and no SMTP logs one warning naming the settings to set."""
    app = create_app(api_settings(tmp_path, cert_server.url), start_scheduler=False)
    with caplog.at_level(logging.WARNING, logger="aftersales.api"), TestClient(app):
        pass
    warned = [r.getMessage() for r in caplog.records if "notifications" in r.getMessage()]
    assert len(warned) == 1
    assert "no channel configured" in warned[0]
    assert "AFTERSALES_NOTIFY__WEBHOOKS" in warned[0]


def test_start_with_a_channel_does_not_warn(
    tmp_path: Path, cert_server: CertServer, caplog: pytest.LogCaptureFixture
) -> None:
    """With a webhook configured there is nothing to warn about."""
    hook = WebhookSettings(name="team", url=SecretStr("https://hooks.example.com/x"))
    settings = api_settings(tmp_path, cert_server.url).model_copy(
        update={"notify": NotifySettings(webhooks=(hook,))}
    )
    app = create_app(settings, start_scheduler=False)
    with caplog.at_level(logging.WARNING, logger="aftersales.api"), TestClient(app):
        pass
    assert not [r for r in caplog.records if "notifications" in r.getMessage()]
