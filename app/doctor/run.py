"""`diagnose`: every check of one deployment and one sheet, in order, each independent of how
the others went except where one needs what another found (a spreadsheet that does not open
cannot be checked for columns: that check is skipped, saying why)."""

from __future__ import annotations

from dataclasses import replace
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
from sheet_schema.messages import load_catalogue, text

AFTER_OPENS = ("sheet: can edit", "sheet: time zone", "sheet: cases tab and columns")
AFTER_KEY = ("google: token", "sheet: opens", *AFTER_OPENS)


def diagnose(
    root: CompositionRoot,
    *,
    now: datetime,
    sheet: str | None = None,
    workbook: Path | None = None,
    entry: SheetEntry | None = None,
    language: str = "en",
) -> Report:
    """Check the deployment for one sheet: a registered `entry` (the API), `--sheet ID` (a
    registered id, or a Google spreadsheet id not registered yet) or `--workbook F` (default:
    the settings' workbook, as for every command).

    Reads only: the store is not migrated, nothing is written to the sheet. Each check's
    name, detail and fix are in `language` (the CLI's, or the sheet's team language)."""
    settings = root.settings
    if entry is None and sheet is None and workbook is None:
        workbook = settings.workbook
    store, store_ready = store_checks(root.store, settings, language)
    known = entry is not None
    if entry is None and store_ready:
        entry = registered_entry(root.registry, sheet=sheet, workbook=workbook)
    google = entry.kind == "google" if entry is not None else workbook is None
    location = entry.location if entry is not None else (sheet or str(workbook))
    report = Report(target=f"Google spreadsheet {location}" if google else f"workbook {location}")
    report.checks += [
        settings_.environment(settings, google=google, language=language),
        settings_.authentication(settings, language),
        settings_.metrics_token(settings, language),
        *store,
    ]
    if known or store_ready:
        report.checks.append(registered(entry, sheet=sheet, workbook=workbook, language=language))
    else:
        why = text("doctor.why_store_not_ready", language)
        report.checks.append(
            skipped("sheet: registered", text("doctor.skipped", language, why=why))
        )
    if google:
        _google(root, report, location, entry, now, governed=store_ready, language=language)
    else:
        _workbook(root, report, Path(location), entry, language)
    report.checks = [replace(c, name=check_name(c.name, language)) for c in report.checks]
    return report


def check_name(name: str, language: str) -> str:
    """'sheet: time zone' -> '表格：时区': a check's name in `language` (the checks are
    written, and run in order, under their English names)."""
    key = "doctor.check_" + "_".join(name.replace(":", " ").lower().split())
    return text(key, language) if key in load_catalogue().texts else name


def _google(
    root: CompositionRoot,
    report: Report,
    spreadsheet_id: str,
    entry: SheetEntry | None,
    now: datetime,
    *,
    governed: bool,
    language: str,
) -> None:
    settings = root.settings
    checks = report.checks

    def why(key: str) -> str:
        return text(f"doctor.why_{key}", language)

    checks.append(settings_.quota(settings.quota, language))
    key, credentials = google_.key_check(settings, language)
    checks.append(key)
    if credentials is None:
        checks += google_.skipped_after(AFTER_KEY, why("no_key"), language)
        return
    report.service_account = str(credentials.service_account_email)
    governor = root.governor if governed else None
    token, google = google_.token_check(credentials, settings, governor, language)
    checks.append(token)
    if google is None:
        checks += google_.skipped_after(AFTER_KEY[1:], why("no_token"), language)
        return
    opened, props = google_.opens(google, spreadsheet_id, language)
    checks.append(opened)
    if props is None:
        checks += google_.skipped_after(AFTER_OPENS, why("spreadsheet_not_open"), language)
        return
    checks.append(google_.can_edit(google, spreadsheet_id, language))
    zone = entry.timezone if entry is not None else root.team.timezone
    checks.append(
        google_.time_zone(
            str(props.get("timeZone", "")),
            zone,
            spreadsheet_id,
            now,
            registered=entry is not None,
            language=language,
        )
    )
    try:
        data = root.google_backend(spreadsheet_id).read(list)
    except AftersalesError as exc:
        checks.append(
            failed(AFTER_OPENS[2], exc.message, text("doctor.fix_as_message_says", language))
        )
        return
    checks.append(
        cases_tab(
            data,
            zone,
            settings.tab_names,
            sheet_arg=f"--sheet {spreadsheet_id}",
            language=language,
        )
    )


def _workbook(
    root: CompositionRoot, report: Report, path: Path, entry: SheetEntry | None, language: str
) -> None:
    checks: list[Check] = report.checks
    local = text("doctor.why_local_workbook", language, path=path)
    checks.append(skipped("google", text("doctor.skipped", language, why=local)))
    opened, data = workbook_opens(path, language)
    checks.append(opened)
    if data is None:
        checks += google_.skipped_after(
            ("sheet: can edit", AFTER_OPENS[2]),
            text("doctor.why_workbook_not_open", language),
            language,
        )
        return
    checks.append(workbook_writable(path, language))
    zone = entry.timezone if entry is not None else root.team.timezone
    checks.append(
        cases_tab(
            data, zone, root.settings.tab_names, sheet_arg=f"--workbook {path}", language=language
        )
    )
