"""A row's values packed: read like the dict they replace, refuse writes, and share one key index
and one string among equal texts; a cached row's values held in part, the rest parsed again
when asked for; a synced sheet's cached rows keep no cells and only the values every sync
reads."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.runtime import Runtime
from app.sync.packed_cells import CellPacker, PartValues
from app.sync.reuse import RESULTS
from tests.workbooks import NOW, case, write_workbook


def _row(customer: str) -> dict[str, object]:
    # Texts built at run time, as a read decodes them: equal, but each its own object.
    return {
        "case_id": "AS-" + customer,
        "platform": "".join(["Super", "buy"]),
        "customer": customer,
        "refund_amount": 12.5,
        "notes": None,
        "suggested_reply": "Hi " + customer,
    }


def test_a_packed_row_reads_as_the_dict_it_replaces() -> None:
    """Every lookup a planner makes (get, [], in, items, ==) answers as the dict would."""
    row = _row("王芳")
    packed = CellPacker().pack(row)
    assert packed == row
    assert dict(packed.items()) == row
    assert packed["customer"] == "王芳" and packed.get("notes") is None
    assert packed.get("missing") is None and "missing" not in packed
    assert packed.get("missing", "fallback") == "fallback"
    with pytest.raises(KeyError):
        packed["missing"]
    assert len(packed) == 6 and list(packed) == list(row)


def test_a_packed_row_refuses_writes() -> None:
    """Setting, deleting or popping a cell of a cached row is a bug and says so."""
    packed = CellPacker().pack(_row("Lily"))
    with pytest.raises(TypeError, match="read only"):
        packed["status"] = "Closed"
    with pytest.raises(TypeError, match="read only"):
        del packed["customer"]
    with pytest.raises(TypeError, match="read only"):
        packed.pop("customer")
    assert packed["customer"] == "Lily"


def test_rows_packed_alike_share_their_key_index_and_equal_texts() -> None:
    """Two rows of the same columns share one index; equal texts become one string."""
    packer = CellPacker()
    first, second = packer.pack(_row("A")), packer.pack(_row("B"))
    assert first._index is second._index
    assert first["platform"] is second["platform"]
    assert first["customer"] is not second["customer"]  # different texts stay apart
    assert packer.pack(first) is first  # packed already: kept as it is


def test_values_held_in_part_parse_the_rest_once_and_only_when_asked() -> None:
    """The kept values, the keys, `in` and len answer without parsing; the first other value
    asked for parses the row once; the kept part alone (no parser) says it cannot."""
    row = _row("王芳")
    part = CellPacker().part(row, ("case_id", "status"))  # "status" is not a key of the row
    parsed: list[int] = []

    def parse(number: int) -> dict[str, object]:
        parsed.append(number)
        return dict(row)

    handed = part.over(parse, 7)
    assert handed["case_id"] == "AS-王芳" and handed.get("status", "none") == "none"
    assert list(handed) == list(row) and len(handed) == 6 and "notes" in handed
    assert handed.get("missing") is None and parsed == []
    assert handed["customer"] == "王芳" and handed.get("refund_amount") == 12.5
    assert handed == row and parsed == [7]  # parsed once, for its own row
    with pytest.raises(TypeError, match="read only"):
        handed["status"] = "Closed"
    with pytest.raises(LookupError, match="keeps only a few values"):
        part.get("customer")
    assert isinstance(part, PartValues) and part["case_id"] == "AS-王芳"


def test_cached_rows_of_a_synced_sheet_keep_no_cells_and_only_the_values_every_sync_reads(
    runtime: Runtime,
) -> None:
    """After a fill and a quiet sync, each cached row holds no cells and only its Case ID,
    Opened and Language, and a case reused from it is still reported the same."""
    write_workbook(
        runtime.workbook,
        [
            case(**{"Case ID": "AS-P-0001", "Customer": "王芳", "Notes": "客户说下周寄回"}),
            case(**{"Case ID": "AS-P-0002", "Customer": "=HYPERLINK(1)"}),
        ],
    )
    runtime.engine().sync(now=NOW)
    quiet = runtime.engine().sync(now=NOW)
    cache = RESULTS.get(runtime.engine().sheet_key)
    assert cache is not None and len(cache.entries) == 2
    rows = {e.result.case_id: e.row for e in cache.entries.values()}
    for row in rows.values():
        assert isinstance(row.values, PartValues) and len(row.raw) == 0
        assert "suggested_reply" not in row.values  # a service cell is never parsed
        assert set(row.values.kept) == {"case_id", "opened", "language"} & set(row.values)
    assert rows["AS-P-0001"].values["case_id"] == "AS-P-0001"
    opened = rows["AS-P-0002"].values["opened"]
    assert isinstance(opened, datetime) and opened.replace(tzinfo=None) == datetime(
        2025, 10, 9, 9, 30
    )
    again = runtime.engine().sync(now=NOW)
    assert (again.cases_reused, again.cells_written) == (2, 0)
    assert [(r.case_id, r.next_action, r.priority) for r in again.results] == [
        (r.case_id, r.next_action, r.priority) for r in quiet.results
    ]
