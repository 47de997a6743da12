"""Typed, forgiving parsing of cell values, with a named problem for anything unusable.

Values arrive as the backends give them: Google's unformatted values (numbers, with dates as
serial numbers), openpyxl's Python values (datetimes for date-formatted cells), or text that a
person typed. Parsing is forgiving where there is only one sensible reading and strict where a
guess could be wrong (03/10/2025 is March or October: a finding unless the sheet says which).
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

from sheet_schema.column_names import column_name
from sheet_schema.messages import LANGUAGES, text
from sheet_schema.models import ColumnSpec, ColumnType, header_key
from sheet_schema.vocabulary import UNKNOWN_WORD, Vocabulary, Words, shipped_vocabulary

SERIAL_EPOCH = datetime(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 2000, 2100

ParsedValue = str | int | float | bool | date | datetime | None


class DateOrder(enum.StrEnum):
    """How the sheet's locale orders day and month in slashed dates."""

    UNKNOWN = "unknown"
    DMY = "DMY"
    MDY = "MDY"


@dataclass(frozen=True, slots=True)
class CellProblem:
    """What is wrong with a cell, as the words that follow its column and value: in English
    and in Chinese, both from the catalogue (parse.yaml)."""

    code: str
    message: str
    message_zh: str = ""

    def text(self, language: str) -> str:
        """The message in the team's language."""
        return self.message_zh if language == "zh" and self.message_zh else self.message


def cell_problem(code: str, key: str, /, **params: object) -> CellProblem:
    """A problem whose message is the catalogue's `key`, filled in, in every language."""
    return CellProblem(code, text(key, "en", **params), text(key, "zh", **params))


@dataclass(frozen=True, slots=True)
class ParseContext:
    tz: tzinfo = UTC
    date_order: DateOrder = DateOrder.UNKNOWN
    # The shipped vocabulary with the sheet's Vocabulary tab laid over it (None: shipped only).
    words: Vocabulary | None = None

    def vocabulary(self, name: str | None) -> Words | None:
        return (self.words or shipped_vocabulary()).get(name)


# A value, not frozen: one is made per cell parsed (130,000 at a 10,000-case first fill), and a
# frozen dataclass sets its fields through object.__setattr__ (twice the time to build).
@dataclass(slots=True, unsafe_hash=True)
class Parsed:
    value: ParsedValue
    problem: CellProblem | None = None


EMPTY = Parsed(None)

_TRUE = {"yes", "y", "true", "1", "是", "有", "✓", "✔", "x"}
_FALSE = {"no", "n", "false", "0", "否", "无", "没有", "✗"}

_YMD = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_SLASHED = re.compile(
    r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)


# Control characters no spreadsheet shows (and PostgreSQL text cannot hold: NUL). Values are
# read without them, so a case id is the same wherever it is stored, and a cell holding nothing
# else is blank. (The same characters `app.sheets.backend.storable` leaves out when writing.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control(text: str) -> str:
    """The text without invisible control characters (tabs and line breaks are kept)."""
    return text if text.isprintable() else _CONTROL.sub("", text)


def is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if not isinstance(raw, str):
        return False
    text = raw.strip()
    return not text or (text[0] < " " and not strip_control(text).strip())


def parse_cell(spec: ColumnSpec, raw: object, ctx: ParseContext) -> Parsed:
    """Parse one raw cell value according to its column's type."""
    if is_blank(raw):
        return EMPTY
    match spec.type:
        case ColumnType.TEXT | ColumnType.ID:
            text = _as_text(raw)
            if spec.max_length is not None and len(text) > spec.max_length:
                return Parsed(None, _too_long(spec.max_length))
            return Parsed(text)
        case ColumnType.CHOICE:
            return _parse_choice(spec, raw, ctx)
        case ColumnType.DATE:
            return _parse_temporal(raw, ctx, want_datetime=False)
        case ColumnType.DATETIME:
            return _parse_temporal(raw, ctx, want_datetime=True)
        case ColumnType.DATE_OR_DATETIME:
            return _parse_date_or_datetime(raw, ctx)
        case ColumnType.BOOL:
            return _parse_bool(spec, raw, ctx)
        case ColumnType.NUMBER:
            return _parse_number(spec, raw, integer=False)
        case ColumnType.INTEGER:
            return _parse_number(spec, raw, integer=True)
    raise AssertionError(f"unhandled column type {spec.type}")  # pragma: no cover


