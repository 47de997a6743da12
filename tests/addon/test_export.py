"""`app.addon.export.write_addon`: the files written for pasting or `clasp push`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.addon.export import ADDON_FILES, addon_source, write_addon


def test_write_addon_bakes_the_url_and_writes_a_clasp_template(tmp_path: Path) -> None:
    """All add-on files are written, Code.gs carries the URL and .clasp.json has no scriptId."""
    out = tmp_path / "addon"
    written = write_addon(" https://desk.example.com/aftersales/ ", out)
    assert [p.name for p in written] == [*ADDON_FILES, ".clasp.json"]
    code = (out / "Code.gs").read_text(encoding="utf-8")
    assert re.search(r'^var SERVICE_URL = "https://desk\.example\.com/aftersales";$', code, re.M)
    assert code.replace('"https://desk.example.com/aftersales"', "''") == addon_source("Code.gs")
    for name in ("Service.gs", "Sidebar.html", "Setup.html", "appsscript.json"):
        assert (out / name).read_text(encoding="utf-8") == addon_source(name)
    clasp = json.loads((out / ".clasp.json").read_text(encoding="utf-8"))
    assert clasp == {"scriptId": "", "rootDir": "."}


def test_write_addon_keeps_an_existing_clasp_project(tmp_path: Path) -> None:
    """Re-exporting into a clasp project keeps its .clasp.json (and its scriptId)."""
    (tmp_path / ".clasp.json").write_text('{"scriptId": "abc123"}', encoding="utf-8")
    written = write_addon("https://desk.example.com", tmp_path)
    assert ".clasp.json" not in [p.name for p in written]
    assert json.loads((tmp_path / ".clasp.json").read_text())["scriptId"] == "abc123"


@pytest.mark.parametrize(
    "url", ["", "desk.example.com", "ftp://desk.example.com", "https://x.example/?a=1", "https://"]
)
def test_write_addon_rejects_unusable_urls(tmp_path: Path, url: str) -> None:
    """A URL without http(s) scheme and host, or with a query, is refused before writing."""
    with pytest.raises(ValueError, match="not a service URL"):
        write_addon(url, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_quotes_in_the_url_cannot_break_out_of_the_string(tmp_path: Path) -> None:
    """The URL is written as a JSON string literal, so quotes stay inside it."""
    write_addon("https://desk.example.com/a'b\"c", tmp_path)
    code = (tmp_path / "Code.gs").read_text(encoding="utf-8")
    assert 'var SERVICE_URL = "https://desk.example.com/a\'b\\"c";' in code
