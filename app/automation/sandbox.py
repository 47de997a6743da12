"""The template sandbox, and the check every template passes before it is used.

Templates come from a shared sheet, so they are treated as untrusted input:

- Rendering uses Jinja2's `ImmutableSandboxedEnvironment` with `StrictUndefined` and no globals
  (no `range`, `lipsum`, `cycler`, `joiner`, `namespace`, `dict`), a short allow-list of filters
  and tests, and no autoescape (the output is plain text).
- `check_template` parses a template and walks the syntax tree. Only a small language is
  accepted: placeholders from `PLACEHOLDERS` (found with `jinja2.meta.find_undeclared_variables`),
  literals, `if`, `for` over a list placeholder (at most two loops deep), `set` / `with`,
  comparisons, `and` / `or` / `not`, `~`, `+` / `-`, and the allowed filters and tests. Function
  calls, attribute access (except `loop.index` and friends), string-keyed subscripts,
  `*` `**` `/` `//` `%`, macros, includes, imports, and names such as `self`, `config` or
  `lipsum` are refused as unsafe. So the classic template-injection payloads never reach the
  renderer, and loops cannot blow up. Text arguments of filters are limited to 100 characters.
"""

from __future__ import annotations

from typing import Any, Final

import jinja2
from jinja2 import StrictUndefined, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.automation.placeholders import LIST_PLACEHOLDERS, PLACEHOLDERS
from app.automation.template_model import (
    MAX_TEMPLATE_CHARS,
    ProblemKind,
    Template,
    TemplateProblem,
)

