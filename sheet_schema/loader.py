"""Loads the sheet contract from YAML and reports a broken file by file, field and problem."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sheet_schema.models import SheetSchema

SHIPPED_SCHEMA = Path(__file__).with_name("data") / "schema.yaml"
M = TypeVar("M", bound=BaseModel)


class SchemaError(Exception):
    """The schema file is unreadable or invalid; the message names the file and the field."""


def load_schema(path: Path | None = None) -> SheetSchema:
    """Load and validate a schema file (the shipped one when `path` is None)."""
    if path is None:
        return _shipped_schema()
    return _load(path)


@lru_cache(maxsize=1)
def _shipped_schema() -> SheetSchema:
    return _load(SHIPPED_SCHEMA)


def _load(path: Path) -> SheetSchema:
    # The tabs and headers the service writes in each team language are found by either.
    # (Imported here: team_texts reads the vocabulary, whose loader is this module.)
    from sheet_schema.team_texts import with_language_aliases

    return with_language_aliases(read_model(path, SheetSchema, SchemaError, "the sheet schema"))


def read_model(path: Path, model: type[M], error: type[Exception], what: str) -> M:
    """A YAML data file read and validated as `model`; a broken one raises `error` naming the
    file and, for each problem, the field (list items by their `key` where they have one)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_field_path(raw, err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise error(f"{path}: {problems}") from exc


def _field_path(raw: object, loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's location into a path a person can find, using tab/column keys."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            label = node.get("key") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{label or step}]" if parts else f"[{step}]"
            continue
        parts.append(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"
