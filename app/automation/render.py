"""Rendering reply templates that many people edit, safely.

`render` first checks the template (`sandbox.check_template`: see there for what is refused
and why), then renders it in the locked-down sandbox (`sandbox_env`), within the limits of
`render_limits` checked while it runs (intermediate texts, filter results, loop iterations,
time). It never raises for anything a template does: it returns a `RenderFailure` naming the
template, the field and the placeholder (kind `too_long` / `too_complex` past a limit). The
output is capped at `MAX_OUTPUT_CHARS`; a longer result is a failure, not a truncation. Context
values are cut to that length, so no filter can multiply a huge cell into a huge string.

The placeholders are documented in `app.automation.placeholders` (re-exported here).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from jinja2 import meta
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError

from app.automation.placeholders import LIST_PLACEHOLDERS, PLACEHOLDERS, placeholders_help
from app.automation.render_limits import (
    DEFAULT_LIMITS,
    RenderBudget,
    RenderLimitExceeded,
    RenderLimits,
    rendering,
)
from app.automation.sandbox import ENV, check_source, check_template
from app.automation.sandbox_env import compile_bounded
from app.automation.template_model import ProblemKind, Template, TemplateProblem

__all__ = [
    "LIST_PLACEHOLDERS",
    "MAX_OUTPUT_CHARS",
    "PLACEHOLDERS",
    "Context",
    "RenderFailure",
    "RenderLimits",
    "RenderedTemplate",
    "check_source",
    "check_template",
    "placeholders_help",
    "render",
    "render_subject",
    "render_template",
    "used_placeholders",
]

MAX_OUTPUT_CHARS: Final = 5_000

log = logging.getLogger(__name__)

Context = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class RenderFailure:
    """A template could not be used; `problems` say which template, field and placeholder."""

    problems: tuple[TemplateProblem, ...]

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)


@dataclass(frozen=True, slots=True)
class RenderedTemplate:
    key: str
    subject: str
    body: str


@lru_cache(maxsize=1024)
def _checked(key: str, part: str, source: str) -> tuple[TemplateProblem, ...]:
    return tuple(check_source(key, part, source))


@lru_cache(maxsize=1024)
def _used(source: str) -> tuple[str, ...]:
    """The placeholders a template names: only those are prepared for each case."""
    names = meta.find_undeclared_variables(ENV.parse(source))
    return tuple(name for name in PLACEHOLDERS if name in names)


@lru_cache(maxsize=1024)  # asked for every reply of every case
def used_placeholders(t: Template) -> frozenset[str]:
    """The placeholders a template's subject and body name (for a template that renders)."""
    used: set[str] = set()
    for part, source in (("subject", t.subject), ("body", t.body)):
        if source and not _checked(t.key, part, source):
            used.update(_used(source))
    return frozenset(used)


def render(
    t: Template, context: Context, limits: RenderLimits = DEFAULT_LIMITS
) -> str | RenderFailure:
    """The template's body rendered for `context`, or a `RenderFailure` (never raises)."""
    return _render_part(t, "body", t.body, context, limits)


def render_subject(
    t: Template, context: Context, limits: RenderLimits = DEFAULT_LIMITS
) -> str | RenderFailure:
    """The template's subject line rendered for `context` ('' for a template without one)."""
    return _render_part(t, "subject", t.subject, context, limits)


def render_template(
    t: Template, context: Context, limits: RenderLimits = DEFAULT_LIMITS
) -> RenderedTemplate | RenderFailure:
    """Subject and body together; a failure of either is a failure."""
    subject = render_subject(t, context, limits)
    body = render(t, context, limits)
    problems = [r for r in (subject, body) if isinstance(r, RenderFailure)]
    if problems:
        return RenderFailure(tuple(p for f in problems for p in f.problems))
    assert isinstance(subject, str) and isinstance(body, str)
    return RenderedTemplate(t.key, subject, body)


def _render_part(
    t: Template, part: str, source: str, context: Context, limits: RenderLimits
) -> str | RenderFailure:
    if not source:
        return ""
    problems = _checked(t.key, part, source)
    if problems:
        return RenderFailure(problems)
    try:
        values = {name: _capped_value(context[name]) for name in _used(source) if name in context}
        try:
            with rendering(limits) as budget:
                text = _capped(compile_bounded(source).generate(values), budget)
        except RenderLimitExceeded as exc:
            if not exc.timed_out:
                raise
            # Once more with a fresh budget: the first may have paid for a garbage collection.
            with rendering(limits) as budget:
                text = _capped(compile_bounded(source).generate(values), budget)
    except _TooLong:
        return _failure(t, part, "too_long", f"output is longer than {MAX_OUTPUT_CHARS} chars")
    except RenderLimitExceeded as exc:
        return _failure(t, part, exc.kind, exc.message)
    except RecursionError:
        return _failure(t, part, "too_complex", "is nested too deeply to be rendered")
    except MemoryError:  # a backstop: the limits above should have stopped it long before
        return _failure(t, part, "too_long", "ran out of memory while rendering")
    except UndefinedError as exc:
        return _failure(t, part, "render", f"{exc.message}", _undefined_name(exc))
    except SecurityError as exc:
        return _failure(t, part, "unsafe", f"{exc}")
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        return _failure(t, part, "render", f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # whatever else a template provokes stays with that template
        log.warning("template %r (%s) failed unexpectedly", t.key, part, exc_info=True)
        return _failure(t, part, "render", f"failed while rendering ({type(exc).__name__})")
    return text.strip()


class _TooLong(Exception):
    pass


def _capped_value(value: object) -> object:
    """Long cell texts are cut to the output cap, so no filter can multiply a huge value."""
    if isinstance(value, str):
        return value[:MAX_OUTPUT_CHARS]
    if isinstance(value, tuple | list):
        return tuple(_capped_value(v) for v in value[:50])
    return value


def _capped(chunks: Iterator[str], budget: RenderBudget) -> str:
    out: list[str] = []
    total = 0
    for chunk in chunks:
        budget.tick()
        total += len(chunk)
        if total > MAX_OUTPUT_CHARS:
            raise _TooLong
        out.append(chunk)
    return "".join(out)


def _failure(
    t: Template, part: str, kind: ProblemKind, message: str, placeholder: str | None = None
) -> RenderFailure:
    return RenderFailure((TemplateProblem(t.key, part, kind, message, placeholder),))


def _undefined_name(exc: UndefinedError) -> str | None:
    message = exc.message or ""
    if message.startswith("'") and "' is undefined" in message:
        return message[1 : message.index("' is undefined")]
    return None
