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
from sheet_schema.messages import text

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


def key_check(settings: Settings, language: str = "en") -> tuple[Check, Credentials | None]:
    """The key parses as a service-account key; never echoes what it holds."""
    name = "google: key"
    if settings.google_credentials is None:
        return failed(
            name,
            text("doctor.key_unset_detail", language, setting=KEY_SETTING),
            text("doctor.key_unset_fix", language, setting=KEY_SETTING),
        ), None
    value = settings.google_credentials.get_secret_value()
    inline = value.lstrip().startswith("{")
    where = (
        text("doctor.key_where_inline", language, setting=KEY_SETTING)
        if inline
        else text("doctor.key_where_file", language, path=value)
    )
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
            text(
                "doctor.key_unreadable_detail",
                language,
                where=where,
                reason=exc.strerror or type(exc).__name__,
            ),
            text("doctor.key_unreadable_fix", language, setting=KEY_SETTING),
        ), None
    except (ValueError, KeyError) as exc:
        bad_json = isinstance(exc, json.JSONDecodeError)
        reason = "not_json" if bad_json else "not_service_account"
        return failed(
            name,
            text(f"doctor.key_{reason}_detail", language, where=where),
            text("doctor.key_bad_fix", language, setting=KEY_SETTING),
        ), None
    email = str(credentials.service_account_email)
    return passed(name, text("doctor.key_ok", language, email=email)), credentials


def token_check(
    credentials: Credentials,
    settings: Settings,
    governor: QuotaGovernor | None,
    language: str = "en",
) -> tuple[Check, Google | None]:
    """Google's token endpoint hands the key an access token (a deleted or disabled key, or a
    clock far off, is refused here)."""
    name = "google: token"
    email = str(credentials.service_account_email)
    try:
        plain, session = _sessions(credentials, settings.google_api_override)
        credentials.refresh(Request(plain))  # type: ignore[no-untyped-call]
    except ConfigurationError as exc:
        return failed(name, exc.message, text("doctor.token_override_fix", language)), None
    except RefreshError as exc:
        reason = str(exc.args[0]) if exc.args else "refused"
        return failed(
            name,
            text("doctor.token_refused_detail", language, email=email, reason=reason),
            text("doctor.token_refused_fix", language, email=email, setting=KEY_SETTING),
        ), None
    except (TransportError, requests.RequestException) as exc:
        return failed(
            name,
            text("doctor.token_unreachable_detail", language, error=type(exc).__name__),
            text("doctor.token_unreachable_fix", language),
        ), None
    project = str(getattr(credentials, "project_id", None) or "default")
    google = Google(email, project, session, settings.google_timeout_seconds, governor)
    return passed(name, text("doctor.token_ok", language, email=email)), google


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


def opens(
    google: Google, spreadsheet_id: str, language: str = "en"
) -> tuple[Check, dict[str, Any] | None]:
    """spreadsheets.get of the title and time zone: the spreadsheet exists and is shared."""
    name = "sheet: opens"
    share = text("doctor.share_fix", language, email=google.email)
    try:
        answer = google.get(
            SHEETS_URL.format(spreadsheet_id),
            {"fields": "properties(title,timeZone)"},
            sheets=True,
        )
    except requests.RequestException as exc:
        return failed(
            name,
            text("doctor.google_unreachable", language, error=type(exc).__name__),
            text("doctor.try_later", language),
        ), None
    if answer.status_code in (403, 404):
        what = "opens_missing" if answer.status_code == 404 else "opens_not_shared"
        return failed(
            name,
            text(
                f"doctor.{what}",
                language,
                id=spreadsheet_id,
                email=google.email,
                status=answer.status_code,
            ),
            share,
        ), None
    if answer.status_code != 200:
        return failed(
            name,
            text(
                "doctor.google_answered",
                language,
                status=answer.status_code,
                message=_message(answer),
            ),
            text("doctor.google_answered_fix", language),
        ), None
    props = dict(answer.json().get("properties", {}))
    title = props.get("title", "")
    return passed(name, text("doctor.opens_ok", language, title=title, id=spreadsheet_id)), props


def can_edit(google: Google, spreadsheet_id: str, language: str = "en") -> Check:
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
            name,
            text("doctor.drive_unreachable", language, error=type(exc).__name__),
            text("doctor.try_later", language),
        )
    if answer.status_code == 403 and _reason(answer) in ("accessNotConfigured", "SERVICE_DISABLED"):
        return failed(
            name,
            text("doctor.drive_disabled_detail", language, project=google.project),
            text("doctor.drive_disabled_fix", language),
        )
    email = google.email
    if answer.status_code != 200:
        return failed(
            name,
            text(
                "doctor.drive_answered",
                language,
                status=answer.status_code,
                message=_message(answer),
            ),
            text("doctor.drive_answered_fix", language, email=email),
        )
    if answer.json().get("capabilities", {}).get("canEdit") is True:
        return passed(name, text("doctor.can_edit_ok", language, email=email))
    return failed(
        name,
        text("doctor.can_edit_view_detail", language, email=email),
        text("doctor.can_edit_view_fix", language, email=email),
    )


def time_zone(
    sheet_zone: str,
    expected: str,
    sheet_id: str,
    now: datetime,
    *,
    registered: bool,
    language: str = "en",
) -> Check:
    """The spreadsheet's time zone (its NOW(), TODAY() and the add-on's times) is the team's
    (in which the service reads the dates people type)."""
    name = "sheet: time zone"
    whose = text(f"doctor.tz_whose_{'registered' if registered else 'team'}", language)
    if same_zone(sheet_zone, expected, now):
        return passed(name, text("doctor.tz_ok", language, zone=sheet_zone, whose=whose))
    return failed(
        name,
        text("doctor.tz_detail", language, zone=sheet_zone, whose=whose, expected=expected),
        text("doctor.tz_fix", language, zone=sheet_zone, expected=expected, sheet_id=sheet_id),
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


def skipped_after(names: tuple[str, ...], why: str, language: str = "en") -> list[Check]:
    """Each named check skipped, saying why (`why` in `language` already)."""
    return [skipped(name, text("doctor.skipped", language, why=why)) for name in names]


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
