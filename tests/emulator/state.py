"""The emulator's whole state: spreadsheets, identities, hooks, and the helpers the HTTP
layer and the Python test API share."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from .auth import TokenAuthority
from .edits import Edit, EditSchedule, ScheduledEdit
from .hooks import Clock, Faults, Quota, RequestLog
from .model import Spreadsheet, new_spreadsheet


@dataclass
class Reply:
    """An HTTP answer: JSON body (or raw bytes) plus headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"


class EmulatorState:
    """Everything the emulator knows; API handlers run under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.books: dict[str, Spreadsheet] = {}
        self.folders: dict[str, dict[str, Any]] = {}
        self.authority = TokenAuthority(self.clock)
        self.log = RequestLog()
        self.faults = Faults()
        self.quota = Quota(self.clock)
        self.edits = EditSchedule()
        self.token_requests = 0
        self.edit_errors: list[str] = []
        self.internal_errors: list[str] = []  # tracebacks of emulator bugs (answered 500)

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def reset(self, identities: bool = False) -> None:
        """Forget spreadsheets, tokens, logs, faults, quotas and edits; registered
        service-account keys and static tokens survive unless identities=True."""
        with self.lock:
            self.books.clear()
            self.folders.clear()
            self.authority.reset(identities)
            self.log.clear()
            self.faults.clear()
            self.quota.reset()
            self.edits.clear()
            self.token_requests = 0
            self.edit_errors.clear()
            self.internal_errors.clear()
            self.clock.unfreeze()

    def commit(self, book: Spreadsheet) -> None:
        book.modified = self.now()
        self.books[book.id] = book

    def create_spreadsheet(
        self,
        title: str,
        owner: str,
        shared_with: dict[str, str] | None = None,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
    ) -> Spreadsheet:
        with self.lock:
            book = new_spreadsheet(title, owner, locale, time_zone)
            book.created = book.modified = self.now()
            for email, role in (shared_with or {}).items():
                share(book, email, role)
            self.books[book.id] = book
            return book

    def run_edits(self, due: list[ScheduledEdit]) -> None:
        """Apply person edits (failures are recorded, never raised to the client)."""
        for item in due:
            with self.lock:
                book = self.books.get(item.edit.spreadsheet_id)
                if book is None:
                    item.error = f"no spreadsheet {item.edit.spreadsheet_id}"
                    self.edit_errors.append(item.error)
                    continue
                try:
                    self.commit(item.edit.apply(book, self.now()))
                except Exception as exc:  # an edit hook must never break the served request
                    item.error = f"{item.edit.description}: {exc}"
                    self.edit_errors.append(item.error)

    def apply_edit_now(self, edit: Edit) -> None:
        with self.lock:
            book = self.books[edit.spreadsheet_id]
            self.commit(edit.apply(book, self.now()))


def share(
    book: Spreadsheet, email: str, role: str = "writer", kind: str = "user"
) -> dict[str, Any]:
    """Add (or change) a permission on a spreadsheet; returns the permission."""
    for perm in book.permissions:
        if perm.get("type") == kind and str(perm.get("emailAddress", "")).lower() == email.lower():
            if perm.get("role") != "owner":
                perm["role"] = role
            return perm
    perm = {
        "id": str(secrets.randbelow(10**20)),
        "type": kind,
        "role": role,
    }
    if kind in ("user", "group"):
        perm["emailAddress"] = email
    elif kind == "domain":
        perm["domain"] = email
    book.permissions.append(perm)
    return perm
