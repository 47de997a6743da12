"""A reply template is compiled once per source text, not once per case, and a team's edit of
the Templates tab between two syncs is compiled and used by the next sync.

The compile cache is `sandbox_env.compile_bounded` (bounded, keyed by the template's text); its
counters say how many compiles a sync made. Cleared first, with the remembered template checks
(`sandbox.forget_checks`: a check compiles too), so the counts are this test's.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from app.automation.sandbox import forget_checks
from app.automation.sandbox_env import compile_bounded
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.workbooks import NOW, case, records, write_workbook

CASES = 40
KEY = "customer.overdue_apology.en"  # the cases were opened yesterday and not answered yet
EDITED = "Dear {{ customer }}, your case {{ case_id }} is late; Lily calls you today. (v2)"


def _late_cases(count: int = CASES) -> list[dict[str, object]]:
    names = ["王芳", "Emma Wilson", "李雷", "Marco Rossi"]
    return [
        case(**{"Case ID": f"AS-C-{i:03d}", "Customer": f"{names[i % 4]} #{i}"})
        for i in range(count)
    ]


def _edit_template_body(runtime: Runtime, key: str, body: str) -> None:
    """A person rewrites one template's Body in the Templates tab and saves the file."""
    book = openpyxl.load_workbook(runtime.workbook)
    sheet = book["Templates"]
    header = [c.value for c in sheet[1]]
    key_col, body_col = header.index("Key") + 1, header.index("Body") + 1
    rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, key_col).value == key]
    assert len(rows) == 1, f"the seeded Templates tab has no single row {key}"
    sheet.cell(rows[0], body_col).value = body
    book.save(runtime.workbook)


def _compiles_of_a_resync(folder: Path, cases: int) -> tuple[int, int]:
    """(compiles, distinct texts cached) of the second sync of a sheet of `cases` late cases."""
    rt = open_runtime(
        Settings(
            environment="test",
            database_url=f"sqlite:///{folder}/store.db",  # type: ignore[arg-type]
            workbook=folder / "cases.xlsx",
        )
    )
    try:
        write_workbook(rt.workbook, _late_cases(cases))
        rt.engine().sync(now=NOW)  # seeds the Templates tab
        compile_bounded.cache_clear()
        forget_checks()
        rt.engine().sync(now=NOW)
        info = compile_bounded.cache_info()
        return info.misses, info.currsize
    finally:
        rt.store.close()


def test_each_template_text_is_compiled_once_however_many_cases_use_it(tmp_path: Path) -> None:
    """A sheet of 2 cases and one of 60 compile the same number of texts, each text once."""
    few = _compiles_of_a_resync(tmp_path / "few", 2)
    many = _compiles_of_a_resync(tmp_path / "many", 60)
    assert few[0] == few[1] and many[0] == many[1]  # no text was compiled twice
    assert many[0] == few[0] > 0  # the compiles do not grow with the cases


def test_a_templates_tab_edit_between_syncs_is_compiled_and_used(runtime: Runtime) -> None:
    """The edited body is compiled once (not per case) and every late case's reply shows it."""
    write_workbook(runtime.workbook, _late_cases())
    runtime.engine().sync(now=NOW)
    compile_bounded.cache_clear()
    forget_checks()
    runtime.engine().sync(now=NOW)
    before = compile_bounded.cache_info()
    _edit_template_body(runtime, KEY, EDITED)
    runtime.engine().sync(now=NOW)
    after = compile_bounded.cache_info()
    assert after.misses - before.misses == 1  # the new body; the subject was compiled before
    replies = {r["Case ID"]: str(r["Suggested Reply"]) for r in records(runtime.workbook)}
    assert len(replies) == CASES
    for i in range(CASES):
        name = ["王芳", "Emma Wilson", "李雷", "Marco Rossi"][i % 4]
        expected = f"Dear {name} #{i}, your case AS-C-{i:03d} is late; Lily calls you today. (v2)"
        assert replies[f"AS-C-{i:03d}"] == expected
    runtime.engine().sync(now=NOW)
    assert compile_bounded.cache_info().misses == after.misses  # nothing new to compile
