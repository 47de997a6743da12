"""Fidelity against Google's recorded interactions (the shared conformance harness)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulator import Emulator

SHARED = Path("/work/shared")
HARNESS = SHARED / "tools" / "sheets_conformance.py"
CASSETTES = SHARED / "sheets-api-cassettes"
# interactions that depend on the recording account or on Google's font metrics
ACCOUNT_DEPENDENT = {
    "ClientTest.test_access_private_spreadsheet",  # 403 for a real user's private file
    "WorksheetTest.test_add_protected_range_warning",  # editors list the recording account
    "WorksheetTest.test_delete_protected_range",  # editors list the recording account
    "WorksheetTest.test_auto_resize_columns",  # pixel widths from Google's fonts
}


@pytest.mark.skipif(not HARNESS.exists(), reason="conformance harness not available")
def test_recorded_interactions_replay(emulator: Emulator, tmp_path: Path) -> None:
    """At least 95% of the recorded Sheets interactions replay identically; every cassette
    that does not depend on the recording account passes in full."""
    emulator.add_static_token("test-token", "tester@emulator.iam.gserviceaccount.com")
    report = tmp_path / "report.json"
    subprocess.run(
        [
            sys.executable,
            str(HARNESS),
            "--base-url",
            emulator.base_url,
            "--cassettes",
            str(CASSETTES),
            "--only-sheets-api",
            "--reset-path",
            "/__reset",
            "--json",
            str(report),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = json.loads(report.read_text())
    assert data["interactions_matched"] / data["interactions_total"] >= 0.95
    failing = {c["cassette"] for c in data["cassettes"] if not c["passed"]}
    assert failing <= ACCOUNT_DEPENDENT, sorted(failing - ACCOUNT_DEPENDENT)
