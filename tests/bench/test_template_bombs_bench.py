"""Template bombs benchmark (run by `make bench`, never by `make test`): `aftersales sync` of a
workbook whose Templates tab holds each hostile template of tests/automation/test_template_bombs,
beside the same workbook without it. Peak memory (max RSS) and CPU come from the child's own
rusage (os.wait4; max RSS there includes the forked pytest pages before exec, ~25 MB more than
`/usr/bin/time -v` reports), wall time from the parent. Target from issue 12: exit 0, under 10 s and
300 MB. Figures only: no timed assertions (the exit code is checked by the automation test).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.automation.test_template_bombs import (
    AFTERSALES,
    CHAINED_REPLACE,
    DEEP_NESTING,
    DOUBLING,
    LIST_TREE,
    LOOP_ASSIGNMENT,
    NOW,
    PLUS_DOUBLING,
    TEMPLATE_HEADERS,
)
from tests.workbooks import case, write_workbook

RESULTS = Path(__file__).with_name("results")
BODIES = {
    "none (control)": None,
    "doubling ~": DOUBLING,
    "chained replace": CHAINED_REPLACE,
    "doubling +": PLUS_DOUBLING,
    "list tree": LIST_TREE,
    "3,000 brackets": DEEP_NESTING,
    "for loop in": LOOP_ASSIGNMENT,
}
ROWS: list[dict[str, Any]] = []


def _measure(tmp_path: Path, body: str | None) -> dict[str, Any]:
    tabs = {}
    if body is not None:
        row = ["customer.overdue_apology.en", "overdue_apology", "customer", "en", "", body]
        tabs = {"Templates": [TEMPLATE_HEADERS, row]}
    workbook = write_workbook(
        tmp_path / "cases.xlsx", [case(**{"Case ID": "AS-1001"})], extra_tabs=tabs
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{tmp_path}/s.db"
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(AFTERSALES), "sync", "--workbook", str(workbook), "--now", NOW, "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "exit": child.returncode,
        "wall_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
    }


@pytest.mark.parametrize("name", list(BODIES))
def test_template_bomb_figures(tmp_path: Path, name: str) -> None:
    """Measure one sync (figures are printed and saved, not asserted)."""
    ROWS.append({"template": name, **_measure(tmp_path, BODIES[name])})
    if len(ROWS) == len(BODIES):
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "template_bombs.json").write_text(json.dumps(ROWS, indent=2))
        for row in ROWS:
            print(row)
