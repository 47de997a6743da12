"""`aftersales addon --url URL --out DIR` writes a clasp project that Apps Script would accept:
checked against the manifest rules Google documents (scopes, urlFetchWhitelist prefixes, V8),
with its deployment README, and run in the node harness."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
AFTERSALES = Path(sys.executable).with_name("aftersales")

# The scopes the add-on needs, written out by hand: a scope added to or dropped from the
# manifest must be a decision someone makes here too.
EXPECTED_SCOPES = {
    "https://www.googleapis.com/auth/spreadsheets.currentonly",
    "https://www.googleapis.com/auth/script.external_request",
    "https://www.googleapis.com/auth/script.container.ui",
    "https://www.googleapis.com/auth/userinfo.email",
    "openid",
}
PROJECT_FILES = {
    ".clasp.json",
    ".claspignore",
    "README.md",
    "appsscript.json",
    "Config.gs",
    "Code.gs",
    "Service.gs",
    "Undo.gs",
    "Progress.gs",
    "RunStatus.gs",
    "Messages.gs",
    "Language.gs",
    "Sidebar.html",
    "Setup.html",
}
SHEET = "1hG7xQ2vLk0aBcD_eFgHiJkLmNoPqRsTuVwXyZ012345"


def write_project(url: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AFTERSALES), "addon", "--url", url, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def whitelist_problems(prefix: str) -> list[str]:
    """What breaks Apps Script's allowlist rules for one prefix (developers.google.com/
    apps-script/manifest/allowlist-url): a valid https URL with a full domain and a non-empty
    path; at most one wildcard, only as the leading label. http is tolerated on loopback only,
    for development; we also want the path to end in "/" so /desk does not admit /desk-evil."""
    problems = []
    parts = urlsplit(prefix)
    host = parts.hostname or ""
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(host)):
        problems.append("not https")
    if not host or ("." not in host and not is_loopback(host) and not host.startswith("xn--")):
        problems.append("no full domain")
    if parts.username or parts.password or parts.query or parts.fragment:
        problems.append("user, query or fragment")
    if not parts.path:
        problems.append("empty path")
    elif not parts.path.endswith("/"):
        problems.append("path does not end in /")
    if prefix.count("*") > 1 or ("*" in prefix and not host.startswith("*.")):
        problems.append("bad wildcard")
    return problems


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("https://desk-7xq2-uc.a.run.app", "https://desk-7xq2-uc.a.run.app/"),
        ("https://售后.example.cn/desk/", "https://售后.example.cn/desk/"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
    ],
)
def test_the_project_follows_the_manifest_rules(tmp_path: Path, url: str, prefix: str) -> None:
    """The written project has exactly the clasp files, V8, the hand-listed scopes, one
    whitelist prefix that obeys Google's prefix rules, and no http:// URL off loopback."""
    out = tmp_path / "addon"
    made = write_project(url, out)
    assert made.returncode == 0, made.stderr
    assert {p.name for p in out.iterdir()} == PROJECT_FILES
    assert "README.md" in made.stdout
    clasp = json.loads((out / ".clasp.json").read_text(encoding="utf-8"))
    assert clasp == {"scriptId": "", "rootDir": "."}
    assert (out / ".claspignore").read_text(encoding="utf-8").split() == ["README.md"]
    manifest: dict[str, Any] = json.loads((out / "appsscript.json").read_text(encoding="utf-8"))
    assert manifest["runtimeVersion"] == "V8"
    scopes = manifest["oauthScopes"]
    assert len(scopes) == len(set(scopes)) and set(scopes) == EXPECTED_SCOPES
    assert manifest["urlFetchWhitelist"] == [prefix]
    assert whitelist_problems(prefix) == []
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        for found in re.findall(r"http://[^\s'\"`)<>]+", text):
            assert is_loopback(urlsplit(found).hostname or ""), f"{path.name}: {found}"
    config = (out / "Config.gs").read_text(encoding="utf-8")
    assert f"var SERVICE_URL = {json.dumps(prefix.rstrip('/'))};" in config


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("http://desk.example.com/", "not https"),
        ("https://desk.example.com", "empty path"),
        ("https://desk.example.com/desk", "path does not end in /"),
        ("https://desk/", "no full domain"),
        ("https://*.*.example.com/", "bad wildcard"),
        ("https://desk.example.com/?key=1", "user, query or fragment"),
    ],
)
def test_the_rule_check_itself_catches_each_broken_prefix(prefix: str, problem: str) -> None:
    """The checker above is not vacuous: each rule it applies rejects a prefix that breaks it."""
    assert problem in whitelist_problems(prefix)


