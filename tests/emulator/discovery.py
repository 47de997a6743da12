"""Request validation against the official Sheets v4 discovery document (shipped in the
google-api-python-client wheel): unknown fields, bad enum values and wrong JSON types
are answered with Google's 400 INVALID_ARGUMENT shape."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

from .errors import ApiError

GLOBAL_PARAMS = {
    "$.xgafv",
    "access_token",
    "alt",
    "callback",
    "fields",
    "key",
    "oauth_token",
    "prettyPrint",
    "quotaUser",
    "uploadType",
    "upload_protocol",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@functools.lru_cache(maxsize=1)
def load_document() -> dict[str, Any] | None:
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "discovery_cache" / "documents" / "sheets.v4.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    return None


def _methods(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def walk(resource: dict[str, Any]) -> None:
        for method in resource.get("methods", {}).values():
            out[method["id"]] = method
        for sub in resource.get("resources", {}).values():
            walk(sub)

    walk(doc)
    return out


class Validator:
    """Validates bodies and query parameters of Sheets v4 methods."""

    def __init__(self, doc: dict[str, Any] | None = None) -> None:
        self.doc = doc if doc is not None else load_document()
        self.schemas: dict[str, Any] = (self.doc or {}).get("schemas", {})
        self.methods = _methods(self.doc) if self.doc else {}

    @property
    def enabled(self) -> bool:
        return bool(self.schemas)

    def check_query(self, method_id: str, params: dict[str, list[str]]) -> None:
        method = self.methods.get(method_id)
        if method is None:
            return
        known = method.get("parameters", {})
        for name, values in params.items():
            if name in GLOBAL_PARAMS:
                continue
            spec = known.get(name)
            if spec is None or spec.get("location") != "query":
                message = (
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                    f"parameter. Field '{name}' could not be found in request message."
                )
                raise _error([(None, message)])
            for value in values:
                problem = self._scalar_problem(spec, value, _snake(name), name, from_query=True)
                if problem:
                    raise _error([(_snake(name), problem)])

    def check_body(self, method_id: str, body: Any, prefix: str = "") -> None:
        method = self.methods.get(method_id)
        if method is None or "request" not in method:
            return
        problems: list[tuple[str | None, str]] = []
        self._walk({"$ref": method["request"]["$ref"]}, body, prefix, problems, "")
        if problems:
            raise _error(problems)

    # ---------------------------------------------------------------- walking
    def _walk(
        self,
        schema: dict[str, Any],
        value: Any,
        path: str,
        problems: list[tuple[str | None, str]],
        field: str,
    ) -> None:
        if value is None or len(problems) >= 20:
            return
        if "$ref" in schema:
            ref = schema["$ref"]
            target = self.schemas.get(ref, {})
            if not isinstance(value, dict):
                problems.append(
                    (
                        path,
                        _invalid(path, f"type.googleapis.com/google.apps.sheets.v4.{ref}", value),
                    )
                )
                return
            props = target.get("properties", {})
            for key, sub in value.items():
                child = f"{path}.{_snake(key)}" if path else _snake(key)
                if key not in props:
                    where = f" at '{path}'" if path else ""
                    problems.append(
                        (
                            path or None,
                            f'Invalid JSON payload received. Unknown name "{key}"{where}: '
                            "Cannot find field.",
                        )
                    )
                    continue
                self._walk(props[key], sub, child, problems, key)
            return
        kind = schema.get("type")
        if kind == "array":
            items = schema.get("items", {})
            if not isinstance(value, list):
                type_name = self._type_name(schema, field)
                problems.append((path, _invalid(path, type_name, value)))
                return
            for i, item in enumerate(value):
                self._walk(items, item, f"{path}[{i}]", problems, field)
            return
        if kind == "object" and "additionalProperties" in schema:
            if isinstance(value, dict):
                for key, sub in value.items():
                    self._walk(schema["additionalProperties"], sub, f"{path}[{key}]", problems, key)
            return
        problem = self._scalar_problem(schema, value, path, field)
        if problem:
            problems.append((path, problem))

    def _type_name(self, schema: dict[str, Any], field: str) -> str:
        items = schema.get("items", {})
        if items.get("type") in ("array", "any"):
            return "type.googleapis.com/google.protobuf.ListValue"
        if "$ref" in items:
            return f"type.googleapis.com/google.apps.sheets.v4.{items['$ref']}"
        return _proto_scalar(items.get("type", "string"), items.get("format"))

    def _scalar_problem(
        self, schema: dict[str, Any], value: Any, path: str, field: str, from_query: bool = False
    ) -> str | None:
        kind = schema.get("type")
        if kind == "any" or kind is None:
            return None
        if isinstance(value, (dict, list)):
            return _invalid(path, _proto_scalar(kind, schema.get("format")), value)
        if kind == "string":
            if "enum" in schema:
                if not isinstance(value, str) or value not in schema["enum"]:
                    enum = field[:1].upper() + field[1:]
                    return _invalid(
                        path, f"type.googleapis.com/google.apps.sheets.v4.{enum}", value
                    )
                return None
            if not isinstance(value, str) and not from_query:
                return _invalid(path, "TYPE_STRING", value)
            return None
        if kind == "boolean":
            if isinstance(value, bool) or (
                isinstance(value, str) and value.lower() in ("true", "false")
            ):
                return None
            return _invalid(path, "TYPE_BOOL", value)
        if kind in ("integer", "number"):
            if isinstance(value, bool):
                return _invalid(path, _proto_scalar(kind, schema.get("format")), value)
            if isinstance(value, (int, float)):
                if kind == "integer" and float(value) != int(value):
                    return _invalid(path, _proto_scalar(kind, schema.get("format")), value)
                return None
            try:
                float(value) if kind == "number" else int(str(value))
            except ValueError:
                return _invalid(path, _proto_scalar(kind, schema.get("format")), value)
        return None


def _proto_scalar(kind: str, fmt: str | None) -> str:
    if kind == "integer":
        return "TYPE_INT64" if fmt == "int64" else "TYPE_INT32"
    if kind == "number":
        return "TYPE_FLOAT" if fmt == "float" else "TYPE_DOUBLE"
    if kind == "boolean":
        return "TYPE_BOOL"
    return "TYPE_STRING"


def _invalid(path: str, type_name: str, value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f'"{value}"'
    if isinstance(value, (dict, list)):
        shown = "{...}" if isinstance(value, dict) else "[...]"
    return f"Invalid value at '{path}' ({type_name}), {shown}"


def _error(problems: list[tuple[str | None, str]]) -> ApiError:
    violations = []
    for field, description in problems:
        violation = {"description": description}
        if field:
            violation = {"field": field, "description": description}
        violations.append(violation)
    details = [
        {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations}
    ]
    return ApiError(400, "\n".join(d for _, d in problems), details=details)


@functools.lru_cache(maxsize=1)
def validator() -> Validator:
    return Validator()
