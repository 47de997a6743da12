"""Google: the service account's key parses (its `client_email` is what the team shares each
sheet with), a token can be obtained with it, and the spreadsheet opens, is editable by it
(Drive's `capabilities.canEdit`, not only readable) and keeps the team's time zone.

The doctor asks for one more scope than a sync (`drive.metadata.readonly`, to read the file's
capabilities); a service account may ask for any scope, but the project must have the Google
Drive API enabled, and the check says so when it is not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials

from app.doctor.check import Check, failed, passed, skipped
from app.errors import ConfigurationError
from app.settings import Settings
from app.sheets.quota import QuotaGovernor, quota_slot
from app.sheets.redirect import GOOGLE_HOSTS, RedirectAdapter, check_loopback

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets/{}"
DRIVE_URL = "https://www.googleapis.com/drive/v3/files/{}"
KEY_SETTING = "AFTERSALES_GOOGLE_CREDENTIALS"


@dataclass(slots=True)
class Google:
    """A signed-in session of the service account (what the key and token checks produce)."""

    email: str
    project: str
    session: AuthorizedSession
    timeout: float
    governor: QuotaGovernor | None = None

    def get(self, url: str, params: dict[str, str], *, sheets: bool) -> requests.Response:
        """One GET; a Sheets request takes a quota slot first, as every request of a sync does
        (Drive has quotas of its own)."""
        with quota_slot(self.governor if sheets else None, self.email, self.project, "read"):
            return self.session.get(url, params=params, timeout=self.timeout)


def key_check(settings: Settings) -> tuple[Check, Credentials | None]:
    """The key parses as a service-account key; never echoes what it holds."""
    name = "google: key"
    if settings.google_credentials is None:
        return failed(
            name,
            f"{KEY_SETTING} is not set",
            f"Set {KEY_SETTING} to the service account's JSON key file (or its JSON).",
        ), None
    value = settings.google_credentials.get_secret_value()
    inline = value.lstrip().startswith("{")
    where = "the JSON in " + KEY_SETTING if inline else f"the key file {value}"
    try:
        info = json.loads(value if inline else Path(value).read_text(encoding="utf-8"))
        if not isinstance(info, dict) or info.get("type") != "service_account":
            raise ValueError("not a service-account key")
        credentials = Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=list(SCOPES)
        )
    except OSError as exc:
        return failed(
            name,
            f"{where} cannot be read ({exc.strerror or type(exc).__name__})",
            f"Point {KEY_SETTING} at the JSON key file the service can read.",
        ), None
    except (ValueError, KeyError) as exc:
        bad_json = isinstance(exc, json.JSONDecodeError)
        reason = "not JSON" if bad_json else "not a service-account key"
        return failed(
            name,
            f"{where} is {reason}",
            "Create a JSON key for the service account (IAM & Admin ▸ Service accounts ▸ Keys "
            f"▸ Add key ▸ JSON) and point {KEY_SETTING} at it.",
        ), None
    email = str(credentials.service_account_email)
    return passed(
        name, f"service account {email}: share each sheet with it as an Editor"
    ), credentials


def token_check(
    credentials: Credentials, settings: Settings, governor: QuotaGovernor | None
) -> tuple[Check, Google | None]:
    """Google's token endpoint hands the key an access token (a deleted or disabled key, or a
    clock far off, is refused here)."""
    name = "google: token"
    email = str(credentials.service_account_email)
    try:
        plain, session = _sessions(credentials, settings.google_api_override)
        credentials.refresh(Request(plain))  # type: ignore[no-untyped-call]
    except ConfigurationError as exc:
        return failed(name, exc.message, "Unset AFTERSALES_GOOGLE_API_OVERRIDE."), None
    except RefreshError as exc:
        reason = str(exc.args[0]) if exc.args else "refused"
        return failed(
            name,
            f"Google refused the key of {email}: {reason}",
            f"The key may be deleted or disabled: create a new JSON key for {email} (IAM & Admin "
            f"▸ Service accounts ▸ Keys) and point {KEY_SETTING} at it; check this machine's "
            "clock too.",
        ), None
    except (TransportError, requests.RequestException) as exc:
        return failed(
            name,
            f"Google's token endpoint could not be reached ({type(exc).__name__})",
            "Let the service reach oauth2.googleapis.com (HTTPS out) and try again.",
        ), None
    project = str(getattr(credentials, "project_id", None) or "default")
    google = Google(email, project, session, settings.google_timeout_seconds, governor)
    return passed(name, f"an access token for {email}"), google


def _sessions(
    credentials: Credentials, override: str | None
) -> tuple[requests.Session, AuthorizedSession]:
    """(a plain session for the token endpoint, the signed-in session for API calls); with the
    test override both send Google's traffic to the local emulator."""
    plain = requests.Session()
    session = AuthorizedSession(credentials, auth_request=Request(plain))  # type: ignore[no-untyped-call]
    if override:
        check_loopback(override)
        for host in GOOGLE_HOSTS:
            plain.mount(host, RedirectAdapter(override))
            session.mount(host, RedirectAdapter(override))
    return plain, session