def test_the_readme_walks_from_login_to_a_versioned_deployment(tmp_path: Path) -> None:
    """README.md names the URL and its whitelist prefix, lists every manifest scope, gives the
    clasp steps in order (login, create or scriptId, push, test deployment, versioned
    deployment), and says an Internal consent screen needs no verification."""
    url = "https://desk.agency-cn.com/aftersales"
    out = tmp_path / "addon"
    assert write_project(url, out).returncode == 0
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "${" not in readme
    assert f"`{url}/`" in readme and f"aftersales addon --url {url} --out ." in readme
    for scope in EXPECTED_SCOPES:
        assert f"| `{scope}` |" in readme
    steps = [
        "clasp login",
        "clasp create --type standalone",
        '"scriptId"',
        "clasp push --force",
        "Test deployments",
        "clasp version",
        "clasp deploy --versionNumber",
    ]
    positions = [readme.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "User type *Internal*" in readme and "no verification is needed" in readme
    assert "AFTERSALES_AUTH__OIDC_AUDIENCES" in readme


def test_re_exporting_after_clasp_create_keeps_the_script_id(tmp_path: Path) -> None:
    """The README's step 2 (clasp create, then export again) keeps the id clasp wrote and
    restores the manifest clasp may have replaced."""
    out = tmp_path / "addon"
    assert write_project("https://desk.example.com", out).returncode == 0
    # What `clasp create` leaves behind: its own .clasp.json and a default manifest.
    (out / ".clasp.json").write_text('{"scriptId":"1ScRiPt_id-from-clasp","rootDir":"."}')
    (out / "appsscript.json").write_text('{"timeZone": "America/New_York"}')
    assert write_project("https://desk.example.com", out).returncode == 0
    assert json.loads((out / ".clasp.json").read_text())["scriptId"] == "1ScRiPt_id-from-clasp"
    manifest = json.loads((out / "appsscript.json").read_text())
    assert manifest["urlFetchWhitelist"] == ["https://desk.example.com/"]
    assert manifest["runtimeVersion"] == "V8"


def test_the_written_project_runs_in_the_node_harness(tmp_path: Path) -> None:
    """The written .gs files, run in the node harness with a UrlFetchApp that enforces the
    project's whitelist: onOpen builds the menu, Sync now calls the pinned https URL with the
    identity token and shows the run, and a sibling path outside the prefix is refused."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is needed for the add-on tests")
        pytest.skip("node missing")
    out = tmp_path / "addon"
    assert write_project("https://desk.example.com/aftersales", out).returncode == 0
    ran = subprocess.run(
        [
            node,
            str(ROOT / "tests/addon/run_project.mjs"),
            "--addon",
            str(out),
            "--sheet",
            SHEET,
            "--token",
            "eyJhbGciOiJSUzI1NiJ9.identity.sig",
            "--outside",
            "https://desk.example.com/aftersales-evil/v1/sheets/x/sync",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    [menu] = seen["menus"]
    assert [item.get("caption") for item in menu["items"] if "caption" in item] == [
        "Sync now",
        "Recalculate all",
        "Undo last sync",
        "Case details",
        "Set up",
    ]
    assert seen["fetched"] == [
        {
            "url": f"https://desk.example.com/aftersales/v1/sheets/{SHEET}/sync",
            "authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.identity.sig",
        }
    ]
    assert seen["toasts"][-1] == "Synced 5 cases: 17 cells updated, 2 new, no errors (run 12)."
    assert seen["alerts"] == []
    assert "not in the add-on's urlFetchWhitelist" in seen["outside"]
