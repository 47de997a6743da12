"""The production install, tested without a container engine: the wheel built from what the
Dockerfile copies, installed into a fresh virtual environment (no source tree, no test extra),
and `aftersales serve` run as an unprivileged user with the image's environment: it refuses
to start without authentication, then starts with secrets mounted as files, migrates an empty
PostgreSQL schema, answers /healthz and serves an HMAC-signed sync of a workbook."""

from __future__ import annotations

import grp
import hashlib
import hmac
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.deploy.image import (
    IMAGE_STATE_DIR,
    build_wheels,
    final_stage,
    head_revision,
    install_venv,
    interpreters,
)
from tests.store.conftest import POSTGRES_URL, libpq_uri, require_postgres
from tests.workbooks import case, records, write_workbook

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

STARTUP_TIMEOUT = 180.0
SHEET = "shop-cn"


@dataclass(frozen=True)
class Installed:
    """The image without the container: its bin folder, state folder and unprivileged user."""

    bin: Path
    state: Path
    secrets: Path
    user: str | None  # None: this test already runs unprivileged
    group: str | None


def _unprivileged() -> tuple[str | None, str | None]:
    if os.geteuid() != 0:
        return None, None
    return "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name


def _usable_python(user: str | None, group: str | None) -> str:
    """The first Python of our version that `user` can run (it must reach its stdlib too)."""
    for python in interpreters():
        options: dict[str, Any] = {}
        if user is not None:
            options.update(user=user, group=group, extra_groups=[], cwd="/")
        try:
            tried = subprocess.run(
                [python, "-c", "import encodings, venv"],
                capture_output=True,
                timeout=60,
                check=False,
                **options,
            )
        except PermissionError:
            continue
        if tried.returncode == 0:
            return python
    pytest.fail(f"no Python {interpreters()} can be run by {user}; install python3 for all users")


@pytest.fixture(scope="module")
def installed() -> Iterator[Installed]:
    """The wheel built and installed once for this module, in a 0755 folder the unprivileged
    user can read (pytest's own temp folders are 0700), with a state folder it owns."""
    work = Path(tempfile.mkdtemp(prefix="aftersales-image-"))
    work.chmod(0o755)
    user, group = _unprivileged()
    try:
        wheels = build_wheels(work)
        bin_dir = install_venv(work, wheels, _usable_python(user, group))
        state = work / "state"
        mounted = work / "secrets"
        for folder in (state, mounted):
            folder.mkdir()
            if user is not None:
                shutil.chown(folder, user, group)
        yield Installed(bin_dir, state, mounted, user, group)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def empty_schema() -> Iterator[tuple[str, str]]:
    """A fresh, empty PostgreSQL schema (name, URL selecting it); dropped afterwards."""
    require_postgres()
    base = make_url(POSTGRES_URL)
    schema = f"image_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(libpq_uri(base), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield schema, url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_uri(base), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def image_env(installed: Installed, **extra: str) -> dict[str, str]:
    """The Dockerfile's ENV, with its state folder mapped to ours and the port on loopback
    (this machine's tests listen on 127.0.0.1 only), plus `extra`; nothing else of ours."""
    env = {
        "PATH": f"{installed.bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(installed.state),
        "LANG": "C.UTF-8",
    }
    for key, value in final_stage().env.items():
        env[key] = value.replace(IMAGE_STATE_DIR, str(installed.state))
    env["AFTERSALES_HOST"] = "127.0.0.1"
    env.update(extra)
    return env


def as_image_user(installed: Installed, env: dict[str, str]) -> Any:
    """Popen keyword arguments that run a command with `env` in the state folder as the
    image's unprivileged user (nobody here, uid 10001 in the image)."""
    options: dict[str, Any] = {"cwd": installed.state, "env": env}
    if installed.user is not None:
        options.update(user=installed.user, group=installed.group, extra_groups=[])
    return options


def run_cli(
    installed: Installed, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(installed.bin / "aftersales"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **as_image_user(installed, env),
    )


def mount_secret(installed: Installed, name: str, value: str) -> Path:
    """A secret as a platform mounts it: a 0400 file owned by the service's user."""
    path = installed.secrets / name
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o400)
    if installed.user is not None:
        shutil.chown(path, installed.user, installed.group)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll /healthz until it answers 200; fail with the server's output if it exits first."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the service exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    pytest.fail(f"/healthz did not answer within {STARTUP_TIMEOUT} s:\n{log.read_text()}")


