"""Hostile sheets through the workbook backend (a local .xlsx): no crash, every bad cell named in
its Validation cell, no cell a person owns changed, and a second sync has nothing to write.

Derandomized (and without the example database), so `make test` runs the same examples every
time; the rules are in tests/fuzz/oracle.py, the sheets in tests/fuzz/hostile.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import event, note

from app.errors import SheetContractError
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.fuzz.backends import workbook_grid, write_workbook
from tests.fuzz.hostile import HostileSheet
from tests.fuzz.oracle import check_refused, check_synced, header_map
from tests.fuzz.regressions import fuzzed
from tests.workbooks import NOW

EXAMPLES = 30
NUMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """One store for every example (each workbook is its own sheet in it)."""
    folder = tmp_path_factory.mktemp("hostile-workbooks")
    rt = open_runtime(
        Settings(
            environment="test",
            database_url=f"sqlite:///{folder}/store.db",  # type: ignore[arg-type]
            workbook=folder / "unused.xlsx",
        )
    )
    yield rt
    rt.store.close()


@fuzzed(EXAMPLES)
def test_hostile_workbook_is_synced_safely_or_refused_cleanly(
    shared: Runtime, sheet: HostileSheet
) -> None:
    """A hostile .xlsx is refused with a contract error (nothing written) only when its header
    row breaks the contract; otherwise it syncs, touching no person's cell, naming every bad cell
    in Validation, and leaving nothing for a second sync to write."""
    note(sheet.describe())
    for feature in sheet.features():
        event(feature)
    path = shared.workbook.parent / f"hostile-{next(NUMBERS)}.xlsx"
    write_workbook(path, sheet)
    title = sheet.title
    before = workbook_grid(path, title)
    saved = path.read_bytes()
    runtime = replace(shared, workbook=path, _backend=None)
    contract_ok = header_map(title, before).ok
    try:
        runtime.engine().sync(now=NOW)
    except SheetContractError as exc:
        assert not contract_ok, f"refused a sheet whose headers are fine: {exc}"
        event("refused: header row breaks the contract")
        check_refused(exc, before, workbook_grid(path, title), int(path.read_bytes() != saved))
        return
    assert contract_ok, "synced a sheet whose header row breaks the contract"
    check_synced(sheet, title, before, workbook_grid(path, title))
    written = path.read_bytes()
    again = runtime.engine().sync(now=NOW)
    assert again.cells_written == 0, "a second sync of the same sheet wrote cells again"
    assert path.read_bytes() == written
