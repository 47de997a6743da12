"""GET /v1/sheets/{sheet}/kpis: the KPIs of a sheet over a period, by grouping."""

from __future__ import annotations

from tests.api.support import SHEET, Api


def test_kpis_by_platform_over_a_period(api: Api) -> None:
    """The endpoint answers the asked grouping over the asked period, counting the sheet's cases."""
    api.sync()
    body = api.get(f"/v1/sheets/{SHEET}/kpis?from=2025-10-01&to=2025-10-31&by=platform")
    assert (body["start"], body["end"]) == ("2025-10-01", "2025-10-31")
    assert list(body["groups"]) == ["platform"]
    assert sum(row["cases"] for row in body["groups"]["platform"]) >= 1


def test_kpis_reject_a_reversed_period(api: Api) -> None:
    """A period whose start is after its end is a clear 422, not an empty report."""
    response = api.signed("GET", f"/v1/sheets/{SHEET}/kpis?from=2025-10-31&to=2025-10-01")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_period"
