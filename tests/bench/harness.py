"""Runs benchmark jobs in child processes and prints/writes their figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).with_name("results")


def sizes(default: str = "1000,10000,50000") -> list[int]:
    """Case counts to run: `BENCH_SIZES=1000,10000 make bench` runs fewer."""
    return [int(s) for s in os.environ.get("BENCH_SIZES", default).split(",") if s.strip()]


def run_child(job: dict[str, Any], timeout: float = 3600) -> dict[str, Any]:
    """Run one job (see child.py) in a fresh interpreter and return its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.child", json.dumps(job)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench job {job['job']} failed:\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


COLUMNS = (
    ("backend", "backend", "{}"),
    ("cases", "cases", "{:,}"),
    ("run", "run", "{}"),
    ("wall_s", "wall s", "{:.2f}"),
    ("cpu_s", "CPU s", "{:.2f}"),
    ("own_cpu_s", "own CPU s", "{:.2f}"),
    ("peak_rss_mb", "peak MB", "{:.0f}"),
    ("reads", "reads", "{}"),
    ("writes", "writes", "{}"),
    ("requests", "requests", "{:,}"),
    ("bytes_sent", "bytes sent", "{:,}"),
    ("cells_written", "cells", "{:,}"),
    ("vs_openpyxl", "CPU × openpyxl", "{:.2f}"),
)


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table (also valid Markdown) of the rows' figures."""
    head = [title for _, title, _ in COLUMNS]
    body = [
        [fmt.format(row[key]) if row.get(key) is not None else "" for key, _, fmt in COLUMNS]
        for row in rows
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in body
    ]
    return "\n".join(lines)


def publish(name: str, rows: list[dict[str, Any]]) -> Path:
    """Print the table and write the rows as JSON to tests/bench/results/<name>.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(rows, indent=2))
    print("\n" + table(rows) + f"\n(figures: {path.relative_to(REPO)})")
    return path
