"""The doctor in the team language: `aftersales doctor` under a Chinese locale prints every
check's name, detail and fix in Chinese (emails, ids and commands as they are; --json stays
English); tests/api/test_doctor_language.py has the API's side."""

from __future__ import annotations

import json
import re
from pathlib import Path

import app.doctor as doctor_package
from sheet_schema.messages import load_catalogue
from tests.doctor.conftest import team_spreadsheet
from tests.doctor.test_doctor_cli import doctor, google_env, register
from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator


def test_an_unshared_sheet_is_explained_in_chinese_under_a_chinese_locale(
    tmp_path: Path, emulator: Emulator, service_account: ServiceAccount
) -> None:
    """LANG=zh_CN.UTF-8: the ✗ 表格：能打开 line says the sheet is not shared, its fix says how
    to share it (the client_email as it is), the checks after it are skipped in Chinese; --json
    keeps the English texts, an API for scripts."""
    env = google_env(tmp_path, emulator, service_account)
    sid = team_spreadsheet(emulator, {})
    register(tmp_path, env, sid)
    email = service_account.email

    result = doctor(tmp_path, {**env, "LANG": "zh_CN.UTF-8"}, "--sheet", sid)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"✓ Google：密钥 — 服务账号 {email}：请把每个表格以“编辑者”身份共享给它" in lines
    assert f"✓ Google：令牌 — 已取得 {email} 的访问令牌" in lines
    opens = next(i for i, line in enumerate(lines) if line.startswith("✗ 表格：能打开 — "))
    assert lines[opens].startswith(f"✗ 表格：能打开 — 表格 {sid} ")
    assert f"共享给 {email}（Google 返回 " in lines[opens]
    assert lines[opens + 1] == (
        f"    解决办法：把表格以“编辑者”身份共享给 {email}（共享 ▸ 添加 {email} ▸ 编辑者 ▸ "
        "发送），并核对表格网址中的 ID（…/spreadsheets/d/ID/edit）。"
    )
    assert "– 表格：可编辑 — 已跳过：无法打开该表格" in lines
    assert "– 表格：时区 — 已跳过：无法打开该表格" in lines
    assert "✓ 存储：副本 — 1 个副本，使用 sqlite" in lines

    as_json = doctor(tmp_path, {**env, "LANG": "zh_CN.UTF-8"}, "--sheet", sid, "--json")
    checks = {c["name"]: c for c in json.loads(as_json.stdout.splitlines()[-1])["checks"]}
    assert checks["google: key"]["detail"] == (
        f"service account {email}: share each sheet with it as an Editor"
    )
    assert checks["sheet: can edit"]["detail"] == "skipped: the spreadsheet does not open"


def test_every_check_name_the_doctor_writes_has_words_in_each_language() -> None:
    """Each 'area: what' name in app/doctor's sources has a doctor.check_ text (so no check
    shows its English code to a Chinese team)."""
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(Path(doctor_package.__file__).parent.glob("*.py"))
    )
    names = set(re.findall(r'"((?:settings|store|sheet|google)(?:: [a-z ]+)?)"', sources))
    assert "sheet: time zone" in names and "google" in names, "the pattern is stale"
    texts = load_catalogue().texts
    missing = [n for n in names if "doctor.check_" + re.sub(r"[^a-z]+", "_", n) not in texts]
    assert missing == []