def opens(google: Google, spreadsheet_id: str) -> tuple[Check, dict[str, Any] | None]:
    """spreadsheets.get of the title and time zone: the spreadsheet exists and is shared."""
    name = "sheet: opens"
    share = (
        f"Share the spreadsheet with {google.email} as an Editor (Share ▸ add {google.email} ▸ "
        "Editor ▸ Send), and check the id in the sheet's URL (…/spreadsheets/d/ID/edit)."
    )
    try:
        answer = google.get(
            SHEETS_URL.format(spreadsheet_id),
            {"fields": "properties(title,timeZone)"},
            sheets=True,
        )
    except requests.RequestException as exc:
        return failed(
            name, f"Google could not be reached ({type(exc).__name__})", "Try again later."
        ), None
    if answer.status_code in (403, 404):
        what = "is not shared with"
        if answer.status_code == 404:
            what = "does not exist or is not shared with"
        return failed(
            name,
            f"spreadsheet {spreadsheet_id} {what} {google.email} (Google answered "
            f"{answer.status_code})",
            share,
        ), None
    if answer.status_code != 200:
        return failed(
            name,
            f"Google answered {answer.status_code}: {_message(answer)}",
            "Try again in a minute; if it persists, check the Google Cloud status page.",
        ), None
    props = dict(answer.json().get("properties", {}))
    return passed(name, f"'{props.get('title', '')}' ({spreadsheet_id})"), props


def can_edit(google: Google, spreadsheet_id: str) -> Check:
    """Drive's files.get capabilities.canEdit: the service account may write, not only read."""
    name = "sheet: can edit"
    try:
        answer = google.get(
            DRIVE_URL.format(spreadsheet_id),
            {"fields": "capabilities(canEdit)", "supportsAllDrives": "true"},
            sheets=False,
        )
    except requests.RequestException as exc:
        return failed(
            name, f"Google Drive could not be reached ({type(exc).__name__})", "Try again later."
        )
    if answer.status_code == 403 and _reason(answer) in ("accessNotConfigured", "SERVICE_DISABLED"):
        return failed(
            name,
            "the Google Drive API is not enabled in the service account's project "
            f"({google.project}), so sharing cannot be checked",
            "Enable the Google Drive API for the project (APIs & Services ▸ Library ▸ Google "
            "Drive API ▸ Enable), then run doctor again.",
        )
    if answer.status_code != 200:
        return failed(
            name,
            f"Drive answered {answer.status_code}: {_message(answer)}",
            f"Share the spreadsheet with {google.email} as an Editor.",
        )
    if answer.json().get("capabilities", {}).get("canEdit") is True:
        return passed(name, f"{google.email} may edit it")
    return failed(
        name,
        f"{google.email} may only view (or comment on) it: every sync would be refused",
        f"In the spreadsheet: Share ▸ {google.email} ▸ change Viewer to Editor ▸ Save.",
    )


def time_zone(
    sheet_zone: str, expected: str, sheet_id: str, now: datetime, *, registered: bool
) -> Check:
    """The spreadsheet's time zone (its NOW(), TODAY() and the add-on's times) is the team's
    (in which the service reads the dates people type)."""
    name = "sheet: time zone"
    whose = "the sheet's registered zone" if registered else "the team's zone (team.yaml)"
    if same_zone(sheet_zone, expected, now):
        return passed(name, f"{sheet_zone}, {whose}")
    return failed(
        name,
        f"the spreadsheet is set to {sheet_zone}; {whose} is {expected}",
        f"In the spreadsheet: File ▸ Settings ▸ Time zone ▸ {expected}. Or, if the team "
        f"works in {sheet_zone}: aftersales sheets add {sheet_id} --timezone {sheet_zone} "
        "--replace (with its --allow entries again).",
    )


def same_zone(first: str, second: str, now: datetime) -> bool:
    """Two zone names that keep the same clock over the next two years (Asia/Chongqing and
    Asia/Shanghai do)."""
    if first == second:
        return True
    try:
        zones = ZoneInfo(first), ZoneInfo(second)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    moments = [now + timedelta(days=15 * k) for k in range(49)]
    first_zone, second_zone = zones
    return all(
        m.astimezone(first_zone).utcoffset() == m.astimezone(second_zone).utcoffset()
        for m in moments
    )


def skipped_after(names: tuple[str, ...], why: str) -> list[Check]:
    return [skipped(name, f"skipped: {why}") for name in names]


def _error(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _message(answer: requests.Response) -> str:
    return str(_error(answer).get("message") or answer.reason or "no message")


def _reason(answer: requests.Response) -> str:
    error = _error(answer)
    for item in error.get("errors") or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    for item in error.get("details") or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return ""
