"""One object for equal values a sync makes again and again (pure).

A sync evaluates every case, and cases opened the same day conclude the same deadlines, clocks,
seller windows and reasons: at 10,000 cases some 10,000 dates of which 112 differ. The results
live on in the incremental cache (app/sync/reuse.py), so each copy is memory held between
presses. Taking the pool's object *as each value is made* lets the copy go at once, while its
memory is still what the next case allocates; sharing them later, once the cache is full, freed
the copies but left holes in the allocator's pools that no other allocation used (resident
memory did not move).

Equal is not always the same: equal instants in two time zones compare equal but show different
wall times, so an instant's zone is part of its key. Values in a pool are immutable.

`remembered` is the same idea one level up: a calendar keeps whole answers asked of it (an SLA
clock, a return deadline), so cases asking the same question get the one answer object.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, datetime
from typing import TypeVar

T = TypeVar("T")

Pool = dict[object, object]
# Values with no instant of their own to take a zone from (a tuple's instants are keyed by the
# caller: the SLA clocks).
_ZONELESS = frozenset({str, tuple, int, float, date})
Answers = dict[Hashable, object]  # a calendar's answers, by the question (its own key)


def shared(pool: Pool, value: T, key: object = None) -> T:
    """The pool's object equal to `value` (and, for an instant or a value holding one, in the
    same zone), or `value` itself, kept for the next one. `key`: what makes two values the same
    where equality does not say it (the SLA clocks: the clocks' own identities, themselves
    shared by zone in policies/sla.py)."""
    if value is None or type(value) is bool:
        return value
    if key is None:
        if type(value) in _ZONELESS:  # (asked first: a getattr that misses raises inside)
            zone = None
        elif isinstance(value, datetime):
            zone = value.tzinfo
        else:
            deadline = getattr(value, "deadline", None)  # a SellerWindow
            zone = getattr(deadline, "tzinfo", None)
        key = (value, zone)
    key = (type(value), key)
    found = pool.get(key)
    if found is None:
        pool[key] = value
        return value
    return found  # type: ignore[return-value]  # (the same type: it is in the key)


def remembered(answers: Answers, asked: Hashable, kind: type[T], make: Callable[[], T]) -> T:
    """The answer kept in `answers` for `asked`, made by `make` (and kept) the first time."""
    found = answers.get(asked)
    if found is None:
        found = answers[asked] = make()
    assert isinstance(found, kind)
    return found
