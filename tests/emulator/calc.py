"""Effective values, effective number formats and formatted values of cells (formulas are
evaluated on demand, memoised per request, with cycle detection)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .evaluate import Evaluator
from .formula import FormulaError, Node, parse_formula
from .functions import DATE_FUNCTIONS, Scalar
from .locales import Locale, get_locale
from .model import Sheet, Spreadsheet
from .numfmt import DATE_TYPES, format_value


def scalar_of(value: dict[str, Any] | None) -> Scalar:
    """The Python value of a non-formula ExtendedValue."""
    if not value:
        return None
    if "numberValue" in value:
        return float(value["numberValue"])
    if "stringValue" in value:
        return str(value["stringValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "errorValue" in value:
        err = value["errorValue"]
        return FormulaError(err.get("code", "#ERROR!"), err.get("message", ""))
    return None


class _SheetContext:
    """Evaluation context for formulas on one sheet."""

    def __init__(self, calc: Calc, sheet: Sheet) -> None:
        self.calc = calc
        self.sheet = sheet
        self.locale: Locale = calc.locale

    def _sheet(self, title: str | None) -> Sheet:
        if title is None:
            return self.sheet
        found = self.calc.book.sheet_by_title(title)
        if found is None:
            raise FormulaError("#REF!", f"Unresolved sheet name '{title}'.")
        return found

    def cell(self, sheet: str | None, row: int | None, col: int | None) -> Scalar:
        target = self._sheet(sheet)
        if row is None or col is None or row >= target.rows or col >= target.cols:
            raise FormulaError("#REF!", "Reference does not exist.")
        return self.calc.effective(target, row, col)

    def cells(
        self, sheet: str | None, r0: int, c0: int, r1: int | None, c1: int | None
    ) -> list[list[Scalar]]:
        target = self._sheet(sheet)
        r1 = target.rows if r1 is None else min(r1, target.rows)
        c1 = target.cols if c1 is None else min(c1, target.cols)
        return [[self.calc.effective(target, r, c) for c in range(c0, c1)] for r in range(r0, r1)]

    def named(self, name: str) -> list[list[Scalar]] | None:
        for named in self.calc.book.named_ranges:
            if named["name"].lower() == name.lower():
                rng = named["range"]
                target = self.calc.book.sheet_by_id(rng.get("sheetId", 0))
                if target is None:
                    return None
                return _SheetContext(self.calc, target).cells(
                    None,
                    rng.get("startRowIndex", 0),
                    rng.get("startColumnIndex", 0),
                    rng.get("endRowIndex"),
                    rng.get("endColumnIndex"),
                )
        return None

    def now(self) -> dt.datetime:
        return self.calc.local_now()


class Calc:
    """Per-request calculator over one spreadsheet."""

    def __init__(self, book: Spreadsheet, now: dt.datetime | None = None) -> None:
        self.book = book
        self.locale = get_locale(book.props.get("locale"))
        self._now = now or dt.datetime.now(dt.UTC)
        self._cache: dict[tuple[int, int, int], Scalar] = {}
        self._active: set[tuple[int, int, int]] = set()
        self._parsed: dict[str, Node | FormulaError] = {}
        self._fmt_cache: dict[tuple[int, int, int], dict[str, str] | None] = {}
        self._fmt_active: set[tuple[int, int, int]] = set()

    def local_now(self) -> dt.datetime:
        try:
            zone = ZoneInfo(self.book.props.get("timeZone") or "Etc/GMT")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("Etc/GMT")
        return self._now.astimezone(zone).replace(tzinfo=None)

    def parsed(self, formula: str) -> Node | FormulaError:
        if formula not in self._parsed:
            try:
                self._parsed[formula] = parse_formula(formula)
            except FormulaError as err:
                self._parsed[formula] = err
            except (RecursionError, ValueError):
                self._parsed[formula] = FormulaError("#ERROR!", "Formula parse error.")
        return self._parsed[formula]

    def effective(self, sheet: Sheet, row: int, col: int) -> Scalar:
        value = sheet.get(row, col).value
        if not value:
            return None
        if "formulaValue" not in value:
            return scalar_of(value)
        key = (sheet.sheet_id, row, col)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return FormulaError(
                "#REF!",
                "Circular dependency detected. To resolve with "
                "iterative calculation, see File > Settings.",
            )
        self._active.add(key)
        try:
            node = self.parsed(value["formulaValue"])
            if isinstance(node, FormulaError):
                result: Scalar = node
            else:
                try:
                    result = Evaluator(_SheetContext(self, sheet)).scalar(node)
                except FormulaError as err:
                    result = err
                except (ArithmeticError, ValueError, TypeError, IndexError, RecursionError):
                    result = FormulaError("#VALUE!", "Error evaluating formula.")
            if isinstance(result, int) and not isinstance(result, bool):
                result = float(result)
        finally:
            self._active.discard(key)
        self._cache[key] = result
        return result

    def number_format(self, sheet: Sheet, row: int, col: int) -> dict[str, str] | None:
        """The effective number format: the user-entered one, else one inferred from the
        formula (dates from DATE/TODAY/NOW, or the format of a referenced date cell)."""
        cell = sheet.get(row, col)
        fmt = (cell.format or {}).get("numberFormat")
        if fmt:
            return dict(fmt)
        formula = (cell.value or {}).get("formulaValue")
        if not formula:
            return None
        node = self.parsed(formula)
        key = (sheet.sheet_id, row, col)
        if isinstance(node, FormulaError) or key in self._fmt_active:
            return None
        if key not in self._fmt_cache:
            self._fmt_active.add(key)
            try:
                self._fmt_cache[key] = self._infer(node, sheet, 0)
            finally:
                self._fmt_active.discard(key)
        found = self._fmt_cache[key]
        return dict(found) if found else None

    def _infer(self, node: Node, sheet: Sheet, depth: int) -> dict[str, str] | None:
        if depth > 20:
            return None
        kind = node[0]
        if kind == "call" and node[1] in DATE_FUNCTIONS:
            return {"type": DATE_FUNCTIONS[node[1]]}
        if kind == "ref" and node[2] is not None and node[3] is not None:
            target = self.book.sheet_by_title(node[1]) if node[1] else sheet
            if target is None:
                return None
            fmt = self.number_format(target, node[2], node[3])
            return fmt if fmt and fmt.get("type") in DATE_TYPES else None
        if kind == "binop" and node[1] in "+-":
            return self._infer(node[2], sheet, depth + 1) or self._infer(node[3], sheet, depth + 1)
        if kind == "call" and node[1] in ("IF", "IFERROR", "MIN", "MAX") and node[2]:
            for arg in node[2][1:] if node[1] == "IF" else node[2]:
                found = self._infer(arg, sheet, depth + 1)
                if found:
                    return found
        return None

    def formatted(self, sheet: Sheet, row: int, col: int) -> str | None:
        value = self.effective(sheet, row, col)
        return self.format_scalar(value, self.number_format(sheet, row, col))

    def format_scalar(self, value: Scalar, number_format: dict[str, str] | None) -> str | None:
        if value is None:
            return None
        if isinstance(value, FormulaError):
            return value.code
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float):
            return format_value(value, number_format, self.locale)
        return value

    def render(self, sheet: Sheet, row: int, col: int, value_render: str, date_render: str) -> Any:
        """A cell as the values API returns it; None for an empty cell."""
        if value_render == "FORMATTED_VALUE":
            return self.formatted(sheet, row, col)
        raw = sheet.get(row, col).value or {}
        if value_render == "FORMULA" and "formulaValue" in raw:
            return raw["formulaValue"]
        value = self.effective(sheet, row, col)
        if isinstance(value, FormulaError):
            return value.code
        if isinstance(value, float) and date_render == "FORMATTED_STRING":
            fmt = self.number_format(sheet, row, col)
            if fmt and fmt.get("type") in DATE_TYPES:
                return self.format_scalar(value, fmt)
        return value

    def effective_value_json(self, sheet: Sheet, row: int, col: int) -> dict[str, Any] | None:
        value = self.effective(sheet, row, col)
        if value is None:
            return None
        if isinstance(value, FormulaError):
            return {"errorValue": {"type": value.type, "message": value.message}}
        if isinstance(value, bool):
            return {"boolValue": value}
        if isinstance(value, float):
            return {"numberValue": value}
        return {"stringValue": value}
