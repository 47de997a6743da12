"""OAuth2: the JWT-bearer token endpoint, bearer checks and Google's 401 shape."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests
from google.auth import crypt, jwt
from google.oauth2 import service_account as ga_service_account

from tests.emulator import Emulator, ServiceAccount, generate_service_account
from tests.emulator.client import credentials, emulator_session

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _assertion(
    key_pem: str, email: str, audience: str = "https://oauth2.googleapis.com/token"
) -> str:
    now = int(time.time())
    claims = {
        "iss": email,
        "scope": "https://www.googleapis.com/auth/spreadsheets",
        "aud": audience,
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(crypt.RSASigner.from_string(key_pem), claims).decode()


def _token(emulator: Emulator, assertion: str) -> requests.Response:
    return requests.post(
        emulator.token_url, data={"grant_type": JWT_GRANT, "assertion": assertion}, timeout=10
    )


def test_key_file_points_at_the_emulator(
    emulator: Emulator, service_account: ServiceAccount
) -> None:
    """The generated key file is a service-account JSON whose token_uri is the emulator."""
    assert service_account.path is not None
    info = json.loads(service_account.path.read_text())
    assert info["type"] == "service_account"
    assert info["token_uri"] == emulator.token_url
    assert info["client_email"] == service_account.email


def test_token_endpoint_issues_bearer_tokens(
    emulator: Emulator, service_account: ServiceAccount
) -> None:
    """A correctly signed JWT-bearer assertion yields an access token like Google's."""
    response = _token(emulator, _assertion(service_account.private_key_pem, service_account.email))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
    api = requests.get(
        f"{emulator.base_url}/drive/v3/files",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert api.status_code == 200


def test_bad_signature_is_rejected(emulator: Emulator, service_account: ServiceAccount) -> None:
    """An assertion signed with another key fails with invalid_grant."""
    impostor = generate_service_account()
    response = _token(emulator, _assertion(impostor.private_key_pem, service_account.email))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid JWT Signature.",
    }


def test_unknown_account_and_wrong_audience_are_rejected(
    emulator: Emulator, service_account: ServiceAccount
) -> None:
    """Unregistered issuers and foreign audiences are refused."""
    stranger = generate_service_account("stranger")
    response = _token(emulator, _assertion(stranger.private_key_pem, stranger.email))
    assert response.json()["error"] == "invalid_grant"
    wrong_aud = _assertion(
        service_account.private_key_pem, service_account.email, "https://evil.test/"
    )
    assert (
        _token(emulator, wrong_aud).json()["error_description"]
        == "Invalid JWT: Failed audience check."
    )


def test_requests_without_valid_bearer_get_401(emulator: Emulator) -> None:
    """Missing or unknown tokens get Google's 401 UNAUTHENTICATED body and header."""
    missing = requests.get(f"{emulator.base_url}/v4/spreadsheets/abc", timeout=10)
    assert missing.status_code == 401
    error = missing.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["details"][0]["reason"] == "CREDENTIALS_MISSING"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer realm=")
    bogus = requests.get(
        f"{emulator.base_url}/v4/spreadsheets/abc",
        headers={"Authorization": "Bearer nope"},
        timeout=10,
    )
    assert bogus.status_code == 401
    assert bogus.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_TYPE_UNSUPPORTED"


def test_expired_tokens_are_refreshed_by_google_auth(
    emulator: Emulator, service_account: ServiceAccount
) -> None:
    """After the emulator expires tokens, google-auth gets a 401, refreshes and retries."""
    session = emulator_session(emulator.base_url, credentials(service_account))
    url = "https://www.googleapis.com/drive/v3/files"
    assert session.get(url, timeout=10).status_code == 200
    emulator.expire_tokens()
    assert session.get(url, timeout=10).status_code == 200
    assert [r.status for r in emulator.requests()] == [200, 401, 200]
    assert emulator.token_requests == 2


def test_self_signed_jwt_access(emulator: Emulator, service_account: ServiceAccount) -> None:
    """Credentials that send a self-signed JWT as the bearer are accepted too."""
    assert service_account.path is not None
    creds = ga_service_account.Credentials.from_service_account_file(
        str(service_account.path), scopes=["https://www.googleapis.com/auth/spreadsheets"]
    ).with_always_use_jwt_access(True)
    session = emulator_session(emulator.base_url, creds)
    response = session.get("https://www.googleapis.com/drive/v3/files", timeout=10)
    assert response.status_code == 200
    assert emulator.token_requests == 0


def test_static_tokens(emulator: Emulator, tmp_path: Path) -> None:
    """A registered static token acts as its principal without an OAuth round trip."""
    emulator.add_static_token("fixed-token", "robot@example.com")
    response = requests.post(
        f"{emulator.base_url}/drive/v3/files",
        json={"name": "Static", "mimeType": "application/vnd.google-apps.spreadsheet"},
        headers={"Authorization": "Bearer fixed-token"},
        timeout=10,
    )
    assert response.status_code == 200
    assert emulator.spreadsheet(response.json()["id"]).owner == "robot@example.com"
