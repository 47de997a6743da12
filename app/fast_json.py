"""JSON decoding with orjson, as the json module would decode the same text.

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
