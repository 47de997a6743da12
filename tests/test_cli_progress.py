"""`aftersales sync` / `recalculate` show a progress bar on a terminal: tested under real
pseudo-terminals (the `pty` module), with the bar's text in what the terminal received; never
with --json (stdout is exactly the JSON) and never when stderr is not a terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.workbooks import case, records, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
NOW = "2025-10-10T10:00:00+08:00"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CASES = 180


def team_workbook(path: Path) -> Path:
    """A team's sheet of CASES cases: Chinese names, mixed platform spellings, a stray note."""
    names = ("王芳", "李娜", "Emma Wilson", "陈静")
    rows = [
        case(
            **{
                "Case ID": f"AS-P-{i:04d}",
                "Platform": ("Superbuy", "bhiner", "Yoybuy ")[i % 3],
                "Customer": names[i % len(names)],
                "Opened": datetime(2025, 10, 9, 9, 30) - timedelta(hours=i % 90),
                "Notes": "催了两次" if i % 11 == 0 else None,
            }
        )
        for i in range(CASES)
    ]
    return write_workbook(path, rows)


def environment(tmp_path: Path) -> dict[str, str]:
    """A terminal's environment, the bar shown at once (a moment of 0 s: no race on speed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    for name in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{tmp_path}/s.db"
    env["AFTERSALES_CLI_PROGRESS_AFTER_SECONDS"] = "0"
    return env


def terminal() -> tuple[int, int]:
    """A pseudo-terminal 120 columns wide: (the side the test reads, the side the CLI gets)."""
    reader, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return reader, child


def drain(fd: int, into: bytearray) -> None:
    """Everything the terminal receives, until the CLI's side is closed."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: every process holding the other side has closed it
            return
        if not chunk:
            return
        into.extend(chunk)


def run_on_terminals(
    args: list[str], tmp_path: Path, *, stderr_tty: bool = True
) -> tuple[str, str, int]:
    """Run the CLI with stdout (and stderr, unless told) on pseudo-terminals; returns what
    each received and the exit code."""
    out_reader, out_child = terminal()
    if stderr_tty:
        err_reader, err_child = terminal()
    else:
        err_reader, err_child = os.pipe()
    proc = subprocess.Popen(
        [str(AFTERSALES), *args],
        cwd=tmp_path,
        env=environment(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=out_child,
        stderr=err_child,
    )
    os.close(out_child)
    os.close(err_child)
    out, err = bytearray(), bytearray()
    readers = [
        threading.Thread(target=drain, args=(out_reader, out)),
        threading.Thread(target=drain, args=(err_reader, err)),
    ]
    for reader in readers:
        reader.start()
    try:
        code = proc.wait(timeout=180)
    finally:
        proc.kill()
        for reader in readers:
            reader.join(30)
        os.close(out_reader)
        os.close(err_reader)
    return out.decode(), err.decode(), code


@pytest.mark.parametrize("command", ["sync", "recalculate"])
def test_a_sync_on_a_terminal_shows_its_progress_bar(tmp_path: Path, command: str) -> None:
    """On a terminal, the bar counts the cases to the end ("180/180 cases") on stderr, and
    the sheet is synced as without it."""
    workbook = team_workbook(tmp_path / "售后.xlsx")

    out, err, code = run_on_terminals(
        [command, "--workbook", str(workbook), "--now", NOW], tmp_path
    )

    assert code == 0, err
    shown = ANSI.sub("", err)
    assert f"{CASES}/{CASES} cases" in shown
    assert "Checking cases" in shown or "Recording the run" in shown
    assert f"{CASES} cases, {CASES} new" not in shown  # the summary goes to stdout
    assert f"{CASES} cases," in ANSI.sub("", out)
    synced = records(workbook)
    assert all(row["Policy Ref"] for row in synced)


def test_json_on_a_terminal_prints_exactly_the_json_and_no_bar(tmp_path: Path) -> None:
    """With --json, even on a terminal, stdout is exactly the JSON line and no bar is drawn."""
    workbook = team_workbook(tmp_path / "cases.xlsx")

    out, err, code = run_on_terminals(
        ["sync", "--workbook", str(workbook), "--now", NOW, "--json"], tmp_path
    )

    assert code == 0, err
    assert out.endswith("\r\n") and out.count("\n") == 1  # the terminal's line ending
    payload = json.loads(out.removesuffix("\r\n"))
    assert (payload["cases"], payload["errors"]) == (CASES, 0)
    assert f"/{CASES}" not in err and "\x1b[?25l" not in err  # no bar, no hidden cursor


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    """stderr on a pipe (a log, CI) gets no bar even though stdout is a terminal."""
    workbook = team_workbook(tmp_path / "cases.xlsx")

    out, err, code = run_on_terminals(
        ["sync", "--workbook", str(workbook), "--now", NOW], tmp_path, stderr_tty=False
    )

    assert code == 0, err
    assert f"/{CASES}" not in err and "\x1b" not in err
    assert f"{CASES} cases, {CASES} new" in ANSI.sub("", out)
