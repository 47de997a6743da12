"""Loads the sheet contract from YAML and reports a broken file by file, field and problem."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from sheet_schema.models import SheetSchema

SHIPPED_SCHEMA = Path(__file__).with_name("data") / "schema.yaml"


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
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SchemaError(f"{path}: cannot read the sheet schema: {exc}") from exc
    try:
        return SheetSchema.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_field_path(raw, err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SchemaError(f"{path}: {problems}") from exc


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
