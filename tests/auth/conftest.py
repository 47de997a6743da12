"""Fixtures for auth tests: session-wide test keys, a local certs endpoint shaped like Google's
v1 endpoint ({kid: PEM certificate} + Cache-Control, counting hits), a fake clock, a token
minter and authenticators wired to all of them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from google.auth import jwt
from pydantic import SecretStr

from app.auth import Authenticator, AuthSettings, InMemoryReplayCache
from tests.auth.support import (
    AUDIENCE,
    GOOGLE_KID,
    MASTER_SECRET,
    METRICS_TOKEN,
    OTHER_AUDIENCE,
    CertServer,
    FakeClock,
    SigningKey,
    claims_at,
    make_key,
)


@pytest.fixture(scope="session")
def google_key() -> SigningKey:
    return make_key("google-test")


@pytest.fixture(scope="session")
def rotated_key() -> SigningKey:
    return make_key("google-test-rotated")


@pytest.fixture(scope="session")
def attacker_key() -> SigningKey:
    return make_key("attacker")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cert_server(google_key: SigningKey) -> Iterator[CertServer]:
    state = CertServer(certs={GOOGLE_KID: google_key.certificate_pem})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.hits += 1
                body = json.dumps(state.certs).encode()
                status, max_age = state.status, state.max_age
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Cache-Control", f"public, max-age={max_age}, must-revalidate")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/oauth2/v1/certs"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
    yield session
    session.close()


@pytest.fixture
def mint(google_key: SigningKey, clock: FakeClock) -> Callable[..., str]:
    """mint(key=..., kid=..., **claim_overrides) -> a signed identity token, iat = the clock."""

    def make(*, key: SigningKey | None = None, kid: str = GOOGLE_KID, **overrides: Any) -> str:
        signer = (key or google_key).signer()
        claims = claims_at(clock.now, **overrides)
        token: bytes = jwt.encode(signer, claims, key_id=kid)  # type: ignore[no-untyped-call]
        return token.decode()

    return make


@pytest.fixture
def auth_settings(cert_server: CertServer) -> AuthSettings:
    return AuthSettings(
        oidc_audiences=[AUDIENCE, OTHER_AUDIENCE],
        google_certs_url=cert_server.url,
        allowed_principals=["ops@agency.com", "@desk.example"],
        hmac_master_secret=SecretStr(MASTER_SECRET),
        metrics_token=SecretStr(METRICS_TOKEN),
        certs_min_refetch_seconds=30,
    )


@pytest.fixture
def make_authenticator(
    auth_settings: AuthSettings, clock: FakeClock, http: requests.Session
) -> Callable[..., Authenticator]:
    """make_authenticator(**settings_overrides) -> an Authenticator on the fake clock."""

    def make(**overrides: Any) -> Authenticator:
        settings = AuthSettings.model_validate(auth_settings.model_dump() | overrides)
        return Authenticator(
            settings, clock=clock, http=http, replay_cache=InMemoryReplayCache(1000)
        )

    return make


@pytest.fixture
def authenticator(make_authenticator: Callable[..., Authenticator]) -> Authenticator:
    return make_authenticator()
