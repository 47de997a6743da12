"""The check every template passes before it is used.

Templates come from a shared sheet, so they are treated as untrusted input:

- Rendering uses a locked-down, bounded Jinja2 sandbox (`app.automation.sandbox_env`: no
  globals such as `range`, `lipsum`, `cycler`, `joiner`, `namespace` or `dict`, a short
  allow-list of filters and tests, no autoescape since the output is plain text, and limits on
  strings, filter results, loop iterations and time checked while it runs).
- `check_template` first refuses brackets and blocks nested more than `MAX_NESTING` deep (by
  scanning the tokens, before the recursive parser sees them) and syntax trees deeper than
  `MAX_TREE_DEPTH`, then parses the template and walks the syntax tree. Only a small language is
  accepted: placeholders from `PLACEHOLDERS` (found with `jinja2.meta.find_undeclared_variables`),
  literals, `if`, `for` over a list placeholder (at most two loops deep), `set` / `with`,
  comparisons, `and` / `or` / `not`, `~`, `+` / `-`, and the allowed filters and tests. Function
  calls, attribute access (except `loop.index` and friends), string-keyed subscripts,
  `*` `**` `/` `//` `%`, macros, includes, imports, and names such as `self`, `config` or
  `lipsum` are refused as unsafe. So the classic template-injection payloads never reach the
  renderer, and loops cannot blow up. Text arguments of filters are limited to 100 characters.
  Finally the template is compiled, so what only the compiler refuses (`{% for loop in ... %}`)
  is a problem here too. Nothing a template holds makes the check raise.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import TemplateError

from app.automation.placeholders import LIST_PLACEHOLDERS, PLACEHOLDERS
from app.automation.render_limits import MAX_NESTING, MAX_TREE_DEPTH
from app.automation.sandbox_env import (
    ALLOWED_FILTERS,
    ALLOWED_TESTS,
    ENV,
    LOOP_ATTRIBUTES,
    compile_bounded,
)
from app.automation.template_model import (
    MAX_TEMPLATE_CHARS,
    ProblemKind,
    Template,
    TemplateProblem,
)

__all__ = [
    "ALLOWED_FILTERS",
    "ALLOWED_TESTS",
    "ENV",
    "LOOP_ATTRIBUTES",
    "MAX_LOOP_DEPTH",
    "check_source",
    "check_template",
]

MAX_LOOP_DEPTH: Final = 2
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


def check_template(t: Template) -> list[TemplateProblem]:
    """Everything that keeps `t` from being rendered safely; empty when it is usable."""
    problems: list[TemplateProblem] = []
    for part in ("subject", "body"):
        problems.extend(check_source(t.key, part, getattr(t, part)))
    return problems


def check_source(key: str, part: str, source: str) -> list[TemplateProblem]:
    """Check one template text; `key` and `part` name it in the problems. Never raises."""
    return list(_checked(key, part, source))


def forget_checks() -> None:
    """Forget the remembered checks (a test that counts the compiles a cold sync makes)."""
    _checked.cache_clear()


@lru_cache(maxsize=1024)
def _checked(key: str, part: str, source: str) -> tuple[TemplateProblem, ...]:
    """`check_source`, remembered: a sheet's templates are checked at every sync, and the
    check (a parse and a walk of the tree) depends on nothing but its arguments."""
    return tuple(_check_source(key, part, source))


def _check_source(key: str, part: str, source: str) -> list[TemplateProblem]:
    if len(source) > MAX_TEMPLATE_CHARS:
        return [
            TemplateProblem(key, part, "too_long", f"is longer than {MAX_TEMPLATE_CHARS} chars")
        ]
    try:
        return _check(key, part, source)
    except RecursionError:  # a backstop: the nesting checks should have refused it first
        return [TemplateProblem(key, part, "too_complex", "is nested too deeply to be read")]


def _check(key: str, part: str, source: str) -> list[TemplateProblem]:
    try:
        nesting = _nesting(source)
        if nesting is not None:
            return [TemplateProblem(key, part, "too_complex", nesting)]
        tree = ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return [TemplateProblem(key, part, "syntax", f"line {exc.lineno}: {exc.message}")]
    if _tree_depth(tree) > MAX_TREE_DEPTH:
        message = f"its expressions are nested more than {MAX_TREE_DEPTH} deep (the limit)"
        return [TemplateProblem(key, part, "too_complex", message)]
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
    if not checker.problems:
        try:
            compile_bounded(source)
        except jinja2.TemplateSyntaxError as exc:  # TemplateAssertionError is one
            checker.add("syntax", f"line {exc.lineno}: {exc.message}")
    return checker.problems


# Tags that open a block closed by `{% end... %}` (`set` only without `=`).
_BLOCK_TAGS: Final = frozenset(
    {"if", "for", "with", "filter", "macro", "call", "block", "autoescape", "trans"}
)


def _nesting(source: str) -> str | None:
    """Why `source` nests brackets or blocks too deeply to parse safely, or None.

    Reads the lexer's flat token stream, so the check itself cannot recurse.
    """
    brackets = blocks = 0
    tag: list[tuple[str, str]] | None = None
    for lineno, token, value in ENV.lex(source):
        if token == "operator" and value in "([{":
            brackets += 1
            if brackets > MAX_NESTING:
                return f"line {lineno}: brackets are nested more than {MAX_NESTING} deep"
        elif token == "operator" and value in ")]}":
            brackets -= 1
        elif token == "block_begin":
            tag = []
        elif token == "block_end" and tag:
            blocks += _block_step(tag)
            if blocks > MAX_NESTING:
                return f"line {lineno}: blocks are nested more than {MAX_NESTING} deep"
            tag = None
        elif tag is not None and token in ("name", "operator"):
            tag.append((token, value))
    return None


def _block_step(tag: list[tuple[str, str]]) -> int:
    first = tag[0][1] if tag[0][0] == "name" else ""
    if first in _BLOCK_TAGS or (first == "set" and ("operator", "=") not in tag):
        return 1
    return -1 if first.startswith("end") else 0


def _tree_depth(tree: nodes.Node) -> int:
    """The depth of a syntax tree, measured without recursion."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_TREE_DEPTH:
            stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


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
