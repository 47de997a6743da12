"""Classifying API requests: which endpoint ("kind"), which spreadsheet, which range."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    kind: str  # e.g. "values.get", "spreadsheets.batchUpdate", "drive.files.create"
    method_id: str | None = None  # discovery method id, for validation
    spreadsheet_id: str | None = None
    range: str | None = None
    sheet_id: str | None = None
    file_sub: str | None = None  # drive: "copy", "export", "permissions", "comments"
    sub_id: str | None = None

    @property
    def is_drive(self) -> bool:
        return self.kind.startswith("drive.")


_SHEETS = "/v4/spreadsheets"


def classify(method: str, raw_path: str) -> Route | None:
    """The route of an API path (raw, still percent-encoded), or None if unknown."""
    method = method.upper()
    if raw_path.startswith("/drive/v3/files"):
        return _drive(method, raw_path[len("/drive/v3/files") :])
    if raw_path == _SHEETS:
        return (
            Route("spreadsheets.create", "sheets.spreadsheets.create") if method == "POST" else None
        )
    if not raw_path.startswith(_SHEETS + "/"):
        return None
    rest = raw_path[len(_SHEETS) + 1 :]
    m = re.match(r"^([^/:]+)(.*)$", rest)
    if not m:
        return None
    sid, tail = urllib.parse.unquote(m.group(1)), m.group(2)
    if tail == "":
        return (
            Route("spreadsheets.get", "sheets.spreadsheets.get", sid) if method == "GET" else None
        )
    if tail == ":batchUpdate" and method == "POST":
        return Route("spreadsheets.batchUpdate", "sheets.spreadsheets.batchUpdate", sid)
    for op, verb in (("batchGet", "GET"), ("batchUpdate", "POST"), ("batchClear", "POST")):
        if tail == f"/values:{op}" and method == verb:
            return Route(f"values.{op}", f"sheets.spreadsheets.values.{op}", sid)
    if tail.startswith("/values/"):
        raw_range = tail[len("/values/") :]
        for op in ("append", "clear"):
            if raw_range.endswith(":" + op) and method == "POST":
                rng = urllib.parse.unquote(raw_range[: -len(op) - 1])
                return Route(f"values.{op}", f"sheets.spreadsheets.values.{op}", sid, rng)
        rng = urllib.parse.unquote(raw_range)
        if method == "GET":
            return Route("values.get", "sheets.spreadsheets.values.get", sid, rng)
        if method == "PUT":
            return Route("values.update", "sheets.spreadsheets.values.update", sid, rng)
        return None
    copy = re.match(r"^/sheets/([^/:]+):copyTo$", tail)
    if copy and method == "POST":
        return Route(
            "sheets.copyTo", "sheets.spreadsheets.sheets.copyTo", sid, sheet_id=copy.group(1)
        )
    return None


def _drive(method: str, tail: str) -> Route | None:
    if tail in ("", "/"):
        return {"POST": Route("drive.files.create"), "GET": Route("drive.files.list")}.get(method)
    parts = [urllib.parse.unquote(p) for p in tail.strip("/").split("/")]
    fid = parts[0]
    if len(parts) == 1:
        kinds = {
            "GET": "drive.files.get",
            "DELETE": "drive.files.delete",
            "PATCH": "drive.files.update",
        }
        kind = kinds.get(method)
        return Route(kind, spreadsheet_id=fid) if kind else None
    sub = parts[1]
    if sub == "copy" and method == "POST" and len(parts) == 2:
        return Route("drive.files.copy", spreadsheet_id=fid, file_sub="copy")
    if sub == "export" and method == "GET" and len(parts) == 2:
        return Route("drive.files.export", spreadsheet_id=fid, file_sub="export")
    if sub in ("permissions", "comments"):
        sub_id = parts[2] if len(parts) > 2 else None
        verb = {"GET": "list" if sub_id is None else "get", "POST": "create", "DELETE": "delete"}
        action = verb.get(method)
        if action is None:
            return None
        return Route(f"drive.{sub}.{action}", spreadsheet_id=fid, file_sub=sub, sub_id=sub_id)
    return None
