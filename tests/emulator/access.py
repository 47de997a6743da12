"""Who may do what: the spreadsheet ACL (owner / writer / reader / anyone) and protected
ranges (only the owner, the protecting user and listed editors may write)."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import ApiError, permission_denied
from .model import Sheet, Spreadsheet

ROLE_RANK = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 3,
    "organizer": 4,
    "owner": 5,
}


def role_of(book: Spreadsheet, email: str) -> str | None:
    """The caller's best role on the file, or None without access."""
    best: str | None = None
    for perm in book.permissions:
        kind = perm.get("type")
        matches = (
            kind == "anyone"
            or (kind in ("user", "group") and perm.get("emailAddress", "").lower() == email.lower())
            or (
                kind == "domain"
                and email.lower().endswith("@" + str(perm.get("domain", "")).lower())
            )
        )
        if matches:
            role = str(perm.get("role", "reader"))
            if best is None or ROLE_RANK.get(role, 0) > ROLE_RANK.get(best, 0):
                best = role
    return best


def require(book: Spreadsheet, email: str, write: bool) -> None:
    """403 PERMISSION_DENIED unless the caller may read (or write) the spreadsheet."""
    role = role_of(book, email)
    if role is None or (write and ROLE_RANK.get(role, 0) < ROLE_RANK["writer"]):
        raise permission_denied()


def protected_error() -> ApiError:
    return ApiError(
        400,
        "You are trying to edit a protected cell or object. Please contact the spreadsheet "
        "owner to remove protection if you need to edit.",
    )


def may_edit_protection(book: Spreadsheet, prot: dict, email: str) -> bool:
    if email.lower() == book.owner.lower():
        return True
    editors = [e.lower() for e in prot.get("editors", {}).get("users", [])]
    editors += [e.lower() for e in prot.get("_implicitEditors", [])]
    return email.lower() in editors


def _inside(prot_range: dict, row: int, col: int) -> bool:
    return prot_range.get("startRowIndex", 0) <= row < prot_range.get(
        "endRowIndex", 1 << 40
    ) and prot_range.get("startColumnIndex", 0) <= col < prot_range.get("endColumnIndex", 1 << 40)


def ensure_editable(
    book: Spreadsheet, sheet: Sheet, cells: Iterable[tuple[int, int]], email: str | None
) -> None:
    """Raise if any cell lies in a protected range the caller may not edit.

    ``email`` None means a person editing through the test hook (never blocked)."""
    if email is None:
        return
    blocking = [
        p
        for p in sheet.protected
        if not p.get("warningOnly") and not may_edit_protection(book, p, email)
    ]
    if not blocking:
        return
    for row, col in cells:
        for prot in blocking:
            if _inside(prot["range"], row, col) and not any(
                _inside(u, row, col) for u in prot.get("unprotectedRanges", [])
            ):
                raise protected_error()
