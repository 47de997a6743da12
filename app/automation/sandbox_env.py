"""The Jinja2 environment templates render in, and the hooks that bound every render.

`ImmutableSandboxedEnvironment` with `StrictUndefined`, no globals and a short allow-list of
filters and tests (`sandbox.check_template` refuses everything else before a render). On top of
the sandbox, every place a render can grow memory or time reports to the render's
`RenderBudget` (`app.automation.render_limits`):

- `+` through the sandbox's `call_binop` hook (`*`, `**`, `/`, `//`, `%` are refused there);
- `~` and list / tuple literals: `bounded_tree` rewrites them into the private filters `_concat`
  and `_literal` before compiling (Jinja compiles `~` to a plain `str.join` with no hook);
- every loop: its iterable is wrapped in the private filter `_iterate`, which counts iterations;
- `{% set %}...{% endset %}` and `{% filter %}` blocks through `Environment.concat`;
- every allowed filter, wrapped: `replace` and `join` estimate their result before building it,
  all check their result;
- every printed value through `finalize`.

The private filters start with `_`, which `check_template` refuses in a team's template.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Final

import jinja2
from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from app.automation.render_limits import current_budget, text_size

# Filters and tests a template may use: name -> how many positional arguments it may take.
ALLOWED_FILTERS: Final[dict[str, int]] = {
    "join": 1,
    "upper": 0,
    "lower": 0,
    "title": 0,
    "capitalize": 0,
    "trim": 0,
    "default": 2,
    "d": 2,
    "length": 0,
    "count": 0,
    "first": 0,
    "last": 0,
    "replace": 3,
    "truncate": 4,
    "round": 2,
    "int": 1,
    "float": 1,
    "string": 0,
    "abs": 0,
    "reverse": 0,
    "wordcount": 0,
}
ALLOWED_TESTS: Final = frozenset(
    {
        "defined",
        "undefined",
        "none",
        "number",
        "string",
        "sequence",
        "integer",
        "float",
        "boolean",
        "true",
        "false",
        "even",
        "odd",
        "divisibleby",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "in",
        "equalto",
        "greaterthan",
        "lessthan",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "lower",
        "upper",
    }
)
LOOP_ATTRIBUTES: Final = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length"}
)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, locked down further and bounded; a second line behind `check_template`."""

    intercepted_binops = frozenset({"+", "*", "**", "/", "//", "%"})

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ != "+":
            raise SecurityError(f"the operator {operator_!r} is not allowed in templates")
        budget = current_budget()
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            limit = budget.limits.string_chars
            budget.string(text_size(left, limit) + text_size(right, limit), "'+'")
        else:
            budget.tick()
        return operator.add(left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, LoopContext) and attr in LOOP_ATTRIBUTES

    def call(
        __self,
        __context: Any,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        raise SecurityError("calling functions is not allowed in templates")

    @staticmethod
    def concat(parts: Iterable[str]) -> str:
        """Joins the output captured by `{% set x %}` / `{% filter %}` blocks, bounded."""
        return _join_bounded(list(parts), "a {% set %} or {% filter %} block")


def _join_bounded(parts: Sequence[object], what: str) -> str:
    budget = current_budget()
    limit = budget.limits.string_chars
    total = 0
    for part in parts:
        total += text_size(part, limit)
        if total > limit:
            break
    budget.string(total, what)
    return "".join(str(part) for part in parts)


def _concat(parts: Sequence[object]) -> str:
    """`a ~ b ~ c`: sizes are added up before the text is built."""
    return _join_bounded(parts, "'~'")


def _literal(value: object) -> object:
    """A list or tuple literal: refused when printing it would exceed the string limit."""
    budget = current_budget()
    budget.string(text_size(value, budget.limits.string_chars), "a list")
    return value


@jinja2.pass_context  # never folded into a constant while compiling (it is a generator)
def _iterate(context: Context, value: Iterable[object]) -> Iterator[object]:
    """A loop's iterable, counting each iteration against the render's loop limit."""
    budget = current_budget()
    for item in value:
        budget.iteration()
        yield item


def _finalize(value: object) -> object:
    """Every `{{ value }}` is measured before it is turned into text."""
    budget = current_budget()
    budget.string(text_size(value, budget.limits.string_chars), "printing a value")
    return value


def _replace_size(args: Sequence[Any], limit: int) -> int:
    if len(args) < 3:
        return 0
    value, old, new = args[0], str(args[1]), str(args[2])
    size = text_size(value, limit)
    if size > limit:
        return size
    text = value if isinstance(value, str) else str(value)
    hits = text.count(old)  # '' is found len(text) + 1 times, as replace() inserts it
    count = args[3] if len(args) > 3 else None
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * (len(new) - len(old))


def _join_size(args: Sequence[Any], limit: int) -> int:
    value = args[0] if args else None
    if not isinstance(value, str | list | tuple):
        return 0
    separator = len(str(args[1])) if len(args) > 1 else 0
    total = 0
    for index, item in enumerate(value):
        total += text_size(item, limit) + (separator if index else 0)
        if total > limit:
            break
    return total


# Filters whose result can be far longer than their input: its size, estimated up front.
_ESTIMATES: Final[dict[str, Callable[[Sequence[Any], int], int]]] = {
    "replace": _replace_size,
    "join": _join_size,
}


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    # Filters marked @pass_eval_context / @pass_environment get that object first.
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    estimate = _ESTIMATES.get(name)

    @functools.wraps(func)  # keeps Jinja's pass_* marker, so arguments arrive as before
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        limit = budget.limits.filter_output_chars
        if estimate is not None:
            budget.filter_output(estimate(args[skip:], limit), name)
        else:
            budget.tick()
        result = func(*args, **kwargs)
        budget.filter_output(text_size(result, limit), name)
        return result

    return bounded


class _BoundTree(NodeTransformer):
    """Rewrites a parsed template so `~`, list literals and loops go through the hooks."""

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.List(node.nodes, lineno=node.lineno)
        return _filter(parts, "_concat")

    def visit_List(self, node: nodes.List) -> nodes.Node:
        self.generic_visit(node)
        return _filter(node, "_literal")

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return _filter(node, "_literal") if node.ctx == "load" else node

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(node.iter, "_iterate")
        return node


def _filter(node: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


def bounded_tree(source: str) -> nodes.Template:
    """`source` parsed and rewritten for the hooks (see the module doc)."""
    tree = _BoundTree().visit(ENV.parse(source))
    assert isinstance(tree, nodes.Template)
    tree.set_environment(ENV)
    return tree


@lru_cache(maxsize=1024)
def compile_bounded(source: str) -> jinja2.Template:
    """The template compiled with every hook in place (raises Jinja's errors, RecursionError)."""
    template = ENV.from_string(bounded_tree(source))
    # The sandbox has no globals. Jinja keeps a template's as a ChainMap over the environment's,
    # which each render copies and lists in pure Python (a shipped reply renders in 13.3 µs
    # instead of 14.5). An empty dict says the same: a template's own globals come only from
    # `from_string(globals=)`.
    assert not ENV.globals and not any(template.globals)
    template.globals = {}
    return template


def _environment() -> BoundedSandbox:
    env = BoundedSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
        cache_size=0,
        finalize=_finalize,
    )
    env.globals.clear()
    env.filters = {
        **{name: _bounded_filter(name, env.filters[name]) for name in ALLOWED_FILTERS},
        "_concat": _concat,
        "_literal": _literal,
        "_iterate": _iterate,
    }
    env.tests = {name: env.tests[name] for name in ALLOWED_TESTS}
    return env


ENV: Final = _environment()
