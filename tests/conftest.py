"""Shared fixtures: a fresh SQLite store per test and a runtime over a temporary workbook."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.store import Store

pytest_plugins = ["tests.emulator.fixtures"]

# `make test` draws the same examples on every run (a red CI run is reproducible, never luck);
# HYPOTHESIS_PROFILE=explore draws new ones each time, to look for cases nobody has tried yet.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        workbook=tmp_path / "cases.xlsx",
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = open_runtime(settings)
    yield rt
    rt.store.close()


@pytest.fixture
def store(runtime: Runtime) -> Store:
    return runtime.store
