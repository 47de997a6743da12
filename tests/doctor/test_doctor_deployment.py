"""`diagnose` on the deployment's settings and store: production without a way to sign in,
no metrics token, a quota over Google's published limits, several replicas on SQLite, a store
that does not answer or was never migrated (the doctor reports it and does not migrate it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, inspect

from app.auth import AuthSettings
from app.composition import CompositionRoot
from app.doctor import Report, diagnose
from app.service.quota import QuotaSettings
from app.settings import Settings
from tests.doctor.conftest import MASTER_SECRET, check
from tests.store.conftest import postgres_schema_url  # noqa: F401  (fixture, reused)
from tests.workbooks import case, write_workbook

NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)
ROOTS: list[CompositionRoot] = []


@pytest.fixture(autouse=True)
def _close_roots() -> Iterator[None]:
    yield
    while ROOTS:
        ROOTS.pop().close()


def run(settings: Settings, **target: object) -> Report:
    root = CompositionRoot.open(settings, migrate=False)
    ROOTS.append(root)
    return diagnose(root, now=NOW, **target)  # type: ignore[arg-type]


def base(tmp_path: Path, **values: object) -> Settings:
    fields: dict[str, object] = {
        "environment": "production",
        "database_url": SecretStr(f"sqlite:///{tmp_path}/store.db"),
        "workbook": write_workbook(tmp_path / "售后.xlsx", [case(), case(**{"Case ID": "AS-2"})]),
        "auth": AuthSettings(
            hmac_master_secret=SecretStr(MASTER_SECRET),
            oidc_audiences=["1234-abc.apps.googleusercontent.com"],
            metrics_token=SecretStr("prometheus-token-0001"),
        ),
    }
    fields.update(values)
    return Settings(**fields)  # type: ignore[arg-type]


def test_production_without_authentication_or_metrics_token_is_two_crosses(
    tmp_path: Path,
) -> None:
    """No OIDC audience, no master secret, no metrics token in production: ✗ on both, each fix
    naming the variable to set."""
    report = run(base(tmp_path, auth=AuthSettings()))
    mark, _, fix = check(report, "settings: authentication")
    assert mark == "✗"
    assert "AFTERSALES_AUTH__OIDC_AUDIENCES" in fix and "AFTERSALES_AUTH__HMAC_MASTER_SECRET" in fix
    mark, detail, fix = check(report, "settings: metrics token")
    assert (mark, detail) == ("✗", "not set: Prometheus cannot scrape /metrics")
    assert "AFTERSALES_AUTH__METRICS_TOKEN" in fix


def test_a_short_master_secret_is_a_cross_and_never_shown(tmp_path: Path) -> None:
    """A 10-character master secret (the service refuses under 32): ✗, without the value."""
    report = run(base(tmp_path, auth=AuthSettings(hmac_master_secret=SecretStr("hunter2-10"))))
    assert check(report, "settings: authentication")[0] == "✗"
    assert "hunter2-10" not in repr(report.as_json())


def test_production_with_the_emulator_override_is_a_cross(tmp_path: Path) -> None:
    """The test-only Google override in production (the service refuses to start): ✗."""
    report = run(base(tmp_path, google_api_override="http://127.0.0.1:9"))
    mark, _, fix = check(report, "settings: environment")
    assert mark == "✗"
    assert fix.startswith("Unset AFTERSALES_GOOGLE_API_OVERRIDE")


def test_development_serving_a_google_sheet_is_a_cross(tmp_path: Path) -> None:
    """development is for the demo and workbooks: a Google sheet needs production."""
    report = run(base(tmp_path, environment="development"), sheet="1AbCdEf")
    mark, detail, fix = check(report, "settings: environment")
    assert (mark, detail) == ("✗", "development serving a Google spreadsheet")
    assert "AFTERSALES_ENVIRONMENT=production" in fix


@pytest.mark.parametrize(
    ("quota", "over"),
    [
        # 120 a minute for the service account: twice Google's 60.
        (QuotaSettings(per_user=120), "120/min per user (Google allows 60)"),
        # 40 every 30 s is 80 in a minute; 200 every 30 s is 400 for the project.
        (
            QuotaSettings(per_user=40, per_project=200, window_seconds=30),
            "400/min per project (Google allows 300) and 80/min per user (Google allows 60)",
        ),
    ],
)
def test_a_quota_over_googles_published_limits_is_a_cross(
    tmp_path: Path, quota: QuotaSettings, over: str
) -> None:
    """Google allows 300 requests a minute per project and 60 per user: a governor that lets
    more through is ✗, with the settings that keep under them."""
    report = run(base(tmp_path, quota=quota), sheet="1AbCdEf")
    mark, detail, fix = check(report, "google: quota")
    assert mark == "✗"
    assert detail.startswith(f"up to {over} with ")
    assert "AFTERSALES_QUOTA__PER_USER=60" in fix


def test_a_quota_with_a_longer_window_within_the_limits_passes(tmp_path: Path) -> None:
    """300 per project and 60 per user every 120 s never exceed a minute's quota: ✓."""
    quota = QuotaSettings(per_project=300, per_user=60, window_seconds=120)
    assert check(run(base(tmp_path, quota=quota), sheet="1AbCdEf"), "google: quota")[0] == "✓"


