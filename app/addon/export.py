"""Write the Apps Script add-on pinned to one service URL (`aftersales addon --url URL --out DIR`).

The URL goes where a spreadsheet's editors cannot change it: Config.gs's SERVICE_URL constant,
and appsscript.json's `urlFetchWhitelist`, so Apps Script itself refuses to fetch any other host
(the add-on sends the person's Google identity token with every request).
"""

from __future__ import annotations

import ipaddress
import json
import re
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

#: The files of the Apps Script project, in the order clasp should push them.
ADDON_FILES: tuple[str, ...] = (
    "appsscript.json",
    "Config.gs",
    "Messages.gs",
    "Language.gs",
    "Code.gs",
    "Service.gs",
    "Undo.gs",
    "Progress.gs",
    "RunStatus.gs",
    "Sidebar.html",
    "Setup.html",
)
CLASP_FILE = ".clasp.json"
CLASP_IGNORE_FILE = ".claspignore"
MANIFEST_FILE = "appsscript.json"
README_FILE = "README.md"
README_TEMPLATE = "clasp-README.md"

#: Why the add-on asks for each scope of its manifest (the deploy README lists them; a scope
#: added to appsscript.json without a reason here is refused when the project is written).
SCOPE_REASONS: dict[str, str] = {
    "https://www.googleapis.com/auth/spreadsheets.currentonly": (
        "the spreadsheet the add-on is open in: its id, the selected row's Case ID"
    ),
    "https://www.googleapis.com/auth/script.external_request": (
        "UrlFetchApp calls to the service (only the URL in urlFetchWhitelist)"
    ),
    "openid": "ScriptApp.getIdentityToken(): the person's Google identity token for the service",
    "https://www.googleapis.com/auth/userinfo.email": (
        "the email in that token, which the sheet's allow-list checks"
    ),
    "https://www.googleapis.com/auth/script.container.ui": (
        "the menu, the Case details sidebar and the Set up dialog"
    ),
}

_SERVICE_URL_LINE = re.compile(r"^var SERVICE_URL = '';$", re.MULTILINE)
_SHAPE = re.compile(r"^(https?)://([^/\s?#@]+)(/[^\s?#]*)?$", re.IGNORECASE)


class ServiceUrlError(ValueError):
    """A URL the add-on must not be pinned to; the message says why and what to give instead."""


def normalise_service_url(url: str) -> str:
    """The service URL without surrounding space or trailing slashes.

    Raises ServiceUrlError unless it is https://host, optionally with :port and /path (no user,
    query or fragment),
    or http:// on a loopback address (127.0.0.0/8, localhost, [::1]) for development.
    """
    cleaned = url.strip().rstrip("/")
    match = _SHAPE.match(cleaned)
    host = _host(cleaned) if match else None
    if match is None or not host:
        raise ServiceUrlError(
            f"{url!r} is not a service URL: give https://host or https://host/path with no "
            "user name, query or fragment, e.g. https://desk.example.com"
        )
    if match.group(1).lower() == "http" and not _is_loopback(host):
        raise ServiceUrlError(
            f"{url!r} uses plain http://: the add-on sends each person's Google sign-in to this "
            "URL, so it must be https:// (http:// is accepted only for 127.0.0.1, localhost or "
            "[::1] while developing)"
        )
    return cleaned


def _host(url: str) -> str | None:
    """The URL's host name, or None when it has none or a port that is not a number."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port raises ValueError for "host:abc"
    except ValueError:
        return None
    return host


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback and (address.version == 4 or str(address) == "::1")


def whitelist_prefix(url: str) -> str:
    """The urlFetchWhitelist entry for a service URL: the URL with one trailing "/".

    Apps Script wants a non-empty path ("https://host/", not "https://host"), and a prefix ending
    in "/" covers only what lies below it ("https://host/desk/" does not admit /desk-evil).
    """
    return normalise_service_url(url) + "/"


def addon_source(name: str) -> str:
    """The text of one add-on file as shipped in this package."""
    return resources.files("app.addon").joinpath(name).read_text(encoding="utf-8")


def bake_service_url(config: str, url: str) -> str:
    """Config.gs with `var SERVICE_URL = '';` replaced by the given URL as a JS string literal."""
    literal = json.dumps(normalise_service_url(url), ensure_ascii=True)
    baked, count = _SERVICE_URL_LINE.subn(lambda _: f"var SERVICE_URL = {literal};", config)
    if count != 1:
        raise ValueError("Config.gs has no `var SERVICE_URL = '';` line to bake the URL into")
    return baked


def pinned_manifest(manifest: str, url: str) -> str:
    """appsscript.json with `urlFetchWhitelist` holding only the service URL's prefix."""
    data = json.loads(manifest)
    data["urlFetchWhitelist"] = [whitelist_prefix(url)]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def clasp_template() -> str:
    """A `.clasp.json` without a scriptId: fill it in (or run `clasp create`) before pushing."""
    return json.dumps({"scriptId": "", "rootDir": "."}, indent=2) + "\n"


def deploy_readme(url: str) -> str:
    """The README of the clasp project: the steps from `clasp login` to a versioned deployment
    and the OAuth consent screen, for this URL and with the manifest's exact scopes."""
    scopes = json.loads(addon_source(MANIFEST_FILE))["oauthScopes"]
    unexplained = [scope for scope in scopes if scope not in SCOPE_REASONS]
    if unexplained:
        raise ValueError(f"appsscript.json asks for scopes with no reason given: {unexplained}")
    table = "\n".join(
        ["| scope | what the add-on uses it for |", "| --- | --- |"]
        + [f"| `{scope}` | {SCOPE_REASONS[scope]} |" for scope in scopes]
    )
    return Template(addon_source(README_TEMPLATE)).substitute(
        service_url=normalise_service_url(url), whitelist=whitelist_prefix(url), scopes_table=table
    )


def write_addon(url: str, out_dir: Path) -> list[Path]:
    """Write the add-on into `out_dir` (created if needed) as a clasp project and return the
    paths written: the Apps Script files, README.md (the deployment steps) and .claspignore.

    Config.gs gets `url` as its SERVICE_URL and the manifest whitelists it. An existing
    `.clasp.json` that already names a scriptId is kept, so re-exporting into a clasp project
    does not unlink it. Raises ServiceUrlError (before writing anything) for an unusable URL.
    """
    pinned = normalise_service_url(url)
    readme = deploy_readme(pinned)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in ADDON_FILES:
        text = addon_source(name)
        if name == "Config.gs":
            text = bake_service_url(text, pinned)
        elif name == MANIFEST_FILE:
            text = pinned_manifest(text, pinned)
        target = out_dir / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    for name, text in ((README_FILE, readme), (CLASP_IGNORE_FILE, f"{README_FILE}\n")):
        target = out_dir / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    clasp = out_dir / CLASP_FILE
    if not _has_script_id(clasp):
        clasp.write_text(clasp_template(), encoding="utf-8")
        written.append(clasp)
    return written


def _has_script_id(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and bool(data.get("scriptId"))
