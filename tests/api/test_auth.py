"""Who may call what: only /healthz is open, every other route wants credentials, a sheet's key
opens only that sheet, and Google identities are checked against the sheet's allow-list."""

from __future__ import annotations

import pytest

from tests.api.support import SHEET, Api, all_routes, fill_path
from tests.auth.support import METRICS_TOKEN, bearer
from tests.workbooks import case, write_workbook

OPEN_ROUTES = {("GET", "/healthz")}


def assert_unauthenticated(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, f"{what}: {response.status_code} {response.text}"
    assert response.json().keys() == {"error", "detail"}, what
    assert response.json()["error"] == "unauthenticated", what
    assert response.headers["WWW-Authenticate"] == "Bearer", what


def test_healthz_answers_without_credentials(api: Api) -> None:
    """A load balancer's liveness probe gets 200 from /healthz with no credentials at all."""
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_every_other_route_refuses_anonymous_callers(api: Api) -> None:
    """Every route the app serves except /healthz (docs included) answers 401 with the error
    body and a WWW-Authenticate challenge when no credentials are sent."""
    routes = set(all_routes(api.app.routes))
    assert {("POST", "/v1/sheets/{sheet}/sync"), ("GET", "/metrics")} <= routes  # walked them all
    for method, template in sorted(routes - OPEN_ROUTES):
        response = api.client.request(method, fill_path(template))
        assert_unauthenticated(response, f"{method} {template}")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/sheets/not.a.sheet/sync"),
        ("GET", "/v1/sheets/" + "x" * 300),
        ("GET", "/v1/sheets/desk/runs/0"),
        ("GET", "/v1/sheets/desk/runs?limit=0"),
        ("POST", "/v1/sheets/nobody-registered-this/sync"),
    ],
)
def test_anonymous_callers_get_401_even_for_malformed_or_unknown_input(
    api: Api, method: str, path: str
) -> None:
    """Without credentials a malformed id, a bad parameter or an unknown sheet is still a 401:
    nothing about the API's rules or its sheets is revealed before the caller is known."""
    assert_unauthenticated(api.client.request(method, path), path)


@pytest.mark.parametrize("key_sheet", ["other", None], ids=["other-sheet-key", "master-secret"])
def test_a_key_opens_only_its_own_sheet(api: Api, key_sheet: str | None) -> None:
    """A request signed with another sheet's key (or the master secret itself) is refused on
    this sheet with 401, and nothing is synced."""
    api.add_sheet("other", write_workbook(api.tmp / "other.xlsx", [case()]))
    response = api.signed("POST", f"/v1/sheets/{SHEET}/sync", key_sheet=key_sheet)
    assert_unauthenticated(response, "wrong key")
    assert "signature does not match" in response.json()["detail"]
    assert api.context.store.list_runs(api.sheet_key()) == []


def test_a_replayed_signature_is_refused(api: Api) -> None:
    """The same signed request sent twice is accepted once; the copy is a 401 'replayed'."""
    headers = api.signature("GET", f"/v1/sheets/{SHEET}/runs")
    first = api.client.get(f"/v1/sheets/{SHEET}/runs", headers=headers)
    again = api.client.get(f"/v1/sheets/{SHEET}/runs", headers=headers)
    assert first.status_code == 200
    assert_unauthenticated(again, "replay")
    assert "replayed" in again.json()["detail"]


def test_unknown_sheet_is_404_for_a_signed_caller(api: Api) -> None:
    """A correctly signed request for a sheet that is not registered gets 404 sheet_not_found."""
    response = api.signed("POST", "/v1/sheets/never-registered/sync")
    assert response.status_code == 404
    assert response.json()["error"] == "sheet_not_found"
    assert "never-registered" in response.json()["detail"]


@pytest.mark.parametrize(
    ("email", "workspace"), [("lily@agency.com", None), ("anyone@desk.example", "desk.example")]
)
def test_google_identity_on_the_sheet_allow_list_may_sync(
    api: Api, email: str, workspace: str | None
) -> None:
    """The add-on's identity token for an allowed email (listed, or an account of the listed
    domain's Workspace) syncs."""
    response = api.as_user(email, "POST", f"/v1/sheets/{SHEET}/sync", hosted_domain=workspace)
    assert response.status_code == 200, response.text
    assert response.json()["cases"] == 2


@pytest.mark.parametrize("email", ["stranger@agency.com", "ops@agency.com"])
def test_google_identity_not_on_the_sheet_allow_list_is_403(api: Api, email: str) -> None:
    """A valid token whose email is not on this sheet's list (even if it may call the non-sheet
    endpoints) is a 403 that names the email, and the sheet is not synced."""
    response = api.as_user(email, "POST", f"/v1/sheets/{SHEET}/sync")
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "detail": f"email {email} is not allowed on this sheet",
    }
    assert api.context.store.list_runs(api.sheet_key()) == []


def test_global_allow_list_governs_non_sheet_endpoints(api: Api) -> None:
    """/v1/policies admits the emails of the service-wide list and refuses the others (403)."""
    assert api.as_user("ops@agency.com", "GET", "/v1/policies").status_code == 200
    refused = api.as_user("lily@agency.com", "GET", "/v1/policies")
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"


@pytest.mark.parametrize("path", ["/v1/policies", "/readyz", f"/v1/sheets/{SHEET}/runs"])
def test_metrics_token_opens_nothing_but_metrics(api: Api, path: str) -> None:
    """Prometheus' scrape token is refused (401) everywhere except /metrics."""
    assert_unauthenticated(api.client.get(path, headers=bearer(METRICS_TOKEN)), path)
    assert api.client.get("/metrics", headers=bearer(METRICS_TOKEN)).status_code == 200
