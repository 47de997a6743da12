"""Pointing unmodified gspread / google-auth code at the emulator: service-account
credentials whose token_uri is the emulator, and a requests transport adapter that
rewrites https://sheets.googleapis.com and https://www.googleapis.com to it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    import gspread

    from .auth import ServiceAccount
    from .emulator import Emulator

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)


class EmulatorAdapter(HTTPAdapter):
    """Sends requests for Google API hosts to the emulator, keeping path and query."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                request.url = self.base_url + url[len(host) :]
                break
        return super().send(request, *args, **kwargs)


def route_to_emulator(session: requests.Session, base_url: str) -> requests.Session:
    """Mount the rewriting adapter on an existing session (AuthorizedSession included)."""
    adapter = EmulatorAdapter(base_url)
    for host in GOOGLE_HOSTS:
        session.mount(host, adapter)
    return session


@functools.lru_cache(maxsize=32)
def _base_credentials(path: str) -> service_account.Credentials:
    # parsing an RSA key costs ~0.1 s (key validation): do it once per key file
    return service_account.Credentials.from_service_account_file(path)


def credentials(
    key: ServiceAccount | Path | str, scopes: tuple[str, ...] = SCOPES
) -> service_account.Credentials:
    """Fresh google-auth service-account credentials (no token yet) from a key file
    written for the emulator."""
    path = getattr(key, "path", None) or key
    return _base_credentials(str(path)).with_scopes(list(scopes))


def emulator_session(base_url: str, creds: Any) -> AuthorizedSession:
    """An AuthorizedSession whose Google API traffic goes to the emulator."""
    session = AuthorizedSession(creds)
    route_to_emulator(session, base_url)
    return session


def gspread_client(emulator: Emulator | str, key: ServiceAccount | Path | str) -> gspread.Client:
    """A gspread.Client authenticated as the service account, talking to the emulator."""
    import gspread

    base_url = emulator if isinstance(emulator, str) else emulator.base_url
    creds = credentials(key)
    return gspread.Client(auth=creds, session=emulator_session(base_url, creds))
