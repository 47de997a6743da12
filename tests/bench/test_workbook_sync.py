"""Benchmarks (run by `make bench`, never by `make test`): the workbook sync against openpyxl's
own load + save of the same file, at 1,000 and 10,000 cases. Prints a table and writes JSON to
tests/bench/results/. Figures only; no timed assertions."""

from __future__ import annotations

import json
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from app.runtime import open_runtime
from app.settings import Settings
from tests.workbooks import case, write_workbook

RESULTS = Path(__file__).with_name("results")
NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)


def _cases(n: int) -> list[dict[str, object]]:
    platforms = ("Superbuy", "Bhiner", "Yoybuy")
    statuses = ("New", "In Progress", "Awaiting Seller", "Resolved", "Closed")
    return [
        case(
            **{
                "Case ID": f"AS-B-{i:05d}",
                "Platform": platforms[i % 3],
                "Status": statuses[i % 5],
                "Customer": f"Customer {i}",
                "Order No.": f"ORD{i:07d}",
            }
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("size", [1_000, 10_000])
def test_workbook_sync_against_openpyxl_baseline(tmp_path: Path, size: int) -> None:
    """Wall and CPU time of a first and a second sync, beside openpyxl's load + save."""
    path = write_workbook(tmp_path / "bench.xlsx", _cases(size))
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/s.db",  # type: ignore[arg-type]
        workbook=path,
    )
    rt = open_runtime(settings)
    figures: dict[str, object] = {"cases": size}
    for label in ("first_sync", "second_sync"):
        wall, cpu = time.perf_counter(), time.process_time()
        report = rt.engine().sync(now=NOW)
        figures[label] = {
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
            "cells_written": report.cells_written,
        }
    wall = time.perf_counter()
    book = openpyxl.load_workbook(path)
    book.save(tmp_path / "copy.xlsx")
    figures["openpyxl_load_save_s"] = round(time.perf_counter() - wall, 3)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"workbook_{size}.json").write_text(json.dumps(figures, indent=2))
    print(f"\n{json.dumps(figures)}")
    rt.store.close()
