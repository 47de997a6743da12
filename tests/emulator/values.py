"""spreadsheets.values.*: get / batchGet / update / batchUpdate / append / clear / batchClear."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .a1 import Bounds, cell_a1, col_letters, format_range
from .access import ensure_editable
from .calc import Calc
from .errors import CELL_TOO_LONG, MAX_CELL_CHARS, ApiError, bad_request
from .model import Cell, Sheet
from .parsing import parse_user_entered
from .ranges import check_within_grid, grid_error, resolve_a1

Params = dict[str, list[str]]

RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")


def param(params: Params, name: str, default: str | None = None) -> str | None:
    values = params.get(name)
    return values[-1] if values else default


def flag(params: Params, name: str) -> bool:
    return (param(params, name, "false") or "").lower() == "true"


def major_of(value: str | None) -> str:
    return "COLUMNS" if value == "COLUMNS" else "ROWS"


def read_matrix(
    calc: Calc,
    sheet: Sheet,
    bounds: Bounds,
    major: str,
    value_render: str,
    date_render: str,
) -> list[list[Any]]:
    """Rendered values of a bounded range, trailing empty rows/columns trimmed."""
    assert bounds.end_row is not None and bounds.end_col is not None
    found: dict[int, dict[int, Any]] = {}
    for r, row in sheet.cells.items():
        if not bounds.start_row <= r < bounds.end_row:
            continue
        for c, cell in row.items():
            if bounds.start_col <= c < bounds.end_col and cell.value:
                value = calc.render(sheet, r, c, value_render, date_render)
                if value is not None and value != "":
                    outer, inner = (r, c) if major == "ROWS" else (c, r)
                    found.setdefault(outer, {})[inner] = value
    if not found:
        return []
    first_outer = bounds.start_row if major == "ROWS" else bounds.start_col
    first_inner = bounds.start_col if major == "ROWS" else bounds.start_row
    matrix: list[list[Any]] = []
    for outer in range(first_outer, max(found) + 1):
        line = found.get(outer, {})
        if not line:
            matrix.append([])
            continue
        matrix.append([line.get(i, "") for i in range(first_inner, max(line) + 1)])
    return matrix


def _read_options(params: Params) -> tuple[str, str, str]:
    value_render = param(params, "valueRenderOption", "FORMATTED_VALUE") or "FORMATTED_VALUE"
    date_render = param(params, "dateTimeRenderOption", "SERIAL_NUMBER") or "SERIAL_NUMBER"
    return value_render, date_render, major_of(param(params, "majorDimension"))


def value_range(
    calc: Calc, sheet: Sheet, bounds: Bounds, major: str, value_render: str, date_render: str
) -> dict[str, Any]:
    clipped = bounds.clip(sheet.rows, sheet.cols)
    assert clipped.end_row is not None and clipped.end_col is not None
    end_row = max(clipped.end_row, clipped.start_row + 1)
    end_col = max(clipped.end_col, clipped.start_col + 1)
    out: dict[str, Any] = {
        "range": format_range(sheet.title, clipped.start_row, clipped.start_col, end_row, end_col),
        "majorDimension": major,
    }
    matrix = read_matrix(calc, sheet, clipped, major, value_render, date_render)
    if matrix:
        out["values"] = matrix
    return out


def values_get(calc: Calc, range_text: str, params: Params) -> dict[str, Any]:
    sheet, bounds = resolve_a1(calc.book, range_text)
    check_within_grid(sheet, bounds, range_text)
    value_render, date_render, major = _read_options(params)
    return value_range(calc, sheet, bounds, major, value_render, date_render)


def values_batch_get(calc: Calc, params: Params) -> dict[str, Any]:
    value_render, date_render, major = _read_options(params)
    ranges = []
    for text in params.get("ranges", []):
        sheet, bounds = resolve_a1(calc.book, text)
        check_within_grid(sheet, bounds, text)
        ranges.append(value_range(calc, sheet, bounds, major, value_render, date_render))
    out: dict[str, Any] = {"spreadsheetId": calc.book.id}
    if ranges:
        out["valueRanges"] = ranges
    return out


@dataclass
class WriteResult:
    sheet: Sheet
    start_row: int
    start_col: int
    end_row: int = 0
    end_col: int = 0
    rows: set[int] = field(default_factory=set)
    cols: set[int] = field(default_factory=set)
    cells: int = 0

    def response(self, spreadsheet_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if self.end_row > self.start_row:
            out["updatedRange"] = format_range(
                self.sheet.title, self.start_row, self.start_col, self.end_row, self.end_col
            )
        if self.cells:
            out["updatedRows"] = len(self.rows)
            out["updatedColumns"] = len(self.cols)
            out["updatedCells"] = self.cells
        return out


def stored_value(
    raw: Any, input_option: str, cell: Cell, calc: Calc, path: str
) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
    """userEnteredValue (None clears) and the number format USER_ENTERED input implies."""
    if isinstance(raw, (list, dict)):
        raise bad_request(
            f"Invalid value at '{path}' (type.googleapis.com/google.protobuf.ListValue), {raw!r}",
            path,
        )
    if raw == "":
        return None, None
    if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
        raise bad_request(CELL_TOO_LONG)
    if input_option == "RAW":
        if isinstance(raw, bool):
            return {"boolValue": raw}, None
        if isinstance(raw, (int, float)):
            return {"numberValue": float(raw)}, None
        return {"stringValue": str(raw)}, None
    number_format = (cell.format or {}).get("numberFormat") or {}
    if isinstance(raw, str) and number_format.get("type") == "TEXT":
        return {"stringValue": raw}, None
    parsed = parse_user_entered(raw, calc.locale, calc.local_now().date())
    if parsed.kind == "formula":
        return {"formulaValue": parsed.value}, None
    if parsed.kind == "number":
        return {"numberValue": parsed.value}, parsed.number_format
    if parsed.kind == "bool":
        return {"boolValue": parsed.value}, None
    return {"stringValue": parsed.value}, None


def write_matrix(
    calc: Calc,
    sheet: Sheet,
    bounds: Bounds,
    values: Any,
    major: str,
    input_option: str,
    email: str | None,
    range_text: str,
    path: str = "data.values",
) -> WriteResult:
    """Write a values matrix at the top-left of bounds; nulls leave cells untouched."""
    if values is None:
        values = []
    if not isinstance(values, list) or any(
        row is not None and not isinstance(row, list) for row in values
    ):
        raise bad_request(
            f"Invalid value at '{path}' (type.googleapis.com/google.protobuf.ListValue), "
            f"{json_repr(values)}",
            path,
        )
    if bounds.end_row == bounds.start_row + 1 and bounds.end_col == bounds.start_col + 1:
        bounds = Bounds(bounds.start_row, bounds.start_col, None, None)  # a start cell
    result = WriteResult(sheet, bounds.start_row, bounds.start_col)
    width = max((len(row) for row in values if row), default=0)
    height = len(values)
    if height and width:
        rows_n, cols_n = (height, width) if major == "ROWS" else (width, height)
        result.end_row, result.end_col = bounds.start_row + rows_n, bounds.start_col + cols_n
    writes: list[tuple[int, int, Any]] = []
    for i, row in enumerate(values):
        for j, raw in enumerate(row or []):
            if raw is None:
                continue
            r, c = (bounds.start_row + i, bounds.start_col + j)
            if major == "COLUMNS":
                r, c = bounds.start_row + j, bounds.start_col + i
            if bounds.end_row is not None and r >= bounds.end_row:
                raise bad_request(
                    f"Requested writing within range [{range_text}], but tried writing to row "
                    f"[{r + 1}]"
                )
            if bounds.end_col is not None and c >= bounds.end_col:
                raise bad_request(
                    f"Requested writing within range [{range_text}], but tried writing to "
                    f"column [{col_letters(c)}]"
                )
            writes.append((r, c, raw))
    if writes:
        max_r = max(r for r, _, _ in writes)
        max_c = max(c for _, c, _ in writes)
        if max_r >= sheet.rows or max_c >= sheet.cols:
            first = cell_a1(bounds.start_row, bounds.start_col)
            last = cell_a1(max_r, max_c)
            raise grid_error(sheet, first if first == last else f"{first}:{last}")
    ensure_editable(calc.book, sheet, ((r, c) for r, c, _ in writes), email)
    for r, c, raw in writes:
        cell = sheet.get(r, c)
        value, number_format = stored_value(raw, input_option, cell, calc, path)
        fmt = cell.format
        if number_format and not (fmt or {}).get("numberFormat"):
            fmt = {**(fmt or {}), "numberFormat": number_format}
        sheet.put(r, c, cell.with_(value=value, format=fmt))
        result.rows.add(r)
        result.cols.add(c)
        result.cells += 1
    return result


def json_repr(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def input_option_of(params: Params, body_value: str | None = None) -> str:
    option = body_value or param(params, "valueInputOption")
    if not option or option == "INPUT_VALUE_OPTION_UNSPECIFIED":
        raise bad_request("'valueInputOption' is required but not specified")
    return option


def add_updated_data(calc: Calc, result: WriteResult, out: dict[str, Any], params: Params) -> None:
    if not flag(params, "includeValuesInResponse"):
        return
    value_render = param(params, "responseValueRenderOption", "FORMATTED_VALUE") or ""
    date_render = param(params, "responseDateTimeRenderOption", "SERIAL_NUMBER") or ""
    bounds = Bounds(
        result.start_row,
        result.start_col,
        max(result.end_row, result.start_row + 1),
        max(result.end_col, result.start_col + 1),
    )
    out["updatedData"] = value_range(calc, result.sheet, bounds, "ROWS", value_render, date_render)


def values_update(
    calc: Calc, range_text: str, body: dict[str, Any], params: Params, email: str | None
) -> dict[str, Any]:
    option = input_option_of(params)
    sheet, bounds = resolve_a1(calc.book, range_text)
    if body.get("range") and resolve_a1(calc.book, body["range"]) != (sheet, bounds):
        raise bad_request(
            f"Requested writing within range [{range_text}], but the request body specified "
            f"range [{body['range']}]"
        )
    major = major_of(body.get("majorDimension"))
    result = write_matrix(calc, sheet, bounds, body.get("values"), major, option, email, range_text)
    out = result.response(calc.book.id)
    add_updated_data(calc, result, out, params)
    return out


def values_batch_update(calc: Calc, body: dict[str, Any], email: str | None) -> dict[str, Any]:
    option = input_option_of({}, body.get("valueInputOption"))
    responses, rows, cols, sheets, cells = [], set(), set(), set(), 0
    for i, item in enumerate(body.get("data") or []):
        sheet, bounds = resolve_a1(calc.book, item.get("range", ""))
        major = major_of(item.get("majorDimension"))
        result = write_matrix(
            calc,
            sheet,
            bounds,
            item.get("values"),
            major,
            option,
            email,
            item.get("range", ""),
            f"data[{i}].values",
        )
        response = result.response(calc.book.id)
        if body.get("includeValuesInResponse"):
            params = {
                "includeValuesInResponse": ["true"],
                "responseValueRenderOption": [
                    body.get("responseValueRenderOption") or "FORMATTED_VALUE"
                ],
                "responseDateTimeRenderOption": [
                    body.get("responseDateTimeRenderOption") or "SERIAL_NUMBER"
                ],
            }
            add_updated_data(calc, result, response, params)
        responses.append(response)
        rows |= {(sheet.sheet_id, r) for r in result.rows}
        cols |= {(sheet.sheet_id, c) for c in result.cols}
        cells += result.cells
        if result.cells:
            sheets.add(sheet.sheet_id)
    out: dict[str, Any] = {"spreadsheetId": calc.book.id}
    if cells:
        out.update(
            totalUpdatedRows=len(rows),
            totalUpdatedColumns=len(cols),
            totalUpdatedCells=cells,
            totalUpdatedSheets=len(sheets),
        )
    if responses:
        out["responses"] = responses
    return out


def clear_bounds(calc: Calc, sheet: Sheet, bounds: Bounds, email: str | None) -> str:
    clipped = bounds.clip(sheet.rows, sheet.cols)
    assert clipped.end_row is not None and clipped.end_col is not None
    targets = [
        (r, c)
        for r, row in sheet.cells.items()
        if clipped.start_row <= r < clipped.end_row
        for c, cell in row.items()
        if clipped.start_col <= c < clipped.end_col and cell.value
    ]
    ensure_editable(calc.book, sheet, targets, email)
    for r, c in targets:
        sheet.put(r, c, sheet.get(r, c).with_(value=None))
    end_row = max(clipped.end_row, clipped.start_row + 1)
    end_col = max(clipped.end_col, clipped.start_col + 1)
    return format_range(sheet.title, clipped.start_row, clipped.start_col, end_row, end_col)


def values_clear(calc: Calc, range_text: str, email: str | None) -> dict[str, Any]:
    sheet, bounds = resolve_a1(calc.book, range_text)
    check_within_grid(sheet, bounds, range_text)
    return {"spreadsheetId": calc.book.id, "clearedRange": clear_bounds(calc, sheet, bounds, email)}


def values_batch_clear(calc: Calc, body: dict[str, Any], email: str | None) -> dict[str, Any]:
    cleared = []
    for text in body.get("ranges") or []:
        sheet, bounds = resolve_a1(calc.book, text)
        check_within_grid(sheet, bounds, text)
        cleared.append(clear_bounds(calc, sheet, bounds, email))
    out: dict[str, Any] = {"spreadsheetId": calc.book.id}
    if cleared:
        out["clearedRanges"] = cleared
    return out


def check_render_options(params: Params) -> None:
    for name, allowed, enum in (
        ("valueRenderOption", RENDER_OPTIONS, "ValueRenderOption"),
        ("responseValueRenderOption", RENDER_OPTIONS, "ValueRenderOption"),
        ("dateTimeRenderOption", DATE_RENDER_OPTIONS, "DateTimeRenderOption"),
        ("responseDateTimeRenderOption", DATE_RENDER_OPTIONS, "DateTimeRenderOption"),
    ):
        value = param(params, name)
        if value is not None and value not in allowed:
            snake = "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)
            raise ApiError(
                400,
                f"Invalid value at '{snake}' (type.googleapis.com/google.apps.sheets.v4.{enum}), "
                f'"{value}"',
            )
