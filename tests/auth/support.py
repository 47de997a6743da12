"""Test support for auth: RSA keys with self-signed certificates, a fake clock, the state of the
local certs endpoint, identity-token claims, and shared constants."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt

START = 1_750_000_000.0  # the fake clock's start (2025-06-15)
AUDIENCE = "1234567890-addon.apps.googleusercontent.com"
OTHER_AUDIENCE = "555-other.apps.googleusercontent.com"
MASTER_SECRET = "master-secret-0123456789abcdef0123456789abcdef"
METRICS_TOKEN = "prometheus-scrape-token-0123456789"
GOOGLE_KID = "google-key-1"
ROTATED_KID = "google-key-2"


@dataclass(frozen=True)
class SigningKey:
    private_pem: str
    certificate_pem: str

    def signer(self) -> crypt.RSASigner:
        return _signer(self.private_pem)


@functools.lru_cache(maxsize=8)
def _signer(private_pem: str) -> crypt.RSASigner:
    # Loading a private key validates it (slow): mint every token from one loaded signer.
    signer: crypt.RSASigner = crypt.RSASigner.from_string(private_pem)  # type: ignore[no-untyped-call]
    return signer


def make_key(name: str) -> SigningKey:
    """A 2048-bit RSA key and its self-signed x509 certificate (as Google's v1 endpoint serves)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    not_before = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SigningKey(private_pem, certificate.public_bytes(serialization.Encoding.PEM).decode())


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class CertServer:
    """The local certs endpoint's state; tests change `certs`, `max_age` and `status` freely."""

    certs: dict[str, str]
    max_age: int = 600
    status: int = 200
    hits: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


def claims_at(now: float, **overrides: Any) -> dict[str, Any]:
    """Claims like those of ScriptApp.getIdentityToken(); a None override removes the claim."""
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "aud": AUDIENCE,
        "azp": AUDIENCE,
        "sub": "110169484474386276334",
        "email": "lily@agency.com",
        "email_verified": True,
        "iat": int(now),
        "exp": int(now) + 3600,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
