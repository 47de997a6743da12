"""Errors: failures name what failed and never show a database password."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.store import Store, StoreError
from app.store.engine import mask_url, parse_url


def test_password_is_masked_when_connecting_fails() -> None:
    """A connection failure names the database with the password replaced by ***."""
    url = "postgresql+psycopg://aftersales:s3cr3t-pw@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(StoreError) as raised:
        Store.open(url)
    message = str(raised.value)
    assert "s3cr3t-pw" not in message
    assert "aftersales:***@127.0.0.1:1/nowhere" in message
    assert "migrating the store schema failed" in message
    assert "s3cr3t-pw" not in repr(Store(url))


def test_unsupported_urls_are_refused() -> None:
    """Databases other than SQLite and PostgreSQL via psycopg are refused with a masked URL."""
    with pytest.raises(StoreError, match=r"unsupported database mysql://u:\*\*\*@h/db") as raised:
        Store("mysql://u:pw@h/db")
    assert "pw@" not in str(raised.value)
    with pytest.raises(StoreError, match="psycopg"):
        Store("postgresql+psycopg2://u@h/db")
    with pytest.raises(StoreError, match="not a database URL"):
        Store("not a url at all")


def test_url_normalisation() -> None:
    """postgres:// and postgresql:// both mean psycopg 3; mask_url copes with unparsable text."""
    assert parse_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert mask_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert mask_url("weird+scheme://u:p@ss@host/db") == "weird+scheme://u:***@host/db"
    assert mask_url("sqlite:///var/aftersales.db") == "sqlite:///var/aftersales.db"
    with pytest.raises(StoreError, match="percent-encode") as raised:
        Store("postgresql://u:p@zz9@host/db")
    assert "zz9" not in str(raised.value)


def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    """A SQLite file URL in a directory that does not exist yet works (the directory is made)."""
    target = tmp_path / "var" / "deeper" / "aftersales.db"
    with Store.open(f"sqlite:///{target}") as store:
        assert store.list_runs("any") == []
    assert target.exists()


def test_in_memory_sqlite_is_one_database() -> None:
    """sqlite:// (in memory) is one shared database for the store's whole life."""
    with Store.open("sqlite://") as store:
        run_id = store.start_run("s", "t", datetime.now(UTC), "b")
        assert store.get_run(run_id) is not None


def test_query_string_password_is_masked() -> None:
    """A password passed as ?password=... (libpq style) is masked as well."""
    text = "postgresql+psycopg://u@127.0.0.1:1/db?password=hunter2x&connect_timeout=2"
    assert "hunter2x" not in mask_url(text)
    assert "hunter2x" not in mask_url(parse_url(text))
    with pytest.raises(StoreError) as raised:
        Store.open(text)
    assert "hunter2x" not in str(raised.value)
    assert "connect_timeout=2" in str(raised.value)
