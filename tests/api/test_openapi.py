"""The OpenAPI document: served to callers only, valid, and honest about errors: every error
response is documented with the one `{error, detail}` body the API sends."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from tests.api.support import Api, all_routes

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


def schema_of(response: dict[str, Any]) -> dict[str, Any] | None:
    content = response.get("content", {}).get("application/json")
    return content.get("schema") if content else None


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture
def doc(api: Api) -> dict[str, Any]:
    body: dict[str, Any] = api.get("/openapi.json")
    return body


def test_openapi_document_is_valid_and_covers_every_route(api: Api, doc: dict[str, Any]) -> None:
    """A signed GET /openapi.json returns a valid OpenAPI 3.1 document listing every route the
    app serves except the document itself."""
    assert doc["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(doc).validate()  # raises on an invalid document
    documented = {(m, p) for m, p, _ in operations(doc)}
    served = set(all_routes(api.app.routes)) - {("GET", "/openapi.json")}
    assert documented == served


def test_every_error_response_documents_the_error_body(doc: dict[str, Any]) -> None:
    """Every 4xx/5xx response of every operation is documented with the `{error, detail}` body
    (on /readyz, 503 may also be its own not-ready report), and every operation but /healthz
    documents 401 and 500."""
    error_body = doc["components"]["schemas"]["ErrorBody"]
    assert set(error_body["required"]) == {"error", "detail"}
    assert {error_body["properties"][k]["type"] for k in ("error", "detail")} == {"string"}
    for method, path, op in operations(doc):
        responses = op["responses"]
        for status, response in responses.items():
            if int(status) < 400:
                continue
            schema = schema_of(response)
            assert schema is not None, f"{method} {path} {status} documents no JSON body"
            assert schema == ERROR_BODY or ERROR_BODY in schema.get("anyOf", []), (
                f"{method} {path} {status}: {schema}"
            )
            assert response.get("description"), f"{method} {path} {status}"
        if path != "/healthz":
            assert {"401", "500"} <= responses.keys(), f"{method} {path}"
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's 422 body


def test_presses_document_429_busy_and_every_429_or_503_its_retry_after(
    doc: dict[str, Any],
) -> None:
    """Sync now and Recalculate all document 429 (a busy service); every documented 429 and
    503 says when to try again: a `Retry-After` header of whole seconds."""
    for action in ("sync", "recalculate"):
        assert "429" in doc["paths"][f"/v1/sheets/{{sheet}}/{action}"]["post"]["responses"]
    seen = 0
    for method, path, op in operations(doc):
        for status, response in op["responses"].items():
            if status in ("429", "503"):
                header = response.get("headers", {}).get("Retry-After")
                assert header is not None, f"{method} {path} {status} has no Retry-After"
                assert header["schema"]["type"] == "integer", header
                seen += 1
    assert seen >= len(operations(doc)) - 1  # every operation but /healthz may answer 503


def test_documented_sheet_id_rules_are_enforced_for_callers(api: Api, doc: dict[str, Any]) -> None:
    """The sheet id's documented pattern is the rule: a caller signing for a malformed id gets
    a 422 invalid_request naming the parameter."""
    (sheet,) = [
        p
        for p in doc["paths"]["/v1/sheets/{sheet}/sync"]["post"]["parameters"]
        if p["name"] == "sheet"
    ]
    assert sheet["in"] == "path" and sheet["required"] is True
    assert sheet["schema"]["pattern"] == r"^[A-Za-z0-9_\-]+$"
    assert sheet["schema"]["maxLength"] == 200

    response = api.signed("POST", "/v1/sheets/not.a.sheet/sync")

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "path.sheet" in response.json()["detail"]


def test_openapi_document_is_open_to_people_of_the_service_allow_list(api: Api) -> None:
    """An email of the service-wide allow-list may read the document; others get 403."""
    assert api.as_user("ops@agency.com", "GET", "/openapi.json").status_code == 200
    assert api.as_user("lily@agency.com", "GET", "/openapi.json").status_code == 403


def test_presses_document_202_with_the_run_to_poll_and_both_query_parameters(
    doc: dict[str, Any],
) -> None:
    """Sync now and Recalculate all document `?wait=` (0-600 s) and the 202 answer (the run
    to poll, its Location header); the run's page documents `?writes=` and its state,
    progress, summary and error."""
    accepted = {"$ref": "#/components/schemas/RunAccepted"}
    for action in ("sync", "recalculate"):
        op = doc["paths"][f"/v1/sheets/{{sheet}}/{action}"]["post"]
        answer = op["responses"]["202"]
        assert schema_of(answer) == accepted
        assert "Location" in answer["headers"]
        (wait,) = [p for p in op["parameters"] if p["name"] == "wait"]
        assert wait["in"] == "query" and not wait.get("required", False)
        bounds = next(s for s in wait["schema"]["anyOf"] if s.get("type") != "null")
        assert (bounds["minimum"], bounds["maximum"]) == (0, 600)
    run_accepted = doc["components"]["schemas"]["RunAccepted"]
    assert set(run_accepted["required"]) == {"run_id", "state", "progress", "location"}
    run = doc["paths"]["/v1/sheets/{sheet}/runs/{run}"]["get"]
    assert [p["name"] for p in run["parameters"] if p["in"] == "query"] == ["writes"]
    detail = doc["components"]["schemas"]["RunDetail"]["properties"]
    assert {"state", "progress", "summary", "error", "writes"} <= detail.keys()
    progress = doc["components"]["schemas"]["Progress"]["properties"]
    assert progress["step"]["enum"] == ["read", "evaluate", "write", "record", "notify"]