def signed_post(url: str, path: str, key: str) -> tuple[int, dict[str, Any]]:
    """POST path with an empty body, signed as the add-on signs: HMAC-SHA256 with the sheet's
    key over METHOD, path, timestamp and nonce (each ending in a newline), then the body."""
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(16)
    message = f"POST\n{path}\n{timestamp}\n{nonce}\n".encode()
    signature = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url + path,
        data=b"",
        method="POST",
        headers={
            "X-Aftersales-Timestamp": timestamp,
            "X-Aftersales-Nonce": nonce,
            "X-Aftersales-Signature": f"sha256={signature}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


def test_the_installed_image_refuses_without_auth_then_migrates_and_serves_a_signed_sync(
    installed: Installed, empty_schema: tuple[str, str]
) -> None:
    """The wheel in a fresh venv, run as an unprivileged user with the image's ENV and CMD:
    no authentication is exit 2 with the fix; with secrets mounted as files it migrates an
    empty schema to head, answers /healthz and syncs a registered workbook for a signed press."""
    stage = final_stage()
    assert stage.cmd == ["aftersales", "serve"]
    uid, _, gid = stage.user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0
    assert stage.env["AFTERSALES_ENVIRONMENT"] == "production"

    # The installed package, not a source tree, and no test extra.
    probe = run_cli(installed, image_env(installed), "--help")
    assert probe.returncode == 0, probe.stderr
    where = subprocess.run(
        [str(installed.bin / "python"), "-c", "import app; print(app.__file__)"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        **as_image_user(installed, image_env(installed)),
    )
    assert where.stdout.strip().startswith(str(installed.bin.parent / "lib"))
    assert not list(installed.bin.parent.glob("lib/python*/site-packages/pytest"))

    # 1. The image as built, with no authentication configured: refused, with the fix.
    port = free_port()
    refused = subprocess.run(
        stage.cmd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **as_image_user(installed, image_env(installed, AFTERSALES_PORT=str(port))),
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    message = " ".join(refused.stderr.split())
    assert "Refusing to start in production: no caller can authenticate" in message
    assert "AFTERSALES_AUTH__OIDC_AUDIENCES" in message
    assert "AFTERSALES_AUTH__HMAC_MASTER_SECRET" in message
    assert "Traceback" not in refused.stderr

    # 2. With the master secret, metrics token and database URL mounted as files.
    schema, schema_url = empty_schema
    # The machine's PostgreSQL trusts local connections, so any password works: one is given
    # so that the logs can be checked for it.
    db_password = "pw-" + secrets.token_hex(10)
    database_url = make_url(schema_url).set(password=db_password).render_as_string(False)
    master = "image-test-master-" + secrets.token_hex(24)
    metrics_token = "scrape-" + secrets.token_hex(12)
    env = image_env(
        installed,
        AFTERSALES_PORT=str(port),
        AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE=str(mount_secret(installed, "hmac", master)),
        AFTERSALES_AUTH__METRICS_TOKEN_FILE=str(mount_secret(installed, "metrics", metrics_token)),
        AFTERSALES_DATABASE_URL_FILE=str(mount_secret(installed, "database-url", database_url)),
    )
    log = installed.state / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            stage.cmd,
            stdout=output,
            stderr=subprocess.STDOUT,
            **as_image_user(installed, env),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(server, base, log)
        status_line = next(
            line
            for line in Path(f"/proc/{server.pid}/status").read_text().splitlines()
            if line.startswith("Uid:")
        )
        assert int(status_line.split()[1]) != 0  # the real uid of the serving process

        with psycopg.connect(libpq_uri(make_url(POSTGRES_URL))) as conn:
            [(version,)] = conn.execute(f'SELECT version_num FROM "{schema}".alembic_version')
        assert version == head_revision()

        # A team's workbook, registered by the deployer with the installed CLI.
        workbook = installed.state / "售后-shop-cn.xlsx"
        write_workbook(
            workbook,
            [
                case(
                    **{
                        "Case ID": "SB-2511-001",
                        "Opened": datetime(2025, 11, 4, 10, 15),
                        "Window Start": datetime(2025, 11, 3),
                        "Customer": "王芳",
                        "Notes": "客户说外箱压坏了",
                    }
                ),
                case(**{"Case ID": None, "Customer": "Lucas Moreau", "Opened": None}),
            ],
        )
        if installed.user is not None:
            shutil.chown(workbook, installed.user, installed.group)
        added = run_cli(
            installed, env, "sheets", "add", SHEET, "--workbook", str(workbook), "--allow",
            "@agency.example",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        key = hmac.new(master.encode(), f"aftersales-sheet:{SHEET}".encode(), hashlib.sha256)
        sheet_key = key.hexdigest()
        assert f"Its HMAC secret for the add-on's Set up: {sheet_key}" in added.stdout

        status, body = signed_post(base, f"/v1/sheets/{SHEET}/sync", sheet_key)
        assert status == 200, body
        # Both cases are new to the empty store (no snapshot yet); neither has an error.
        assert (body["cases"], body["new_cases"], body["errors"]) == (2, 2, 0)
        assert body["cells_written"] > 0
        rows = {row["Customer"]: row for row in records(workbook)}
        # Superbuy defect: 30 calendar days from the warehouse arrival on 3 November.
        assert rows["王芳"]["Return Deadline"].date() == date(2025, 12, 3)
        assert rows["王芳"]["Notes"] == "客户说外箱压坏了"
        assert rows["Lucas Moreau"]["Case ID"]  # the blank id was filled

        # A replayed or unsigned press is refused.
        unsigned = urllib.request.Request(f"{base}/v1/sheets/{SHEET}/sync", data=b"", method="POST")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(unsigned, timeout=60)
        assert caught.value.code == 401
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    served = log.read_text(encoding="utf-8", errors="replace")
    assert re.search(r"Store: postgresql\+psycopg://[^:@/]+:\*\*\*@", served)  # masked, shown
    for secret in (master, metrics_token, sheet_key, db_password):
        assert secret not in served
