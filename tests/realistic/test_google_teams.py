"""The same five teams' sheets as Google spreadsheets on the local Sheets API emulator (gspread
over HTTP): a team types its own tab, `adopt` writes the mapping into it, sync computes every
return deadline counted by hand, no person's cell changes and a second sync writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.cli.adopt import adopt_sheet
from app.runtime import open_runtime
from app.settings import Settings
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator
from tests.realistic.teams import NOW_UTC, TEAMS, Team


def team_sheet(emulator: Emulator, account: Any, team: Team) -> str:
    """A spreadsheet the team made itself: one tab under its own name, typed in by people."""
    sid = emulator.create_spreadsheet(team.name, shared_with={account.email: "writer"})
    rename = {"properties": {"sheetId": 0, "title": team.tab}, "fields": "title"}
    emulator.edit_now(Edit.requests(sid, [{"updateSheetProperties": rename}]))
    typed = [["" if v is None else v for v in row] for row in [team.headers, *team.rows]]
    emulator.set_values(sid, f"'{team.tab}'!A1", typed)
    return sid


def grid(emulator: Emulator, sid: str, title: str) -> list[list[Any]]:
    return emulator.values(sid, f"'{title}'")


def team_cells(emulator: Emulator, sid: str, team: Team) -> list[list[Any]]:
    width = len(team.headers)
    return [[*r[:width], *([""] * (width - len(r[:width])))] for r in grid(emulator, sid, team.tab)]


def deadlines(emulator: Emulator, sid: str, team: Team) -> dict[str, date | None]:
    rows = grid(emulator, sid, team.tab)
    header = rows[0]
    at = header.index("Return Deadline")
    out: dict[str, date | None] = {}
    for row in rows[1:]:
        if row and row[0]:
            cell = row[at] if at < len(row) else ""
            # Read unformatted: a date is a day number (days since 30 December 1899).
            number = cell if isinstance(cell, int | float) else None
            out[str(row[0])] = (
                date(1899, 12, 30) + timedelta(days=int(number)) if number is not None else None
            )
    return out


@pytest.mark.parametrize("make", TEAMS, ids=lambda m: m().name)
def test_adopt_and_sync_a_teams_own_google_sheet(
    emulator: Emulator, service_account: Any, tmp_path: Path, make: Any
) -> None:
    """adopt maps the team's Google sheet; sync writes each deadline counted by hand and no
    person's cell; a second adopt and a second sync write nothing."""
    team = make()
    sid = team_sheet(emulator, service_account, team)
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        google_credentials=str(service_account.path),  # type: ignore[arg-type]
        google_api_override=emulator.base_url,
    )
    runtime = open_runtime(settings, sheet=sid)
    try:
        typed = team_cells(emulator, sid, team)
        proposal, _ = adopt_sheet(runtime, yes=True)
        assert proposal.cases_tab == team.tab
        assert proposal.exit_code == team.adopt_exit, proposal.needs_person
        assert adopt_sheet(runtime, yes=True)[1] == 0

        report = runtime.engine().sync(now=NOW_UTC)
        assert deadlines(emulator, sid, team) == team.deadlines
        assert team_cells(emulator, sid, team) == typed
        assert report.errors == 0
        for word, count in team.unknown.items():
            assert [n for n in report.all_notes if word in n] == [
                f"  {word}: {count} row{'s' if count > 1 else ''}"
            ]

        assert runtime.engine().sync(now=NOW_UTC).cells_written == 0
    finally:
        runtime.store.close()
