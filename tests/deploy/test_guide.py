"""docs/deploy.md is checked, not just written: every `aftersales` command in its code blocks
runs (in order, against the Sheets API emulator and a temporary store, placeholders replaced
from the table below), and every AFTERSALES_* name it mentions is a real setting."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from app.secret_files import FILE_SUFFIX, secret_field_paths, variable_name
from app.settings import Settings
from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deploy.md"
AFTERSALES = Path(sys.executable).with_name("aftersales")
SERVICE_URL = "https://aftersales-desk-5t3kqz-de.a.run.app"
# Placeholders of the guide's `aftersales` commands and what the test puts in their place;
# SHEET_ID is the emulator's spreadsheet, made per test.
PLACEHOLDERS = {"SERVICE_URL": SERVICE_URL}
# A team's own sheet, as a Shanghai team keeps it: their tab name, Chinese and English headers.
TEAM_HEADERS = [
    "Case ID", "Opened", "Platform", "Order No.", "Customer", "Issue Type", "Item Condition",
    "Window Start", "Evidence", "Original Packaging", "Assignee", "Status", "备注",
]  # fmt: skip
TEAM_ROWS = [
    ["AS-2511-001", "2025-11-04 10:15", "Superbuy", "SB88120931", "王芳", "Defect", "New",
     "2025-11-03", "照片3张", "Yes", "小王", "In Progress", "外箱压坏"],
    ["AS-2511-002", "2025-11-05 16:40", "Bhiner", "BH20251105", "Lucas Moreau", "Wrong Item",
     "New", "2025-11-04", "photos", "Yes", "Lily", "New", ""],
]  # fmt: skip


def code_blocks(markdown: str) -> list[str]:
    """The bodies of the fenced code blocks, in order (also those indented in a list)."""
    return re.findall(r"^[ \t]*```[a-z]*\n(.*?)^[ \t]*```", markdown, re.M | re.S)


def guide_commands(markdown: str) -> list[str]:
    """Each `aftersales …` command line of the code blocks (continuations joined, comments
    after `#` dropped), in the guide's order."""
    commands = []
    for block in code_blocks(markdown):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "aftersales":
                commands.append(shlex.join(words))
    return commands


def setting_names(model: type[BaseModel] = Settings, prefix: str = "AFTERSALES_") -> set[str]:
    """Every environment variable the settings read: fields, nested fields, and the _FILE
    twin of each secret."""
    names = set()
    for name, field in model.model_fields.items():
        variable = prefix + name.upper()
        names.add(variable)
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= setting_names(kind, variable + "__")
    if model is Settings:
        names |= {variable_name(path) + FILE_SUFFIX for path in secret_field_paths(Settings)}
    return names


def test_the_guide_is_linked_from_the_readme() -> None:
    """README.md links docs/deploy.md."""
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_the_guide_names_exists() -> None:
    """Each AFTERSALES_* name in the guide is a setting (or a secret's _FILE twin); only the
    add-on's script property AFTERSALES_SHEET_SECRET_<id> is not one, and it is no setting."""
    mentioned = set(re.findall(r"AFTERSALES_[A-Z0-9_]*[A-Z0-9]", GUIDE.read_text("utf-8")))
    script_properties = {n for n in mentioned if n.startswith("AFTERSALES_SHEET_SECRET_")}
    assert mentioned - script_properties <= setting_names(), sorted(
        mentioned - script_properties - setting_names()
    )
    # The ones the deployment depends on are there at all.
    assert {
        "AFTERSALES_AUTH__OIDC_AUDIENCES",
        "AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE",
        "AFTERSALES_AUTH__METRICS_TOKEN_FILE",
        "AFTERSALES_DATABASE_URL_FILE",
        "AFTERSALES_GOOGLE_CREDENTIALS_FILE",
    } <= mentioned


