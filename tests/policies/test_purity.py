"""The policies package stays pure: no app/web/sheet/database imports, no clock or env reads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import policies

FORBIDDEN = ("app", "fastapi", "starlette", "gspread", "sqlalchemy", "uvicorn", "apscheduler")
PACKAGE = Path(policies.__file__).resolve().parent


def test_import_pulls_in_no_app_or_io_frameworks() -> None:
    """Importing policies (and evaluating a case) loads no app, FastAPI, gspread or SQLAlchemy."""
    code = (
        "import sys, datetime, zoneinfo\n"
        "import policies\n"
        "t = policies.load_team_settings()\n"
        "c = policies.build_calendars(t, [])\n"
        "now = datetime.datetime(2025, 10, 2, tzinfo=zoneinfo.ZoneInfo('Asia/Shanghai'))\n"
        "case = policies.CaseFacts(case_id='A', platform='Yoybuy', opened=now)\n"
        "policies.evaluate(case, policies.load_policies(), c, now, t)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    ).stdout.split()
    loaded = {name.split(".")[0] for name in out}
    assert not loaded & set(FORBIDDEN), loaded & set(FORBIDDEN)


def test_source_reads_no_clock_or_environment() -> None:
    """No module in policies reads the clock or the environment."""
    pattern = re.compile(
        r"\.now\(|\.today\(|utcnow|time\.time\(|os\.environ|getenv|import os\b|perf_counter"
    )
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(PACKAGE.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
