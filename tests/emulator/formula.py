"""A small formula language: tokenizer and parser for arithmetic, comparisons, ``&``,
percent, cell and range references (also on other sheets), named ranges and calls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .a1 import col_index, col_letters, split_sheet

ERROR_TYPES = {
    "#ERROR!": "ERROR",
    "#NULL!": "NULL_VALUE",
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#REF!": "REF",
    "#NAME?": "NAME",
    "#NUM!": "NUM",
    "#N/A": "N_A",
}


@dataclass(frozen=True)
class FormulaError(Exception):
    """A spreadsheet error value such as ``#DIV/0!``."""

    code: str
    message: str

    @property
    def type(self) -> str:
        return ERROR_TYPES.get(self.code, "ERROR")

    def __str__(self) -> str:
        return self.code


def parse_error(message: str = "Formula parse error.") -> FormulaError:
    return FormulaError("#ERROR!", message)


_SHEET = r"(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?"
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<ref>SHEET\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?
      |SHEET\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}
      |SHEET\$?\d+:\$?\d+)(?![\w(])
  | (?P<num>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<err>\#(?:DIV/0!|N/A|NAME\?|REF!|VALUE!|NUM!|NULL!|ERROR!))
  | (?P<name>[A-Za-z_][\w.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>%(),;:{}])
    """.replace("SHEET", _SHEET),
    re.VERBOSE,
)

Node = tuple[Any, ...]


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise parse_error()
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, m.group(0)))
    return tokens


def _ref_node(text: str) -> Node:
    split = split_sheet(text)
    if split is None:
        raise parse_error()
    sheet, cells = split
    cells = cells.replace("$", "")
    parts = cells.split(":")

    def cell(part: str) -> tuple[int | None, int | None]:
        m = re.match(r"^([A-Za-z]{1,3})?(\d+)?$", part)
        if not m:
            raise parse_error()
        col = col_index(m.group(1)) if m.group(1) else None
        row = int(m.group(2)) - 1 if m.group(2) else None
        return row, col

    if len(parts) == 1:
        row, col = cell(parts[0])
        return ("ref", sheet, row, col)
    (r0, c0), (r1, c1) = cell(parts[0]), cell(parts[1])
    rows = sorted(x for x in (r0, r1) if x is not None)
    cols = sorted(x for x in (c0, c1) if x is not None)
    return (
        "range",
        sheet,
        rows[0] if rows else 0,
        cols[0] if cols else 0,
        rows[-1] + 1 if rows else None,
        cols[-1] + 1 if cols else None,
    )


class Parser:
    """Recursive-descent parser; precedence: comparison < & < +- < */ < ^ < unary < %."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise parse_error()
        self.pos += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take()
        if tok[1] != value:
            raise parse_error()

    def parse(self) -> Node:
        node = self.comparison()
        if self.peek() is not None:
            raise parse_error()
        return node

    def _binary(self, ops: tuple[str, ...], lower: Any) -> Node:
        node = lower()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in ops:
            self.pos += 1
            node = ("binop", tok[1], node, lower())
        return node

    def comparison(self) -> Node:
        return self._binary(("=", "<>", "<", ">", "<=", ">="), self.concat)

    def concat(self) -> Node:
        return self._binary(("&",), self.additive)

    def additive(self) -> Node:
        return self._binary(("+", "-"), self.multiplicative)

    def multiplicative(self) -> Node:
        return self._binary(("*", "/"), self.power)

    def power(self) -> Node:
        return self._binary(("^",), self.unary)

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in "+-":
            self.pos += 1
            return ("unop", tok[1], self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while (tok := self.peek()) is not None and tok == ("op", "%"):
            self.pos += 1
            node = ("pct", node)
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return ("num", float(text))
        if kind == "str":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "err":
            return ("err", text)
        if kind == "ref":
            return _ref_node(text)
        if kind == "name":
            nxt = self.peek()
            if nxt == ("op", "("):
                self.pos += 1
                args: list[Node] = []
                if self.peek() != ("op", ")"):
                    while True:
                        if self.peek() in (("op", ","), ("op", ")")):
                            args.append(("empty",))
                        else:
                            args.append(self.comparison())
                        if self.peek() in (("op", ","), ("op", ";")):
                            self.pos += 1
                            continue
                        break
                self.expect(")")
                return ("call", text.upper(), args)
            if text.upper() in ("TRUE", "FALSE"):
                return ("bool", text.upper() == "TRUE")
            if "!" in text:
                return _ref_node(text)
            return ("name", text)
        if (kind, text) == ("op", "("):
            node = self.comparison()
            self.expect(")")
            return node
        if (kind, text) == ("op", "{"):
            rows: list[list[Node]] = [[]]
            while True:
                tok = self.peek()
                if tok == ("op", "}"):
                    self.pos += 1
                    break
                if tok == ("op", ","):
                    self.pos += 1
                    continue
                if tok == ("op", ";"):
                    self.pos += 1
                    rows.append([])
                    continue
                rows[-1].append(self.comparison())
            return ("array", rows)
        raise parse_error()


def parse_formula(formula: str) -> Node:
    """Parse the text after the leading '='."""
    return Parser(formula[1:] if formula.startswith("=") else formula).parse()


_CELL_PART = re.compile(r"^(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?$")


def _shift_index(index: int, at: int, count: int, delete: bool) -> int | None:
    if index < at:
        return index
    if delete:
        return None if index < at + count else index - count
    return index + count


def _shift_ref(
    text: str, own_sheet: str, target: str, rows: bool, at: int, count: int, delete: bool
) -> str:
    split = split_sheet(text)
    if split is None:
        return text
    sheet, cells = split
    if (sheet if sheet is not None else own_sheet).lower() != target.lower():
        return text
    prefix = text[: len(text) - len(cells)]
    parts = [_CELL_PART.match(p) for p in cells.split(":")]
    if any(m is None for m in parts):
        return text
    matches = [m for m in parts if m is not None]

    def index_of(m: re.Match[str]) -> int | None:
        if rows:
            return int(m.group(4)) - 1 if m.group(4) else None
        return col_index(m.group(2)) if m.group(2) else None

    indexes = [index_of(m) for m in matches]
    if any(i is None for i in indexes):  # whole rows / columns in the other dimension
        return text
    if len(matches) == 1:
        moved = _shift_index(indexes[0] or 0, at, count, delete)
        new_indexes: list[int | None] = [moved]
    else:
        start, end = sorted(i or 0 for i in indexes)
        if delete and at <= start and end < at + count:
            return "#REF!"
        new_start = start if start < at else _shift_index(start, at, count, delete)
        if new_start is None:
            new_start = at
        last = _shift_index(end, at, count, delete)
        new_end = at - 1 if last is None else last
        new_indexes = [new_start, new_end]
    if any(i is None for i in new_indexes):
        return "#REF!"
    out = []
    for m, new in zip(matches, new_indexes, strict=True):
        assert new is not None
        if rows:
            out.append(f"{m.group(1)}{m.group(2) or ''}{m.group(3)}{new + 1}")
        else:
            out.append(f"{m.group(1)}{col_letters(new)}{m.group(3)}{m.group(4) or ''}")
    return prefix + ":".join(out)


def shift_formula(
    formula: str, own_sheet: str, target: str, dim: str, at: int, count: int, delete: bool
) -> str:
    """Rewrite the references of a formula after rows/columns of `target` were inserted or
    deleted, as Sheets does (deleted single references become #REF!)."""
    body = formula[1:]
    out, pos = [], 0
    while pos < len(body):
        m = _TOKEN_RE.match(body, pos)
        if not m:
            return formula
        text = m.group(0)
        if m.lastgroup == "ref":
            text = _shift_ref(text, own_sheet, target, dim == "ROWS", at, count, delete)
        out.append(text)
        pos = m.end()
    return "=" + "".join(out)
