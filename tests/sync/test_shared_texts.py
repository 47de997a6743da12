"""The Cases tab as the sync reads it holds each repeated text once (the read is held through
the whole sync), and reads cell for cell as the backend gives it."""

from __future__ import annotations

from app.runtime import Runtime
from app.sheets.backend import share_equal_texts
from tests.workbooks import NOW, case, write_workbook


def test_equal_texts_become_one_string_and_nothing_else_changes() -> None:
    """Equal texts made separately are one object after; numbers, booleans, blanks and the
    1 / 1.0 / True / "1" that compare equal keep their own types and values."""
    rows: list[list[object]] = [
        ["Case ID", "平台", "Amount", "Flag"],
        ["AS-1", "".join(["Super", "buy"]), 1, True],
        ["AS-2", "".join(["Super", "buy"]), 1.0, "1"],
        ["AS-3", "Bhiner", None, ""],
    ]
    before = [list(row) for row in rows]
    share_equal_texts(rows)
    assert rows == before
    assert [[type(v) for v in row] for row in rows] == [[type(v) for v in row] for row in before]
    assert rows[1][1] is rows[2][1]
    assert before[1][1] is not before[2][1]  # (they were two strings)


def test_a_synced_sheet_reads_with_its_repeated_texts_shared(runtime: Runtime) -> None:
    """After a fill, the sync's read of a team's Cases tab (Chinese platforms, statuses and
    notes repeated over many rows, the service's own columns filled) equals what the workbook
    holds, and each repeated text is one string."""
    write_workbook(
        runtime.workbook,
        [
            case(
                **{
                    "Case ID": f"AS-R-{n:04d}",
                    "Customer": f"客户 {n}",
                    "Platform": ["Superbuy", "Bhiner", "Yoybuy"][n % 3],
                    "Notes": "客户说下周寄回" if n % 2 else "",
                }
            )
            for n in range(1, 61)
        ],
    )
    engine = runtime.engine()
    engine.sync(now=NOW)
    as_stored = engine.backend.read(lambda titles: ["Cases"]).tabs["Cases"].rows
    sheet = engine.reader.read(engine.backend)
    rows = sheet.tab("cases").rows  # type: ignore[union-attr]
    assert rows == as_stored
    column = {header: i for i, header in enumerate(rows[0])}
    platforms = {id(row[column["Platform"]]) for row in rows[1:]}
    notes = {id(row[column["Notes"]]) for row in rows[1:] if row[column["Notes"]]}
    customers = {id(row[column["Customer"]]) for row in rows[1:]}
    assert (len(platforms), len(notes), len(customers)) == (3, 1, 60)


def test_a_fill_plans_each_repeated_text_once(runtime: Runtime) -> None:
    """A first fill of 40 cases on two platforms plans the same policy version, SLA state and
    Timeline detail for many rows: each distinct text is one string in the plan, and the texts
    are the ones each case gets on its own."""
    write_workbook(
        runtime.workbook,
        [
            case(**{"Case ID": f"AS-F-{n:04d}", "Platform": ["Superbuy", "Bhiner"][n % 2]})
            for n in range(1, 41)
        ],
    )
    prepared = runtime.engine().prepare(NOW, run_id=0)
    refs = [u.value for u in prepared.updates if getattr(u, "column", None) == "policy_ref"]
    assert len(refs) == 40 and len(set(refs)) == 2
    assert len({id(v) for v in refs}) == 2
    details = [e.detail for e in prepared.events]
    assert len(details) >= 40
    assert len({id(d) for d in details}) == len(set(details)) < len(details)
