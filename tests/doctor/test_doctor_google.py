"""`diagnose` on Google spreadsheets served by the local emulator (gspread and google-auth over
real HTTP): every check holds on a well shared sheet, and each way a deployment goes wrong is
its own ✗ with the fix that names the service account."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from app.composition import CompositionRoot
from app.doctor import diagnose
from tests.doctor.conftest import HEADERS, TEAM_ZONE, check, marks, register, team_spreadsheet
from tests.emulator.auth import ServiceAccount, generate_service_account, write_key_file
from tests.emulator.emulator import Emulator

NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)
GOOGLE_CHECKS = [
    "settings: environment",
    "settings: authentication",
    "settings: metrics token",
    "store: reachable",
    "store: migrated",
    "store: replicas",
    "sheet: registered",
    "google: quota",
    "google: key",
    "google: token",
    "sheet: opens",
    "sheet: can edit",
    "sheet: time zone",
    "sheet: cases tab and columns",
]


def test_a_well_shared_registered_sheet_passes_every_check(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """Shared as Editor, registered in its own time zone, Chinese headers: every line is ✓,
    the key's client_email is named, and the doctor only read (no write request)."""
    sid = team_spreadsheet(emulator, {service_account.email: "writer"})
    register(root, sid)
    emulator.clear_requests()

    report = diagnose(root, now=NOW, sheet=sid)

    assert [c.name for c in report.checks] == GOOGLE_CHECKS
    assert [c.name for c in report.checks if c.mark != "✓"] == [], report.checks
    assert report.exit_code == 0
    assert report.service_account == service_account.email
    assert service_account.email in check(report, "google: key")[1]
    assert "'售后 2025 Q4'" in check(report, "sheet: opens")[1]
    kinds = {r.kind for r in emulator.requests()}
    assert kinds <= {"spreadsheets.get", "values.batchGet", "drive.files.get"}, kinds
    assert "drive.files.get" in kinds


