"""OAuth2 for the emulator: test service-account keys, the JWT-bearer token endpoint
(RS256 signatures checked against registered public keys) and access-token lookup."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
TOKEN_LIFETIME = 3599
CLOCK_SKEW = 300


@dataclass(frozen=True)
class ServiceAccount:
    """A generated test service account and its key file."""

    email: str
    project_id: str
    key_id: str
    private_key_pem: str
    public_key_pem: str
    path: Path | None = None

    def info(self, token_uri: str) -> dict[str, str]:
        """The service-account JSON, as Google issues it, pointing at the emulator."""
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": self.key_id,
            "private_key": self.private_key_pem,
            "client_email": self.email,
            "client_id": str(secrets.randbelow(10**20)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + self.email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }


def generate_service_account(
    name: str = "aftersales-test", project_id: str = "aftersales-emulator"
) -> ServiceAccount:
    """A fresh RSA-2048 key pair for a service account ``name@project.iam...``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    email = f"{name}@{project_id}.iam.gserviceaccount.com"
    return ServiceAccount(email, project_id, secrets.token_hex(20), private_pem, public_pem)


def write_key_file(account: ServiceAccount, directory: Path, token_uri: str) -> ServiceAccount:
    """Write the service-account JSON into directory; returns the account with its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{account.email.split('@')[0]}.json"
    path.write_text(json.dumps(account.info(token_uri), indent=2), encoding="utf-8")
    return ServiceAccount(
        account.email,
        account.project_id,
        account.key_id,
        account.private_key_pem,
        account.public_key_pem,
        path,
    )


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass
class Principal:
    email: str
    project: str


@dataclass
class _Token:
    principal: Principal
    expires: float
    scopes: list[str] = field(default_factory=list)


class TokenAuthority:
    """Registered public keys, issued access tokens and static test tokens (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[Any, str]] = {}
        self._tokens: dict[str, _Token] = {}
        self._static: dict[str, Principal] = {}
        self.clock = clock
        self.token_lifetime = TOKEN_LIFETIME
        self.extra_audiences: set[str] = set()

    def register(self, email: str, public_key_pem: str, project_id: str) -> None:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        with self._lock:
            self._keys[email.lower()] = (key, project_id)

    def add_static_token(self, token: str, email: str, project: str = "emulator") -> None:
        with self._lock:
            self._static[token] = Principal(email, project)

    def reset(self, identities: bool = False) -> None:
        with self._lock:
            self._tokens.clear()
            if identities:
                self._keys.clear()
                self._static.clear()

    def expire_tokens(self) -> None:
        """Invalidate every issued access token (clients must refresh)."""
        with self._lock:
            self._tokens.clear()

    def _verify(self, assertion: str) -> tuple[dict[str, Any], str]:
        try:
            header_b64, payload_b64, sig_b64 = assertion.split(".")
            header = json.loads(_b64decode(header_b64))
            claims = json.loads(_b64decode(payload_b64))
            signature = _b64decode(sig_b64)
        except (ValueError, json.JSONDecodeError) as exc:
            raise OAuthError("invalid_grant", "Invalid JWT: malformed assertion.") from exc
        if header.get("alg") != "RS256":
            raise OAuthError("invalid_grant", "Invalid JWT: unsupported algorithm.")
        issuer = str(claims.get("iss", "")).lower()
        with self._lock:
            entry = self._keys.get(issuer)
        if entry is None:
            raise OAuthError("invalid_grant", "Invalid grant: account not found")
        key, project = entry
        try:
            key.verify(
                signature,
                f"{header_b64}.{payload_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature as exc:
            raise OAuthError("invalid_grant", "Invalid JWT Signature.") from exc
        now = self.clock()
        exp, iat = float(claims.get("exp", 0)), float(claims.get("iat", 0))
        if exp < now - CLOCK_SKEW or iat > now + CLOCK_SKEW or exp - iat > 3600 + CLOCK_SKEW:
            raise OAuthError(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                "timeframe. Check your iat and exp values in the JWT claim.",
            )
        return claims, project

    def token_request(self, form: dict[str, str], own_token_url: str) -> dict[str, Any]:
        """Handle POST /token (form fields); returns the JSON body or raises OAuthError."""
        grant = form.get("grant_type")
        if grant != JWT_GRANT:
            raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant}")
        claims, project = self._verify(form.get("assertion", ""))
        audiences = {GOOGLE_TOKEN_AUDIENCE, own_token_url, *self.extra_audiences}
        if claims.get("aud") not in audiences:
            raise OAuthError("invalid_grant", "Invalid JWT: Failed audience check.")
        if not claims.get("scope"):
            raise OAuthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        token = "ya29.emu-" + secrets.token_urlsafe(32)
        principal = Principal(str(claims["iss"]), project)
        with self._lock:
            self._tokens[token] = _Token(
                principal, self.clock() + self.token_lifetime, str(claims["scope"]).split()
            )
        return {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}

    def principal(self, bearer: str) -> Principal | None:
        """The caller behind an access token (or a self-signed service-account JWT)."""
        with self._lock:
            static = self._static.get(bearer)
            token = self._tokens.get(bearer)
        if static is not None:
            return static
        if token is not None:
            if token.expires < self.clock():
                return None
            return token.principal
        if bearer.count(".") == 2:
            try:
                claims, project = self._verify(bearer)
            except OAuthError:
                return None
            return Principal(str(claims["iss"]), project)
        return None