def test_the_build_argument_the_guide_passes_is_the_dockerfiles() -> None:
    """`--build-arg NAME=` in the guide names an ARG of the Dockerfile, and the image's CMD
    and user are the ones the guide describes."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    arguments = set(re.findall(r"--build-arg ([A-Z_]+)=", GUIDE.read_text("utf-8")))
    assert arguments == {"PYTHON_BASE"}
    assert re.search(r"^ARG PYTHON_BASE=python:3\.11-slim@sha256:[0-9a-f]{64}$", dockerfile, re.M)
    assert 'CMD ["aftersales", "serve"]' in dockerfile
    assert "USER 10001:10001" in dockerfile and "EXPOSE 8000" in dockerfile


def test_the_guide_extracts_the_commands_a_deployer_types() -> None:
    """The extraction finds the guide's commands in order, from sheets add to doctor."""
    commands = guide_commands(GUIDE.read_text(encoding="utf-8"))
    assert [shlex.split(c)[1] for c in commands] == [
        "sheets", "adopt", "adopt", "sheets", "addon", "sync", "runs", "doctor",
    ]  # fmt: skip
    assert commands[-1] == "aftersales doctor --sheet SHEET_ID"


def test_every_aftersales_command_of_the_guide_runs(
    emulator: Emulator, service_account: ServiceAccount, tmp_path: Path
) -> None:
    """Each `aftersales` command of docs/deploy.md, in order, with the placeholders replaced,
    exits 0 against a team's spreadsheet on the emulator that is shared with the service
    account (only `doctor`, from another branch, is expected to fail until it lands)."""
    sheet_id = emulator.create_spreadsheet(
        "售后登记 2025", shared_with={service_account.email: "writer"}, time_zone="Asia/Shanghai"
    )
    emulator.set_values(sheet_id, "'Sheet1'!A1", [TEAM_HEADERS, *TEAM_ROWS])
    env = {key: value for key, value in os.environ.items() if not key.startswith("AFTERSALES_")}
    env.update(
        AFTERSALES_ENVIRONMENT="test",
        AFTERSALES_DATABASE_URL=f"sqlite:///{tmp_path}/store.db",
        AFTERSALES_GOOGLE_CREDENTIALS_FILE=str(service_account.path),
        AFTERSALES_GOOGLE_API_OVERRIDE=emulator.base_url,
        # What the guide's steps 3, 5 and 6 configure, so that `doctor` finds them too.
        AFTERSALES_AUTH__HMAC_MASTER_SECRET="guide-test-master-secret-0123456789abcdef",
        AFTERSALES_AUTH__METRICS_TOKEN="guide-test-metrics-token-5e0c1d",
        AFTERSALES_AUTH__OIDC_AUDIENCES="123456789012-guidetest.apps.googleusercontent.com",
        AFTERSALES_AUTH__ALLOWED_PRINCIPALS="@agency.com",
    )
    values = {**PLACEHOLDERS, "SHEET_ID": sheet_id}
    for command in guide_commands(GUIDE.read_text(encoding="utf-8")):
        # Checked on the guide's text, not after filling in (a spreadsheet id may contain
        # "-AB_CD", which looks like a placeholder).
        placeholders = set(re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", command))
        assert placeholders <= set(values), f"{command}: no value for {placeholders - set(values)}"
        words = [_fill(word, values) for word in shlex.split(command)]
        done = subprocess.run(
            [str(AFTERSALES), *words[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{shlex.join(words)}\n{done.stdout}\n{done.stderr}"
    _check_effects(emulator, sheet_id, tmp_path)


def _fill(word: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        word = re.sub(rf"\b{name}\b", value, word)
    return word


def _check_effects(emulator: Emulator, sheet_id: str, folder: Path) -> None:
    """What the commands did, seen from outside: the add-on project pinned to the URL, the
    mapping written into the sheet, and the cases synced (deadline computed by hand)."""
    manifest = json.loads((folder / "addon" / "appsscript.json").read_text(encoding="utf-8"))
    assert manifest["urlFetchWhitelist"] == [SERVICE_URL + "/"]
    titles = [sheet.title for sheet in emulator.spreadsheet(sheet_id).sheets]
    assert "Settings" in titles and "Sheet1" in titles
    grid = emulator.values(sheet_id, "'Sheet1'!A1:ZZ3")
    first = dict(zip(grid[0], grid[1], strict=False))
    # Superbuy defect: 30 calendar days from the warehouse arrival on 3 November, as a
    # Sheets date serial (days since 1899-12-30).
    assert int(first["Return Deadline"]) == (date(2025, 12, 3) - date(1899, 12, 30)).days
    assert first["备注"] == "外箱压坏"
