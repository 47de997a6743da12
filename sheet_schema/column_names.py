"""A column's name as a team reads it in a message: its header, or for a Chinese team its
Chinese header (the first Chinese alias in schema.yaml: 入库日期 for Window Start). Pure."""

from __future__ import annotations

import re

from sheet_schema.models import ColumnSpec

_CJK = re.compile(r"[\u3400-\u9fff]")


def column_name(spec: ColumnSpec, language: str) -> str:
    """'Window Start' for an English team, '入库日期' for a Chinese one (the header when the
    schema knows no Chinese name)."""
    if language == "zh":
        chinese = next((alias for alias in spec.aliases if _CJK.search(alias)), None)
        if chinese is not None:
            return chinese
    return spec.header
