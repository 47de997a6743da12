"""`GET/POST /v1/sheets/{sheet}/adopt` over HTTP (signed like every sheet endpoint): the
proposal for a team's own workbook, Apply writing it once, and anonymous callers refused."""

from __future__ import annotations

import openpyxl

from tests.api.support import Api
from tests.realistic.teams import mixed_team
from tests.realistic.test_workbook_teams import write_team


def test_check_my_sheet_then_apply_once(api: Api) -> None:
    """GET proposes and writes nothing; POST writes the rows; a second POST writes nothing."""
    path = write_team(api.tmp / "team.xlsx", mixed_team())
    api.add_sheet("team", path)
    before = path.read_bytes()

    proposal = api.get("/v1/sheets/team/adopt")
    assert path.read_bytes() == before
    assert (proposal["cases_tab"], proposal["found_by"], proposal["exit_code"]) == (
        "AS log",
        "headers",
        0,
    )
    assert ["column.issue_type", "Issue Tpye"] in proposal["settings_rows"]
    assert ["Status", "Awaitng Seller", "Awaiting Seller"] in proposal["vocabulary_rows"]
    assert {"column": "Status", "word": "处理中", "rows": 1, "means": "In Progress",
            "how": "built in"} in proposal["words"]  # fmt: skip

    applied = api.signed("POST", "/v1/sheets/team/adopt")
    assert applied.status_code == 200, applied.text
    assert applied.json()["cells_written"] > 0
    assert "Vocabulary" in openpyxl.load_workbook(path).sheetnames
    again = api.signed("POST", "/v1/sheets/team/adopt")
    assert again.json()["cells_written"] == 0

    assert api.sync("team")["errors"] == 0  # the sync reads the mapping


def test_adopt_refuses_anonymous_callers(api: Api) -> None:
    """No credentials, no proposal and no write."""
    for method in ("GET", "POST"):
        response = api.client.request(method, "/v1/sheets/desk/adopt")
        assert response.status_code == 401
