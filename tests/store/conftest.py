"""Fixtures that run every store test on SQLite and on the machine's PostgreSQL.

PostgreSQL isolation: each test gets a fresh schema (`store_test_<random>`) in the `test`
database, selected through the URL's libpq `options=-csearch_path=...`, and dropped afterwards,
so pytest-xdist workers never see each other's tables. Set AFTERSALES_TEST_POSTGRES_URL to use
another server. When PostgreSQL is unreachable the tests fail if CI is set, else they skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

from app.store import Store

POSTGRES_URL = os.environ.get(
    "AFTERSALES_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

T0 = datetime(2025, 10, 3, 9, 30, tzinfo=UTC)


def libpq_uri(url: URL) -> str:
    """The SQLAlchemy URL as a plain libpq URI for psycopg."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        with psycopg.connect(libpq_uri(make_url(POSTGRES_URL)), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {make_url(POSTGRES_URL)!r} is not reachable: {exc}".strip()
    return None


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI is set, so PostgreSQL tests must run)")
    pytest.skip(f"{problem} (set CI to make this a failure)")


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, private schema; the schema is dropped afterwards."""
    require_postgres()
    base = make_url(POSTGRES_URL)
    schema = f"store_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(libpq_uri(base), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_uri(base), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store/x.db"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on the parametrized backend."""
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def new_run(store: Store) -> Callable[..., int]:
    """Start a run of a sheet; successive runs start one minute apart."""
    started = [0]

    def start(sheet_key: str = "sheet-1", trigger: str = "sync_now") -> int:
        started[0] += 1
        at = T0 + timedelta(minutes=started[0])
        return store.start_run(sheet_key, trigger, at, "workbook")

    return start
