"""`aftersales init --sheet` and `sync --sheet` against the emulator, as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator
from tests.google.conftest import USER_KEYS, typed_row

SCRIPT = str(Path(sys.executable).with_name("aftersales"))


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_init_and_sync_a_google_sheet_from_the_command_line(
    emulator: Emulator, service_account: ServiceAccount, tmp_path: Path
) -> None:
    """init creates the tabs; sync --json reports api_calls; a second sync is 1 read, 0 writes."""
    spreadsheet_id = emulator.create_spreadsheet(
        "Desk", shared_with={service_account.email: "writer"}
    )
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
        "AFTERSALES_GOOGLE_CREDENTIALS": str(service_account.path),
        "AFTERSALES_GOOGLE_API_OVERRIDE": emulator.base_url,
        "AFTERSALES_ENVIRONMENT": "test",
    }
    init = _run(["init", "--sheet", spreadsheet_id], env, tmp_path)
    assert init.returncode == 0, init.stderr
    titles = [s.title for s in emulator.spreadsheet(spreadsheet_id).sheets]
    assert {"Cases", "Timeline", "Policies", "Holidays"} <= set(titles)

    rows = [[typed_row(n).get(k, "") for k in USER_KEYS] for n in range(1, 4)]
    emulator.set_values(spreadsheet_id, "'Cases'!A2", rows)
    first = _run(
        ["sync", "--sheet", spreadsheet_id, "--json", "--now", "2025-10-10T10:00:00+08:00"],
        env,
        tmp_path,
    )
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert summary["backend"] == "google" and summary["cases"] == 3
    # writes: the KPIs tab's chart and pivot table (one batchUpdate), then the cells
    assert summary["api_calls"]["read"] <= 2 and summary["api_calls"]["write"] == 2

    second = _run(
        ["sync", "--sheet", spreadsheet_id, "--json", "--now", "2025-10-10T10:00:00+08:00"],
        env,
        tmp_path,
    )
    again = json.loads(second.stdout.strip().splitlines()[-1])
    assert again["cells_written"] == 0
    assert again["api_calls"]["write"] == 0


def test_sync_of_an_unshared_sheet_exits_2_naming_the_account(
    emulator: Emulator, service_account: ServiceAccount, tmp_path: Path
) -> None:
    """A spreadsheet nobody shared with the service account: exit 2 and say whom to share with."""
    spreadsheet_id = emulator.create_spreadsheet("Private", owner="lead@agency.example")
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
        "AFTERSALES_GOOGLE_CREDENTIALS": str(service_account.path),
        "AFTERSALES_GOOGLE_API_OVERRIDE": emulator.base_url,
    }
    result = _run(["sync", "--sheet", spreadsheet_id], env, tmp_path)
    assert result.returncode == 2
    assert service_account.email in result.stderr
    assert "PRIVATE KEY" not in result.stderr + result.stdout
