"""Choosing the credential: the metrics token (only for /metrics), missing or ambiguous
credentials, and secrets that never reach error messages, logs or reprs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from pydantic import SecretStr

from app.auth import Authenticator, AuthSettings, Principal, derive_sheet_secret, sign_request
from app.errors import AuthError, ConfigurationError
from tests.auth.support import MASTER_SECRET, METRICS_TOKEN, START, FakeClock, bearer


def auth(
    authenticator: Authenticator, path: str, headers: dict[str, str], sheet: str | None = None
) -> Principal:
    return authenticator.authenticate(
        method="GET", path=path, headers=headers, body=b"", sheet=sheet
    )


@pytest.mark.parametrize("path", ["/metrics", "/metrics?name[]=up"])
def test_metrics_token_is_accepted_on_metrics(authenticator: Authenticator, path: str) -> None:
    """Prometheus' static bearer token authenticates requests to /metrics."""
    assert auth(authenticator, path, bearer(METRICS_TOKEN)) == Principal("metrics", "metrics")


@pytest.mark.parametrize(
    ("path", "sheet"), [("/readyz", None), ("/v1/policies", None), ("/v1/sheets/s/sync", "s")]
)
def test_metrics_token_is_refused_elsewhere(
    authenticator: Authenticator, path: str, sheet: str | None
) -> None:
    """The metrics token is refused on every path but /metrics, without being echoed."""
    with pytest.raises(AuthError, match="only accepted on /metrics") as caught:
        auth(authenticator, path, bearer(METRICS_TOKEN), sheet)
    assert METRICS_TOKEN not in str(caught.value)


def test_metrics_token_is_off_when_not_configured(
    make_authenticator: Callable[..., Authenticator],
) -> None:
    """Without a configured metrics token, that string is just a malformed identity token."""
    with pytest.raises(AuthError, match="malformed token"):
        auth(make_authenticator(metrics_token=None), "/metrics", bearer(METRICS_TOKEN))


def test_master_hmac_and_allowed_email_also_reach_metrics(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """/metrics is a non-sheet endpoint: the master-secret signature and Google tokens work too."""
    headers = sign_request(MASTER_SECRET, "GET", "/metrics", b"", int(START))
    assert auth(authenticator, "/metrics", headers).subject == "hmac:master"
    ops = auth(authenticator, "/metrics", bearer(mint(email="ops@agency.com")))
    authenticator.authorize(ops, sheet=None, allowed=["ops@agency.com"])


def test_missing_credentials_are_refused(authenticator: Authenticator) -> None:
    """A request without any credential gets a 401 that says what to send."""
    with pytest.raises(AuthError, match="missing credentials") as caught:
        auth(authenticator, "/v1/policies", {"Accept": "application/json"})
    assert caught.value.status_code == 401


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc"])
def test_non_bearer_authorization_is_refused(authenticator: Authenticator, value: str) -> None:
    """Only the Bearer scheme is understood."""
    with pytest.raises(AuthError, match="must be 'Bearer <token>'"):
        auth(authenticator, "/v1/policies", {"authorization": value})


def test_bearer_and_signature_together_are_refused(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """Sending a bearer token and an HMAC signature at once is refused as ambiguous."""
    headers = bearer(mint()) | sign_request(MASTER_SECRET, "GET", "/v1/policies", b"", int(START))
    with pytest.raises(AuthError, match="not both"):
        auth(authenticator, "/v1/policies", headers)


def test_secrets_never_appear_in_errors_logs_or_reprs(
    authenticator: Authenticator,
    auth_settings: AuthSettings,
    mint: Callable[..., str],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Across every kind of failure, neither the master secret, a sheet key, the metrics token nor
    the presented token shows up in an error message, a log record or the settings' repr."""
    caplog.set_level(logging.DEBUG)
    sheet_key = derive_sheet_secret(MASTER_SECRET, "s")
    token = mint(aud="someone-else")
    attempts: list[tuple[str, dict[str, str], str | None]] = [
        ("/v1/sheets/s/sync", bearer(token), "s"),
        ("/v1/sheets/s/sync", bearer(mint(email_verified=False)), "s"),
        ("/readyz", bearer(METRICS_TOKEN), None),
        ("/v1/sheets/s/sync", sign_request(sheet_key, "GET", "/other", b"", int(START)), "s"),
        ("/v1/sheets/t/sync", sign_request(sheet_key, "GET", "/v1/sheets/t/sync", b"", 0), "t"),
        ("/v1/policies", sign_request(MASTER_SECRET, "GET", "/x", b"", int(START)), None),
        ("/v1/policies", {"Authorization": f"Bearer {MASTER_SECRET}"}, None),
        ("/v1/policies", {"Authorization": f"Basic {MASTER_SECRET}"}, None),
    ]
    messages = []
    for path, headers, sheet in attempts:
        with pytest.raises(AuthError) as caught:
            auth(authenticator, path, headers, sheet)
        messages.append(f"{caught.value} {caught.value!r} {caught.value.args}")
    texts = [*messages, repr(auth_settings), str(auth_settings), caplog.text]
    for secret in (MASTER_SECRET, sheet_key, METRICS_TOKEN, token, token.split(".")[1]):
        for text in texts:
            assert secret not in text


@pytest.mark.parametrize("field", ["hmac_master_secret", "metrics_token"])
def test_short_secrets_are_a_configuration_error_that_does_not_quote_them(field: str) -> None:
    """A too-short secret stops start-up with an error naming the setting, not the value."""
    weak = "hunter2-weak"
    with pytest.raises(ConfigurationError, match=field) as caught:
        Authenticator(AuthSettings.model_validate({field: SecretStr(weak)}))
    assert weak not in str(caught.value)
