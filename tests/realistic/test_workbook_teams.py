"""Five teams' own workbooks through the `aftersales` console script (real processes, SQLite
store): `adopt` maps each sheet without renaming anything, sync computes every return deadline,
no person's cell changes, a second adopt and a second sync write nothing, and a team's own
words are listed once each until the Vocabulary tab maps them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.realistic.teams import NOW, TEAMS, Team

AFTERSALES = Path(sys.executable).with_name("aftersales")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{cwd}/store.db"
    return subprocess.run(
        [str(AFTERSALES), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def last_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert isinstance(payload, dict)
    return payload


def write_team(path: Path, team: Team) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = team.tab
    sheet.append(team.headers)
    for row in team.rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text stays text ("=not a formula")
    book.save(path)
    return path


def grid(path: Path, title: str) -> list[list[Any]]:
    return [list(r) for r in openpyxl.load_workbook(path)[title].iter_rows(values_only=True)]


def team_cells(path: Path, team: Team) -> list[list[Any]]:
    """The cells under the team's own headers: what people typed."""
    rows = grid(path, team.tab)
    width = len(team.headers)
    return [[*r[:width], *([None] * (width - len(r[:width])))] for r in rows]


def by_case(path: Path, team: Team) -> dict[str, dict[str, Any]]:
    rows = grid(path, team.tab)
    header = [str(h) for h in rows[0]]
    out = {}
    for row in rows[1:]:
        record = dict(zip(header, row, strict=False))
        case_id = record.get(team.headers[0])
        if case_id:
            out[str(case_id)] = record
    return out


def sync(cwd: Path) -> dict[str, Any]:
    result = run(cwd, "sync", "--workbook", "team.xlsx", "--now", NOW, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return last_json(result)


def as_date(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else None


@pytest.mark.parametrize("make", TEAMS, ids=lambda m: m().name)
def test_adopt_and_sync_a_teams_own_workbook(tmp_path: Path, make: Any) -> None:
    """adopt maps the sheet; sync gives each case the deadline counted by hand, changes no
    person's cell, and a second adopt and a second sync write nothing."""
    team = make()
    workbook = write_team(tmp_path / "team.xlsx", team)
    typed = team_cells(workbook, team)
    before = workbook.read_bytes()

    proposal = run(tmp_path, "adopt", "--workbook", "team.xlsx", "--json")
    assert proposal.returncode == team.adopt_exit, proposal.stdout + proposal.stderr
    assert workbook.read_bytes() == before  # nothing changes without --yes
    assert last_json(proposal)["cases_tab"] == team.tab

    applied = run(tmp_path, "adopt", "--workbook", "team.xlsx", "--yes", "--json")
    assert applied.returncode == team.adopt_exit, applied.stdout + applied.stderr
    again = run(tmp_path, "adopt", "--workbook", "team.xlsx", "--yes", "--json")
    assert last_json(again)["cells_written"] == 0
    assert team_cells(workbook, team) == typed

    report = sync(tmp_path)
    cases = by_case(workbook, team)
    deadlines = {case_id: as_date(cases[case_id]["Return Deadline"]) for case_id in cases}
    assert deadlines == team.deadlines
    assert team_cells(workbook, team) == typed  # no person's cell changed
    assert report["errors"] == 0, [c["Validation"] for c in cases.values()]

    second = sync(tmp_path)
    assert second["cells_written"] == 0


def test_own_words_are_listed_once_and_gone_once_mapped(tmp_path: Path) -> None:
    """A team's own words: each once in the summary with its row count, the fix in the row's
    Validation; after the team maps them in the Vocabulary tab, no warning names them."""
    team = TEAMS[-1]()
    workbook = write_team(tmp_path / "team.xlsx", team)
    assert run(tmp_path, "adopt", "--workbook", "team.xlsx", "--yes").returncode == 1

    notes = sync(tmp_path)["notes"]
    assert notes and notes[0].startswith("4 words to map in the Vocabulary tab"), notes
    for word, count in team.unknown.items():
        listed = [n for n in notes if word in n]
        assert listed == [f"  {word}: {count} row{'s' if count > 1 else ''}"], notes
    cases = by_case(workbook, team)
    status = cases["OW-3"]["Validation"]
    assert "map 'Parcel Back to Seller' in the Vocabulary tab" in status
    assert "treated as open" in status
    assert cases["OW-3"]["Days Left"] == 1  # Fri 14 -> Sat 15 November

    book = openpyxl.load_workbook(workbook)
    words = (
        book["Vocabulary"] if "Vocabulary" in book.sheetnames else book.create_sheet("Vocabulary")
    )
    if words.max_row <= 1 and words["A1"].value is None:
        words.append(["Column", "Team Word", "Means"])
    for row in team.vocabulary:
        words.append(row)
    book.save(workbook)

    mapped = sync(tmp_path)
    assert not [n for n in mapped["notes"] if "to map" in n or "'" in n], mapped["notes"]
    cases = by_case(workbook, team)
    for case_id, record in cases.items():
        assert "Vocabulary tab" not in str(record["Validation"]), (case_id, record["Validation"])
    validations = {r[1]: r[3] for r in grid(workbook, "Vocabulary")[1:]}
    assert validations["Parcel Back to Seller"] == (
        "OK: Status 'Parcel Back to Seller' means Return Shipped"
    )
    assert validations["等待退款"] == "OK: Status '等待退款' means Awaiting Platform"
    assert validations["Customs Hold"] == "OK: Issue Type 'Customs Hold' means Missing Item"
