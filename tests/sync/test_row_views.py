"""A parsed row's cells and values held compactly read (and, for values, write) as the dicts
they replace: a ragged row's missing cells are blank, a Case ID or Opened filled in is seen,
and packing them for the cache copies them out of the read."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.sync.packed_cells import CellsView, RowValues

POSITIONS = {"case_id": 0, "opened": 1, "platform": 2, "customer": 3, "notes": 5}


def _as_dict(row: list[object]) -> dict[str, object]:
    """What the parser used to build: every column's cell, blank past the row's end."""
    return {key: row[col] if col < len(row) else None for key, col in POSITIONS.items()}


@pytest.mark.parametrize(
    "row",
    [
        ["AS-1", 45933.5, "Superbuy", "王芳", "", "客户说下周寄回"],
        ["AS-2", "", "Bhiner"],  # ragged: Google trims trailing blanks
        [],
    ],
)
def test_a_row_view_reads_as_the_dict_it_replaces(row: list[object]) -> None:
    """get, [], in, len, iteration, items and == answer as the dict of every column would."""
    view = CellsView(POSITIONS, row)
    expected = _as_dict(row)
    assert dict(view) == expected and view == expected and len(view) == len(expected)
    assert [view[k] for k in POSITIONS] == [expected[k] for k in POSITIONS]
    assert view.get("notes") == expected["notes"] and view.get("nope", "-") == "-"
    assert "customer" in view and "nope" not in view
    with pytest.raises(KeyError):
        view["nope"]


def test_row_values_read_and_fill_in_as_a_dict_would() -> None:
    """Values read like the dict they replace; a filled-in Case ID or Opened is read back, a
    key the tab has no column for is kept too, and removing one is refused (never done)."""
    index = {"case_id": 0, "opened": 1, "platform": 2}
    start: list[object] = [None, None, "Superbuy"]
    values = RowValues(index, start)
    as_dict: dict[str, object] = {"case_id": None, "opened": None, "platform": "Superbuy"}
    assert values == as_dict and len(values) == 3 and list(values) == list(as_dict)
    values["case_id"] = as_dict["case_id"] = "AS-0042"
    values["opened"] = as_dict["opened"] = datetime(2025, 10, 9, 9, 30)
    values["退货原因"] = as_dict["退货原因"] = "尺码不对"
    assert values == as_dict and dict(values) == as_dict and len(values) == 4
    assert values.get("退货原因") == "尺码不对" and values["case_id"] == "AS-0042"
    assert values.get("missing", 0) == 0 and "missing" not in values
    with pytest.raises(KeyError):
        values["missing"]
    with pytest.raises(TypeError):
        del values["platform"]
    other = RowValues(index, ["AS-0043", None, "Yoybuy"])
    assert other["case_id"] == "AS-0043" and values["case_id"] == "AS-0042"  # rows apart
