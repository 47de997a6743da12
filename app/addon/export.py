"""Write the Apps Script add-on files with a service URL baked in (`aftersales addon`)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

#: The files of the Apps Script project, in the order clasp should push them.
ADDON_FILES: tuple[str, ...] = (
    "appsscript.json",
    "Code.gs",
    "Service.gs",
    "Sidebar.html",
    "Setup.html",
)
CLASP_FILE = ".clasp.json"

_SERVICE_URL_LINE = re.compile(r"^var SERVICE_URL = '';$", re.MULTILINE)
_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", re.IGNORECASE)


def normalise_service_url(url: str) -> str:
    """The service URL without surrounding space or trailing slashes; ValueError if unusable."""
    cleaned = url.strip().rstrip("/")
    if not _URL.match(cleaned):
        raise ValueError(
            f"{url!r} is not a service URL: give http(s)://host[/path] with no query or fragment"
        )
    return cleaned


def addon_source(name: str) -> str:
    """The text of one add-on file as shipped in this package."""
    return resources.files("app.addon").joinpath(name).read_text(encoding="utf-8")


def bake_service_url(code: str, url: str) -> str:
    """Code.gs with `var SERVICE_URL = '';` replaced by the given URL as a JS string literal."""
    literal = json.dumps(normalise_service_url(url), ensure_ascii=True)
    baked, count = _SERVICE_URL_LINE.subn(lambda _: f"var SERVICE_URL = {literal};", code)
    if count != 1:
        raise ValueError("Code.gs has no `var SERVICE_URL = '';` line to bake the URL into")
    return baked


def clasp_template() -> str:
    """A `.clasp.json` without a scriptId: fill it in (or run `clasp create`) before pushing."""
    return json.dumps({"scriptId": "", "rootDir": "."}, indent=2) + "\n"


def write_addon(url: str, out_dir: Path) -> list[Path]:
    """Write the add-on into `out_dir` (created if needed) and return the paths written.

    Code.gs gets `url` as its default SERVICE_URL. An existing `.clasp.json` that already names a
    scriptId is kept, so re-exporting into a clasp project does not unlink it.
    """
    baked_url = normalise_service_url(url)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in ADDON_FILES:
        text = addon_source(name)
        if name == "Code.gs":
            text = bake_service_url(text, baked_url)
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
