"""JSON decoding and encoding with orjson, as the json module would decode the same text.

orjson is several times faster on the large answers the service reads (a values:batchGet of
10,000 rows, the store's snapshots of every case). What orjson refuses and the json module reads
(a lone UTF-16 surrogate, NaN or Infinity, a number beyond a double) is decoded by the json
module, so nothing that was readable before becomes unreadable.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def decode_json(text: bytes | str) -> Any:
    """The value `text` (JSON) holds."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def encode_json(value: Any) -> str:
    """`value` as JSON text (the store's JSON columns; a first fill stores some 300,000 tagged
    cell values). What orjson refuses (an integer beyond 64 bits, a key that is not a string)
    is written by the json module. The store's JSON never holds a float NaN or infinity, which
    orjson would write as null: cell values are tagged with their floats as text
    (app/store/codec.py) and the run records hold counts."""
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value)
