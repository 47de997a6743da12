"""The endpoints that are not about one sheet: metrics, policies, readiness and sheet info; and
the service clock that syncs and case details share."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from app.api.deps import get_context
from app.composition import CompositionRoot
from app.store import Store
from tests.api.support import SHEET, Api, Clock
from tests.auth.support import METRICS_TOKEN, bearer
from tests.workbooks import records


def test_metrics_after_a_sync_are_prometheus_text(api: Api) -> None:
    """With the metrics token, /metrics answers Prometheus text that counts the sync that ran
    and the cells it wrote."""
    cells = api.sync()["cells_written"]

    response = api.client.get("/metrics", headers=bearer(METRICS_TOKEN))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "# TYPE aftersales_syncs_total counter" in lines
    assert 'aftersales_syncs_total{outcome="ok",trigger="sync-now"} 1.0' in lines
    assert f"aftersales_cells_written_total {float(cells)}" in lines


def test_failed_syncs_are_counted_by_error_code(api: Api) -> None:
    """A sync refused because the workbook is open elsewhere shows up as a failed sync with its
    error code in the metrics."""
    book = api.workbook()
    (book.parent / f".~lock.{book.name}#").write_text(",Lily,desk-pc,")
    assert api.signed("POST", f"/v1/sheets/{SHEET}/sync").status_code == 423

    lines = api.client.get("/metrics", headers=bearer(METRICS_TOKEN)).text.splitlines()

    assert 'aftersales_syncs_total{outcome="failed",trigger="sync-now"} 1.0' in lines
    assert 'aftersales_sync_failures_total{code="sheet_locked"} 1.0' in lines


def test_metrics_accept_the_master_signature_and_allowed_people(api: Api) -> None:
    """Besides Prometheus' token, /metrics admits a master-key signature and an email of the
    service-wide allow-list, and refuses other emails with 403."""
    assert api.signed("GET", "/metrics").status_code == 200
    assert api.as_user("ops@agency.com", "GET", "/metrics").status_code == 200
    refused = api.as_user("lily@agency.com", "GET", "/metrics")
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"


def test_policies_lists_the_three_platforms_with_their_refs(api: Api) -> None:
    """/v1/policies lists the shipped Superbuy, Bhiner and Yoybuy policies, each with the ref
    the sheet's Policy Ref column shows, its window and its source."""
    policies = {p["platform"]: p for p in api.get("/v1/policies")}

    assert {"superbuy", "bhiner", "yoybuy"} <= policies.keys()
    for platform, policy in policies.items():
        assert policy["ref"] == f"{platform}@{policy['version']}"
        assert policy["source"]
    assert policies["superbuy"]["ref"] == "superbuy@2025.1"
    assert policies["bhiner"]["default_window_days"] == 14
    assert "store_credit" in policies["yoybuy"]["refund_kinds"]
    # the published agents ship too; Ponybuy's window is counted in hours
    assert {"wegobuy", "mulebuy", "ponybuy"} <= policies.keys()
    assert policies["ponybuy"]["default_window_hours"] == 120
    assert policies["ponybuy"]["default_window_days"] is None


def test_readyz_reports_the_database_ok(api: Api) -> None:
    """/readyz (signed) says ready, with the database ok and the scheduler disabled as
    configured."""
    assert api.get("/readyz") == {"status": "ready", "database": "ok", "scheduler": "disabled"}


def test_readyz_is_503_when_the_database_is_unreachable(api: Api) -> None:
    """With a store that cannot connect, /readyz answers 503 'not ready' naming the database."""
    (api.tmp / "not-a-database").mkdir()
    broken = Store(f"sqlite:///{api.tmp}/not-a-database")
    root = api.context.root
    broken_root = CompositionRoot(root.settings, broken, root.policies, root.team)
    api.app.dependency_overrides[get_context] = lambda: dataclasses.replace(
        api.context, root=broken_root
    )
    try:
        response = api.signed("GET", "/readyz")
    finally:
        api.app.dependency_overrides.clear()
        broken.close()

    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "database": "unreachable",
        "scheduler": "disabled",
    }


def test_sheet_info_shows_the_sheet_and_its_last_run(api: Api) -> None:
    """GET /v1/sheets/{sheet} (the add-on's connection test) shows the sheet as registered and,
    once synced, its last run."""
    before = api.get(f"/v1/sheets/{SHEET}")
    run_id = api.sync()["run_id"]
    after = api.get(f"/v1/sheets/{SHEET}")

    assert before == {
        "id": SHEET,
        "title": SHEET,
        "kind": "workbook",
        "timezone": "Asia/Shanghai",
        "last_run_id": None,
        "last_run_outcome": None,
        "last_run_at": None,
        "language": "en",
    }
    assert after["last_run_id"] == run_id
    assert after["last_run_outcome"] == "ok"
    assert after["last_run_at"] == "2025-10-10T02:00:00Z"


def test_a_swapped_service_clock_is_used_by_syncs_and_case_details(api: Api) -> None:
    """When the context's clock is replaced, Sync now stamps Last Changed By Service with the new
    time and case details count days left from it, so the sheet and the sidebar agree."""
    later = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, ten days on
    api.context.clock = Clock(later)

    api.sync()

    row = records(api.workbook())[0]
    shown = api.get(f"/v1/sheets/{SHEET}/cases/AS-T-0001")
    assert row["Last Changed By Service"] == datetime(2025, 10, 20, 10, 0)
    assert row["Days Left"] == shown["days_left"] == 11  # deadline 2025-10-31
    assert api.get(f"/v1/sheets/{SHEET}/runs")[0]["started_at"] == "2025-10-20T02:00:00Z"
