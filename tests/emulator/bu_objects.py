"""batchUpdate requests on sheet objects: conditional formats, protected ranges, named
ranges and the basic filter."""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from .errors import RequestError
from .fieldmask import apply_mask
from .model import new_int_id
from .normalize import grid_range_out, strip_nulls, sync_colors
from .ranges import checked_bounds, sheet_for_grid
from .registry import BatchContext, Reply, handler, mask_of


def _bounded(ctx: BatchContext, grid: dict[str, Any]) -> dict[str, Any]:
    """A validated GridRange, kept as given (open ends stay open)."""
    sheet = sheet_for_grid(ctx.book, grid)
    checked_bounds(sheet, grid)
    out: dict[str, Any] = {"sheetId": sheet.sheet_id}
    for key in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"):
        if grid.get(key) is not None:
            out[key] = int(grid[key])
    return out


# ----------------------------------------------------------- conditional formats
def _rule(ctx: BatchContext, rule: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    rule = sync_colors(strip_nulls(rule or {}))
    ranges = rule.get("ranges") or []
    if not ranges:
        raise RequestError("A conditional format rule must have at least one range.")
    if not (rule.get("booleanRule") or rule.get("gradientRule")):
        raise RequestError("A conditional format rule must have a booleanRule or a gradientRule.")
    sheet_ids = {int(r.get("sheetId", 0) or 0) for r in ranges}
    if len(sheet_ids) > 1:
        raise RequestError("All ranges of a conditional format rule must be on the same sheet.")
    rule["ranges"] = [_bounded(ctx, r) for r in ranges]
    return sheet_ids.pop(), rule


@handler("addConditionalFormatRule")
def add_conditional_format_rule(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet_id, rule = _rule(ctx, req.get("rule") or {})
    sheet = ctx.sheet(sheet_id)
    index = int(req.get("index", 0) or 0)
    if index > len(sheet.cond_formats):
        raise RequestError(f"Index {index} is out of bounds.")
    sheet.cond_formats.insert(index, rule)
    return None


@handler("updateConditionalFormatRule")
def update_conditional_format_rule(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    index = int(req.get("index", 0) or 0)
    if req.get("rule") is not None:
        sheet_id, rule = _rule(ctx, req["rule"])
        sheet = ctx.sheet(sheet_id)
        if index >= len(sheet.cond_formats):
            raise RequestError(f"No conditional format on sheet: {sheet_id} at index: {index}")
        old = sheet.cond_formats[index]
        sheet.cond_formats[index] = rule
        return {
            "newRule": conditional_out(rule),
            "newIndex": index,
            "oldRule": conditional_out(old),
            "oldIndex": index,
        }
    sheet = ctx.sheet(req.get("sheetId"))
    if index >= len(sheet.cond_formats):
        raise RequestError(f"No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    new_index = int(req.get("newIndex", 0) or 0)
    if new_index >= len(sheet.cond_formats):
        raise RequestError(f"Index {new_index} is out of bounds.")
    rule = sheet.cond_formats.pop(index)
    sheet.cond_formats.insert(new_index, rule)
    return {
        "newRule": conditional_out(rule),
        "newIndex": new_index,
        "oldRule": conditional_out(rule),
        "oldIndex": index,
    }


@handler("deleteConditionalFormatRule")
def delete_conditional_format_rule(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet = ctx.sheet(req.get("sheetId"))
    index = int(req.get("index", 0) or 0)
    if index >= len(sheet.cond_formats):
        raise RequestError(f"No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    rule = sheet.cond_formats.pop(index)
    return {"rule": conditional_out(rule)}


def conditional_out(rule: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(rule)
    out["ranges"] = [grid_range_out(r) for r in rule["ranges"]]
    return out


# ----------------------------------------------------------- protected ranges
def _find_protected(ctx: BatchContext, prot_id: Any) -> tuple[Any, dict[str, Any]]:
    for sheet in ctx.book.sheets:
        for prot in sheet.protected:
            if prot["protectedRangeId"] == int(prot_id or 0):
                return sheet, prot
    raise RequestError(f"No protected range with id: {prot_id}")


def _protection_range(ctx: BatchContext, prot: dict[str, Any]) -> dict[str, Any]:
    if prot.get("namedRangeId"):
        for named in ctx.book.named_ranges:
            if named["namedRangeId"] == prot["namedRangeId"]:
                return dict(named["range"])
        raise RequestError(f"No named range with id: {prot['namedRangeId']}")
    return _bounded(ctx, prot.get("range") or {})


@handler("addProtectedRange")
def add_protected_range(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    prot = strip_nulls(req.get("protectedRange") or {})
    rng = _protection_range(ctx, prot)
    sheet = ctx.sheet(rng.get("sheetId"))
    taken = {p["protectedRangeId"] for s in ctx.book.sheets for p in s.protected}
    stored: dict[str, Any] = {"protectedRangeId": prot.get("protectedRangeId") or new_int_id(taken)}
    if prot.get("namedRangeId"):
        stored["namedRangeId"] = prot["namedRangeId"]
    stored["range"] = rng
    for key in ("description", "warningOnly"):
        if prot.get(key):
            stored[key] = prot[key]
    stored["requestingUserCanEdit"] = True
    editors = prot.get("editors") or {}
    stored["editors"] = {k: list(v) for k, v in editors.items() if v}
    if prot.get("unprotectedRanges"):
        stored["unprotectedRanges"] = [_bounded(ctx, r) for r in prot["unprotectedRanges"]]
    if ctx.email:
        stored["_implicitEditors"] = [ctx.email]
    sheet.protected.append(stored)
    return {"protectedRange": protected_out(stored, None, None)}


@handler("updateProtectedRange")
def update_protected_range(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    source = strip_nulls(req.get("protectedRange") or {})
    sheet, prot = _find_protected(ctx, source.get("protectedRangeId"))
    mask = mask_of(req)
    mask.pop("protectedRangeId", None)
    apply_mask(prot, source, mask)
    if "range" in mask or "namedRangeId" in mask:
        rng = _protection_range(ctx, prot)
        target = ctx.sheet(rng.get("sheetId"))
        prot["range"] = rng
        if target is not sheet:
            sheet.protected.remove(prot)
            target.protected.append(prot)
    return None


@handler("deleteProtectedRange")
def delete_protected_range(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet, prot = _find_protected(ctx, req.get("protectedRangeId"))
    sheet.protected.remove(prot)
    return None


def protected_out(prot: dict[str, Any], owner: str | None, email: str | None) -> dict[str, Any]:
    """A protected range as Google prints it; with an owner, the implicit editors show."""
    out = {k: copy.deepcopy(v) for k, v in prot.items() if not k.startswith("_")}
    out["range"] = grid_range_out(prot["range"])
    if "unprotectedRanges" in out:
        out["unprotectedRanges"] = [grid_range_out(r) for r in prot["unprotectedRanges"]]
    if owner is not None:
        users = list(out.get("editors", {}).get("users", []))
        for implicit in [owner, *prot.get("_implicitEditors", [])]:
            if implicit and implicit not in users:
                users.append(implicit)
        out["editors"] = {**out.get("editors", {}), "users": users}
        can_edit = email is None or email.lower() in [u.lower() for u in users]
        out["requestingUserCanEdit"] = can_edit
        if not can_edit:
            out.pop("requestingUserCanEdit")
    order = [
        "protectedRangeId",
        "range",
        "namedRangeId",
        "description",
        "warningOnly",
        "requestingUserCanEdit",
        "unprotectedRanges",
        "editors",
    ]
    return {k: out[k] for k in order if k in out}


# ----------------------------------------------------------- named ranges
_NAME_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[Rr][0-9]*[Cc][0-9]*$")


def _check_name(ctx: BatchContext, name: Any, exclude: str | None = None) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or _CELL_LIKE.match(name):
        raise RequestError(f"Invalid name: {name}")
    if name.upper() in ("TRUE", "FALSE"):
        raise RequestError(f"Invalid name: {name}")
    for named in ctx.book.named_ranges:
        if named["name"].lower() == name.lower() and named["namedRangeId"] != exclude:
            raise RequestError(f"A named range with the name '{name}' already exists.")
    return name


@handler("addNamedRange")
def add_named_range(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    named = strip_nulls(req.get("namedRange") or {})
    name = _check_name(ctx, named.get("name"))
    taken = {n["namedRangeId"] for n in ctx.book.named_ranges}
    named_id = named.get("namedRangeId") or str(secrets.randbelow(2**31 - 1) + 1)
    if named_id in taken:
        raise RequestError(f"A named range with id {named_id} already exists.")
    stored = {
        "namedRangeId": named_id,
        "name": name,
        "range": _bounded(ctx, named.get("range") or {}),
    }
    ctx.book.named_ranges.append(stored)
    return {"namedRange": named_out(stored)}


def _find_named(ctx: BatchContext, named_id: Any) -> dict[str, Any]:
    for named in ctx.book.named_ranges:
        if named["namedRangeId"] == named_id:
            return named
    raise RequestError(f"No named range with id: {named_id}")


@handler("updateNamedRange")
def update_named_range(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    source = strip_nulls(req.get("namedRange") or {})
    named = _find_named(ctx, source.get("namedRangeId"))
    mask = mask_of(req)
    mask.pop("namedRangeId", None)
    target = copy.deepcopy(named)
    apply_mask(target, source, mask)
    target["name"] = _check_name(ctx, target.get("name"), exclude=named["namedRangeId"])
    target["range"] = _bounded(ctx, target.get("range") or {})
    named.clear()
    named.update(
        {"namedRangeId": target["namedRangeId"], "name": target["name"], "range": target["range"]}
    )
    return None


@handler("deleteNamedRange")
def delete_named_range(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    named = _find_named(ctx, req.get("namedRangeId"))
    ctx.book.named_ranges.remove(named)
    return None


def named_out(named: dict[str, Any]) -> dict[str, Any]:
    return {
        "namedRangeId": named["namedRangeId"],
        "name": named["name"],
        "range": grid_range_out(named["range"]),
    }


# ----------------------------------------------------------- basic filter
@handler("setBasicFilter")
def set_basic_filter(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    spec = sync_colors(strip_nulls(req.get("filter") or {}))
    grid = spec.get("range") or {}
    sheet = sheet_for_grid(ctx.book, grid)
    r0, r1, c0, c1 = checked_bounds(sheet, grid)
    spec["range"] = {
        "sheetId": sheet.sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }
    sheet.basic_filter = spec
    return None


@handler("clearBasicFilter")
def clear_basic_filter(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet = ctx.sheet(req.get("sheetId"))
    sheet.basic_filter = None
    return None
