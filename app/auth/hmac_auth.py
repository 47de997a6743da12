"""Shared-secret HMAC request signatures.

Headers of a signed request:

    X-Aftersales-Timestamp: <unix seconds, decimal integer>
    X-Aftersales-Nonce:     <16-64 characters of A-Z a-z 0-9 _ ->, fresh for every request
    X-Aftersales-Signature: sha256=<64 lower-case hex digits>   (a bare <hex> is accepted too)

The signed message (bytes) is

    f"{METHOD}\n{path_with_query}\n{timestamp}\n{nonce}\n".encode("utf-8") + body

- METHOD: upper-case HTTP method ("POST").
- path_with_query: the request target exactly as sent, e.g. "/v1/sheets/abc/sync?dry_run=1"
  (no scheme/host; "?query" only when there is a query string; no re-encoding or sorting).
- timestamp: the same string as the X-Aftersales-Timestamp header.
- nonce: the same string as the X-Aftersales-Nonce header. Two presses in the same second with
  the same secret differ by their nonces; the replay cache refuses a signature seen before.
- body: the raw request body bytes (empty for GET).

Signature = lower-case hex of HMAC-SHA256(key, message). The key is the UTF-8 bytes of the
secret string: for a sheet that is the 64-character hex string `derive_sheet_secret(master,
sheet_id, key_version)` itself (not its decoded bytes), as `aftersales sheets secret ID` prints
it; for non-sheet endpoints it is the master secret.

In Apps Script (body is the JSON string sent as the payload):
    const nonce = Utilities.getUuid().replace(/-/g, "");  // 32 hex characters
    const msg = method + "\n" + path + "\n" + ts + "\n" + nonce + "\n" + body;
    const sig = Utilities.computeHmacSha256Signature(msg, sheetSecret, Utilities.Charset.UTF_8)
      .map((b) => (b & 0xff).toString(16).padStart(2, "0")).join("");
    headers["X-Aftersales-Timestamp"] = String(ts);
    headers["X-Aftersales-Nonce"] = nonce;
    headers["X-Aftersales-Signature"] = "sha256=" + sig;
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TIMESTAMP_HEADER = "X-Aftersales-Timestamp"
SIGNATURE_HEADER = "X-Aftersales-Signature"
NONCE_HEADER = "X-Aftersales-Nonce"
SIGNATURE_HEADERS = (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
SHEET_SECRET_PREFIX = "aftersales-sheet:"
NONCE_RULE = "16-64 letters, digits, '-' or '_'"

_HEX_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
_TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,11}")  # canonical: no sign, no leading zeros
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def derive_sheet_secret(master: str, sheet_id: str, key_version: int = 1) -> str:
    """The sheet's HMAC key for its `key_version` (the registry's; `aftersales sheets rotate`
    increments it): hex(HMAC-SHA256(master, "aftersales-sheet:" + sheet_id)) for version 1 (the
    key every sheet had before rotation existed), and with "#v<version>" appended for later
    versions. A sheet id never holds '#', so no two (sheet, version) pairs share a message."""
    if not master:
        raise ValueError("the master secret is empty")
    if not sheet_id:
        raise ValueError("the sheet id is empty")
    if key_version < 1:
        raise ValueError("a key version starts at 1")
    suffix = "" if key_version == 1 else f"#v{key_version}"
    message = (SHEET_SECRET_PREFIX + sheet_id + suffix).encode("utf-8")
    return hmac.new(master.encode("utf-8"), message, hashlib.sha256).hexdigest()


def canonical_request(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The exact bytes that are signed (see the module docstring)."""
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n".encode() + body


def compute_signature(
    secret: str, method: str, path: str, body: bytes, timestamp: int, nonce: str
) -> str:
    """Lower-case hex HMAC-SHA256 of the canonical request."""
    message = canonical_request(method, path, timestamp, nonce, body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """A fresh random nonce (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


def sign_request(
    secret: str,
    method: str,
    path: str,
    body: bytes,
    timestamp: int,
    nonce: str | None = None,
) -> dict[str, str]:
    """The three headers that authenticate a request (reference for scripts and the add-on).

    Without `nonce` a fresh random one is made, so two calls never give the same signature."""
    nonce = new_nonce() if nonce is None else nonce
    if parse_nonce(nonce) is None:
        raise ValueError(f"a nonce is {NONCE_RULE}")
    signature = compute_signature(secret, method, path, body, timestamp, nonce)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: f"sha256={signature}",
    }


def parse_timestamp(value: str) -> int | None:
    """Unix seconds from the header, or None when it is not a plain decimal integer."""
    text = value.strip()
    return int(text) if _TIMESTAMP.fullmatch(text) else None


def parse_nonce(value: str) -> str | None:
    """The nonce as sent, or None when it is not 16-64 of [A-Za-z0-9_-]."""
    return value if _NONCE.fullmatch(value) else None


def parse_signature(value: str) -> str | None:
    """Lower-case hex from "sha256=<hex>" or "<hex>", or None when malformed."""
    text = value.strip()
    if text[:7].lower() == "sha256=":
        text = text[7:]
    return text.lower() if _HEX_SIGNATURE.fullmatch(text) else None


def signature_matches(expected_hex: str, provided_hex: str) -> bool:
    """Constant-time comparison of two hex signatures."""
    return hmac.compare_digest(expected_hex.encode("ascii"), provided_hex.encode("ascii"))


def window_phrase(seconds: int) -> str:
    """ "5-minute" for 300, "90-second" for 90: used in the skew error message."""
    if seconds % 60 == 0:
        return f"{seconds // 60}-minute"
    return f"{seconds}-second"