def test_an_unshared_sheet_is_a_cross_with_the_account_to_share_with(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """Nobody shared the spreadsheet with the service account (Google's 403): the fix names
    its client_email; what needs an open spreadsheet is skipped, not failed."""
    sid = team_spreadsheet(emulator, {})
    register(root, sid)

    report = diagnose(root, now=NOW, sheet=sid)

    mark, detail, fix = check(report, "sheet: opens")
    assert mark == "✗"
    assert "403" in detail
    assert f"Share the spreadsheet with {service_account.email} as an Editor" in fix
    assert [marks(report)[n] for n in GOOGLE_CHECKS[-3:]] == ["–", "–", "–"]
    assert report.exit_code == 1


def test_a_spreadsheet_id_nobody_has_is_a_cross_too(
    root: CompositionRoot, service_account: ServiceAccount
) -> None:
    """An id with a typo (Google's 404) and not registered: both are ✗ with their fixes."""
    report = diagnose(root, now=NOW, sheet="1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upmsX")

    assert check(report, "sheet: registered")[0] == "✗"
    assert (
        "aftersales sheets add 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upmsX"
        in check(report, "sheet: registered")[2]
    )
    mark, detail, fix = check(report, "sheet: opens")
    assert (mark, "404" in detail) == ("✗", True)
    assert service_account.email in fix


def test_a_read_only_share_is_a_cross_on_can_edit(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """Shared as Viewer: it opens, but the service account may not edit (Drive's canEdit)."""
    sid = team_spreadsheet(emulator, {service_account.email: "reader"})
    register(root, sid)

    report = diagnose(root, now=NOW, sheet=sid)

    assert check(report, "sheet: opens")[0] == "✓"
    mark, detail, fix = check(report, "sheet: can edit")
    assert mark == "✗"
    assert "may only view" in detail
    assert (
        fix
        == f"In the spreadsheet: Share ▸ {service_account.email} ▸ change Viewer to Editor ▸ Save."
    )
    assert check(report, "sheet: cases tab and columns")[0] == "✓"  # reading is allowed
    assert report.exit_code == 1


def test_a_commenter_share_that_an_editor_upgrades_passes(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """The check reads the sharing as it is now: after the lead makes the account an Editor,
    the same sheet passes."""
    sid = team_spreadsheet(emulator, {service_account.email: "commenter"})
    register(root, sid)
    assert check(diagnose(root, now=NOW, sheet=sid), "sheet: can edit")[0] == "✗"
    emulator.share(sid, service_account.email, "writer")
    assert check(diagnose(root, now=NOW, sheet=sid), "sheet: can edit")[0] == "✓"


def test_a_spreadsheet_in_another_time_zone_is_a_cross(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """The spreadsheet keeps Google's default (GMT) while the team is registered in Shanghai
    (8 hours apart all year): ✗, with both ways to fix it."""
    sid = team_spreadsheet(emulator, {service_account.email: "writer"}, time_zone="Etc/GMT")
    register(root, sid, timezone=TEAM_ZONE)

    report = diagnose(root, now=NOW, sheet=sid)

    mark, detail, fix = check(report, "sheet: time zone")
    assert mark == "✗"
    assert detail == (
        "the spreadsheet is set to Etc/GMT; the sheet's registered zone is Asia/Shanghai"
    )
    assert "File ▸ Settings ▸ Time zone ▸ Asia/Shanghai" in fix
    assert f"aftersales sheets add {sid} --timezone Etc/GMT --replace" in fix
    assert report.exit_code == 1


def test_a_missing_required_column_is_a_cross_naming_it(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """The team's Cases tab has no 状态 (Status) column: the adopt check names it."""
    without_status = [h for h in HEADERS if h != "状态"]
    sid = team_spreadsheet(emulator, {service_account.email: "writer"}, headers=without_status)
    register(root, sid)

    report = diagnose(root, now=NOW, sheet=sid)

    mark, detail, fix = check(report, "sheet: cases tab and columns")
    assert mark == "✗"
    assert detail == "tab 'Cases' has no Status column"
    assert fix.startswith("Add it to 'Cases'")
    assert [c.name for c in report.failures] == ["sheet: cases tab and columns"]


def test_a_key_google_refuses_is_a_cross_on_the_token(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount, tmp_path: Path
) -> None:
    """A key whose account the token endpoint does not know (deleted, or disabled): the key
    parses and its email is printed, the token is refused, the sheet checks are skipped."""
    sid = team_spreadsheet(emulator, {service_account.email: "writer"})
    register(root, sid)
    deleted = write_key_file(
        generate_service_account("old-desk", "aftersales-emulator"),
        tmp_path / "old",
        emulator.token_url,
    )
    root.settings = root.settings.model_copy(
        update={"google_credentials": SecretStr(str(deleted.path))}
    )

    report = diagnose(root, now=NOW, sheet=sid)

    assert check(report, "google: key")[0] == "✓"
    assert report.service_account == deleted.email
    mark, detail, fix = check(report, "google: token")
    assert mark == "✗"
    assert "invalid_grant" in detail and deleted.email in detail
    assert f"create a new JSON key for {deleted.email}" in fix
    assert [marks(report)[n] for n in GOOGLE_CHECKS[-4:]] == ["–"] * 4
    assert "PRIVATE KEY" not in repr(report)


def test_a_key_that_is_not_a_key_is_a_cross_without_echoing_it(
    root: CompositionRoot, emulator: Emulator, tmp_path: Path
) -> None:
    """A key file holding something else (here an OAuth client file): ✗ on the key, and what
    it holds is never shown."""
    client = tmp_path / "client_secret.json"
    client.write_text('{"installed": {"client_secret": "GOCSPX-s3cr3t"}}', encoding="utf-8")
    root.settings = root.settings.model_copy(update={"google_credentials": SecretStr(str(client))})

    report = diagnose(root, now=NOW, sheet="1AbC")

    mark, detail, _ = check(report, "google: key")
    assert (mark, detail) == ("✗", f"the key file {client} is not a service-account key")
    assert "GOCSPX" not in repr(report)
    assert report.service_account is None


def test_a_project_without_the_drive_api_is_a_cross_saying_to_enable_it(
    root: CompositionRoot, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """Drive answers 403 accessNotConfigured (the API is off in the account's project): the
    sharing cannot be checked, and the fix says where to enable it."""
    sid = team_spreadsheet(emulator, {service_account.email: "writer"})
    register(root, sid)
    emulator.inject_fault("api_disabled", kinds=["drive.files.get"])

    report = diagnose(root, now=NOW, sheet=sid)

    mark, detail, fix = check(report, "sheet: can edit")
    assert mark == "✗"
    assert detail.startswith("the Google Drive API is not enabled in the service account's project")
    assert fix.startswith("Enable the Google Drive API for the project")
    assert [c.name for c in report.failures] == ["sheet: can edit"]
