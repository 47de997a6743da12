"""The composition root: one engine per registered sheet, dry runs apart, every engine built
with the same settings whichever door (API, scheduler, CLI) asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.composition import CompositionRoot
from app.runtime import Runtime
from app.settings import Settings
from tests.workbooks import case, write_workbook


@pytest.fixture
def root(tmp_path: Path) -> Iterator[CompositionRoot]:
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        workbook=tmp_path / "unused.xlsx",
        max_replans=5,
        tab_names={"cases": "售后 Cases"},
    )
    root = CompositionRoot.open(settings)
    yield root
    root.close()


def register(root: CompositionRoot, tmp_path: Path, sheet: str, zone: str) -> None:
    workbook = tmp_path / f"{sheet}.xlsx"
    write_workbook(workbook, [case()])
    root.registry.add(sheet, kind="workbook", location=str(workbook), timezone=zone)


def test_one_engine_per_sheet_and_a_dry_run_gets_its_own(
    root: CompositionRoot, tmp_path: Path
) -> None:
    """A sheet's engine is reused across asks; a dry run's engine and backend are new ones
    with the same settings (max_replans too, which the API's dry runs used to leave out)."""
    register(root, tmp_path, "kolkata", "Asia/Kolkata")
    entry = root.registry.get("kolkata")
    shared = root.engine_for(entry)
    assert root.engine_for(entry) is shared
    assert root.running_engine("kolkata") is shared
    dry = root.engine_for(entry, dry_run=True)
    assert dry is not shared and dry.backend is not shared.backend
    for engine in (shared, dry):
        assert engine.max_replans == 5
        assert engine.tab_names == {"cases": "售后 Cases"}
        assert engine.team.timezone == "Asia/Kolkata"  # the sheet's zone over the team's
        assert engine.sheet_key == f"workbook:{(tmp_path / 'kolkata.xlsx').resolve()}"


def test_the_cli_runtime_builds_its_engine_the_same_way(
    root: CompositionRoot, tmp_path: Path
) -> None:
    """A CLI runtime's engine carries the settings an API engine carries, and its probe."""
    seen: list[str] = []
    runtime = Runtime(root=root, workbook=tmp_path / "cli.xlsx", probe=seen.append)
    engine = runtime.engine()
    assert engine.max_replans == 5 and engine.tab_names == {"cases": "售后 Cases"}
    assert engine.store is root.store and engine.backend is runtime.backend()
    engine.probe("read")
    assert seen == ["read"]
