"""Shared-secret HMAC request signatures.

The signed message (bytes) is

    f"{METHOD}\\n{path_with_query}\\n{timestamp}\\n".encode("utf-8") + body

- METHOD: upper-case HTTP method ("POST").
- path_with_query: the request target exactly as sent, e.g. "/v1/sheets/abc/sync?dry_run=1"
  (no scheme/host; "?query" only when there is a query string; no re-encoding or sorting).
- timestamp: unix seconds as a decimal integer, the same string as the X-Aftersales-Timestamp
  header.
- body: the raw request body bytes (empty for GET).

Signature = lower-case hex of HMAC-SHA256(key, message), sent as `X-Aftersales-Signature:
sha256=<hex>` (a bare `<hex>` is accepted too). The key is the UTF-8 bytes of the secret string:
for a sheet that is the 64-character hex string `derive_sheet_secret(master, sheet_id)` itself
(not its decoded bytes); for non-sheet endpoints it is the master secret.

In Apps Script (body is the JSON string sent as the payload):
    const msg = method + "\\n" + path + "\\n" + ts + "\\n" + body;
    const sig = Utilities.computeHmacSha256Signature(msg, sheetSecret, Utilities.Charset.UTF_8)
      .map((b) => (b & 0xff).toString(16).padStart(2, "0")).join("");
"""

from __future__ import annotations

import hashlib
import hmac
import re

TIMESTAMP_HEADER = "X-Aftersales-Timestamp"
SIGNATURE_HEADER = "X-Aftersales-Signature"
SHEET_SECRET_PREFIX = "aftersales-sheet:"

_HEX_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
_TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,11}")  # canonical: no sign, no leading zeros


def derive_sheet_secret(master: str, sheet_id: str) -> str:
    """The sheet's HMAC key: hex(HMAC-SHA256(master, "aftersales-sheet:" + sheet_id))."""
    if not master:
        raise ValueError("the master secret is empty")
    if not sheet_id:
        raise ValueError("the sheet id is empty")
    message = (SHEET_SECRET_PREFIX + sheet_id).encode("utf-8")
    return hmac.new(master.encode("utf-8"), message, hashlib.sha256).hexdigest()


def canonical_request(method: str, path: str, timestamp: int, body: bytes) -> bytes:
    """The exact bytes that are signed (see the module docstring)."""
    return f"{method.upper()}\n{path}\n{timestamp}\n".encode() + body


def compute_signature(secret: str, method: str, path: str, body: bytes, timestamp: int) -> str:
    """Lower-case hex HMAC-SHA256 of the canonical request."""
    message = canonical_request(method, path, timestamp, body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_request(
    secret: str, method: str, path: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The two headers that authenticate a request (reference for the CLI and the add-on)."""
    signature = compute_signature(secret, method, path, body, timestamp)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"sha256={signature}"}


def parse_timestamp(value: str) -> int | None:
    """Unix seconds from the header, or None when it is not a plain decimal integer."""
    text = value.strip()
    return int(text) if _TIMESTAMP.fullmatch(text) else None


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
