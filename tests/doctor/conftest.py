"""A deployment to check: settings pointing at the local Sheets emulator, a migrated SQLite
store, and team spreadsheets set up the way teams keep them (Chinese headers, their own
columns, a note or two)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.auth import AuthSettings
from app.composition import CompositionRoot
from app.doctor import Report
from app.settings import Settings
from tests.emulator.auth import ServiceAccount
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator

MASTER_SECRET = "m" * 40  # long enough for the service (32+)
TEAM_ZONE = "Asia/Shanghai"
# A Hangzhou team's own headers: Chinese aliases of the contract's columns, and one of theirs.
HEADERS = [
    "案件编号",
    "开案时间",
    "平台",
    "订单号",
    "客户",
    "问题类型",
    "入库日期",
    "状态",
    "跟进备注",
]
ROWS = [
    ["AS-HZ-0001", "2025-10-09 09:30", "Superbuy", "SB20251009", "王伟", "质量问题", "2025-10-03",
     "处理中", "客户要视频"],
    ["AS-HZ-0002", "2025-10-09 14:05", "Bhiner", "BH-7781", "Emma Wilson", "Wrong Size",
     "2025-10-05", "New", ""],
    ["", "", "", "", "", "", "", "", "下周再跟进 (note left by Lily)"],
]  # fmt: skip


def team_settings(tmp_path: Path, key: Path, emulator: Emulator) -> Settings:
    return Settings(
        environment="test",
        database_url=SecretStr(f"sqlite:///{tmp_path}/store.db"),
        workbook=tmp_path / "unused.xlsx",
        google_credentials=SecretStr(str(key)),
        google_api_override=emulator.base_url,
        google_retry_budget_seconds=5.0,
        auth=AuthSettings(hmac_master_secret=SecretStr(MASTER_SECRET)),
    )


def team_spreadsheet(
    emulator: Emulator,
    shared_with: dict[str, str],
    *,
    time_zone: str = TEAM_ZONE,
    headers: list[str] = HEADERS,
) -> str:
    """A spreadsheet owned by the team lead with a Cases tab as the team typed it."""
    sid = emulator.create_spreadsheet(
        "售后 2025 Q4", owner="lead@agency.example", shared_with=shared_with, time_zone=time_zone
    )
    rename = {"properties": {"sheetId": 0, "title": "Cases"}, "fields": "title"}
    emulator.edit_now(Edit.requests(sid, [{"updateSheetProperties": rename}]))
    emulator.set_values(sid, "'Cases'!A1", [headers, *[row[: len(headers)] for row in ROWS]])
    return sid


@pytest.fixture
def root(
    tmp_path: Path, emulator: Emulator, service_account: ServiceAccount
) -> Iterator[CompositionRoot]:
    """The deployment: migrated store, the service account's key, Google on the emulator."""
    assert service_account.path is not None
    opened = CompositionRoot.open(team_settings(tmp_path, service_account.path, emulator))
    yield opened
    opened.close()


def register(root: CompositionRoot, sid: str, timezone: str = TEAM_ZONE) -> None:
    root.registry.add(
        sid, kind="google", location=sid, timezone=timezone, allowed=["lily@agency.example"]
    )


def marks(report: Report) -> dict[str, str]:
    return {c.name: c.mark for c in report.checks}


def check(report: Report, name: str) -> tuple[str, str, str]:
    """(mark, detail, fix) of the check called `name`."""
    found = next(c for c in report.checks if c.name == name)
    return found.mark, found.detail, found.fix
