"""A database that stops answering while the service runs: a sheet request is answered 503
`store_unavailable` with a Retry-After (the registry's look-up translates the failure), never a
500 with a driver's traceback."""

from __future__ import annotations

from tests.api.support import SHEET, Api

RUNS = f"/v1/sheets/{SHEET}/runs"


def test_a_sheet_request_during_a_database_outage_is_503_store_unavailable(api: Api) -> None:
    """With the store's file gone and a folder in its place (nothing SQLite can open), a
    signed-in person's Recent runs request answers 503 store_unavailable."""
    assert api.as_user("lily@agency.com", "GET", RUNS).status_code == 200
    store = api.app.state.context.store
    database = api.tmp / "store.db"
    store.engine.dispose()  # no pooled connection keeps the old file open
    for file in api.tmp.glob("store.db*"):  # the database, its WAL and the WAL's index
        file.unlink()
    database.mkdir()  # where the database was, something SQLite cannot open

    response = api.as_user("lily@agency.com", "GET", RUNS)

    assert response.status_code == 503, response.text
    assert response.json()["error"] == "store_unavailable"
    assert response.headers.get("Retry-After", "").isdigit()
