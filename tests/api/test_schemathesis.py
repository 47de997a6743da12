"""Property-based run of schemathesis against the app, every request HMAC-signed: no operation
answers 5xx, and every response matches what the OpenAPI document promises."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.api.app import create_app
from tests.api.conftest import api_settings
from tests.api.support import SHEET, SHEET_ALLOWED, Clock, HmacAuth, Signer, base_cases
from tests.auth.support import CertServer
from tests.workbooks import write_workbook

MAX_EXAMPLES = 15  # per operation
CHECKS = [not_a_server_error, response_schema_conformance]
# Path values that reach real data: the registered sheet, a case in it, its first run.
KNOWN = {"sheet": SHEET, "case_id": "AS-T-0001", "run": "1"}


@pytest.fixture
def fuzzed_app(tmp_path: Path, cert_server: CertServer) -> Iterator[FastAPI]:
    """An app whose lifespan schemathesis' own ASGI client runs (and which is shut down after)."""
    app = create_app(api_settings(tmp_path, cert_server.url), clock=Clock(), start_scheduler=False)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()


def cases_for(operation: Any) -> Any:
    """Requests for one operation: some aimed at the registered sheet's real sheet, case and
    run, the rest generated freely (unknown sheets, odd ids), plus invalid input."""
    names = set(re.findall(r"{(\w+)}", operation.path))
    known = {name: KNOWN[name] for name in names & KNOWN.keys()}
    strategies = [operation.as_strategy()]
    if known:
        strategies.append(operation.as_strategy(path_parameters=known))
        strategies.append(operation.as_strategy(path_parameters={"sheet": SHEET}))
    if names or "parameters" in operation.definition.raw:
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def test_no_server_errors_and_responses_match_the_schema(
    fuzzed_app: FastAPI, tmp_path: Path
) -> None:
    """Across every documented operation (up to 15 signed requests each, aimed at a real sheet,
    unknown sheets and invalid input), no response is a 5xx and each matches its documented
    status and body schema."""
    signing = HmacAuth(Signer())
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app, auth=signing)
    session = asgi.get_client(cast(Any, fuzzed_app))  # in-process, on the lifespan started above
    session.auth = signing
    fuzzed_app.state.context.registry.add(
        SHEET,
        kind="workbook",
        location=str(write_workbook(tmp_path / "desk.xlsx", base_cases())),
        allowed=SHEET_ALLOWED,
    )
    first = session.post(f"/v1/sheets/{SHEET}/sync")  # so that run 1 exists
    assert first.status_code == 200, first.text

    statuses: dict[str, Counter[int]] = {}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == len(list(schema.get_all_operations()))  # every one is testable
    for operation in operations:
        statuses[operation.label], failure = fuzz(operation, session)
        if failure is not None:
            failures[operation.label] = failure

    requests_sent = sum(sum(counts.values()) for counts in statuses.values())
    print(f"schemathesis: {len(operations)} operations, {requests_sent} requests")
    for label, counts in statuses.items():
        print(f"  {label}: {dict(sorted(counts.items()))}")
    assert len(operations) >= 11
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    # The run reached real data, not only 404s and 422s.
    assert statuses["POST /v1/sheets/{sheet}/sync"][200] > 0
    assert statuses["GET /v1/sheets/{sheet}/cases/{case_id}"][200] > 0


def fuzz(operation: Any, session: Any) -> tuple[Counter[int], str | None]:
    """Send up to MAX_EXAMPLES generated requests; the statuses seen and the first failure."""
    seen: Counter[int] = Counter()

    @given(case=cases_for(operation))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # report the first failure, unshrunk
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(session=session)
        seen[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Exception as exc:  # reported with the other operations' failures
        return seen, f"{type(exc).__name__}: {exc}"
    return seen, None
