"""How the workbook backend lays a tab out: headers, widths, frozen rows, dropdowns, highlight
rules, the KPIs chart and bold title rows. A team's own styling is kept; only what the service
adds or owns is styled."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.chart import LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.sheets.backend import ChartSpec, TabLayout

LAST_ROW = 1_048_576
SERVICE_HEADER_FILL = "E8EEF7"


def apply_tab_layout(sheet: Worksheet, layout: TabLayout) -> int:
    changes = 0
    if layout.frozen_rows and _frozen_rows(sheet) < layout.frozen_rows:
        # Freeze the header; a team's own wider freeze (more rows or columns) is kept.
        sheet.freeze_panes = f"A{layout.frozen_rows + 1}"
        changes += 1
    existing_validations = {
        (str(dv.sqref), dv.formula1) for dv in sheet.data_validations.dataValidation
    }
    for column in layout.columns:
        letter = get_column_letter(column.index)
        header = writable(sheet, 1, column.index)
        dimension = sheet.column_dimensions[letter]
        added = header.value in (None, "")
        if added:
            header.value = column.header
            if column.width:
                dimension.width = column.width  # a column we add gets a readable width
            changes += 1
        # Only headers the service wrote or owns are styled; a team's own styling is kept.
        styled = added or column.protected
        if styled and layout.bold_header and not (header.font and header.font.b):
            header.font = _bold(header.font)
            changes += 1
        if column.protected and _fill_hex(header) != SERVICE_HEADER_FILL:
            header.fill = PatternFill("solid", start_color=SERVICE_HEADER_FILL)
            changes += 1
        if column.note and header.comment is None:
            header.comment = Comment(column.note, "After-sales Desk")
            changes += 1
        if column.hidden and not dimension.hidden:
            dimension.hidden = True  # only ever hides our own helper column; never unhides
            changes += 1
        if column.choices:
            sqref = f"{letter}2:{letter}{LAST_ROW}"
            formula = '"' + ",".join(column.choices) + '"'
            if (sqref, formula) not in existing_validations and len(formula) <= 255:
                # The list laid out before on this very range (the other team language's
                # words): replaced, not stacked under the new one.
                for stale in [
                    dv
                    for dv in sheet.data_validations.dataValidation
                    if str(dv.sqref) == sqref and dv.type == "list"
                ]:
                    sheet.data_validations.dataValidation.remove(stale)
                validation = DataValidation(
                    type="list",
                    formula1=formula,
                    allow_blank=True,
                    showErrorMessage=column.strict_choices,
                    errorStyle="warning",
                    error=f"Pick one of: {', '.join(column.choices)}",
                )
                validation.add(sqref)
                sheet.add_data_validation(validation)
                changes += 1
    if layout.highlights and layout.last_column:
        area = f"A2:{get_column_letter(layout.last_column)}{LAST_ROW}"
        present = {
            (str(cf.sqref), tuple(rule.formula or ()))
            for cf in sheet.conditional_formatting
            for rule in cf.rules
        }
        for rule in layout.highlights:
            if (area, (rule.formula,)) in present:
                continue
            font = Font(color=rule.font) if rule.font else None
            fill = PatternFill("solid", start_color=rule.fill, end_color=rule.fill)
            sheet.conditional_formatting.add(
                area, FormulaRule(formula=[rule.formula], fill=fill, font=font, stopIfTrue=True)
            )
            changes += 1
    return changes


def attach_charts(sheet: Worksheet, charts: tuple[ChartSpec, ...]) -> None:
    sheet._charts = []  # openpyxl keeps no charts from the file; ours are drawn anew
    for spec in charts:
        chart = LineChart()
        chart.title = spec.title
        chart.height, chart.width = 8, 18
        for header_row, last_row, col in spec.series:
            if last_row > header_row:
                data = Reference(sheet, min_col=col, min_row=header_row, max_row=last_row)
                chart.add_data(data, titles_from_data=True)
        first, last, col = spec.categories
        if last >= first:
            chart.set_categories(Reference(sheet, min_col=col, min_row=first, max_row=last))
        sheet.add_chart(chart, f"{get_column_letter(spec.anchor[1])}{spec.anchor[0]}")


def embolden(sheet: Worksheet, rows: tuple[int, ...]) -> None:
    for row in rows:
        for cell in sheet[row]:
            if cell.value not in (None, "") and not (cell.font and cell.font.b):
                cell.font = _bold(cell.font)


def _bold(font: Any) -> Font:
    """The same font, bold: colour, size and style the team chose are kept."""
    return Font(
        name=font.name,
        size=font.size,
        italic=font.i,
        underline=font.u,
        strike=font.strike,
        color=font.color,
        bold=True,
    )


def _frozen_rows(sheet: Worksheet) -> int:
    """How many top rows the sheet's freeze panes hold (0 when nothing is frozen)."""
    panes = sheet.freeze_panes
    if not panes:
        return 0
    return int("".join(ch for ch in str(panes) if ch.isdigit()) or "1") - 1


def _fill_hex(cell: Any) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid" or fill.start_color is None:
        return None
    rgb = fill.start_color.rgb
    return rgb[-6:] if isinstance(rgb, str) else None


def writable(sheet: Worksheet, row: int, col: int) -> Any:
    """The cell at (row, col), unmerged first when a merged range covers it."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        for merged in list(sheet.merged_cells.ranges):
            if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
                sheet.unmerge_cells(merged.coord)
        cell = sheet.cell(row=row, column=col)
    return cell
