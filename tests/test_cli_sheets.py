"""`aftersales sheets rotate ID`, run as an operator runs it (a real process on a SQLite store):
one sheet gets a new HMAC secret, the others keep theirs, and the secret is never logged."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import case, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
MASTER = "operator-master-secret-0123456789abcdef0123"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env |= {
        "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/s.db",
        "AFTERSALES_ENVIRONMENT": "test",
        "AFTERSALES_AUTH__HMAC_MASTER_SECRET": MASTER,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [str(AFTERSALES), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def secret_of(tmp_path: Path, sheet: str) -> str:
    result = run(tmp_path, "sheets", "secret", sheet)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def two_sheets(tmp_path: Path) -> Path:
    """Two registered workbooks: the Shanghai desk and the returns team."""
    for name in ("desk", "returns-cn"):
        workbook = write_workbook(tmp_path / f"{name}.xlsx", [case()])
        added = run(tmp_path, "sheets", "add", name, "--workbook", str(workbook))
        assert added.returncode == 0, added.stderr
    return tmp_path


def test_rotate_gives_one_sheet_a_new_secret_and_leaves_the_others(two_sheets: Path) -> None:
    """`sheets rotate desk` changes desk's secret (printed by `sheets secret desk`), not
    returns-cn's; the rotation is recorded as key version 2 and the output never shows the old
    secret."""
    tmp_path = two_sheets
    desk_before = secret_of(tmp_path, "desk")
    returns_before = secret_of(tmp_path, "returns-cn")
    documented = hmac.new(MASTER.encode(), b"aftersales-sheet:desk", hashlib.sha256).hexdigest()
    assert desk_before == documented

    rotated = run(tmp_path, "sheets", "rotate", "desk")
    assert rotated.returncode == 0, rotated.stderr
    assert "desk" in rotated.stdout and "version 2" in rotated.stdout
    assert desk_before not in rotated.stdout + rotated.stderr
    assert MASTER not in rotated.stdout + rotated.stderr

    desk_after = secret_of(tmp_path, "desk")
    assert desk_after != desk_before
    assert len(desk_after) == 64
    assert secret_of(tmp_path, "returns-cn") == returns_before

    listed = run(tmp_path, "sheets", "list", "--json")
    versions = {entry["id"]: entry["key_version"] for entry in json.loads(listed.stdout)}
    assert versions == {"desk": 2, "returns-cn": 1}


def test_rotating_twice_gives_a_third_secret(two_sheets: Path) -> None:
    """Every rotation gives a secret the sheet never had before."""
    seen = {secret_of(two_sheets, "desk")}
    for _ in range(2):
        assert run(two_sheets, "sheets", "rotate", "desk").returncode == 0
        seen.add(secret_of(two_sheets, "desk"))
    assert len(seen) == 3


def test_rotating_an_unknown_sheet_exits_2_naming_it(two_sheets: Path) -> None:
    """`sheets rotate dsek` (a typo) exits 2 with a message naming the id; nothing changes."""
    before = secret_of(two_sheets, "desk")
    result = run(two_sheets, "sheets", "rotate", "dsek")
    assert result.returncode == 2
    assert "dsek" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert secret_of(two_sheets, "desk") == before


def test_a_sheet_registered_with_language_zh_is_synced_in_chinese(tmp_path: Path) -> None:
    """`sheets add --language 中文` chooses Chinese: the service headers `sync` adds are
    Chinese; an unknown language is refused, naming zh and en."""
    book = write_workbook(tmp_path / "team.xlsx", [case()])
    added = run(tmp_path, "sheets", "add", "team", "--workbook", "team.xlsx", "--language", "中文")
    assert added.returncode == 0, added.stderr

    synced = run(tmp_path, "sync", "--workbook", "team.xlsx", "--now", "2025-10-10T10:00", "--json")
    assert synced.returncode == 0, synced.stderr
    header = [c.value for c in openpyxl.load_workbook(book)["Cases"][1]]
    assert "退货截止日期" in header and "Return Deadline" not in header

    refused = run(tmp_path, "sheets", "add", "fr", "--workbook", "team.xlsx", "--language", "fr")
    assert refused.returncode != 0
    assert "zh (中文) or en (English)" in refused.stdout + refused.stderr
