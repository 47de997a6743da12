"""The Drive v3 endpoints gspread uses: files create / get / list / delete / update / copy /
export, permissions and comments (spreadsheets and folders only)."""

from __future__ import annotations

import csv
import io
import re
import secrets
from typing import TYPE_CHECKING, Any

from .access import ROLE_RANK, role_of
from .calc import Calc
from .errors import ApiError
from .model import new_spreadsheet_id
from .normalize import strip_nulls
from .state import Reply, share

if TYPE_CHECKING:
    from .api import Call
    from .model import Spreadsheet

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"


def _file_not_found(file_id: str) -> ApiError:
    error = ApiError(404, f"File not found: {file_id}.", drive=True, reason="notFound")
    return error


def _insufficient() -> ApiError:
    return ApiError(
        403,
        "The user does not have sufficient permissions for this file.",
        drive=True,
        reason="insufficientFilePermissions",
    )


def _stamp(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def file_resource(book: Spreadsheet, email: str) -> dict[str, Any]:
    """The full Drive File resource of a spreadsheet."""
    role = role_of(book, email) or "reader"
    return {
        "kind": "drive#file",
        "id": book.id,
        "name": book.title,
        "mimeType": SHEET_MIME,
        "parents": list(book.parents) or ["root"],
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{book.id}/edit?usp=drivesdk",
        "createdTime": _stamp(book.created),
        "modifiedTime": _stamp(book.modified),
        "owners": [
            {
                "kind": "drive#user",
                "displayName": book.owner.split("@")[0],
                "me": book.owner.lower() == email.lower(),
                "emailAddress": book.owner,
            }
        ],
        "ownedByMe": book.owner.lower() == email.lower(),
        "shared": len(book.permissions) > 1,
        "capabilities": {
            "canEdit": ROLE_RANK.get(role, 0) >= ROLE_RANK["writer"],
            "canDelete": role == "owner",
        },
        "trashed": False,
    }


def _short(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: resource[k] for k in ("kind", "id", "name", "mimeType")}


def _book_for(call: Call, write: bool = False, owner: bool = False) -> Spreadsheet:
    file_id = call.route.spreadsheet_id or ""
    book = call.state.books.get(file_id)
    role = role_of(book, call.principal.email) if book is not None else None
    if book is None or role is None:
        raise _file_not_found(file_id)
    if owner and role != "owner":
        raise _insufficient()
    if write and ROLE_RANK.get(role, 0) < ROLE_RANK["writer"]:
        raise _insufficient()
    return book


def _fields_or_short(call: Call, resource: dict[str, Any]) -> dict[str, Any]:
    return resource if call.params.get("fields") else _short(resource)


def _create(call: Call) -> Any:
    body = strip_nulls(call.body or {})
    mime = body.get("mimeType") or "application/octet-stream"
    if mime == FOLDER_MIME:
        folder_id = "1" + secrets.token_urlsafe(24)[:32]
        call.state.folders[folder_id] = {"id": folder_id, "name": body.get("name", "Untitled")}
        return {"kind": "drive#file", "id": folder_id, "name": body.get("name"), "mimeType": mime}
    if mime != SHEET_MIME:
        raise ApiError(
            400,
            f"The emulator only stores spreadsheets, not {mime}.",
            drive=True,
            reason="badRequest",
        )
    book = call.state.create_spreadsheet(
        body.get("name") or "Untitled spreadsheet", call.principal.email
    )
    book.parents = list(body.get("parents") or [])
    return _fields_or_short(call, file_resource(book, call.principal.email))


def _get(call: Call) -> Any:
    book = _book_for(call)
    if call.params.get("alt", [""])[-1] == "media":
        raise ApiError(
            403,
            "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
            drive=True,
            reason="fileNotDownloadable",
        )
    return _fields_or_short(call, file_resource(book, call.principal.email))


def _update(call: Call) -> Any:
    book = _book_for(call, write=True)
    body = strip_nulls(call.body or {})
    work = book.clone()
    if body.get("name"):
        work.props["title"] = body["name"]
    call.state.commit(work)
    return _fields_or_short(call, file_resource(work, call.principal.email))


def _delete(call: Call) -> Any:
    book = _book_for(call, owner=True)
    del call.state.books[book.id]
    return Reply(204, None, content_type="")


_QUERY_TERM = re.compile(
    r"""^\s*(?:(?P<field>mimeType|name|trashed)\s*(?P<op>=|!=|contains)\s*(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|true|false)
    |(?P<pvalue>'[^']*'|"[^"]*")\s+in\s+parents|parents\s+in\s+(?P<pvalue2>'[^']*'|"[^"]*"))\s*$""",
    re.VERBOSE,
)


def _matches(book: Spreadsheet, query: str) -> bool:
    for term in re.split(r"\s+and\s+", query.strip()) if query.strip() else []:
        m = _QUERY_TERM.match(term)
        if m is None:
            raise ApiError(400, "Invalid Value", drive=True, reason="invalid")
        if m.group("field"):
            field, op, raw = m.group("field"), m.group("op"), m.group("value")
            value = raw[1:-1].replace("\\'", "'").replace('\\"', '"') if raw[0] in "'\"" else raw
            actual = {"mimeType": SHEET_MIME, "name": book.title, "trashed": "false"}[field]
            ok = value in actual if op == "contains" else actual == value
            if ok == (op == "!="):
                return False
        else:
            parent = (m.group("pvalue") or m.group("pvalue2"))[1:-1]
            if parent not in (book.parents or ["root"]):
                return False
    return True


def _list(call: Call) -> Any:
    query = call.params.get("q", [""])[-1]
    email = call.principal.email
    books = [
        b for b in call.state.books.values() if role_of(b, email) is not None and _matches(b, query)
    ]
    books.sort(key=lambda b: b.modified, reverse=True)
    size = int(call.params.get("pageSize", ["100"])[-1] or 100)
    start = int(call.params.get("pageToken", ["0"])[-1] or 0)
    page = books[start : start + size]
    files = [file_resource(b, email) for b in page]
    out: dict[str, Any] = {"kind": "drive#fileList"}
    if start + size < len(books):
        out["nextPageToken"] = str(start + size)
    out["incompleteSearch"] = False
    out["files"] = files if call.params.get("fields") else [_short(f) for f in files]
    return out


def _copy(call: Call) -> Any:
    source = _book_for(call)
    body = strip_nulls(call.body or {})
    book = source.clone()
    book.id = new_spreadsheet_id()
    book.props["title"] = body.get("name") or f"Copy of {source.title}"
    book.owner = call.principal.email
    book.permissions = [
        {"id": "owner", "type": "user", "role": "owner", "emailAddress": call.principal.email}
    ]
    book.comments = []
    book.parents = list(body.get("parents") or source.parents)
    book.created = call.state.now()
    call.state.commit(book)
    return _fields_or_short(call, file_resource(book, call.principal.email))


def _export(call: Call) -> Any:
    book = _book_for(call)
    mime = call.params.get("mimeType", [""])[-1]
    if mime not in ("text/csv", "text/tab-separated-values"):
        raise ApiError(
            400, "The requested conversion is not supported.", drive=True, reason="badRequest"
        )
    sheet = book.sheets[0]
    calc = Calc(book, call.state.now())
    rows = sorted(sheet.cells)
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter="," if mime == "text/csv" else "\t", lineterminator="\r\n"
    )
    for r in range(0, (rows[-1] + 1) if rows else 0):
        cols = sorted(sheet.cells.get(r, {}))
        width = cols[-1] + 1 if cols else 0
        writer.writerow([calc.formatted(sheet, r, c) or "" for c in range(width)])
    text = buffer.getvalue().rstrip("\r\n")
    return Reply(200, text.encode("utf-8"), content_type=f"{mime}; charset=utf-8")