MAX_LOOP_DEPTH: Final = 2

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
# Names that are never placeholders and that template-injection payloads reach for.
UNSAFE_NAMES: Final = frozenset(
    {
        "self",
        "super",
        "caller",
        "varargs",
        "kwargs",
        "range",
        "lipsum",
        "cycler",
        "joiner",
        "namespace",
        "dict",
        "config",
        "request",
        "session",
        "g",
        "environment",
        "env",
        "os",
        "sys",
        "builtins",
        "globals",
        "getattr",
        "open",
        "eval",
        "exec",
        "import",
    }
)
_SAFE_BINARY: Final = (nodes.Add, nodes.Sub, nodes.And, nodes.Or)
_SAFE_NODES: Final = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.If,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.CondExpr,
    nodes.Concat,
    nodes.Add,
    nodes.Sub,
    nodes.List,
    nodes.Tuple,
    nodes.Assign,
    nodes.AssignBlock,
    nodes.With,
    nodes.FilterBlock,
)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, locked down further; a second line of defence behind `check_template`."""

    intercepted_binops = frozenset({"*", "**", "/", "//", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError(f"the operator {operator!r} is not allowed in templates")

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


def _environment() -> _Sandbox:
    env = _Sandbox(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
        cache_size=0,
    )
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    env.tests = {name: env.tests[name] for name in ALLOWED_TESTS}
    return env


ENV: Final = _environment()


def check_template(t: Template) -> list[TemplateProblem]:
    """Everything that keeps `t` from being rendered safely; empty when it is usable."""
    problems: list[TemplateProblem] = []
    for part in ("subject", "body"):
        problems.extend(check_source(t.key, part, getattr(t, part)))
    return problems


def check_source(key: str, part: str, source: str) -> list[TemplateProblem]:
    """Check one template text; `key` and `part` name it in the problems."""
    if len(source) > MAX_TEMPLATE_CHARS:
        return [
            TemplateProblem(key, part, "too_long", f"is longer than {MAX_TEMPLATE_CHARS} chars")
        ]
    try:
        tree = ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return [TemplateProblem(key, part, "syntax", f"line {exc.lineno}: {exc.message}")]
    checker = _Checker(key, part)
    checker.bound = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    try:
        undeclared = meta.find_undeclared_variables(tree)
    except TemplateError:  # e.g. an unknown filter: the walk below names it
        undeclared = set()
    for name in sorted(undeclared):
        if name not in PLACEHOLDERS:
            checker.name_problem(name)
    checker.visit(tree, depth=0)
    return checker.problems


class _Checker:
    """Walks a parsed template; anything outside the accepted language is a problem."""

    def __init__(self, key: str, part: str) -> None:
        self.key = key
        self.part = part
        self.bound: set[str] = set()
        self.problems: list[TemplateProblem] = []
        self._seen: set[tuple[str, str | None, str]] = set()

    def add(self, kind: ProblemKind, message: str, placeholder: str | None = None) -> None:
        mark = (kind, placeholder, message)
        if mark in self._seen:
            return
        self._seen.add(mark)
        self.problems.append(TemplateProblem(self.key, self.part, kind, message, placeholder))

    def unsafe(self, node: nodes.Node, what: str, placeholder: str | None = None) -> None:
        self.add("unsafe", f"line {node.lineno}: {what} is not allowed in templates", placeholder)

    def name_problem(self, name: str) -> None:
        if name in UNSAFE_NAMES or name.startswith("_"):
            self.add("unsafe", f"{{{{ {name} }}}} is not available in templates", name)
        else:
            self.add(
                "unknown_placeholder",
                f"unknown placeholder {{{{ {name} }}}}; known: {', '.join(PLACEHOLDERS)}",
                name,
            )

    def visit(self, node: nodes.Node, depth: int) -> None:
        if isinstance(node, nodes.Name):
            self._name(node, depth)
        elif isinstance(node, nodes.Getattr):
            self._getattr(node, depth)
        elif isinstance(node, nodes.Getitem):
            self._getitem(node, depth)
        elif isinstance(node, nodes.Filter):
            self._filter(node, depth)
        elif isinstance(node, nodes.Test):
            self._test(node, depth)
        elif isinstance(node, nodes.For):
            self._for(node, depth)
        elif isinstance(node, nodes.Call):
            self.unsafe(node, "calling a function or method")
            self._children(node, depth)
        elif isinstance(node, nodes.BinExpr) and not isinstance(node, _SAFE_BINARY):
            self.unsafe(node, f"the operator {node.operator!r}")
            self._children(node, depth)
        elif isinstance(node, _SAFE_NODES):
            self._children(node, depth)
        else:
            self.unsafe(node, f"'{type(node).__name__}'")

    def _children(self, node: nodes.Node, depth: int) -> None:
        for child in node.iter_child_nodes():
            self.visit(child, depth)

    def _name(self, node: nodes.Name, depth: int) -> None:
        name = node.name
        if node.ctx != "load" or name in PLACEHOLDERS or name in self.bound:
            if name.startswith("_"):
                self.unsafe(node, f"the name {name!r}", name)
            return
        if name == "loop" and depth > 0:
            return
        self.name_problem(name)

    def _getattr(self, node: nodes.Getattr, depth: int) -> None:
        base = node.node
        if (
            isinstance(base, nodes.Name)
            and base.name == "loop"
            and depth > 0
            and node.attr in LOOP_ATTRIBUTES
        ):
            return
        self.unsafe(node, f"attribute access ('.{node.attr}')", _base_name(base))
        self._children(node, depth)

    def _getitem(self, node: nodes.Getitem, depth: int) -> None:
        arg = node.arg
        if not (
            isinstance(arg, nodes.Const)
            and isinstance(arg.value, int)
            and not isinstance(arg.value, bool)
            and abs(arg.value) <= 100
        ):
            self.unsafe(node, "a subscript other than a small number (x[0])", _base_name(node.node))
        self.visit(node.node, depth)

    def _filter(self, node: nodes.Filter, depth: int) -> None:
        limit = ALLOWED_FILTERS.get(node.name)
        if limit is None:
            self.unsafe(node, f"the filter '{node.name}'")
        elif len(node.args) > limit or node.kwargs or node.dyn_args or node.dyn_kwargs:
            self.unsafe(node, f"these arguments to the filter '{node.name}'")
        elif any(
            isinstance(a, nodes.Const) and isinstance(a.value, str) and len(a.value) > 100
            for a in node.args
        ):
            self.unsafe(node, f"a text argument over 100 characters to '{node.name}'")
        self._children(node, depth)

    def _test(self, node: nodes.Test, depth: int) -> None:
        if node.name not in ALLOWED_TESTS:
            self.unsafe(node, f"the test '{node.name}'")
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            self.unsafe(node, f"keyword arguments to the test '{node.name}'")
        self._children(node, depth)

    def _for(self, node: nodes.For, depth: int) -> None:
        if node.recursive:
            self.unsafe(node, "a recursive loop")
        if depth + 1 > MAX_LOOP_DEPTH:
            self.unsafe(node, f"nesting loops more than {MAX_LOOP_DEPTH} deep")
        source = node.iter
        while isinstance(source, nodes.Filter) and source.node is not None:
            source = source.node
        if not (isinstance(source, nodes.Name) and source.name in LIST_PLACEHOLDERS):
            allowed = " or ".join(sorted(LIST_PLACEHOLDERS))
            self.unsafe(node, f"a loop over anything but {allowed}", _base_name(source))
        self.visit(node.target, depth)
        self.visit(node.iter, depth)
        if node.test is not None:
            self.visit(node.test, depth + 1)
        for child in (*node.body, *node.else_):
            self.visit(child, depth + 1 if child in node.body else depth)


def _base_name(node: nodes.Node) -> str | None:
    while isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Filter):
        inner = node.node
        if inner is None:
            return None
        node = inner
    return node.name if isinstance(node, nodes.Name) else None
