"""Number formatting: serial dates (epoch 1899-12-30), Sheets' automatic format and
number-format patterns (``#,##0.00``, ``0%``, ``yyyy-mm-dd``, ``M/d/yyyy H:mm:ss``...)."""

from __future__ import annotations

import datetime as dt
import math
import re

from .locales import Locale

EPOCH = dt.datetime(1899, 12, 30)
DATE_TYPES = ("DATE", "TIME", "DATE_TIME")

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def to_serial(value: dt.date | dt.datetime) -> float:
    """Serial number of a date or naive datetime (days since 1899-12-30)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def from_serial(serial: float) -> dt.datetime:
    """Naive datetime of a serial number, rounded to the millisecond."""
    millis = round(serial * 86_400_000)
    return EPOCH + dt.timedelta(milliseconds=millis)


def default_pattern(fmt_type: str, locale: Locale) -> str:
    """The pattern Sheets uses for a number format type without a pattern."""
    return {
        "DATE": locale.date_pattern,
        "TIME": locale.time_pattern,
        "DATE_TIME": locale.datetime_pattern,
        "NUMBER": "#,##0.00",
        "PERCENT": "0.00%",
        "CURRENCY": locale.currency_pattern,
        "SCIENTIFIC": "0.00E+00",
        "TEXT": "@",
    }.get(fmt_type, "")


def format_general(value: float, locale: Locale) -> str:
    """Sheets' automatic number format: integers in full, otherwise up to 10 significant
    digits, scientific notation for very large or very small magnitudes."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return "#NUM!"
    mag = abs(value)
    if mag >= 1e15 or mag < 1e-9:
        mantissa, exp = f"{value:.2E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
        return text.replace(".", locale.decimal)
    if float(value).is_integer():
        return str(int(value))
    digits = 10 - (math.floor(math.log10(mag)) + 1)
    digits = max(0, min(digits, 15))
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", locale.decimal)


def _split_sections(pattern: str) -> list[str]:
    sections, current, quoted, i = [], "", False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and i + 1 < len(pattern):
            current += pattern[i : i + 2]
            i += 2
            continue
        elif ch == ";" and not quoted:
            sections.append(current)
            current = ""
            i += 1
            continue
        current += ch
        i += 1
    sections.append(current)
    return sections


_DATE_TOKEN_RE = re.compile(
    r'"[^"]*"|\\.|\[h+\]|\[m+\]|\[s+\]|am/pm|a/p|AM/PM|A/P|yyyy|yy|y|mmmmm|mmmm|mmm|mm|m|'
    r"MMMM|MMM|MM|M|dddd|ddd|dd|d|hh|h|HH|H|ss|s|\.0+|.",
    re.IGNORECASE,
)


def is_date_pattern(pattern: str) -> bool:
    stripped = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", pattern)
    return bool(re.search(r"[yYdDhHsS]|[mM]", stripped)) and not re.search(r"[0#?]", stripped)


def format_date(serial: float, pattern: str) -> str:
    """Format a serial number with a date/time pattern."""
    when = from_serial(serial)
    tokens = _DATE_TOKEN_RE.findall(pattern)
    ampm = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif low in ("yyyy", "y") or (low.startswith("y") and len(low) > 2):
            out.append(f"{when.year:04d}")
        elif low == "yy":
            out.append(f"{when.year % 100:02d}")
        elif low[0] == "m" and not low.startswith("mmm") and _is_minute(tokens, i):
            out.append(f"{when.minute:02d}" if len(low) == 2 else str(when.minute))
        elif low == "mmmmm":
            out.append(MONTHS[when.month - 1][0])
        elif low == "mmmm":
            out.append(MONTHS[when.month - 1])
        elif low == "mmm":
            out.append(MONTHS[when.month - 1][:3])
        elif low == "mm":
            out.append(f"{when.month:02d}")
        elif low == "m":
            out.append(str(when.month))
        elif low == "dddd":
            out.append(DAYS[when.weekday()])
        elif low == "ddd":
            out.append(DAYS[when.weekday()][:3])
        elif low == "dd":
            out.append(f"{when.day:02d}")
        elif low == "d":
            out.append(str(when.day))
        elif low in ("hh", "h"):
            hour = when.hour
            if ampm and tok in ("h", "hh"):
                hour = hour % 12 or 12
            out.append(f"{hour:02d}" if len(low) == 2 else str(hour))
        elif low in ("ss", "s"):
            out.append(f"{when.second:02d}" if low == "ss" else str(when.second))
        elif low.startswith(".0"):
            frac = when.microsecond / 1_000_000
            out.append("." + f"{frac:.{len(low) - 1}f}"[2:])
        elif low in ("am/pm", "a/p"):
            text = "AM" if when.hour < 12 else "PM"
            if low == "a/p":
                text = text[0] if tok[0].isupper() else text[0].lower()
            out.append(text)
        elif low.startswith("[h"):
            hours = int(serial * 24)
            out.append(str(hours).zfill(len(low) - 2))
        elif low.startswith("[m"):
            out.append(str(round(serial * 1440)).zfill(len(low) - 2))
        elif low.startswith("[s"):
            out.append(str(round(serial * 86400)).zfill(len(low) - 2))
        else:
            out.append(tok)
    return "".join(out)


