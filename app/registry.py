"""The registry of sheets the service manages, each with its time zone and allow-list.

A sheet's id is what the add-on sends: the Google spreadsheet id, or for a local workbook a
short name chosen when it was added (`aftersales sheets add demo --workbook data/x.xlsx`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Table, select, update

from app.allow_list import normalize_allow_list_entry
from app.errors import ConfigurationError, ConflictError, NotFoundError
from app.store import Store
from app.store.base import Repository
from app.store.models import RegisteredSheetRow
from app.sync.team_language import parse_language
from sheet_schema.messages import Language, team_language

SheetKind = Literal["google", "workbook"]
SHEETS = cast(Table, RegisteredSheetRow.__table__)
_ID = re.compile(r"^[A-Za-z0-9_\-]{1,200}$")
log = logging.getLogger("aftersales.registry")


class UnknownSheetError(NotFoundError):
    """The caller named a sheet id nobody registered (often a typo in the add-on's Set up)."""

    code = "sheet_not_found"

    def __init__(self, sheet_id: str) -> None:
        super().__init__(f"Unknown sheet {sheet_id!r}: no sheet with this id is registered.")
        self.sheet_id = sheet_id


@dataclass(frozen=True, slots=True)
class SheetEntry:
    id: str
    kind: SheetKind
    location: str  # the spreadsheet id, or the workbook's path
    title: str
    timezone: str
    allowed: tuple[str, ...]  # emails or "@domain" entries that may use this sheet
    key_version: int = 1  # which HMAC key the sheet has (see app.auth.derive_sheet_secret)
    # The team language chosen at registration ("zh", "en"); None: the sheet's Settings tab,
    # locale or headers decide (app/sync/team_language.py).
    language: Language | None = None

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def sheet_key(self) -> str:
        """The store's key for this sheet; the CLI uses the same one for the same sheet."""
        if self.kind == "google":
            return f"google:{self.location}"
        return f"workbook:{Path(self.location).resolve()}"


class SheetRegistry(Repository):
    """The `sheets` table of a store; a database failure is `StoreError` (503), like the store's."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.engine)
        self.store = store

    def add(
        self,
        sheet_id: str,
        *,
        kind: SheetKind,
        location: str,
        title: str = "",
        timezone: str = "Asia/Shanghai",
        allowed: Sequence[str] = (),
        replace: bool = False,
        language: str | None = None,
    ) -> SheetEntry:
        if not _ID.match(sheet_id):
            raise ConfigurationError(
                f"Sheet id {sheet_id!r} may only hold letters, digits, '-' and '_'."
            )
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(
                f"Unknown time zone {timezone!r}, e.g. Asia/Shanghai"
            ) from None
        try:
            entries = tuple(normalize_allow_list_entry(a) for a in allowed)
            chosen = parse_language(language) if language else None
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        with self._write(f"registering sheet {sheet_id!r}") as conn:
            exists = conn.execute(
                select(RegisteredSheetRow.key_version, RegisteredSheetRow.key_rotated_at).where(
                    RegisteredSheetRow.id == sheet_id
                )
            ).first()
            if exists and not replace:
                raise ConflictError(f"Sheet {sheet_id} is already registered.")
            # Replacing an entry (say, to change its allow-list) keeps its key: a rotated-out
            # secret must not come back.
            version, rotated_at = (
                (exists.key_version, exists.key_rotated_at) if exists else (1, None)
            )
            entry = SheetEntry(
                sheet_id, kind, location, title or sheet_id, timezone, entries, version, chosen
            )
            if exists:
                conn.execute(SHEETS.delete().where(SHEETS.c.id == sheet_id))
            conn.execute(
                SHEETS.insert().values(
                    id=entry.id,
                    kind=entry.kind,
                    location=entry.location,
                    title=entry.title,
                    timezone=entry.timezone,
                    allowed=list(entry.allowed),
                    created_at=datetime.now(UTC),
                    key_version=version,
                    key_rotated_at=rotated_at,
                    language=entry.language,
                )
            )
        return entry

    def get(self, sheet_id: str) -> SheetEntry:
        # Called on every sheet request: a database outage or a full pool must be a 503.
        with self._read(f"looking up sheet {sheet_id!r}") as conn:
            row = conn.execute(select(SHEETS).where(RegisteredSheetRow.id == sheet_id)).first()
        if row is None:
            raise UnknownSheetError(sheet_id)
        return _entry(row._mapping)

    def key_version(self, sheet_id: str) -> int:
        """The sheet's current HMAC key version; UnknownSheetError (404) when not registered."""
        with self._read(f"looking up sheet {sheet_id!r}") as conn:
            version = conn.execute(
                select(RegisteredSheetRow.key_version).where(RegisteredSheetRow.id == sheet_id)
            ).scalar_one_or_none()
        if version is None:
            raise UnknownSheetError(sheet_id)
        return version

    def rotate_key(self, sheet_id: str) -> SheetEntry:
        """Give the sheet a new HMAC key (its version + 1): its old secret is refused from now
        on, every other sheet keeps its own. Logged with the version, never with a secret."""
        with self._write(f"rotating the key of sheet {sheet_id!r}") as conn:
            result = conn.execute(
                update(SHEETS)
                .where(SHEETS.c.id == sheet_id)
                .values(key_version=SHEETS.c.key_version + 1, key_rotated_at=datetime.now(UTC))
            )
            if result.rowcount == 0:
                raise UnknownSheetError(sheet_id)
        entry = self.get(sheet_id)
        log.info("rotated the HMAC key of sheet %s to version %d", sheet_id, entry.key_version)
        return entry

    def list(self) -> list[SheetEntry]:
        with self._read("listing the registered sheets") as conn:
            rows = conn.execute(select(SHEETS).order_by(RegisteredSheetRow.id)).all()
        return [_entry(r._mapping) for r in rows]

    def remove(self, sheet_id: str) -> None:
        with self._write(f"removing sheet {sheet_id!r}") as conn:
            result = conn.execute(SHEETS.delete().where(SHEETS.c.id == sheet_id))
        if result.rowcount == 0:
            raise UnknownSheetError(sheet_id)


def _entry(row: object) -> SheetEntry:
    data = dict(row)  # type: ignore[call-overload]
    kind: SheetKind = "google" if data["kind"] == "google" else "workbook"
    return SheetEntry(
        id=data["id"],
        kind=kind,
        location=data["location"],
        title=data["title"],
        timezone=data["timezone"],
        allowed=tuple(data["allowed"] or ()),
        key_version=int(data.get("key_version") or 1),
        language=team_language(data["language"]) if data.get("language") else None,
    )
