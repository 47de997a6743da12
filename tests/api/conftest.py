"""Fixtures for the HTTP API tests: a real app (real store, registry and authenticator) over a
temporary SQLite file, a workbook sheet registered as `desk`, and a client that signs requests
with HMAC or sends Google-style identity tokens minted with the local test key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.app import create_app
from app.auth import AuthSettings
from app.settings import Settings
from tests.api.support import (
    ALLOWED_EMAILS,
    SHEET,
    Api,
    Clock,
    base_cases,
)
from tests.auth.conftest import cert_server, google_key  # noqa: F401  (fixtures, reused)
from tests.auth.support import AUDIENCE, MASTER_SECRET, METRICS_TOKEN, CertServer, SigningKey
from tests.workbooks import write_workbook


def api_settings(tmp_path: Path, certs_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=SecretStr(f"sqlite:///{tmp_path}/store.db"),
        workbook=tmp_path / "unused.xlsx",
        auth=AuthSettings(
            hmac_master_secret=SecretStr(MASTER_SECRET),
            oidc_audiences=[AUDIENCE],
            google_certs_url=certs_url,
            allowed_principals=ALLOWED_EMAILS,
            metrics_token=SecretStr(METRICS_TOKEN),
        ),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path: Path, cert_server: CertServer, clock: Clock) -> FastAPI:  # noqa: F811
    return create_app(api_settings(tmp_path, cert_server.url), clock=clock, start_scheduler=False)


@pytest.fixture
def api(
    app: FastAPI,
    tmp_path: Path,
    google_key: SigningKey,  # noqa: F811
    clock: Clock,
) -> Iterator[Api]:
    """The app running (lifespan entered) with the sheet `desk`: two valid cases."""
    with TestClient(app) as client:
        api = Api(
            app=app,
            client=client,
            tmp=tmp_path,
            google_key=google_key,
            clock=clock,
        )
        api.add_sheet(SHEET, write_workbook(tmp_path / "desk.xlsx", base_cases()))
        yield api
