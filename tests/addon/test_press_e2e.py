"""The README walk-through: start the service, press the add-on's Sync now, see the change."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator
from tests.google.conftest import USER_KEYS, typed_row
from tests.workbooks import case, records, write_workbook

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = str(Path(sys.executable).with_name("aftersales"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    workbook = write_workbook(tmp_path / "desk.xlsx", [case(), case(**{"Case ID": None})])
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
        "AFTERSALES_AUTH__HMAC_MASTER_SECRET": "e2e-master-secret-" + "x" * 32,
        "AFTERSALES_SCHEDULER_ENABLED": "false",
        "AFTERSALES_ENVIRONMENT": "test",
    }
    added = subprocess.run(
        [SCRIPT, "sheets", "add", "desk", "--workbook", str(workbook)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    with _serving(env, tmp_path) as url:
        yield url, env, workbook


def test_pressing_sync_now_in_the_add_on_updates_the_sheet(
    service: tuple[str, dict[str, str], Path], tmp_path: Path
) -> None:
    """The add-on's Sync now, run by its harness against the real service, writes the sheet."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the add-on tests") if os.environ.get("CI") else pytest.skip(
            "node missing"
        )
    url, env, workbook = service
    secret = subprocess.run(
        [SCRIPT, "sheets", "secret", "desk"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert len(secret) == 64
    assert records(workbook)[0].get("Policy Ref") is None
    pressed = _press(node, url, "desk", secret)
    assert pressed.returncode == 0, pressed.stdout + pressed.stderr
    assert "Synced 2 cases" in pressed.stdout
    after = records(workbook)
    assert after[0]["Policy Ref"] == "superbuy@2025.1"
    assert after[1]["Case ID"].startswith("AS-")

    wrong = _press(node, url, "desk", "0" * 64)
    assert wrong.returncode == 1
    assert "did not accept" in wrong.stdout


def test_a_press_answered_202_is_followed_to_its_summary_against_the_real_service(
    tmp_path: Path,
) -> None:
    """With the service told to answer every press at once (202), the add-on follows the run it
    was given by polling the real service, and shows the same summary a waited press shows."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed") if os.environ.get("CI") else pytest.skip("node missing")
    workbook = write_workbook(
        tmp_path / "desk.xlsx",
        [case(**{"Customer": "王芳"}), case(**{"Case ID": None, "Customer": "李娜"})],
    )
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
        "AFTERSALES_AUTH__HMAC_MASTER_SECRET": "e2e-master-secret-" + "z" * 32,
        "AFTERSALES_SCHEDULER_ENABLED": "false",
        "AFTERSALES_ENVIRONMENT": "test",
        "AFTERSALES_PRESS_ANSWER_SECONDS": "0",
    }
    for args in (
        ["sheets", "add", "desk", "--workbook", str(workbook)],
        ["sheets", "secret", "desk"],
    ):
        done = subprocess.run(
            [SCRIPT, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    secret = done.stdout.strip()
    with _serving(env, tmp_path) as url:
        pressed = _press(node, url, "desk", secret)
    assert pressed.returncode == 0, pressed.stdout + pressed.stderr
    shown = pressed.stdout.splitlines()
    # First the run it was given (queued or under way), then, after polling, its summary.
    assert shown[-1].startswith("Synced 2 cases") and shown[-1].endswith("(run 1).")
    assert any("(run 1)" in line for line in shown[:-1]), shown
    listed = subprocess.run(
        [SCRIPT, "runs", "--sheet", "desk", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    assert len(runs) == 1  # the press was one run, followed to its end
    after = records(workbook)
    assert after[0]["Policy Ref"] == "superbuy@2025.1"
    assert str(after[1]["Case ID"]).startswith("AS-")


def test_sync_now_updates_a_google_sheet_on_the_emulator(
    emulator: Emulator, service_account: ServiceAccount, tmp_path: Path
) -> None:
    """Sync now in the add-on -> the running service -> the Google backend -> the emulator's
    spreadsheet: the service columns appear beside the rows the person typed."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed") if os.environ.get("CI") else pytest.skip("node missing")
    spreadsheet_id = emulator.create_spreadsheet(
        "Team desk", shared_with={service_account.email: "writer"}
    )
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
        "AFTERSALES_AUTH__HMAC_MASTER_SECRET": "e2e-master-secret-" + "y" * 32,
        "AFTERSALES_SCHEDULER_ENABLED": "false",
        "AFTERSALES_ENVIRONMENT": "test",
        "AFTERSALES_GOOGLE_CREDENTIALS": str(service_account.path),
        "AFTERSALES_GOOGLE_API_OVERRIDE": emulator.base_url,
    }
    for args in (["init", "--sheet", spreadsheet_id], ["sheets", "add", spreadsheet_id]):
        done = subprocess.run(
            [SCRIPT, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    row = [typed_row(1).get(k, "") for k in USER_KEYS]
    emulator.set_values(spreadsheet_id, "'Cases'!A2", [row])
    secret = subprocess.run(
        [SCRIPT, "sheets", "secret", spreadsheet_id],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    with _serving(env, tmp_path) as url:
        pressed = _press(node, url, spreadsheet_id, secret)
        assert pressed.returncode == 0, pressed.stdout + pressed.stderr
        assert "Synced 1 case" in pressed.stdout
    grid = emulator.values(spreadsheet_id, "'Cases'")
    header = grid[0]
    assert grid[1][header.index("Policy Ref")] == "bhiner@2025.1"
    assert grid[1][header.index("Computed For")] == "AS-G-0001"


def _press(node: str, url: str, sheet: str, secret: str) -> subprocess.CompletedProcess[str]:
    """The add-on's Sync now, run by its harness against the service at `url`."""
    return subprocess.run(
        [
            node,
            str(ROOT / "tests/addon/press.mjs"),
            "--url",
            url,
            "--sheet",
            sheet,
            "--secret",
            secret,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def _serving(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """`aftersales serve` on a free loopback port until the block ends; yields its URL."""
    port = _free_port()
    process = subprocess.Popen(
        [SCRIPT, "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")
