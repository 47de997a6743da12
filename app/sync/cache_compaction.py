"""The incremental cache made again in few arenas, after a sync that planned many cases.

Why: a sync that plans tens of thousands of cases (the press after a first fill, the first after
midnight) makes each case's cache entry (its result, evaluation, replies, kept row) among the
planning's own short-lived objects. CPython's allocator gives memory back to the system only an
arena (1 MiB) at a time, once no object lives in it, and the entries, scattered over every
arena the planning used, kept them all: at 50,000 cases the process stayed at 300 MB between
presses, 116 MB of it live objects, and the next quiet press peaked at 333 MB. Made again
(pickled, the originals let go, unpickled), the entries fill few arenas and the rest go back:
the process then rests at 269 MB, and a quiet press (which lets go of the rows it reuses as it
reads them, app/sync/inputs_step.py) peaks at 293 to 295 MB.

It costs the pickling, about 80 µs a case (3.9 s at 50,000), so only a sync that planned and
cached at least `EngineConfig.compact_cache_from` cases pays it; below that, the scattering is a
few MB. The report's results are the entries' own objects: they are made again with them, else
the report would keep the originals alive. The values the planning made one object for, which
many entries share (policies/sharing.py), are made again once, not once per pickle (`_Common`):
at 50,000 cases that is 298,000 fewer objects after the compaction, the process rests 14 MB
lower and the next quiet press peaks at 279 MB instead of 287 MB.
"""

from __future__ import annotations

import gc
import io
import logging
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from app.sync.plan_types import CaseResult
from app.sync.reuse import NO_CELLS, RESULTS, CachedCase

__all__ = ["compact_cache"]

log = logging.getLogger("aftersales.sync")

PART = 1_000  # entries per pickle (the engine's `compact_part`)
_NO_CELLS_ID = "no-cells"  # the slim rows' shared empty cells, an identity the cache relies on


def compact_cache(
    sheet_key: str,
    results: list[CaseResult],
    reused: int,
    least: int,
    shared: Iterable[object] = (),
    part: int = PART,
) -> list[CaseResult]:
    """Make the sheet's cache entries, and the report's `results` that are theirs, again when
    the sync that just ended planned and cached at least `least` cases (it reused `reused` of
    the entries); return the results to report (each cached case's the new entry's).
    `shared`: the planning's one object for equal values (policies/sharing.py), made again once
    for all the entries that share it; `part`: the entries pickled together."""
    cache = RESULTS.get(sheet_key)
    if cache is None or not cache.entries or len(cache.entries) - reused < least:
        return results
    try:
        common = _Common(shared)
        parts = _pickled(cache.entries, results, common, part)
    except (pickle.PicklingError, TypeError, AttributeError):  # a field pickle cannot take
        log.warning("incremental cache of sheet %r left as it is", sheet_key, exc_info=True)
        return results
    shell = replace(cache, entries={})
    del cache
    RESULTS.put(sheet_key, shell)
    for _, indexes in parts:
        for index in indexes:
            if index is not None:
                results[index] = None  # type: ignore[call-overload]  # (refilled below)
    gc.collect()  # the plan's objects refer to one another: only a collection frees them
    shared_copies = common.load()
    entries: dict[bytes, CachedCase] = {}
    parts.reverse()
    while parts:
        blob, indexes = parts.pop()
        copies: list[tuple[bytes, CachedCase]] = _Unpickler(blob, shared_copies).load()
        del blob
        for (digest, entry), index in zip(copies, indexes, strict=True):
            entries[digest] = entry
            if index is not None:
                results[index] = entry.result
    RESULTS.put(sheet_key, replace(shell, entries=entries))
    return results


_Parts = list[tuple[bytes, list[int | None]]]  # each pickle, and where its results are


class _Common:
    """The shared values, pickled once, before the parts: each part refers to them by number.
    Pickled with its part, a value many cases share was made again in every part that held it:
    at 50,000 cases (50 parts) 36,150 SLA clocks where the planning had made 723, and 298,000
    more objects in all than the cache holds now."""

    def __init__(self, shared: Iterable[object]) -> None:
        # Held until `load`: no other object can take one of their ids while parts are pickled.
        self._values = list(shared)
        self.numbers = {id(value): number for number, value in enumerate(self._values)}
        buffer = io.BytesIO()
        _Pickler(buffer, {}).dump(self._values)
        self._blob = buffer.getvalue()

    def load(self) -> list[object]:
        """The copies of the shared values (after the entries' originals are let go)."""
        self._values, self.numbers = [], {}
        copies: list[object] = _Unpickler(self._blob, []).load()
        return copies


def _pickled(
    entries: Mapping[bytes, CachedCase], results: list[CaseResult], common: _Common, size: int
) -> _Parts:
    """The entries pickled a part at a time (one pickle's memo of every object was 200 MB at
    50,000 cases), all before the originals go: copies made while some originals were still
    there took the gaps among them, as scattered as before (at 50,000 cases, 298 MB left)."""
    where = {id(result): index for index, result in enumerate(results)}
    parts: _Parts = []
    digests = list(entries)
    for first in range(0, len(digests), size):
        part = [(digest, entries[digest]) for digest in digests[first : first + size]]
        buffer = io.BytesIO()
        _Pickler(buffer, common.numbers).dump(part)
        parts.append((buffer.getvalue(), [where.get(id(entry.result)) for _, entry in part]))
    return parts


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, shared: Mapping[int, int]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared

    def persistent_id(self, obj: Any) -> str | int | None:
        if obj is NO_CELLS:
            return _NO_CELLS_ID
        return self.shared.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, blob: bytes, shared: list[object]) -> None:
        super().__init__(io.BytesIO(blob))
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        if pid == _NO_CELLS_ID:
            return NO_CELLS
        if type(pid) is int and 0 <= pid < len(self.shared):
            return self.shared[pid]
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
