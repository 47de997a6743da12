"""`layout_requests` for a tab's charts and pivot table: added when missing, never twice."""

from __future__ import annotations

from typing import Any

from app.sheets.backend import ChartSpec, PivotSpec, TabLayout
from app.sheets.google_layout import layout_requests

CHART = ChartSpec(title="Trend", categories=(3, 6, 1), series=((2, 6, 4), (2, 6, 5)), anchor=(1, 9))
PIVOT = PivotSpec(source_tab="Cases", source_columns=(3, 12, 1), anchor=(21, 9))
LAYOUT = TabLayout(title="KPIs", columns=(), frozen_rows=0, charts=(CHART,), pivot=PIVOT)


def _sheet(sheet_id: int, title: str, charts: list[dict[str, Any]] | None = None) -> Any:
    props = {"sheetId": sheet_id, "title": title, "gridProperties": {"columnCount": 26}}
    return {"properties": props, "charts": charts or []}


def test_new_tab_gets_chart_and_pivot() -> None:
    """A missing tab is added with its chart and the pivot over the source tab."""
    requests = layout_requests([LAYOUT], {"Cases": _sheet(5, "Cases")}, {}, 6)
    assert [next(iter(r)) for r in requests] == ["addSheet", "addChart", "updateCells"]
    chart = requests[1]["addChart"]["chart"]
    basic = chart["spec"]["basicChart"]
    assert basic["headerCount"] == 1
    domain = basic["domains"][0]["domain"]["sourceRange"]["sources"][0]
    assert (domain["startRowIndex"], domain["endRowIndex"], domain["startColumnIndex"]) == (1, 6, 0)
    first = basic["series"][0]["series"]["sourceRange"]["sources"][0]
    assert (first["sheetId"], first["startRowIndex"], first["startColumnIndex"]) == (6, 1, 3)
    anchor = chart["position"]["overlayPosition"]["anchorCell"]
    assert anchor == {"sheetId": 6, "rowIndex": 0, "columnIndex": 8}
    pivot = requests[2]["updateCells"]
    assert pivot["fields"] == "pivotTable"
    assert pivot["start"] == {"sheetId": 6, "rowIndex": 20, "columnIndex": 8}
    table = pivot["rows"][0]["values"][0]["pivotTable"]
    assert table["source"] == {
        "sheetId": 5,
        "startRowIndex": 0,
        "startColumnIndex": 0,
        "endColumnIndex": 12,
    }
    assert table["rows"][0]["sourceColumnOffset"] == 2
    assert table["columns"][0]["sourceColumnOffset"] == 11
    assert table["values"][0] == {
        "sourceColumnOffset": 0,
        "summarizeFunction": "COUNTA",
        "name": "Cases",
    }


def test_existing_chart_means_no_requests() -> None:
    """A tab that already has that chart (same title and ranges) needs nothing, pivot included."""
    spec = layout_requests([LAYOUT], {"Cases": _sheet(5, "Cases")}, {}, 6)[1]["addChart"]["chart"]
    sheets = {
        "Cases": _sheet(5, "Cases"),
        "KPIs": _sheet(6, "KPIs", [{"chartId": 1, "spec": spec["spec"]}]),
    }
    assert layout_requests([LAYOUT], sheets, {}, 7) == []


def test_missing_chart_on_existing_tab_brings_the_pivot() -> None:
    """An existing tab without the chart gets the chart and the pivot, nothing else."""
    sheets = {"Cases": _sheet(5, "Cases"), "KPIs": _sheet(6, "KPIs")}
    requests = layout_requests([LAYOUT], sheets, {}, 7)
    assert [next(iter(r)) for r in requests] == ["addChart", "updateCells"]


def test_pivot_over_a_tab_added_in_the_same_batch() -> None:
    """The pivot's source may be a tab created by the same batch (its new id is used)."""
    cases = TabLayout(title="Cases", columns=())
    requests = layout_requests([LAYOUT, cases], {}, {}, 1)
    pivot = next(r["updateCells"] for r in requests if "updateCells" in r)
    added = [r["addSheet"]["properties"] for r in requests if "addSheet" in r]
    assert pivot["rows"][0]["values"][0]["pivotTable"]["source"]["sheetId"] == added[1]["sheetId"]


def test_moved_ranges_update_the_chart_spec() -> None:
    """A chart whose data ranges moved gets updateChartSpec (same id); the pivot is left alone."""
    wanted = layout_requests([LAYOUT], {"Cases": _sheet(5, "Cases")}, {}, 6)[1]
    spec = wanted["addChart"]["chart"]["spec"]
    sheets = {
        "Cases": _sheet(5, "Cases"),
        "KPIs": _sheet(6, "KPIs", [{"chartId": 3, "spec": spec}]),
    }
    assert layout_requests([LAYOUT], sheets, {}, 7) == []
    moved = ChartSpec(title="Trend", categories=(4, 7, 1), series=((3, 7, 4),), anchor=(1, 9))
    layout = TabLayout(title="KPIs", columns=(), frozen_rows=0, charts=(moved,), pivot=PIVOT)
    requests = layout_requests([layout], sheets, {}, 7)
    assert [next(iter(r)) for r in requests] == ["updateChartSpec"]
    assert requests[0]["updateChartSpec"]["chartId"] == 3