def test_the_quota_governor_switched_off_is_a_cross(tmp_path: Path) -> None:
    """AFTERSALES_QUOTA__ENABLED=false: nothing keeps the service under Google's quota."""
    report = run(base(tmp_path, quota=QuotaSettings(enabled=False)), sheet="1AbCdEf")
    assert check(report, "google: quota")[:2] == (
        "✗",
        "the quota governor is off: with many sheets Google answers 429",
    )


def test_several_replicas_on_sqlite_is_a_cross(tmp_path: Path) -> None:
    """Three replicas on a SQLite store would each lock and count quota alone: ✗."""
    report = run(base(tmp_path, replicas=3))
    mark, detail, fix = check(report, "store: replicas")
    assert mark == "✗"
    assert detail.startswith("3 replicas on sqlite")
    assert "postgresql+psycopg://" in fix


@pytest.mark.postgres
def test_several_replicas_on_a_migrated_postgresql_store_pass(
    tmp_path: Path,
    postgres_schema_url: str,  # noqa: F811
) -> None:
    """Three replicas on the machine's PostgreSQL, migrated to head: the store lines are ✓."""
    CompositionRoot.open(base(tmp_path, database_url=SecretStr(postgres_schema_url))).close()
    report = run(base(tmp_path, database_url=SecretStr(postgres_schema_url), replicas=3))
    assert [check(report, n)[0] for n in ("store: reachable", "store: migrated")] == ["✓", "✓"]
    assert check(report, "store: replicas") == ("✓", "3 replicas on postgresql", "")


def test_a_store_that_does_not_answer_is_a_cross_without_its_password(tmp_path: Path) -> None:
    """PostgreSQL on a port nothing listens on: ✗ reachable (password masked), the migration
    and registration checks skipped, the workbook still checked."""
    url = "postgresql+psycopg://desk:s3cr3t-pw@127.0.0.1:9/desk?connect_timeout=5"
    report = run(base(tmp_path, database_url=SecretStr(url)))
    mark, detail, fix = check(report, "store: reachable")
    assert mark == "✗"
    assert detail.startswith("postgresql+psycopg://desk:***@127.0.0.1:9/desk")
    assert "AFTERSALES_DATABASE_URL" in fix
    assert check(report, "store: migrated")[0] == "–"
    assert check(report, "sheet: registered")[0] == "–"
    assert check(report, "sheet: cases tab and columns")[0] == "✓"
    assert "s3cr3t-pw" not in repr(report.as_json())


def test_an_empty_store_is_a_cross_and_stays_empty(tmp_path: Path) -> None:
    """A store no command has migrated yet: ✗ with the command that migrates it; the doctor
    itself creates no table."""
    report = run(base(tmp_path))
    mark, detail, fix = check(report, "store: migrated")
    assert mark == "✗"
    assert detail.startswith("empty: no schema yet")
    assert fix.startswith("Run `aftersales sheets list`")
    engine = create_engine(f"sqlite:///{tmp_path}/store.db")
    assert inspect(engine).get_table_names() == []
    engine.dispose()
