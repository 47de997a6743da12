"""HTTP test hooks outside the Google paths: ``POST /__reset`` and ``/__emulator/...``."""

from __future__ import annotations

import json
import re
from typing import Any

from .edits import Edit
from .errors import ApiError, bad_request, not_found
from .state import EmulatorState, Reply, share


def _edit_from(body: dict[str, Any]) -> Edit:
    sid = body.get("spreadsheetId")
    if not sid:
        raise bad_request("edits need a spreadsheetId")
    if "requests" in body:
        return Edit.requests(sid, body["requests"])
    if "values" in body:
        spec = body["values"]
        return Edit.set_values(
            sid, spec["range"], spec["values"], spec.get("valueInputOption", "USER_ENTERED")
        )
    if "sort" in body:
        spec = body["sort"]
        return Edit.sort(
            sid,
            spec.get("sheet"),
            spec.get("column", 0),
            spec.get("ascending", True),
            spec.get("headerRows", 1),
        )
    for key, make in (("insertRows", Edit.insert_rows), ("deleteRows", Edit.delete_rows)):
        if key in body:
            spec = body[key]
            return make(sid, spec.get("sheet"), int(spec["row"]), int(spec.get("count", 1)))
    raise bad_request("an edit needs one of: requests, values, sort, insertRows, deleteRows")


def handle_admin(
    state: EmulatorState, method: str, path: str, params: dict[str, list[str]], raw: bytes
) -> Reply:
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        return Reply(200, _dispatch(state, method, path, params, body))
    except ApiError as err:
        return Reply(err.code, err.body())
    except (KeyError, TypeError, ValueError) as exc:
        return Reply(400, bad_request(f"bad hook request: {exc}").body())


def _dispatch(
    state: EmulatorState, method: str, path: str, params: dict[str, list[str]], body: Any
) -> Any:
    if path == "/__reset" and method == "POST":
        state.reset(identities=params.get("identities", ["0"])[-1] in ("1", "true"))
        return {}
    route = path[len("/__emulator") :]
    if route == "/requests":
        if method == "DELETE":
            state.log.clear()
            return {}
        kind = params.get("kind", [None])[-1]
        return {"requests": [r.as_dict() for r in state.log.records(kind)]}
    if route == "/faults":
        if method == "DELETE":
            state.faults.clear()
            return {}
        rule = state.faults.add(
            str(body["action"]),
            at=body.get("at"),
            probability=body.get("probability"),
            seed=body.get("seed"),
            kinds=body.get("kinds"),
            delay=float(body.get("delay", 0.0)),
            times=body.get("times"),
        )
        return {"action": rule.action}
    if route == "/quota":
        names = {
            "perUser": "per_user",
            "perProject": "per_project",
            "readsPerUser": "reads_per_user",
            "writesPerUser": "writes_per_user",
            "readsPerProject": "reads_per_project",
            "writesPerProject": "writes_per_project",
            "window": "window",
        }
        state.quota.configure(**{names[k]: v for k, v in body.items() if k in names})
        return {}
    if route == "/edits":
        if method == "DELETE":
            state.edits.clear()
            return {}
        if method == "GET":
            return {
                "edits": [
                    {
                        "description": i.edit.description,
                        "at": i.at,
                        "fired": i.fired,
                        "error": i.error,
                    }
                    for i in state.edits.items()
                ]
            }
        state.edits.add(_edit_from(body), int(body.get("at", 1)), body.get("kinds"))
        return {}
    if route == "/service-accounts" and method == "POST":
        state.authority.register(
            body["email"], body["publicKeyPem"], body.get("projectId", "emulator")
        )
        return {}
    if route == "/tokens" and method == "POST":
        state.authority.add_static_token(
            body["token"], body["email"], body.get("project", "emulator")
        )
        return {}
    if route == "/tokens:expire" and method == "POST":
        state.authority.expire_tokens()
        return {}
    if route == "/clock" and method == "POST":
        if body.get("unfreeze"):
            state.clock.unfreeze()
        if "freeze" in body:
            state.clock.freeze(body["freeze"])
        if "advance" in body:
            state.clock.advance(float(body["advance"]))
        return {"now": state.clock()}
    if route == "/spreadsheets" and method == "POST":
        book = state.create_spreadsheet(
            body.get("title", "Untitled spreadsheet"),
            body["owner"],
            body.get("sharedWith"),
            body.get("locale", "en_US"),
            body.get("timeZone", "Etc/GMT"),
        )
        return {"spreadsheetId": book.id}
    m = re.match(r"^/spreadsheets/([^/]+)(/permissions)?$", route)
    if m:
        with state.lock:
            book = state.books.get(m.group(1))
            if book is None:
                raise not_found()
            if m.group(2) and method == "POST":
                return share(
                    book, body["email"], body.get("role", "writer"), body.get("type", "user")
                )
            return {
                "spreadsheetId": book.id,
                "title": book.title,
                "owner": book.owner,
                "permissions": book.permissions,
                "sheets": [s.props for s in book.sheets],
            }
    raise ApiError(404, f"No emulator hook at {method} {path}")
