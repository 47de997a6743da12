"""Secrets mounted as files (`AFTERSALES_<NAME>_FILE`), as Cloud Run, Kubernetes and Docker
hand them over: read into Settings, trailing newline dropped, a bad file named with its
variable, and the secret never shown in a repr, a dump or a command's output."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import ConfigurationError
from app.settings import Settings

AFTERSALES = Path(sys.executable).with_name("aftersales")
MASTER = "售后-master-secret-0123456789abcdef0123456789abcdef"
METRICS = "prometheus-scrape-token-7f3a9c"
PG_URL = "postgresql+psycopg://desk:s3cr%40t@db.internal:5432/aftersales"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No AFTERSALES_* variable of the machine leaks into these Settings."""
    for key in list(os.environ):
        if key.upper().startswith("AFTERSALES_"):
            monkeypatch.delenv(key)
    return monkeypatch


def mounted(folder: Path, name: str, text: str) -> Path:
    """A secret file as a platform mounts it (0400, owned by the service's user)."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o400)
    return path


def test_each_secret_setting_is_read_from_its_file(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The master secret, the metrics token and the database URL come from the files their
    _FILE variables name, with the newline `echo` adds at the end dropped."""
    clean_env.setenv(
        "AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE", str(mounted(tmp_path, "hmac", MASTER + "\n"))
    )
    clean_env.setenv(
        "AFTERSALES_AUTH__METRICS_TOKEN_FILE", str(mounted(tmp_path, "metrics", METRICS + "\r\n"))
    )
    clean_env.setenv("AFTERSALES_DATABASE_URL_FILE", str(mounted(tmp_path, "db", PG_URL)))
    clean_env.setenv("AFTERSALES_AUTH__OIDC_AUDIENCES", "https://desk-abc-uc.a.run.app")
    settings = Settings(_env_file=None)
    assert settings.auth.hmac_master_secret is not None
    assert settings.auth.hmac_master_secret.get_secret_value() == MASTER
    assert settings.auth.metrics_token is not None
    assert settings.auth.metrics_token.get_secret_value() == METRICS
    assert settings.database_url.get_secret_value() == PG_URL
    # The other auth settings still come from the environment beside the files.
    assert settings.auth.oidc_audiences == ["https://desk-abc-uc.a.run.app"]


def test_a_secret_keeps_inner_spaces_and_only_loses_trailing_newlines(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Only line ends at the very end are dropped; spaces and newlines inside stay."""
    key = '{"type": "service_account",\n "client_email": "desk@p.iam.gserviceaccount.com"} '
    clean_env.setenv(
        "AFTERSALES_GOOGLE_CREDENTIALS_FILE", str(mounted(tmp_path, "sa.json", key + "\n\n"))
    )
    settings = Settings(_env_file=None)
    assert settings.google_credentials is not None
    assert settings.google_credentials.get_secret_value() == key


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot be read (No such file or directory)"),
        ("\n", "which is empty"),
    ],
)
def test_a_missing_or_empty_file_names_the_variable_and_the_path(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, content: str | None, expected: str
) -> None:
    """A secret file that is not there, or holds only a newline, is an error naming the
    _FILE variable, the path and what to do."""
    path = tmp_path / "hmac"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    clean_env.setenv("AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE", str(path))
    with pytest.raises(ConfigurationError) as caught:
        Settings(_env_file=None)
    message = caught.value.message
    assert message.startswith(f"AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE names {path}, ")
    assert expected in message
    assert "unset AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE" in message


def test_value_and_file_together_are_refused(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Giving the metrics token both in the environment and by file is refused, without
    echoing either value."""
    clean_env.setenv("AFTERSALES_AUTH__METRICS_TOKEN", "token-from-the-environment")
    clean_env.setenv(
        "AFTERSALES_AUTH__METRICS_TOKEN_FILE", str(mounted(tmp_path, "metrics", METRICS))
    )
    with pytest.raises(ConfigurationError) as caught:
        Settings(_env_file=None)
    assert caught.value.message == (
        "Both AFTERSALES_AUTH__METRICS_TOKEN and AFTERSALES_AUTH__METRICS_TOKEN_FILE are set: "
        "keep one (with a mounted secret, unset AFTERSALES_AUTH__METRICS_TOKEN)."
    )
    assert METRICS not in str(caught.value)


def test_team_file_is_an_ordinary_setting_not_a_secret_file(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """AFTERSALES_TEAM_FILE keeps meaning the `team_file` path: only secrets have _FILE twins."""
    clean_env.setenv("AFTERSALES_TEAM_FILE", str(tmp_path / "team.yaml"))
    settings = Settings(_env_file=None)
    assert settings.team_file == tmp_path / "team.yaml"


def test_secrets_read_from_files_never_show_in_repr_or_dumps(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """repr, str and the JSON dump of Settings mask every secret that came from a file."""
    master_file = mounted(tmp_path, "h", MASTER)
    clean_env.setenv("AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE", str(master_file))
    clean_env.setenv("AFTERSALES_DATABASE_URL_FILE", str(mounted(tmp_path, "db", PG_URL)))
    settings = Settings(_env_file=None)
    for shown in (repr(settings), str(settings), settings.model_dump_json(), repr(settings.auth)):
        assert MASTER not in shown
        assert "s3cr%40t" not in shown and "s3cr@t" not in shown
        assert "**********" in shown


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.upper().startswith("AFTERSALES_")}
    return subprocess.run(
        [str(AFTERSALES), *args],
        cwd=cwd,
        env={**base, "AFTERSALES_DATABASE_URL": f"sqlite:///{cwd}/s.db", **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_command_line_uses_the_mounted_master_secret(tmp_path: Path) -> None:
    """`aftersales sheets secret` derives the sheet's key from the master secret in the file:
    HMAC-SHA256(master, "aftersales-sheet:" + id), computed here by hand."""
    env = {
        "AFTERSALES_ENVIRONMENT": "production",
        "AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE": str(mounted(tmp_path, "hmac", MASTER + "\n")),
    }
    added = run(tmp_path, env, "sheets", "add", "shop-cn", "--workbook", "cases.xlsx")
    assert added.returncode == 0, added.stderr
    shown = run(tmp_path, env, "sheets", "secret", "shop-cn")
    assert shown.returncode == 0, shown.stderr
    expected = hmac.new(MASTER.encode(), b"aftersales-sheet:shop-cn", hashlib.sha256).hexdigest()
    assert shown.stdout.strip() == expected
    assert MASTER not in added.stdout + added.stderr + shown.stderr


def test_the_command_line_names_a_missing_secret_file(tmp_path: Path) -> None:
    """A _FILE variable naming a path that is not mounted stops the command with exit 2 and
    one sentence naming the variable (no traceback)."""
    missing = tmp_path / "run" / "secrets" / "metrics"
    done = run(tmp_path, {"AFTERSALES_AUTH__METRICS_TOKEN_FILE": str(missing)}, "sheets", "list")
    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join(done.stderr.split())
    assert f"AFTERSALES_AUTH__METRICS_TOKEN_FILE names {missing}, which cannot be read" in message
    assert "Traceback" not in done.stderr
