"""Formula evaluation over the function library; anything unknown yields ``#NAME?``."""

from __future__ import annotations

from typing import Any

from .formula import FormulaError, Node
from .functions import FUNCTIONS, Context, to_bool, to_number, to_text


def _compare(a: Any, b: Any) -> int:
    """Sheets ordering: numbers < text < booleans; text compares case-insensitively."""

    def rank(v: Any) -> tuple[int, Any]:
        if v is None:
            return (0, 0.0)
        if isinstance(v, bool):
            return (2, v)
        if isinstance(v, (int, float)):
            return (0, float(v))
        return (1, str(v).lower())

    ra, rb = rank(a), rank(b)
    if a is None and isinstance(b, str):
        ra = (1, "")
    if b is None and isinstance(a, str):
        rb = (1, "")
    return (ra > rb) - (ra < rb)


class Evaluator:
    """Evaluates parsed formula trees against a context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def scalar(self, node: Node) -> Any:
        value = self.eval(node)
        if isinstance(value, list):
            value = value[0][0] if value and value[0] else None
        if isinstance(value, FormulaError):
            raise value
        return value

    def eval(self, node: Node) -> Any:
        kind = node[0]
        if kind in ("num", "str", "bool"):
            return node[1]
        if kind == "empty":
            return None
        if kind == "err":
            raise FormulaError(node[1], "Error in formula.")
        if kind == "ref":
            _, sheet, row, col = node
            return self.ctx.cell(sheet, row, col)
        if kind == "range":
            return self.ctx.cells(*node[1:])
        if kind == "name":
            values = self.ctx.named(node[1])
            if values is None:
                raise FormulaError("#NAME?", f"Unknown range name: '{node[1]}'.")
            return values
        if kind == "array":
            return [[self.scalar(item) for item in row] for row in node[1]]
        if kind == "unop":
            value = to_number(self.scalar(node[2]), self.ctx, "UMINUS")
            return -value if node[1] == "-" else value
        if kind == "pct":
            return to_number(self.scalar(node[1]), self.ctx) / 100
        if kind == "binop":
            return self.binop(node[1], self.scalar(node[2]), self.scalar(node[3]))
        if kind == "call":
            return self.call(node[1], node[2])
        raise FormulaError("#ERROR!", "Formula parse error.")

    def binop(self, op: str, a: Any, b: Any) -> Any:
        ctx = self.ctx
        if op == "&":
            return to_text(a, ctx) + to_text(b, ctx)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            c = _compare(a, b)
            return {"=": c == 0, "<>": c != 0, "<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[
                op
            ]
        names = {"+": "ADD", "-": "MINUS", "*": "MULTIPLY", "/": "DIVIDE", "^": "POW"}
        x, y = to_number(a, ctx, names[op], 1), to_number(b, ctx, names[op], 2)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            if y == 0:
                raise FormulaError("#DIV/0!", "Function DIVIDE parameter 2 cannot be zero.")
            return x / y
        try:
            return float(x**y)
        except (OverflowError, ZeroDivisionError, TypeError) as exc:
            raise FormulaError("#NUM!", "Function POW result is not a number.") from exc

    def call(self, name: str, args: list[Node]) -> Any:
        if name == "IF":
            cond = to_bool(self.scalar(args[0]), self.ctx) if args else False
            if cond:
                return self.scalar(args[1]) if len(args) > 1 else True
            return self.scalar(args[2]) if len(args) > 2 else False
        if name == "IFERROR":
            try:
                return self.scalar(args[0])
            except FormulaError:
                return self.scalar(args[1]) if len(args) > 1 else ""
        if name in ("ISERROR", "ISBLANK", "ISNUMBER", "ISTEXT"):
            try:
                value = self.scalar(args[0])
            except FormulaError:
                return name == "ISERROR"
            return {
                "ISERROR": False,
                "ISBLANK": value is None,
                "ISNUMBER": isinstance(value, float),
                "ISTEXT": isinstance(value, str),
            }[name]
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise FormulaError("#NAME?", f"Unknown function: '{name.lower()}'.")
        values = [self.eval(arg) for arg in args]
        return fn(values, self.ctx)