def _too_long(limit: int) -> CellProblem:
    return cell_problem("cell.too_long", "parse.too_long", limit=limit)


def _as_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # an order number typed as 12345 is text, not "12345.0"
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    return strip_control(str(raw)).strip()


def _parse_choice(spec: ColumnSpec, raw: object, ctx: ParseContext) -> Parsed:
    text = _as_text(raw)
    words = ctx.vocabulary(spec.vocabulary)
    if words is not None:
        canonical = words.match(text)
        if canonical is not None:
            return Parsed(canonical)
        if spec.free_choice:
            return Parsed(text)
        return Parsed(None, _unknown_word(words, text, spec))
    choice = spec.choice_by_key.get(header_key(text))
    if choice is not None:
        return Parsed(choice)
    if spec.free_choice:
        return Parsed(text)
    allowed = ", ".join(spec.choices)
    return Parsed(None, cell_problem("cell.not_a_choice", "parse.not_a_choice", allowed=allowed))


def _unknown_word(words: Words, typed: str, spec: ColumnSpec) -> CellProblem:
    en, zh = (words.unknown_message(typed, column_name(spec, lang), lang) for lang in LANGUAGES)
    return CellProblem(UNKNOWN_WORD, en, zh)


def _parse_bool(spec: ColumnSpec, raw: object, ctx: ParseContext) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(raw)
    if isinstance(raw, int | float) and raw in (0, 1):
        return Parsed(bool(raw))
    words = ctx.vocabulary(spec.vocabulary)
    if words is not None:
        meaning = words.match(_as_text(raw))
        if meaning is not None:
            return Parsed(meaning == words.canonical[0])  # "Yes" comes first
    text = _as_text(raw).casefold()
    if text in _TRUE:
        return Parsed(True)
    if text in _FALSE:
        return Parsed(False)
    if spec.evidence and _is_evidence(raw, ctx):
        return Parsed(True)  # a link, a file name or a date: the evidence is there
    if spec.evidence:
        return Parsed(
            None,
            cell_problem("cell.not_yes_no", "parse.not_yes_no_evidence"),
        )
    return Parsed(None, cell_problem("cell.not_yes_no", "parse.not_yes_no"))


_LINK = re.compile(r"^(?:https?://|www\.|drive\.google\.|\S+\.\S+/)\S*", re.I)
_FILE_NAME = re.compile(r"\S\.[A-Za-z][A-Za-z0-9]{1,4}$")


def _is_evidence(raw: object, ctx: ParseContext) -> bool:
    """Whether an evidence cell names the evidence itself: a link, a file name or a date."""
    if isinstance(raw, bool):
        return False
    when: object
    if isinstance(raw, datetime | date):
        when = raw
    elif isinstance(raw, int | float):
        when = _from_serial(float(raw))
    else:
        text = _as_text(raw)
        if _LINK.match(text) or _FILE_NAME.search(text):
            return True
        when = _from_text(text, ctx)
    # Only a plausible date is the day the evidence was taken (2 is not 1 January 1900).
    return isinstance(when, date) and MIN_YEAR <= when.year <= MAX_YEAR


