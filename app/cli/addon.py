"""`aftersales addon` and `openapi`: what an integrator takes from the service, the Apps
Script add-on pinned to its URL and the API's OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, out, say


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
        fail(say("cli.addon_out_is_file", folder=out_dir))
    try:
        files = write_addon(url, out_dir)
    except ValueError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(say("cli.addon_cannot_write", folder=out_dir, problem=exc.strerror))
    for path in files:
        out.print(say("cli.addon_wrote", path=path), markup=False, highlight=False)
    out.print(say("cli.addon_calls_only", url=whitelist_prefix(url)), markup=False, highlight=False)
    out.print(say("cli.addon_next", readme=out_dir / README_FILE), markup=False, highlight=False)
