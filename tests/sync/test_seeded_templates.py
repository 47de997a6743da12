"""The Templates tab the service seeds changes nothing: a sync before and after it agree."""

from __future__ import annotations

from pathlib import Path

from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.workbooks import NOW, case, records, write_workbook

# A note pasted into Assignee: any reply that signs with it is longer than a cell may hold.
PASTED_NOTE = ("客户多次联系，很着急 🚚 customer called again; " * 200)[:5000]
KEY = "customer.overdue_apology.en"  # the cases were opened yesterday and not answered


def runtime(folder: Path) -> Runtime:
    return open_runtime(
        Settings(
            environment="test",
            database_url=f"sqlite:///{folder}/store.db",  # type: ignore[arg-type]
            workbook=folder / "cases.xlsx",
        )
    )


def test_a_reply_too_long_for_one_case_is_reported_once_and_the_next_sync_writes_nothing(
    tmp_path: Path,
) -> None:
    """A default template failing on one case's long value is named once, not blamed on the tab."""
    rt = runtime(tmp_path)
    try:
        write_workbook(
            rt.workbook,
            [
                case(**{"Case ID": "AS-LONG-1", "Status": "New", "Assignee": PASTED_NOTE}),
                case(**{"Case ID": "AS-SHORT-2", "Status": "New", "Assignee": "小王"}),
            ],
        )
        first = rt.engine().sync(now=NOW)
        assert first.cells_written > 0
        cases = {r["Case ID"]: r for r in records(rt.workbook)}
        long_validation = str(cases["AS-LONG-1"]["Validation"])
        assert long_validation.count("⚠ template '") == 1, long_validation
        assert "longer than 5000" in long_validation
        assert not cases["AS-LONG-1"]["Suggested Reply"]
        assert "小王" in str(cases["AS-SHORT-2"]["Suggested Reply"])
        seeded = {r["Key"]: r["Validation"] for r in records(rt.workbook, "Templates")}
        assert seeded[KEY] == "OK"  # nobody edited the template: the tab is not to blame

        before = rt.workbook.read_bytes()
        again = rt.engine().sync(now=NOW)
        assert again.cells_written == 0
        assert rt.workbook.read_bytes() == before
    finally:
        rt.store.close()
