"""Output normalisation the way Google's JSON looks: float32 colours without zero
components, colour / colour-style pairs, proto3 defaults omitted, integral numbers as ints."""

from __future__ import annotations

import math
import struct
from typing import Any

_COLOR_KEYS = {"red", "green", "blue", "alpha"}


def f32(value: float) -> float:
    """Round to float32 and return the shortest decimal that round-trips (0.49803922)."""
    if value == 0 or not math.isfinite(value):
        return value
    packed = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        candidate = float(f"{packed:.{digits}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == packed:
            return candidate
    return packed


def strip_nulls(obj: Any) -> Any:
    """Drop None values from dicts (JSON null means 'not set' in requests)."""
    if isinstance(obj, dict):
        return {k: strip_nulls(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [strip_nulls(v) for v in obj]
    return obj


def norm_color(color: dict[str, Any]) -> dict[str, Any]:
    """Float32 components, zero components omitted (proto3 defaults)."""
    out: dict[str, Any] = {}
    for key in ("red", "green", "blue", "alpha"):
        value = color.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0:
            out[key] = f32(float(value))
    return out


def _is_color(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= _COLOR_KEYS


def _style_key(key: str) -> str | None:
    if key in ("rgbColor", "themeColor"):
        return None
    if key == "color" or key.endswith("Color"):
        return key + "Style"
    return None


def sync_colors(obj: Any) -> Any:
    """Normalise colours and add the missing half of each ``xColor`` / ``xColorStyle`` pair
    (Google answers with both). Empty colour styles are dropped together with their colour."""
    if isinstance(obj, list):
        return [sync_colors(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    dropped: set[str] = set()
    for key, value in obj.items():
        if isinstance(value, (dict, list)) and not _is_color(value):
            value = sync_colors(value)
        if _style_key(key) and _is_color(value):
            value = norm_color(value)
        if key.endswith("olorStyle") and isinstance(value, dict):
            if "rgbColor" in value and _is_color(value["rgbColor"]):
                value = {"rgbColor": norm_color(value["rgbColor"])}
            if not value:
                dropped.add(key[: -len("Style")])
                continue
        out[key] = value
    for base in dropped:
        out.pop(base, None)
    for key in list(out):
        style = _style_key(key)
        if style and _is_color(out[key]) and style not in out and key not in dropped:
            out[style] = {"rgbColor": out[key]}
        if key.endswith("olorStyle"):
            base = key[: -len("Style")]
            rgb = out[key].get("rgbColor")
            if base not in out and _is_color(rgb):
                out[base] = dict(rgb)
    return out


def clean_numbers(obj: Any) -> Any:
    """Integral floats become ints, as in Google's JSON (``2`` not ``2.0``)."""
    if isinstance(obj, float):
        if math.isfinite(obj) and obj.is_integer() and abs(obj) < 2**53:
            return int(obj)
        return obj
    if isinstance(obj, dict):
        return {k: clean_numbers(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clean_numbers(v) for v in obj]
    return obj


GRID_RANGE_KEYS = ("sheetId", "startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")


def grid_range_out(grid_range: dict[str, Any]) -> dict[str, Any]:
    """A GridRange as Google prints it: sheetId omitted when 0, fixed key order."""
    out = {k: grid_range[k] for k in GRID_RANGE_KEYS if k in grid_range}
    if out.get("sheetId") == 0:
        del out["sheetId"]
    return out


def dimension_range_out(dim_range: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: dim_range[k]
        for k in ("sheetId", "dimension", "startIndex", "endIndex")
        if k in dim_range
    }
    if out.get("sheetId") == 0:
        del out["sheetId"]
    return out