def _is_minute(tokens: list[str], index: int) -> bool:
    """An 'm' is minutes right after an hour token or right before a seconds token."""
    for j in range(index - 1, -1, -1):
        low = tokens[j].lower()
        if low.startswith(("h", "[h")):
            return True
        if low[0] in "ydm" and low not in ("/", ":"):
            break
    for j in range(index + 1, len(tokens)):
        low = tokens[j].lower()
        if low.startswith("s") and low in ("s", "ss"):
            return True
        if low[0] in "ydhm":
            break
    return False


def format_number_pattern(value: float, pattern: str, locale: Locale) -> str:
    """Format a number with a numeric pattern (sections, literals, %, grouping, E+)."""
    sections = _split_sections(pattern)
    section = sections[0]
    negative_section = False
    if value < 0 and len(sections) > 1 and sections[1]:
        section, value, negative_section = sections[1], -value, True
    elif value == 0 and len(sections) > 2 and sections[2]:
        section = sections[2]
    section = re.sub(r"\[(Red|Black|Blue|Green|Cyan|Magenta|White|Yellow|Color\d+)\]", "", section)
    section = re.sub(r"\[\$([^\]-]*)(-[^\]]*)?\]", lambda m: '"' + m.group(1) + '"', section)
    if is_date_pattern(section):
        return format_date(value, section)
    return _format_numeric(value, section, locale, negative_section)


def _format_numeric(value: float, section: str, locale: Locale, negative_section: bool) -> str:
    pieces = re.findall(r'"[^"]*"|\\.|[0#?.,%]+(?:[eE][+-][0#]+)?|.', section)
    first = next((i for i, p in enumerate(pieces) if re.match(r"^[0#?.,]", p)), None)
    if first is None:  # literal-only section
        return "".join(p[1:-1] if p.startswith('"') else p.lstrip("\\") for p in pieces)
    number_spec = "".join(p for p in pieces if re.match(r"^[0#?.,%]", p) and p != "%")
    percent = section.count("%") - sum(p.count("%") for p in pieces if p.startswith('"'))
    value = value * (100**percent)
    sci = re.search(r"[eE]([+-])([0#]+)", number_spec)
    mantissa_spec = number_spec[: sci.start()] if sci else number_spec
    int_spec, _, frac_spec = mantissa_spec.partition(".")
    grouping = "," in int_spec.strip(",")
    scale = len(int_spec) - len(int_spec.rstrip(","))
    value = value / (1000**scale)
    min_int = int_spec.count("0")
    min_frac, max_frac = frac_spec.count("0"), len(frac_spec.replace(",", ""))
    sign = "-" if value < 0 and not negative_section else ""
    mag = abs(value)
    exp_text = ""
    if sci:
        exp = 0 if mag == 0 else math.floor(math.log10(mag))
        mag = mag / (10**exp) if mag else 0.0
        if round(mag, max_frac) >= 10:
            mag, exp = mag / 10, exp + 1
        exp_text = (
            "E"
            + ("-" if exp < 0 else sci.group(1).replace("+", "+"))
            + str(abs(exp)).zfill(len(sci.group(2)))
        )
    text = f"{mag:.{max_frac}f}"
    int_part, _, frac_part = text.partition(".")
    while len(frac_part) > min_frac and frac_part.endswith("0"):
        frac_part = frac_part[:-1]
    int_part = int_part.lstrip("0")
    int_part = int_part.rjust(min_int, "0") if min_int else int_part
    if grouping and int_part:
        groups = []
        while len(int_part) > 3:
            groups.insert(0, int_part[-3:])
            int_part = int_part[:-3]
        groups.insert(0, int_part)
        int_part = locale.group.join(groups)
    number = int_part + (locale.decimal + frac_part if frac_part else "") + exp_text
    if sign and number.strip("0.,").strip(locale.decimal + locale.group) == "":
        sign = ""
    out: list[str] = []
    placed = False
    for i, piece in enumerate(pieces):
        if piece.startswith('"'):
            out.append(piece[1:-1])
        elif piece.startswith("\\"):
            out.append(piece[1:])
        elif re.match(r"^[0#?.,%]", piece):
            if i == first and not placed:
                out.append(number)
                placed = True
            if "%" in piece:
                out.append("%" * piece.count("%"))
        else:
            out.append(piece)
    return sign + "".join(out)


def format_value(value: float, number_format: dict[str, str] | None, locale: Locale) -> str:
    """The formatted value of a number under a cell's effective number format."""
    if not number_format:
        return format_general(value, locale)
    pattern = number_format.get("pattern") or default_pattern(number_format.get("type", ""), locale)
    if not pattern or pattern.lower() == "general":
        return format_general(value, locale)
    if pattern == "@":
        return format_general(value, locale)
    try:
        return format_number_pattern(value, pattern, locale)
    except (ValueError, OverflowError, IndexError):
        return format_general(value, locale)
