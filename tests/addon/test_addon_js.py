"""Runs the add-on's node tests (tests/addon/*.test.mjs) so that `make test` includes them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_node_suite_passes() -> None:
    """`node --test` over tests/addon/*.test.mjs exits 0; its output is shown when it does not."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed (required under CI for the add-on tests)")
        pytest.skip("node is not installed")
    files = sorted(str(path) for path in HERE.glob("*.test.mjs"))
    assert files, "no *.test.mjs files in tests/addon"
    done = subprocess.run(
        [node, "--test", "--test-reporter=spec", *files],
        cwd=HERE.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        pytest.fail(f"node --test failed (exit {done.returncode}):\n{output}", pytrace=False)
    assert "# fail 0" in output or "ℹ fail 0" in output, output
