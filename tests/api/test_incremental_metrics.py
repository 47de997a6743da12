"""The incremental cache's figures on /metrics: cases reused, and the recalculation's audit."""

from __future__ import annotations

from tests.api.support import Api
from tests.auth.support import METRICS_TOKEN, bearer


def test_reused_cases_and_a_clean_audit_are_counted(api: Api) -> None:
    """Fill, settle, a steady press (every case reused), then a recalculation: 0 mismatches."""
    cases = api.sync()["cases"]  # the fill writes; the next press finds it quiet
    api.sync()
    api.sync()  # nothing changed since a quiet sync: every case reused
    api.sync(action="recalculate")

    lines = api.client.get("/metrics", headers=bearer(METRICS_TOKEN)).text.splitlines()

    reused = next(line for line in lines if line.startswith("aftersales_cases_reused_total "))
    assert cases > 0
    assert float(reused.split()[1]) >= cases  # the steady press alone reused every case
    assert "aftersales_incremental_mismatches_total 0.0" in lines
