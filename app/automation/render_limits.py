"""The limits a template render stays within, checked while it runs (not after).

Templates come from a shared sheet, and a few lines of Jinja can ask for gigabytes
(`{% set a = a ~ a %}` thirty times) or for minutes. The service renders in worker threads that
serve every sheet, so a render is bounded as it goes: the sandbox's hooks
(`app.automation.sandbox`) call the `RenderBudget` of the render in progress before every string
they build, every filter result, every loop iteration and every printed value, and the budget
raises `RenderLimitExceeded` as soon as one limit is passed. Sizes are estimated *before* the
big string is built wherever the size is known in advance (`~`, `+`, `join`, `replace`).

Time is the CPU time of the rendering thread (`time.thread_time`): on a loaded machine wall
time also counts the time the thread waited for a core, which would refuse good templates.
Tests inject a clock. No signals or helper threads: signals only reach the main thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Final, Literal

from jinja2 import Undefined

# The longest text a template may build along the way. Ten times the reply cap
# (render.MAX_OUTPUT_CHARS, 5,000): room to build and then cut a text, while one string stays
# under ~200 KB and a render's whole working set stays far below the service's memory.
MAX_STRING_CHARS: Final = 50_000
# The longest result of one filter (`replace`, `join`, `upper`, ...). Equal to the string limit:
# a filter result is an intermediate string like any other; kept apart so it can be tuned.
MAX_FILTER_OUTPUT_CHARS: Final = 50_000
# Loop iterations per render, over all loops. Two nested loops over the longest list a context
# holds (50 items, see render._capped_value) are 2,500 iterations; the real lists are 1-5 items.
MAX_LOOP_ITERATIONS: Final = 5_000
# CPU seconds one render may take. The shipped templates render in well under a millisecond;
# a sync renders two templates per case, so a slow template must be stopped early. The thread's
# CPU time also counts a garbage collection that happens to run inside the render (hundreds of
# ms on a large sheet's heap): render.py renders a timed-out template once more before it
# refuses it, since a collection does not strike the same render twice.
MAX_RENDER_SECONDS: Final = 0.5
# Brackets and blocks nested deeper than this are refused before parsing: each level costs the
# parser a dozen Python frames, and ~3,000 levels overflow the interpreter's recursion limit
# (which is process-wide, so it is never raised). Real templates nest 2-4 levels.
MAX_NESTING: Final = 20
# Depth of the parsed syntax tree (a chain like `a + a + a ...` or `x|upper|upper ...` is deep
# without brackets). Every later step walks the tree recursively, a few frames per level.
MAX_TREE_DEPTH: Final = 60

LimitKind = Literal["too_long", "too_complex"]


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """The limits of one render (the module constants; tests pass smaller ones or a clock)."""

    string_chars: int = MAX_STRING_CHARS
    filter_output_chars: int = MAX_FILTER_OUTPUT_CHARS
    loop_iterations: int = MAX_LOOP_ITERATIONS
    render_seconds: float = MAX_RENDER_SECONDS
    clock: Callable[[], float] = time.thread_time


DEFAULT_LIMITS: Final = RenderLimits()


class RenderLimitExceeded(Exception):
    """A render passed one of its limits; `kind` and `message` become a `TemplateProblem`."""

    def __init__(self, kind: LimitKind, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.kind: LimitKind = kind
        self.message = message
        self.timed_out = timed_out  # the time limit, which a pause outside the template may hit


class RenderBudget:
    """What one render has used so far; the sandbox's hooks call it as the render goes."""

    __slots__ = ("deadline", "iterations", "limits", "wall_deadline")

    def __init__(self, limits: RenderLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.iterations = 0
        # `thread_time` is a system call (~2 µs here) and `tick` runs ~30 times per reply, a
        # third of an unchanged 10k sync's CPU. The wall clock is cheap and never runs slower
        # than the thread's CPU clock: until wall time passes the limit, CPU time cannot have.
        # (An injected test clock is read at the start and on every tick, as before.)
        if limits.clock is time.thread_time:
            wall = time.perf_counter()
            self.wall_deadline: float | None = wall + limits.render_seconds
            self.deadline = _THREAD_CPU.upper_bound(wall) + limits.render_seconds
        else:
            self.wall_deadline = None
            self.deadline = limits.clock() + limits.render_seconds

    def tick(self) -> None:
        """Refuse to go on once the render has taken longer than its time limit."""
        if self.wall_deadline is not None and time.perf_counter() <= self.wall_deadline:
            return
        if self.limits.clock() > self.deadline:
            raise RenderLimitExceeded(
                "too_complex",
                f"rendering took longer than {self.limits.render_seconds:g} s (the limit)",
                timed_out=True,
            )

    def string(self, size: int, what: str) -> None:
        """Refuse an intermediate text of `size` characters before (or as) it is built."""
        self.tick()
        if size > self.limits.string_chars:
            raise RenderLimitExceeded(
                "too_long",
                f"{what} would build a text longer than {self.limits.string_chars} characters "
                "(the limit)",
            )

    def filter_output(self, size: int, name: str) -> None:
        """Refuse the result of the filter `name` when it is longer than the filter limit."""
        self.tick()
        if size > self.limits.filter_output_chars:
            raise RenderLimitExceeded(
                "too_long",
                f"the filter '{name}' would give a text longer than "
                f"{self.limits.filter_output_chars} characters (the limit)",
            )

    def iteration(self) -> None:
        """Count one loop iteration; refuse past the limit."""
        self.iterations += 1
        if self.iterations > self.limits.loop_iterations:
            raise RenderLimitExceeded(
                "too_complex",
                f"its loops ran more than {self.limits.loop_iterations} times (the limit)",
            )
        self.tick()


class _ThreadCpu(threading.local):
    """A reading of this thread's CPU time, taken at most every `_REFRESH` seconds of wall time.

    A first fill starts some 33,000 renders and each needs the thread's CPU time at its start:
    one `thread_time` system call apiece was 3% of the fill's CPU. A reading taken up to
    `_REFRESH` ago, plus the wall time since, is never below the CPU time now (the thread's CPU
    clock cannot run faster than the wall clock), so a budget built on it allows at least the
    full limit and at most `_REFRESH` more."""

    cpu = 0.0
    wall = -1.0  # never read: the first budget of a thread reads the clock

    def upper_bound(self, wall_now: float) -> float:
        """An upper bound of this thread's CPU time at `wall_now`, within `_REFRESH`."""
        if wall_now - self.wall > _REFRESH:
            # The wall clock first: the CPU reading is then taken at or after `self.wall`.
            self.wall = time.perf_counter()
            self.cpu = time.thread_time()
            return self.cpu
        return self.cpu + (wall_now - self.wall)


_REFRESH: Final = 0.005
_THREAD_CPU = _ThreadCpu()

_ACTIVE: ContextVar[RenderBudget | None] = ContextVar("template_render_budget", default=None)


def current_budget() -> RenderBudget:
    """The budget of the render in progress in this thread.

    Outside a render (Jinja folds constant expressions while compiling) a fresh budget with
    the default limits: sizes are bounded there too.
    """
    active = _ACTIVE.get()
    return active if active is not None else RenderBudget()


def rendering(limits: RenderLimits = DEFAULT_LIMITS) -> _Rendering:
    """Make a new budget the current one for the render run inside the block."""
    return _Rendering(RenderBudget(limits))


class _Rendering:
    """The block of one render (a class, not a generator: a first fill renders ~30,000 times)."""

    __slots__ = ("budget", "token")

    def __init__(self, budget: RenderBudget) -> None:
        self.budget = budget
        self.token: Token[RenderBudget | None] | None = None

    def __enter__(self) -> RenderBudget:
        self.token = _ACTIVE.set(self.budget)
        return self.budget

    def __exit__(self, *exc: object) -> None:
        assert self.token is not None
        _ACTIVE.reset(self.token)


def text_size(value: object, limit: int) -> int:
    """How long `str(value)` would be, without building it; stops counting past `limit`.

    Lists and tuples are walked (early exit), so a list nested into itself thirty times is
    measured in a few thousand steps, not 2**30.
    """
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Undefined) or value is None or isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if isinstance(value, float):
        return 24
    if isinstance(value, list | tuple):
        total = 2
        for item in value:
            total += text_size(item, limit - total) + 2
            if total > limit:
                return total
        return total
    return len(str(value))
