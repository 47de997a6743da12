"""Type-tagged JSON for sheet cell values.

Plain JSON cannot tell a date from the string "2025-10-03", `True` from `1`, or keep NaN and
the exact bits of a float, and PostgreSQL's JSON would happily reinterpret numbers. Undo must
put back exactly what was in a cell, so every value is stored as `{"t": <tag>, "v": <payload>}`
and a round trip returns the same Python type and value:

    None                -> {"t": "null"}
    bool                -> {"t": "bool", "v": true}
    int                 -> {"t": "int", "v": 12}
    float               -> {"t": "float", "v": "0.1"}          repr(): exact, also nan / inf
    str                 -> {"t": "str", "v": "=A1"}
    date                -> {"t": "date", "v": "2025-10-03"}
    datetime            -> {"t": "datetime", "v": "2025-10-03T09:30:00+08:00"}
                           plus "zone": "Asia/Shanghai" for a ZoneInfo, "fold": 1 if set

Naive datetimes stay naive; aware ones keep their offset (and their IANA zone when they had
one). Other tzinfo implementations come back as a fixed-offset `datetime.timezone`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.store.errors import StoreError
from app.store.records import CellValue

JSONObject = dict[str, Any]


def encode_value(value: CellValue) -> JSONObject:
    """Tag one cell value as a JSON-ready object; raise StoreError for unsupported types."""
    # Order matters: bool is an int, datetime is a date.
    if value is None:
        return {"t": "null"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": int(value)}
    if isinstance(value, float):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        return {"t": "str", "v": str(value)}
    if isinstance(value, datetime):
        return _encode_datetime(value)
    if isinstance(value, date):
        return {"t": "date", "v": value.isoformat()}
    raise StoreError(f"cannot store a cell value of type {type(value).__name__}: {value!r}")


def _encode_datetime(value: datetime) -> JSONObject:
    encoded: JSONObject = {"t": "datetime", "v": value.isoformat()}
    if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key is not None:
        encoded["zone"] = value.tzinfo.key
    offset = value.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        # ISO text cannot carry a sub-minute offset back through fromisoformat: keep it exactly.
        encoded["offset_us"] = offset // timedelta(microseconds=1)
    if value.fold:
        encoded["fold"] = 1
    return encoded


def decode_value(data: object) -> CellValue:
    """Turn a tagged object back into the exact value that was encoded."""
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise StoreError(f"stored cell value is not a tagged value: {data!r}")
    tag: str = data["t"]
    if tag == "null":
        return None
    payload = data.get("v")
    try:
        if tag == "bool" and isinstance(payload, bool):
            return payload
        if tag == "int" and isinstance(payload, int) and not isinstance(payload, bool):
            return payload
        if tag == "float" and isinstance(payload, str):
            return float(payload)
        if tag == "str" and isinstance(payload, str):
            return payload
        if tag == "date" and isinstance(payload, str):
            return date.fromisoformat(payload)
        if tag == "datetime" and isinstance(payload, str):
            return _decode_datetime(
                payload, data.get("zone"), data.get("fold", 0), data.get("offset_us")
            )
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise StoreError(f"stored {tag} value {payload!r} is malformed: {exc}") from exc
    raise StoreError(f"stored cell value has an unknown tag or payload: {data!r}")


def _decode_datetime(text: str, zone: object, fold: object, offset_us: object = None) -> datetime:
    value = datetime.fromisoformat(text)
    if isinstance(offset_us, int) and not isinstance(offset_us, bool):
        value = value.replace(tzinfo=timezone(timedelta(microseconds=offset_us)))
    if zone is not None:
        if not isinstance(zone, str):
            raise ValueError(f"zone must be a string, not {zone!r}")
        # Keep the wall time exactly (also for times that fall in a DST gap), re-attach the zone.
        value = value.replace(tzinfo=ZoneInfo(zone))
    if fold not in (0, 1):
        raise ValueError(f"fold must be 0 or 1, not {fold!r}")
    return value.replace(fold=1 if fold == 1 else 0)


def encode_values(values: Mapping[str, CellValue]) -> JSONObject:
    """Tag every value of a column-key -> value mapping."""
    return {str(key): encode_shared(value) for key, value in values.items()}


def encode_shared(value: CellValue) -> JSONObject:
    """`encode_value`; within `sharing()`, one tagged object for equal texts, integers,
    booleans and blanks (a first fill's 10,000 snapshots hold 200,000 values, most of them
    "OK", a status, a priority, a blank). The object is shared: it is only to be read
    (serialized), never changed."""
    memo = _SHARING.get()
    if memo is None or type(value) not in _REPEATED:
        return encode_value(value)
    key = (type(value), value)  # typed: 1 and True are not one key
    found = memo.get(key)
    if found is None:
        found = memo[key] = encode_value(value)
    return found


@contextmanager
def sharing() -> Iterator[None]:
    """Share equal tagged values (`encode_shared`) for the duration: a store write. The memo
    goes with it. A memo kept by the process (an LRU of 8,192 values) held the last distinct
    values a sync encoded, unique replies among them, 5 MB at a 50,000-case first fill; made
    last, they were spread over the allocator's arenas and kept 100 MB of them mapped."""
    token = _SHARING.set({})
    try:
        yield
    finally:
        _SHARING.reset(token)


# Not floats: 0.0 and -0.0 are one key, and their texts differ.
_REPEATED: Final = frozenset({str, int, bool, type(None)})
_SHARING: ContextVar[dict[tuple[type, CellValue], JSONObject] | None] = ContextVar(
    "codec_sharing", default=None
)


def decode_values(data: object) -> dict[str, CellValue]:
    """Inverse of `encode_values`."""
    if not isinstance(data, dict):
        raise StoreError(f"stored cell values are not an object: {data!r}")
    return {str(key): decode_value(value) for key, value in data.items()}


def dumps(value: CellValue) -> str:
    """One cell value as compact JSON text."""
    return json.dumps(encode_value(value), ensure_ascii=False, allow_nan=False)


def loads(text: str) -> CellValue:
    """Inverse of `dumps`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise StoreError(f"stored cell value is not JSON: {text[:80]!r}") from exc
    return decode_value(data)


def same_value(a: CellValue, b: CellValue) -> bool:
    """Whether two cell values are identical in type and value (NaN equals NaN, 0.0 != -0.0,
    datetimes must also agree on offset, zone and fold) — the equality undo needs."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return (
            a.replace(tzinfo=None) == b.replace(tzinfo=None)
            and a.utcoffset() == b.utcoffset()
            and a.fold == b.fold
            and _zone_key(a) == _zone_key(b)
        )
    return a == b


def _zone_key(value: datetime) -> str | None:
    return value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
