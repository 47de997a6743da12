"""A quiet press lets go, as it reads them, the Cases rows whose cached planning stands, and
reads the sheet again whole when one of them turns out to be needed: a team's new holiday (no
planning stands), a new case typed without a Case ID (the id check compares every row), a Case
ID typed on a second row. Each time the sheet ends as a sync that held every row leaves it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from app.runtime import Runtime
from app.sheets.backend import LetGo, SheetData
from app.sync.engine import SyncEngine
from tests.workbooks import NOW, case, records, write_workbook


@dataclass
class Read:
    asked_to_let_go: bool
    rows_let_go: int


def _recording(engine: SyncEngine) -> list[Read]:
    """Every read of the engine's backend: whether it was asked to let rows go, and how many
    Cases rows it let go."""
    reads: list[Read] = []
    read: Callable[..., SheetData] = engine.backend.read

    def recorded(select: Any, narrow: Any = None, let_go: Mapping[str, Any] | None = None) -> Any:
        data = read(select, narrow, let_go)
        cases = data.tabs.get("Cases")
        let_go_rows = sum(type(r) is LetGo for r in cases.rows) if cases else 0
        reads.append(Read(bool(let_go), let_go_rows))
        return data

    engine.backend.read = recorded  # type: ignore[method-assign]
    return reads


def _yoybuy_cases(path: Path, count: int, holidays: list[list[Any]] | None = None) -> None:
    """Yoybuy cases whose 7-day window opened on 2025-09-28, in the middle of the National
    Day holiday (their deadline is 2025-10-16 by the shipped calendar)."""
    rows = [
        case(
            Platform="Yoybuy",
            **{
                "Case ID": f"AS-LG-{n:03d}",
                "Customer": f"顾客{n}号",
                "Order No.": f"YB{70_000 + n}",
                "Window Start": datetime(2025, 9, 28),
            },
        )
        for n in range(1, count + 1)
    ]
    write_workbook(path, rows, extra_tabs={"Holidays": holidays or [["Date", "Kind", "Note"]]})


def _edit(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> None:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)


def _type_row(path: Path, row: Mapping[str, Any]) -> None:
    """A person types `row` (by header) below the last Cases row."""

    def type_it(book: openpyxl.Workbook) -> None:
        tab = book["Cases"]
        tab.append([row.get(str(cell.value)) for cell in tab[1]])

    _edit(path, type_it)


def _steady(runtime: Runtime) -> tuple[SyncEngine, list[Read]]:
    """The engine after the fill and the press after it (every case cached), reads recorded."""
    engine = runtime.engine()
    engine.sync(now=NOW)
    engine.sync(now=NOW)
    return engine, _recording(engine)


def _cells(path: Path) -> list[dict[str, Any]]:
    """Every Cases row as a person sees it, without Last Synced (a sync that plans a row moves
    it when something changed)."""
    return [{k: v for k, v in row.items() if k != "Last Synced"} for row in records(path)]


def test_a_quiet_press_lets_go_of_every_row_it_reuses(runtime: Runtime) -> None:
    """Six cases, synced and quiet: the next press is asked to let rows go, lets go all six,
    reuses six plannings, writes nothing, and the sheet reads as before."""
    _yoybuy_cases(runtime.workbook, 6)
    engine, reads = _steady(runtime)
    before = records(runtime.workbook)

    report = engine.sync(now=NOW)

    assert reads == [Read(True, 6)]
    assert (report.cases_reused, report.cells_written, report.errors) == (6, 0, 0)
    assert records(runtime.workbook) == before
    assert [r.case_id for r in report.results] == [f"AS-LG-{n:03d}" for n in range(1, 7)]
    assert {r.evaluation.return_deadline_date for r in report.results if r.evaluation} == {
        date(2025, 10, 16)
    }


def test_a_new_team_holiday_reads_the_sheet_again_and_moves_every_deadline(
    runtime: Runtime,
) -> None:
    """The team adds a day off (2025-10-09) to its Holidays tab: no cached planning stands, so
    the rows the read let go are read again, whole, and every case is planned: each deadline
    moves from 2025-10-16 to 2025-10-17, one more day skipped."""
    _yoybuy_cases(runtime.workbook, 4)
    engine, reads = _steady(runtime)
    assert {r["Return Deadline"].date() for r in records(runtime.workbook)} == {date(2025, 10, 16)}

    _edit(
        runtime.workbook,
        lambda book: book["Holidays"].append([datetime(2025, 10, 9), "Day off", "公司团建"]),
    )
    report = engine.sync(now=NOW)

    assert reads == [Read(True, 4), Read(False, 0)]
    assert report.cases_reused == 0
    assert {r["Return Deadline"].date() for r in records(runtime.workbook)} == {date(2025, 10, 17)}
    engine.sync(now=NOW)  # plans once more: a planning that wrote is not reused
    assert engine.sync(now=NOW).cases_reused == 4  # quiet again


def test_a_case_typed_without_an_id_gets_one_and_the_rest_stay_as_they_were(
    runtime: Runtime,
) -> None:
    """A person types a new case below three quiet ones and leaves Case ID blank: the id check
    compares every row's cells after the ids are written, so the sheet is read whole; the new
    row gets an id, and the three rows are untouched."""
    _yoybuy_cases(runtime.workbook, 3)
    engine, reads = _steady(runtime)
    before = _cells(runtime.workbook)
    _type_row(
        runtime.workbook, case(Platform="Superbuy", **{"Case ID": None, "Customer": "新客户 王芳"})
    )
    engine.sync(now=NOW)

    assert reads[:2] == [Read(True, 3), Read(False, 0)]
    after = _cells(runtime.workbook)
    assert after[:3] == before
    assert after[3]["Customer"] == "新客户 王芳"
    assert str(after[3]["Case ID"]).startswith("AS-")
    assert after[3]["Case ID"] not in {row["Case ID"] for row in before}


def test_a_case_id_typed_on_a_second_row_is_flagged_on_both(runtime: Runtime) -> None:
    """A person copies case AS-LG-002's id onto a new row: the id is on two rows, which are
    never reused, so the sheet is read whole and both rows say where the other is."""
    _yoybuy_cases(runtime.workbook, 3)
    engine, reads = _steady(runtime)
    _type_row(
        runtime.workbook, case(Platform="Bhiner", **{"Case ID": "AS-LG-002", "Customer": "李雷"})
    )
    engine.sync(now=NOW)

    assert reads[:2] == [Read(True, 3), Read(False, 0)]
    rows = records(runtime.workbook)
    assert "row(s) 5" in str(rows[1]["Validation"])
    assert "row(s) 3" in str(rows[3]["Validation"])


def test_a_compacted_cache_reports_and_reuses_what_the_planning_made(runtime: Runtime) -> None:
    """An engine that makes its cache again after every sync that planned a case (a service
    does past 20,000 cases): the press after the fill reports its five results, and the press
    after that reuses every case, writes nothing and reports the same five conclusions."""
    _yoybuy_cases(runtime.workbook, 5)
    engine = runtime.engine()
    compacting = SyncEngine(
        engine.backend, engine.store, replace(engine.config, compact_cache_from=1)
    )
    compacting.sync(now=NOW)
    planned = compacting.sync(now=NOW)

    steady = compacting.sync(now=NOW)

    assert planned.cases_reused == 0 and len(planned.results) == 5
    assert (steady.cases_reused, steady.cells_written) == (5, 0)
    assert steady.results == planned.results  # the same conclusions, by value


def test_a_compacted_cache_keeps_one_object_for_what_its_cases_share(runtime: Runtime) -> None:
    """Compacted two cases per pickle, five Yoybuy cases opened in the same holiday keep one
    deadline object and one set of SLA clocks between them, as the planning made them: copied
    with each part, a value every case shares became one copy per part (at 50,000 cases,
    380,000 objects more than the planning had made)."""
    _yoybuy_cases(runtime.workbook, 5)
    engine = runtime.engine()
    compacting = SyncEngine(
        engine.backend,
        engine.store,
        replace(engine.config, compact_cache_from=1, compact_part=2),
    )
    compacting.sync(now=NOW)
    compacting.sync(now=NOW)  # plans every case again (the fill wrote), caches and compacts

    steady = compacting.sync(now=NOW)

    assert (steady.cases_reused, steady.cells_written) == (5, 0)
    evaluations = [r.evaluation for r in steady.results]
    assert all(e is not None for e in evaluations)
    deadlines = {id(e.return_deadline_date) for e in evaluations if e is not None}
    clocks = {id(e.sla) for e in evaluations if e is not None}
    assert (len(deadlines), len(clocks)) == (1, 1)
    first = evaluations[0]  # and still the deadline the sheet shows (see `_yoybuy_cases`)
    assert first is not None and first.return_deadline_date == date(2025, 10, 16)
