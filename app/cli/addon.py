"""`aftersales addon` and `openapi`: what an integrator takes from the service, the Apps
Script add-on pinned to its URL and the API's OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, out


def openapi() -> None:
    """Print the API's OpenAPI document (JSON)."""
    from app.api.app import create_app
    from app.settings import Settings

    application = create_app(Settings(environment="test"), start_scheduler=False)
    print(json.dumps(application.openapi(), indent=2))


def addon(
    url: Annotated[
        str,
        typer.Option(help="The service's public https:// URL (http:// only on loopback)."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the add-on into.")],
) -> None:
    """Write the Apps Script add-on pinned to URL (Config.gs and the manifest's
    urlFetchWhitelist) as a clasp project, with a README.md of the deployment steps."""
    from app.addon.export import README_FILE, whitelist_prefix, write_addon

    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out {out_dir} is a file; give a folder (it is created if missing).")
    try:
        files = write_addon(url, out_dir)
    except ValueError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(
            f"Cannot write the add-on into {out_dir}: {exc.strerror}. Give a folder you can write."
        )
    for path in files:
        out.print(f"wrote {path}", markup=False, highlight=False)
    out.print(
        f"The add-on calls only {whitelist_prefix(url)} (urlFetchWhitelist); editors of a "
        "spreadsheet cannot change it. Deploy it from its own Apps Script project, not pasted "
        "into a spreadsheet's bound script.",
        markup=False,
        highlight=False,
    )
    out.print(
        f"Next: the steps in {out_dir / README_FILE} (clasp login, clasp create or a scriptId, "
        "clasp push, a test deployment, then a versioned deployment).",
        markup=False,
        highlight=False,
    )