def _permissions(call: Call) -> Any:
    action = call.route.kind.rsplit(".", 1)[1]
    book = _book_for(call, write=action != "list")
    if action == "list":
        return {
            "kind": "drive#permissionList",
            "permissions": [dict(p, kind="drive#permission") for p in book.permissions],
        }
    if action == "create":
        body = strip_nulls(call.body or {})
        kind = body.get("type", "user")
        target = body.get("emailAddress") or body.get("domain") or "anyone"
        work = book.clone()
        perm = share(work, target, body.get("role", "reader"), kind)
        call.state.commit(work)
        return dict(perm, kind="drive#permission")
    if action == "delete":
        work = book.clone()
        before = len(work.permissions)
        work.permissions = [
            p for p in work.permissions if p["id"] != call.route.sub_id or p["role"] == "owner"
        ]
        if len(work.permissions) == before:
            raise ApiError(404, f"Permission not found: {call.route.sub_id}.", drive=True)
        call.state.commit(work)
        return Reply(204, None, content_type="")
    raise ApiError(404, "Not Found", drive=True)


def _comments(call: Call) -> Any:
    action = call.route.kind.rsplit(".", 1)[1]
    book = _book_for(call)
    if action == "list":
        return {"comments": [dict(c) for c in book.comments]}
    if action == "create":
        comment = dict(strip_nulls(call.body or {}))
        comment["id"] = secrets.token_hex(8)
        book.comments.append(comment)
        return {"id": comment["id"]}
    raise ApiError(404, "Not Found", drive=True)


HANDLERS = {
    "drive.files.create": _create,
    "drive.files.get": _get,
    "drive.files.update": _update,
    "drive.files.delete": _delete,
    "drive.files.list": _list,
    "drive.files.copy": _copy,
    "drive.files.export": _export,
}


def handle(call: Call) -> Any:
    if call.route.file_sub == "permissions":
        return _permissions(call)
    if call.route.file_sub == "comments":
        return _comments(call)
    return HANDLERS[call.route.kind](call)
