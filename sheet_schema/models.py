"""Typed model of the sheet contract (tabs, columns, owners), validated when it is loaded."""

from __future__ import annotations

import enum
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Owner(enum.StrEnum):
    """Who may write a column: people (`user`) or the service (`service`)."""

    USER = "user"
    SERVICE = "service"


class ColumnType(enum.StrEnum):
    ID = "id"
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    DATETIME = "datetime"
    # A date, or a date and time when the cell holds one (e.g. an arrival with its hour).
    DATE_OR_DATETIME = "date_or_datetime"
    BOOL = "bool"
    NUMBER = "number"
    INTEGER = "integer"


def header_key(text: str) -> str:
    """The form headers are compared in: case-folded, all white space removed."""
    return "".join(str(text).split()).casefold()


class ColumnSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    header: Annotated[str, Field(min_length=1)]
    aliases: tuple[str, ...] = ()
    type: ColumnType
    owner: Owner
    required: bool = False
    choices: tuple[str, ...] = ()
    # A choice column whose list is a suggestion (the dropdown warns, the parser accepts any text).
    free_choice: bool = False
    # The vocabulary (sheet_schema/data/vocabulary.yaml) that reads this column's words.
    vocabulary: str | None = None
    # A yes/no evidence column: a link, a file name or a date in it also means "provided".
    evidence: bool = False
    number_format: str | None = None
    hidden: bool = False
    min: float | None = None
    max: float | None = None
    max_length: Annotated[int, Field(ge=1)] | None = None  # characters, for text and ids

    @property
    def match_keys(self) -> frozenset[str]:
        return frozenset(header_key(h) for h in (self.header, *self.aliases))

    @cached_property
    def choice_by_key(self) -> dict[str, str]:
        """header_key(choice) -> choice, the first winning: how a typed choice is looked up."""
        table: dict[str, str] = {}
        for choice in self.choices:
            table.setdefault(header_key(choice), choice)
        return table

    @model_validator(mode="after")
    def _choices_need_a_choice_type(self) -> ColumnSpec:
        if self.type is ColumnType.CHOICE and not self.choices:
            raise ValueError("a choice column needs a non-empty `choices` list")
        return self


class TabSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Annotated[str, Field(min_length=1)]
    aliases: tuple[str, ...] = ()
    required: bool = False
    # False: a tab people make when they want it (Settings); a sync never adds it.
    created_by_sync: bool = True
    columns: tuple[ColumnSpec, ...]

    @property
    def match_keys(self) -> frozenset[str]:
        return frozenset(header_key(h) for h in (self.title, *self.aliases))

    def column(self, key: str) -> ColumnSpec:
        column = self.columns_by_key.get(key)
        if column is None:
            raise KeyError(f"tab {self.key!r} has no column {key!r}")
        return column

    # Cached: the planner asks for columns per cell of every row (the model is frozen).
    @cached_property
    def columns_by_key(self) -> dict[str, ColumnSpec]:
        return {c.key: c for c in self.columns}

    @cached_property
    def user_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.owner is Owner.USER)

    @cached_property
    def service_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.owner is Owner.SERVICE)

    @model_validator(mode="after")
    def _keys_and_headers_are_unique(self) -> TabSpec:
        keys = [c.key for c in self.columns]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"column keys used twice: {', '.join(dupes)}")
        seen: dict[str, str] = {}
        for column in self.columns:
            for match in column.match_keys:
                if match in seen and seen[match] != column.key:
                    raise ValueError(
                        f"header or alias {match!r} maps to both {seen[match]!r} and {column.key!r}"
                    )
                seen[match] = column.key
        return self


class SheetSchema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    tabs: tuple[TabSpec, ...]

    def tab(self, key: str) -> TabSpec:
        for tab in self.tabs:
            if tab.key == key:
                return tab
        raise KeyError(f"the sheet schema has no tab {key!r}")

    @model_validator(mode="after")
    def _tab_keys_are_unique(self) -> SheetSchema:
        keys = [t.key for t in self.tabs]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"tab keys used twice: {', '.join(dupes)}")
        return self
