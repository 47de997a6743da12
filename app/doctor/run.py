"""`diagnose`: every check of one deployment and one sheet, in order, each independent of how
the others went except where one needs what another found (a spreadsheet that does not open
cannot be checked for columns: that check is skipped, saying why)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.composition import CompositionRoot
from app.doctor import google_checks as google_
from app.doctor import settings_checks as settings_
from app.doctor.check import Check, Report, failed, skipped
from app.doctor.sheet_checks import (
    cases_tab,
    registered,
    registered_entry,
    workbook_opens,
    workbook_writable,
)
from app.doctor.store_checks import store_checks
from app.errors import AftersalesError
from app.registry import SheetEntry

AFTER_OPENS = ("sheet: can edit", "sheet: time zone", "sheet: cases tab and columns")
AFTER_KEY = ("google: token", "sheet: opens", *AFTER_OPENS)


def diagnose(
    root: CompositionRoot,
    *,
    now: datetime,
    sheet: str | None = None,
    workbook: Path | None = None,
    entry: SheetEntry | None = None,
) -> Report:
    """Check the deployment for one sheet: a registered `entry` (the API), `--sheet ID` (a
    registered id, or a Google spreadsheet id not registered yet) or `--workbook F` (default:
    the settings' workbook, as for every command).

    Reads only: the store is not migrated, nothing is written to the sheet."""
    settings = root.settings
    if entry is None and sheet is None and workbook is None:
        workbook = settings.workbook
    store, store_ready = store_checks(root.store, settings)
    known = entry is not None
    if entry is None and store_ready:
        entry = registered_entry(root.registry, sheet=sheet, workbook=workbook)
    google = entry.kind == "google" if entry is not None else workbook is None
    location = entry.location if entry is not None else (sheet or str(workbook))
    report = Report(target=f"Google spreadsheet {location}" if google else f"workbook {location}")
    report.checks += [
        settings_.environment(settings, google=google),
        settings_.authentication(settings),
        settings_.metrics_token(settings),
        *store,
    ]
    if known or store_ready:
        report.checks.append(registered(entry, sheet=sheet, workbook=workbook))
    else:
        report.checks.append(skipped("sheet: registered", "skipped: the store is not ready"))
    if google:
        _google(root, report, location, entry, now, governed=store_ready)
    else:
        _workbook(root, report, Path(location), entry)
    return report


def _google(
    root: CompositionRoot,
    report: Report,
    spreadsheet_id: str,
    entry: SheetEntry | None,
    now: datetime,
    *,
    governed: bool,
) -> None:
    settings = root.settings
    checks = report.checks
    checks.append(settings_.quota(settings.quota))
    key, credentials = google_.key_check(settings)
    checks.append(key)
    if credentials is None:
        checks += google_.skipped_after(AFTER_KEY, "no usable key")
        return
    report.service_account = str(credentials.service_account_email)
    token, google = google_.token_check(credentials, settings, root.governor if governed else None)
    checks.append(token)
    if google is None:
        checks += google_.skipped_after(AFTER_KEY[1:], "no access token")
        return
    opened, props = google_.opens(google, spreadsheet_id)
    checks.append(opened)
    if props is None:
        checks += google_.skipped_after(AFTER_OPENS, "the spreadsheet does not open")
        return
    checks.append(google_.can_edit(google, spreadsheet_id))
    zone = entry.timezone if entry is not None else root.team.timezone
    checks.append(
        google_.time_zone(
            str(props.get("timeZone", "")), zone, spreadsheet_id, now, registered=entry is not None
        )
    )
    try:
        data = root.google_backend(spreadsheet_id).read(list)
    except AftersalesError as exc:
        checks.append(failed(AFTER_OPENS[2], exc.message, "Fix what the message says."))
        return
    checks.append(cases_tab(data, zone, settings.tab_names, sheet_arg=f"--sheet {spreadsheet_id}"))


def _workbook(root: CompositionRoot, report: Report, path: Path, entry: SheetEntry | None) -> None:
    checks: list[Check] = report.checks
    checks.append(
        skipped(
            "google",
            f"skipped: {path} is a local workbook; the Google key, sharing, time zone and "
            "quota checks are for Google spreadsheets",
        )
    )
    opened, data = workbook_opens(path)
    checks.append(opened)
    if data is None:
        checks += google_.skipped_after(
            ("sheet: can edit", AFTER_OPENS[2]), "the workbook does not open"
        )
        return
    checks.append(workbook_writable(path))
    zone = entry.timezone if entry is not None else root.team.timezone
    checks.append(cases_tab(data, zone, root.settings.tab_names, sheet_arg=f"--workbook {path}"))
