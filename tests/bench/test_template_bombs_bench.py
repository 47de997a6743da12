"""Template bombs benchmark (run by `make bench`, never by `make test`): `aftersales sync` of a
workbook whose Templates tab holds each hostile template of tests/automation/test_template_bombs,
beside the same workbook without it. Peak memory (max RSS) and CPU come from the sync's own
rusage, taken by a small fresh process that starts it (tests/bench/measured_run.py: started from
this pytest process, the figure would be this process's size), wall time from here. Target from
issue 12: exit 0, under 10 s and 300 MB. Figures only: no timed assertions (the exit code is
checked by the automation test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
REPO = Path(__file__).resolve().parents[2]
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
    # Through a small fresh process: a command forked from this (by now large) pytest process
    # would report this process's size as its own peak (tests/bench/measured_run.py says why).
    sync = [str(AFTERSALES), "sync", "--workbook", str(workbook), "--now", NOW, "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.measured_run", *sync],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stderr.strip().splitlines()[-1])
    return {
        "exit": figures["exit"],
        "wall_s": round(time.perf_counter() - started, 2),
        "cpu_s": figures["cpu_s"],
        "peak_mb": figures["peak_mb"],
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