def _parse_number(spec: ColumnSpec, raw: object, *, integer: bool) -> Parsed:
    number: float | None
    if isinstance(raw, bool):
        number = None
    elif isinstance(raw, int | float):
        number = float(raw)
    else:
        cleaned = re.sub(r"[\s,¥$€£￥]|RMB|CNY|USD|EUR", "", _as_text(raw), flags=re.I)
        try:
            number = float(Decimal(cleaned))
        except InvalidOperation:
            number = None
    if number is None or not math.isfinite(number):
        return Parsed(None, cell_problem("cell.not_a_number", "parse.not_a_number"))
    if integer and not number.is_integer():
        return Parsed(None, cell_problem("cell.not_a_whole_number", "parse.not_a_whole_number"))
    low = -math.inf if spec.min is None else spec.min
    high = math.inf if spec.max is None else spec.max
    if not low <= number <= high:
        problem = cell_problem(
            "cell.out_of_range", "parse.out_of_range", low=f"{low:g}", high=f"{high:g}"
        )
        return Parsed(None, problem)
    return Parsed(int(number) if integer else number)


def _parse_date_or_datetime(raw: object, ctx: ParseContext) -> Parsed:
    """A date when the cell holds no time of day (00:00 is read as a date alone), otherwise
    the date and time in the sheet's time zone."""
    parsed = _parse_temporal(raw, ctx, want_datetime=True)
    value = parsed.value
    if isinstance(value, datetime) and value.time() == time():
        return Parsed(value.date())
    return parsed


def _parse_temporal(raw: object, ctx: ParseContext, *, want_datetime: bool) -> Parsed:
    value: datetime | None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime.combine(raw, time())
    elif isinstance(raw, int | float):
        value = _from_serial(float(raw))
    else:
        result = _from_text(_as_text(raw), ctx)
        if isinstance(result, CellProblem):
            return Parsed(None, result)
        value = result
    if value is None:
        return Parsed(None, cell_problem("cell.not_a_date", "parse.not_a_date"))
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return Parsed(None, cell_problem("cell.implausible_date", "parse.implausible_date"))
    if not want_datetime:
        return Parsed(value.date())
    if value.tzinfo is None:
        value = value.replace(tzinfo=ctx.tz)
    return Parsed(value)


def _from_serial(serial: float) -> datetime | None:
    if not math.isfinite(serial) or serial <= 0 or serial > 2958465:
        return None
    # Round to the second: serials carry float noise (0.5 of a day is 12:00:00.000001).
    return SERIAL_EPOCH + timedelta(seconds=round(serial * 86400))


def to_serial(value: date | datetime) -> float:
    """A spreadsheet serial number for a date or a (naive or wall-clock) datetime."""
    if isinstance(value, datetime):
        naive = value.replace(tzinfo=None)
        return (naive - SERIAL_EPOCH) / timedelta(days=1)
    return float((value - SERIAL_EPOCH.date()).days)


def _from_text(text: str, ctx: ParseContext) -> datetime | CellProblem | None:
    match = _YMD.match(text)
    if match:
        tz = _offset(match["tz"]) if match["tz"] else None
        return _build(match["y"], match["m"], match["d"], match["H"], match["M"], match["S"], tz)
    match = _SLASHED.match(text)
    if match:
        a, b = int(match["a"]), int(match["b"])
        readings = []
        if ctx.date_order in (DateOrder.UNKNOWN, DateOrder.DMY) and b <= 12:
            readings.append((b, a))
        if ctx.date_order in (DateOrder.UNKNOWN, DateOrder.MDY) and a <= 12:
            readings.append((a, b))
        valid = {r for r in readings if _valid_day(int(match["y"]), *r)}
        if len(valid) > 1:
            return cell_problem("cell.ambiguous_date", "parse.ambiguous_date")
        if valid:
            month, day = valid.pop()
            return _build(match["y"], month, day, match["H"], match["M"], match["S"], None)
    return None


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _build(
    y: str | int,
    m: str | int,
    d: str | int,
    hh: str | None,
    mm: str | None,
    ss: str | None,
    tz: tzinfo | None,
) -> datetime | None:
    try:
        return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None


def _offset(text: str) -> tzinfo:
    from datetime import timezone

    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
