"""A values:batchGet answer decoded as its bytes arrive, one value range at a time.

Why: read whole, a synced 10,000-case Cases tab is 12.7 MB of JSON held as bytes (twice while
requests joins the chunks), then parsed by orjson into a document tree before the lists are
built; at 50,000 cases that is some 250 MB on top of what the read gives, and it was a steady
press's peak. ijson's C parser (yajl) builds each value range from the chunks as they come off
the socket, so only the decoded rows are ever held.

Where yajl would read an answer otherwise than the json module, the caller reads it again whole
(`None` here), so a cell is never read as something it does not hold: yajl reads the escape of
a lone UTF-16 surrogate (`"\\ud800"`, not a character) as "?" (Google sends text as UTF-8, so
an escaped surrogate only ever stands for such a lone one), and refuses numbers beyond a double
or a 64-bit integer (Google sends doubles).
"""

from __future__ import annotations

import re
from typing import Any

import ijson
import requests

__all__ = ["CHUNK_BYTES", "value_ranges"]

CHUNK_BYTES = 1 << 16
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_TAIL = 5  # an escape split between two chunks is still seen


def value_ranges(response: requests.Response) -> list[dict[str, Any]] | None:
    """The answer's `valueRanges`, decoded from `response` (sent with `stream=True`) as its
    chunks arrive; None when it escapes a UTF-16 surrogate (read it whole instead)."""
    found = ijson.sendable_list()
    decoder = ijson.items_coro(found, "valueRanges.item", use_float=True)
    ranges: list[dict[str, Any]] = []
    tail = b""
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            window = tail + chunk
            if _SURROGATE_ESCAPE.search(window):
                return None
            tail = window[-_TAIL:]
            decoder.send(chunk)
            ranges += found
            del found[:]
        decoder.close()
    except ijson.JSONError:
        # What yajl refuses and the json module may read (a number beyond a double or a
        # 64-bit integer, which Google does not send): the whole read decides.
        return None
    ranges += found
    return ranges
