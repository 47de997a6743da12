"""Fewer garbage collections while a sync runs, and its freed memory given back after.

A first fill makes millions of objects that live until the sync ends (parsed rows, results,
cell updates); with CPython's default thresholds (700 allocations) each of them is scanned
again and again by collections that find almost nothing: seconds of a 10,000-case sync. Almost
all of a sync's garbage is freed by reference counting the moment it is dropped, so collecting
a hundred times less often costs little memory. The thresholds are the process's: the first
sync to start raises them and the last to end puts them back, whatever the threads.

What a sync frees in glibc's heap (the large blocks: a row's dict table, a read's buffers) stays
mapped in the process until glibc trims it, which it does only from the heap's top: after a
10,000-case first fill, 18 MB that the next press then peaks on top of. The last sync to end
asks glibc to give back its free pages (`malloc_trim`; a no-op where the C library is not glibc).
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from threading import Lock

__all__ = ["fewer_collections"]

SYNC_THRESHOLD = 100_000  # allocations between young collections while a sync runs

_lock = Lock()
_running = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the young-generation threshold for the duration (nested and threads: counted)."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(_saved[0], SYNC_THRESHOLD), _saved[1], _saved[2])
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
                _trim()


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim` (looked up among the process's own symbols, where the C library
    is), or None under another C library."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_trim_heap = _malloc_trim()


def _trim() -> None:
    """Give the heap's free pages back to the system (a few milliseconds)."""
    if _trim_heap is not None:
        _trim_heap(0)
