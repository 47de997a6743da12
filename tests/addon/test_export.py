"""`aftersales addon --url URL --out DIR`: the add-on written pinned to one service URL."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.addon.export import ADDON_FILES, ServiceUrlError, addon_source, write_addon

ROOT = Path(__file__).resolve().parents[2]
AFTERSALES = Path(sys.executable).with_name("aftersales")


def test_write_addon_pins_the_url_in_config_and_the_whitelist(tmp_path: Path) -> None:
    """Config.gs carries the URL, appsscript.json whitelists exactly its prefix ending in "/",
    every other file is shipped unchanged and .clasp.json has no scriptId."""
    out = tmp_path / "addon"
    written = write_addon(" https://desk.example.com/aftersales/ ", out)
    assert [p.name for p in written] == [*ADDON_FILES, "README.md", ".claspignore", ".clasp.json"]
    config = (out / "Config.gs").read_text(encoding="utf-8")
    assert re.search(r'^var SERVICE_URL = "https://desk\.example\.com/aftersales";$', config, re.M)
    assert config.replace('"https://desk.example.com/aftersales"', "''") == addon_source(
        "Config.gs"
    )
    manifest = json.loads((out / "appsscript.json").read_text(encoding="utf-8"))
    assert manifest["urlFetchWhitelist"] == ["https://desk.example.com/aftersales/"]
    shipped = json.loads(addon_source("appsscript.json"))
    assert {k: v for k, v in manifest.items() if k != "urlFetchWhitelist"} == shipped
    for name in (
        "Messages.gs",
        "Language.gs",
        "Code.gs",
        "Service.gs",
        "Undo.gs",
        "Progress.gs",
        "RunStatus.gs",
        "Sidebar.html",
        "Setup.html",
    ):
        assert (out / name).read_text(encoding="utf-8") == addon_source(name)
    clasp = json.loads((out / ".clasp.json").read_text(encoding="utf-8"))
    assert clasp == {"scriptId": "", "rootDir": "."}


def test_a_bare_host_gets_a_root_path_prefix(tmp_path: Path) -> None:
    """Apps Script needs a non-empty path in a whitelist prefix: https://host becomes https://host/."""
    write_addon("https://售后.example.cn:8443", tmp_path)
    manifest = json.loads((tmp_path / "appsscript.json").read_text(encoding="utf-8"))
    assert manifest["urlFetchWhitelist"] == ["https://售后.example.cn:8443/"]


def test_write_addon_keeps_an_existing_clasp_project(tmp_path: Path) -> None:
    """Re-exporting into a clasp project keeps its .clasp.json (and its scriptId)."""
    (tmp_path / ".clasp.json").write_text('{"scriptId": "abc123"}', encoding="utf-8")
    written = write_addon("https://desk.example.com", tmp_path)
    assert ".clasp.json" not in [p.name for p in written]
    assert json.loads((tmp_path / ".clasp.json").read_text())["scriptId"] == "abc123"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "desk.example.com",
        "ftp://desk.example.com",
        "https://x.example/?a=1",
        "https://",
        "https://lily@desk.example.com",
        "https://desk.example.com:abc",
    ],
)
def test_write_addon_rejects_unusable_urls(tmp_path: Path, url: str) -> None:
    """A URL without https scheme and host, with a user, query or bad port, is refused before
    anything is written."""
    with pytest.raises(ServiceUrlError, match="not a service URL"):
        write_addon(url, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://desk.example.com",
        "http://192.168.1.20:8000",
        "http://127.0.0.1.attacker.example",
        "http://localhost.attacker.example:8000",
        "http://[::ffff:10.0.0.1]:8000",
    ],
)
def test_plain_http_is_refused_off_loopback(tmp_path: Path, url: str) -> None:
    """http:// would send people's sign-in in clear text: refused unless the host is loopback."""
    with pytest.raises(ServiceUrlError, match="must be https://"):
        write_addon(url, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://127.9.8.7",
        "http://localhost:8000/desk",
        "http://[::1]:8000",
    ],
)
def test_plain_http_is_accepted_on_loopback(tmp_path: Path, url: str) -> None:
    """Development on this machine may use http:// on 127.0.0.0/8, localhost or [::1]."""
    write_addon(url, tmp_path)
    manifest = json.loads((tmp_path / "appsscript.json").read_text(encoding="utf-8"))
    assert manifest["urlFetchWhitelist"] == [url + "/"]


def test_quotes_in_the_url_cannot_break_out_of_the_string(tmp_path: Path) -> None:
    """The URL is written as a JSON string literal, so quotes stay inside it."""
    write_addon("https://desk.example.com/a'b\"c", tmp_path)
    config = (tmp_path / "Config.gs").read_text(encoding="utf-8")
    assert 'var SERVICE_URL = "https://desk.example.com/a\'b\\"c";' in config


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://desk.example.com", "'http://desk.example.com' uses plain http://"),
        ("desk.example.com", "'desk.example.com' is not a service URL: give https://host"),
    ],
)
def test_the_command_refuses_a_bad_url_with_exit_2_and_a_sentence(
    tmp_path: Path, url: str, expected: str
) -> None:
    """`aftersales addon --url` with plain http or no scheme exits 2 with a sentence naming the
    URL and the fix, writes nothing and shows no traceback (MarkupError included)."""
    done = subprocess.run(
        [str(AFTERSALES), "addon", "--url", url, "--out", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join(done.stderr.split())
    assert expected in message
    assert "https://" in message
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr
    assert not (tmp_path / "out").exists()


class _Recorder:
    """A stand-in service on 127.0.0.1 that answers every sync and records what it received."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorder.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                body = json.dumps(
                    {"run_id": 7, "cases": 3, "new_cases": 1, "cells_written": 9, "errors": 0}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    served = _Recorder()
    yield served
    served.server.shutdown()
    served.server.server_close()


def test_the_written_add_on_syncs_only_with_its_pinned_url(
    tmp_path: Path, recorder: _Recorder
) -> None:
    """The files `aftersales addon` writes, run in the node harness (which enforces their
    urlFetchWhitelist as Apps Script does), send the identity token to the pinned URL and
    show the run id."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is needed for the add-on tests")
        pytest.skip("node missing")
    out = tmp_path / "addon"
    made = subprocess.run(
        [str(AFTERSALES), "addon", "--url", recorder.url + "/", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    pressed = subprocess.run(
        [
            node,
            str(ROOT / "tests/addon/press.mjs"),
            "--addon",
            str(out),
            "--sheet",
            "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms",
            "--token",
            "eyJ.identity.token",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert pressed.returncode == 0, pressed.stdout + pressed.stderr
    assert "Synced 3 cases: 9 cells updated, 1 new, no errors (run 7)." in pressed.stdout
    [request] = recorder.requests
    assert request["path"] == "/v1/sheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/sync"
    assert request["headers"]["Authorization"] == "Bearer eyJ.identity.token"
