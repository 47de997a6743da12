"""Sends Google API traffic to another base URL: the local Sheets API emulator in tests.

A requests transport adapter mounted on the google-auth session rewrites
`https://sheets.googleapis.com`, `https://www.googleapis.com` and the OAuth token endpoint to
the emulator; gspread itself is never patched. Only loopback targets are accepted, so a
misconfigured production service cannot be pointed at a third party.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from requests.adapters import HTTPAdapter

from app.errors import ConfigurationError

GOOGLE_HOSTS = (
    "https://sheets.googleapis.com",
    "https://www.googleapis.com",
    "https://oauth2.googleapis.com",
)
LOOPBACK = ("127.", "localhost", "[::1]", "::1")


class RedirectAdapter(HTTPAdapter):
    """Rewrites a request's scheme and host to `base` before sending it."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = request.url or ""
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                request.url = self.base + url[len(host) :]
                break
        return super().send(request, **kwargs)


def check_loopback(base: str) -> str:
    host = urlsplit(base).hostname or ""
    if not any(host.startswith(p.strip("[]")) for p in LOOPBACK):
        raise ConfigurationError(
            f"google_api_override must point at this machine (a local emulator), not {host!r}"
        )
    return base


def redirected_session(credentials: Credentials, base: str) -> AuthorizedSession:
    """An AuthorizedSession whose Google traffic (token refresh included) goes to `base`."""
    check_loopback(base)
    # google-auth refreshes tokens through its own session; route that one the same way.
    refresh_session = requests.Session()
    for host in GOOGLE_HOSTS:
        refresh_session.mount(host, RedirectAdapter(base))
    session = AuthorizedSession(  # type: ignore[no-untyped-call]
        credentials, auth_request=Request(refresh_session)
    )
    for host in GOOGLE_HOSTS:
        session.mount(host, RedirectAdapter(base))
    return session
