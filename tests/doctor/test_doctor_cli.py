"""`aftersales doctor` as a deployer runs it (the console script in a real process): the demo
that `make run` serves passes every check, a Google sheet on the emulator in --json, one line
per check with the fix under each ✗, and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.doctor.conftest import MASTER_SECRET, team_spreadsheet
from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator

AFTERSALES = str(Path(sys.executable).with_name("aftersales"))
CHECK_KEYS = {"name", "ok", "detail", "fix", "skipped"}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env.update(extra)
    return env


def doctor(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AFTERSALES, "doctor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def google_env(tmp_path: Path, emulator: Emulator, account: ServiceAccount) -> dict[str, str]:
    return clean_env(
        AFTERSALES_ENVIRONMENT="test",
        AFTERSALES_DATABASE_URL=f"sqlite:///{tmp_path}/store.db",
        AFTERSALES_GOOGLE_CREDENTIALS=str(account.path),
        AFTERSALES_GOOGLE_API_OVERRIDE=emulator.base_url,
        AFTERSALES_AUTH__HMAC_MASTER_SECRET=MASTER_SECRET,
    )


def register(cwd: Path, env: dict[str, str], sid: str) -> None:
    added = subprocess.run(
        [AFTERSALES, "sheets", "add", sid, "--allow", "lily@agency.example"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert added.returncode == 0, added.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_the_demo_make_run_serves_passes_every_check(tmp_path: Path) -> None:
    """`aftersales serve --demo` (what `make run` starts) seeds and registers the demo; then
    `aftersales doctor` in the same place prints ✓ on every line (Google: skipped, saying why)
    and exits 0."""
    env = clean_env()
    server = subprocess.Popen(
        [AFTERSALES, "serve", "--demo", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 300
        seen = ""
        while "After-sales Desk on" not in seen and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                break
            seen += line
        assert "After-sales Desk on" in seen, seen
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)

    result = doctor(tmp_path, env)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    workbook = (tmp_path / "data" / "aftersales.xlsx").resolve()
    assert lines[0] == f"aftersales doctor: workbook {workbook}"
    marks = [line[0] for line in lines[1:-1]]
    assert set(marks) == {"✓", "–"} and marks.count("–") == 1, lines
    skipped = next(line for line in lines if line.startswith("–"))
    assert skipped.startswith(f"– google — skipped: {workbook} is a local workbook")
    assert any(line.startswith("✓ sheet: registered — as demo (Asia/Shanghai)") for line in lines)
    assert lines[-1] == "Every check holds."


def test_json_on_a_good_google_sheet_exits_0(
    tmp_path: Path, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """--json prints one object: target, ok, exit_code, service_account and each check's name,
    ok, detail, fix and skipped; every check holds, so the exit code is 0."""
    env = google_env(tmp_path, emulator, service_account)
    sid = team_spreadsheet(emulator, {service_account.email: "writer"})
    register(tmp_path, env, sid)

    result = doctor(tmp_path, env, "--sheet", sid, "--json")

    assert result.returncode == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(payload) == {"target", "ok", "exit_code", "service_account", "checks"}
    assert payload["target"] == f"Google spreadsheet {sid}"
    assert (payload["ok"], payload["exit_code"]) == (True, 0)
    assert payload["service_account"] == service_account.email
    assert len(payload["checks"]) == 14
    for item in payload["checks"]:
        assert set(item) == CHECK_KEYS
        assert (item["ok"], item["skipped"], item["fix"]) == (True, False, ""), item


def test_an_unshared_sheet_prints_the_fix_and_exits_1(
    tmp_path: Path, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """One line per check; the ✗ line is followed by its fix naming the client_email."""
    env = google_env(tmp_path, emulator, service_account)
    sid = team_spreadsheet(emulator, {})
    register(tmp_path, env, sid)

    result = doctor(tmp_path, env, "--sheet", sid)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    opens = lines.index(next(line for line in lines if line.startswith("✗ sheet: opens")))
    assert lines[opens + 1] == (
        f"    fix: Share the spreadsheet with {service_account.email} as an Editor (Share ▸ add "
        f"{service_account.email} ▸ Editor ▸ Send), and check the id in the sheet's URL "
        "(…/spreadsheets/d/ID/edit)."
    )
    assert f"✓ google: key — service account {service_account.email}" in result.stdout
    assert lines[-1] == "1 check needs a person (✗ above, each with its fix)."


def test_a_mistyped_option_exits_2_naming_it(tmp_path: Path) -> None:
    """`--shet` is not an option: exit 2, and the message names it (and what was meant)."""
    result = doctor(tmp_path, clean_env(), "--shet", "1AbC")
    assert result.returncode == 2
    assert "No such option: --shet" in result.stderr
    assert "--sheet" in result.stderr


def test_both_sheet_and_workbook_exit_2(tmp_path: Path) -> None:
    """--sheet and --workbook together cannot both be checked: exit 2 with one sentence."""
    result = doctor(tmp_path, clean_env(), "--sheet", "1AbC", "--workbook", "ours.xlsx")
    assert result.returncode == 2
    assert "give --sheet ID or --workbook F, not both" in result.stderr


def test_settings_that_do_not_parse_exit_2_naming_each(tmp_path: Path) -> None:
    """A replica count of zero and an unknown environment: exit 2, each setting named, and no
    traceback."""
    env = clean_env(AFTERSALES_REPLICAS="0", AFTERSALES_ENVIRONMENT="prod")
    result = doctor(tmp_path, env)
    assert result.returncode == 2
    assert "AFTERSALES_ENVIRONMENT" in result.stderr
    assert "AFTERSALES_REPLICAS" in result.stderr
    assert "Traceback" not in result.stderr
