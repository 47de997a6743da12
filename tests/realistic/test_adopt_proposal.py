"""What `adopt` proposes for a team's own workbook (found tab, header roles, words with row
counts), what it writes (Settings and Vocabulary rows, checked OK by the next sync), and the
sync's message naming `adopt` when it cannot find the cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from app.cli.adopt import adopt_sheet
from app.errors import SheetContractError
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.realistic.teams import NOW_UTC, mixed_team
from tests.realistic.test_workbook_teams import write_team


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    write_team(tmp_path / "team.xlsx", mixed_team())
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
    )
    rt = open_runtime(settings, workbook=tmp_path / "team.xlsx")
    yield rt
    rt.store.close()


def rows_of(path: Path, title: str) -> list[list[object]]:
    return [list(r) for r in openpyxl.load_workbook(path)[title].iter_rows(values_only=True)]


def test_adopt_proposes_the_tab_the_headers_and_the_words(runtime: Runtime) -> None:
    """The tab is found by its headers, a misspelt header and word are suggested, the team's
    own column is listed, and every word comes with its row count."""
    proposal, written = adopt_sheet(runtime, yes=False)
    assert written == 0
    assert (proposal.cases_tab, proposal.found_by) == ("AS log", "headers")
    roles = {c.header: (c.means, c.how) for c in proposal.columns}
    assert roles["Issue Tpye"] == ("Issue Type", "suggested")
    assert roles["状态"] == ("Status", "built in")
    assert roles["开案时间"] == ("Opened", "built in")
    assert proposal.extra_columns == []  # Notes is a known column
    words = {(w.column, w.word): (w.rows, w.means, w.how) for w in proposal.words}
    assert words[("Status", "Awaitng Seller")] == (1, "Awaiting Seller", "suggested")
    assert words[("Status", "处理中")] == (1, "In Progress", "built in")
    assert words[("Issue Type", "破损")] == (1, "Damaged in Transit", "built in")
    assert words[("Original Packaging", "有")] == (1, "Yes", "built in")
    assert proposal.settings_rows == [("tab.cases", "AS log"), ("column.issue_type", "Issue Tpye")]
    assert proposal.vocabulary_rows == [("Status", "Awaitng Seller", "Awaiting Seller")]
    assert proposal.exit_code == 0


def test_adopt_writes_its_rows_and_the_sync_checks_them(runtime: Runtime) -> None:
    """--yes writes Settings and Vocabulary rows; the sync reads them and marks each OK."""
    adopt_sheet(runtime, yes=True)
    runtime.engine().sync(now=NOW_UTC)
    path = runtime.workbook
    settings = {r[0]: r[2] for r in rows_of(path, "Settings")[1:]}
    assert str(settings["tab.cases"]).startswith("OK: tab.cases = AS log")
    assert str(settings["column.issue_type"]).startswith("OK: column.issue_type = Issue Tpye")
    vocabulary = rows_of(path, "Vocabulary")
    assert vocabulary[0][:3] == ["Column", "Team Word", "Means"]
    assert vocabulary[1] == [
        "Status",
        "Awaitng Seller",
        "Awaiting Seller",
        "OK: Status 'Awaitng Seller' means Awaiting Seller",
    ]


def test_sync_without_a_cases_tab_names_adopt_as_the_fix(runtime: Runtime) -> None:
    """Before adopt, the sync refuses the sheet and says how to map it; nothing is written."""
    before = runtime.workbook.read_bytes()
    with pytest.raises(SheetContractError) as refused:
        runtime.engine().sync(now=NOW_UTC)
    assert "aftersales adopt" in refused.value.message
    assert "Set up" in refused.value.message
    assert runtime.workbook.read_bytes() == before
