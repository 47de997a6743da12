"""The formula function library and the value coercions it shares with the evaluator."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any, Protocol

from .formula import FormulaError
from .locales import Locale
from .numfmt import format_general, from_serial, to_serial
from .parsing import parse_number

Scalar = float | str | bool | FormulaError | None


class Context(Protocol):
    locale: Locale

    def cell(self, sheet: str | None, row: int, col: int) -> Scalar: ...

    def cells(
        self, sheet: str | None, r0: int, c0: int, r1: int | None, c1: int | None
    ) -> list[list[Scalar]]: ...

    def named(self, name: str) -> list[list[Scalar]] | None: ...

    def now(self) -> dt.datetime: ...


def _value_error(message: str) -> FormulaError:
    return FormulaError("#VALUE!", message)


def to_number(value: Any, ctx: Context, fn: str = "ADD", pos: int = 1) -> float:
    if isinstance(value, FormulaError):
        raise value
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    parsed = parse_number(str(value).strip(), ctx.locale)
    if parsed is None:
        raise _value_error(
            f"Function {fn} parameter {pos} expects number values. But '{value}' is a text "
            "and cannot be coerced to a number."
        )
    return parsed[0]


def to_text(value: Any, ctx: Context) -> str:
    if isinstance(value, FormulaError):
        raise value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format_general(value, ctx.locale)
    return str(value)


def to_bool(value: Any, ctx: Context) -> bool:
    if isinstance(value, FormulaError):
        raise value
    if isinstance(value, str):
        if value.upper() in ("TRUE", "FALSE"):
            return value.upper() == "TRUE"
        if value == "":
            return False
        raise _value_error(
            f"Function IF parameter 1 expects boolean values. But '{value}' is a text."
        )
    return bool(value)


def flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            for row in value:
                out.extend(row)
        else:
            out.append(value)
    return out


def numbers(args: list[Any], ctx: Context) -> list[float]:
    """Numbers of ranges (text and blanks ignored) plus direct arguments (coerced)."""
    out: list[float] = []
    for arg in args:
        if isinstance(arg, list):
            for value in flatten([arg]):
                if isinstance(value, FormulaError):
                    raise value
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    out.append(float(value))
        else:
            out.append(to_number(arg, ctx))
    return out


def _round(values: list[Any], ctx: Context, mode: str) -> float:
    number = to_number(values[0], ctx, "ROUND")
    places = int(to_number(values[1], ctx, "ROUND", 2)) if len(values) > 1 else 0
    factor = 10.0**places
    if mode == "up":
        return math.copysign(math.ceil(abs(number) * factor - 1e-9) / factor, number)
    if mode == "down":
        return math.copysign(math.floor(abs(number) * factor + 1e-9) / factor, number)
    return math.copysign(math.floor(abs(number) * factor + 0.5) / factor, number)


def _date(values: list[Any], ctx: Context) -> float:
    year, month, day = (int(to_number(v, ctx, "DATE", i + 1)) for i, v in enumerate(values[:3]))
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return to_serial(dt.date(year, month, 1)) + day - 1


def _count(values: list[Any], blanks: bool) -> float:
    total = 0
    for value in flatten(values):
        if blanks:
            total += value is not None and value != ""
        else:
            total += isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(total)


def _arg(values: list[Any], index: int) -> Any:
    """A scalar argument (the top-left value of a range)."""
    value = values[index]
    if isinstance(value, list):
        value = value[0][0] if value and value[0] else None
    if isinstance(value, FormulaError):
        raise value
    return value


def _text(values: list[Any], ctx: Context, index: int = 0) -> str:
    return to_text(_arg(values, index), ctx)


def _num(values: list[Any], ctx: Context, index: int, fn: str) -> float:
    return to_number(_arg(values, index), ctx, fn, index + 1)


def _average(values: list[Any], ctx: Context) -> float:
    found = numbers(values, ctx)
    if not found:
        raise FormulaError(
            "#DIV/0!", "Evaluation of function AVERAGE caused a divide by zero error."
        )
    return sum(found) / len(found)


def _mod(values: list[Any], ctx: Context) -> float:
    divisor = _num(values, ctx, 1, "MOD")
    if divisor == 0:
        raise FormulaError("#DIV/0!", "Function MOD parameter 2 cannot be zero.")
    return _num(values, ctx, 0, "MOD") % divisor


def _left(values: list[Any], ctx: Context) -> str:
    count = int(_num(values, ctx, 1, "LEFT")) if len(values) > 1 else 1
    return _text(values, ctx)[:count]


def _right(values: list[Any], ctx: Context) -> str:
    count = int(_num(values, ctx, 1, "RIGHT")) if len(values) > 1 else 1
    return _text(values, ctx)[-count:] if count else ""


def _mid(values: list[Any], ctx: Context) -> str:
    start = int(_num(values, ctx, 1, "MID")) - 1
    return _text(values, ctx)[start : start + int(_num(values, ctx, 2, "MID"))]


def _not_available(values: list[Any], ctx: Context) -> Any:
    raise FormulaError("#N/A", "Value not available.")


def _date_part(part: str) -> Callable[[list[Any], Context], float]:
    def get(values: list[Any], ctx: Context) -> float:
        return float(getattr(from_serial(_num(values, ctx, 0, part.upper())), part))

    return get


FUNCTIONS: dict[str, Callable[[list[Any], Context], Any]] = {
    "SUM": lambda v, c: float(sum(numbers(v, c))),
    "AVERAGE": _average,
    "MIN": lambda v, c: min(numbers(v, c), default=0.0),
    "MAX": lambda v, c: max(numbers(v, c), default=0.0),
    "COUNT": lambda v, c: _count(v, blanks=False),
    "COUNTA": lambda v, c: _count(v, blanks=True),
    "AND": lambda v, c: all(to_bool(x, c) for x in flatten(v) if x is not None),
    "OR": lambda v, c: any(to_bool(x, c) for x in flatten(v) if x is not None),
    "NOT": lambda v, c: not to_bool(_arg(v, 0), c),
    "ABS": lambda v, c: abs(_num(v, c, 0, "ABS")),
    "INT": lambda v, c: float(math.floor(_num(v, c, 0, "INT"))),
    "MOD": _mod,
    "ROUND": lambda v, c: _round(v, c, "half"),
    "ROUNDUP": lambda v, c: _round(v, c, "up"),
    "ROUNDDOWN": lambda v, c: _round(v, c, "down"),
    "POWER": lambda v, c: _num(v, c, 0, "POWER") ** _num(v, c, 1, "POWER"),
    "SQRT": lambda v, c: math.sqrt(_num(v, c, 0, "SQRT")),
    "CONCATENATE": lambda v, c: "".join(to_text(x, c) for x in flatten(v)),
    "CONCAT": lambda v, c: _text(v, c, 0) + _text(v, c, 1),
    "LEN": lambda v, c: float(len(_text(v, c))),
    "UPPER": lambda v, c: _text(v, c).upper(),
    "LOWER": lambda v, c: _text(v, c).lower(),
    "TRIM": lambda v, c: " ".join(_text(v, c).split()),
    "LEFT": _left,
    "RIGHT": _right,
    "MID": _mid,
    "VALUE": lambda v, c: _num(v, c, 0, "VALUE"),
    "DATE": _date,
    "TODAY": lambda v, c: float(to_serial(c.now().date())),
    "NOW": lambda v, c: to_serial(c.now().replace(tzinfo=None)),
    "YEAR": _date_part("year"),
    "MONTH": _date_part("month"),
    "DAY": _date_part("day"),
    "NA": _not_available,
}

DATE_FUNCTIONS = {"DATE": "DATE", "TODAY": "DATE", "NOW": "DATE_TIME"}
