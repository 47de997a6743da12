"""USER_ENTERED parsing, as the Sheets UI does for the spreadsheet's locale: formulas,
booleans, numbers (grouping, percent, currency, exponent), dates, times and date-times.
Each parse returns the stored value and the number format Sheets would infer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .locales import Locale
from .numfmt import MONTHS, to_serial


@dataclass(frozen=True)
class Parsed:
    kind: str  # "formula" | "number" | "bool" | "string"
    value: Any
    number_format: dict[str, str] | None = None


def parse_user_entered(raw: Any, locale: Locale, today: dt.date) -> Parsed:
    """Interpret one value written with valueInputOption=USER_ENTERED."""
    if isinstance(raw, bool):
        return Parsed("bool", raw)
    if isinstance(raw, (int, float)):
        return Parsed("number", float(raw))
    text = str(raw)
    if text.startswith("=") and len(text) > 1:
        return Parsed("formula", text)
    if text.startswith("'"):
        return Parsed("string", text[1:])
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Parsed("bool", stripped.upper() == "TRUE")
    number = parse_number(stripped, locale)
    if number is not None:
        return Parsed("number", number[0], number[1])
    when = parse_datetime(stripped, locale, today)
    if when is not None:
        return Parsed("number", when[0], when[1])
    return Parsed("string", text)


def parse_number(text: str, locale: Locale) -> tuple[float, dict[str, str] | None] | None:
    """'2,000,000.01' -> (2000000.01, #,##0.00); '12%' -> (0.12, 0%); '$5' -> currency."""
    dec, grp = re.escape(locale.decimal), re.escape(locale.group)
    groups = [re.escape(locale.group)]
    if locale.group in ("\u202f", "\xa0"):
        groups.append(" ")
    grp = "(?:" + "|".join(groups) + ")"
    cur = re.escape(locale.currency_symbol)
    pattern = (
        rf"^(?P<sign1>[+-])?(?P<cur1>{cur})?(?P<sign2>[+-])?"
        rf"(?P<int>\d{{1,3}}(?:{grp}\d{{3}})+|\d+)?(?:{dec}(?P<frac>\d*))?"
        rf"(?P<exp>[eE][+-]?\d+)?\s*(?P<cur2>{cur})?(?P<pct>%)?$"
    )
    m = re.match(pattern, text)
    if not m or (m.group("int") is None and not m.group("frac")):
        return None
    if m.group("sign1") and m.group("sign2"):
        return None
    int_text = re.sub(grp, "", m.group("int") or "0")
    frac = m.group("frac") or ""
    value = float(f"{int_text}.{frac or '0'}{m.group('exp') or ''}")
    if (m.group("sign1") or m.group("sign2")) == "-":
        value = -value
    decimals = "." + "0" * len(frac) if frac else ""
    fmt: dict[str, str] | None = None
    if m.group("pct"):
        value /= 100
        fmt = {"type": "PERCENT", "pattern": "0" + decimals + "%"}
    elif m.group("cur1") or m.group("cur2"):
        fmt = {"type": "CURRENCY", "pattern": locale.currency_pattern}
    elif m.group("exp"):
        fmt = {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
    elif m.group("int") and re.search(grp, m.group("int")):
        fmt = {"type": "NUMBER", "pattern": "#,##0" + decimals}
    return value, fmt


_MONTH_NAMES = {name.lower(): i + 1 for i, name in enumerate(MONTHS)}
_MONTH_NAMES.update({name[:3].lower(): i + 1 for i, name in enumerate(MONTHS)})
_TIME_RE = re.compile(
    r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?P<ms>\.\d+)?)?\s*(?P<ap>[aApP][mM]?)?$"
)


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 30 else 1900
    return year


def _parse_time(text: str) -> tuple[float, str] | None:
    m = _TIME_RE.match(text)
    if not m:
        return None
    hour, minute = int(m.group("h")), int(m.group("m"))
    second = int(m.group("s") or 0)
    ampm = m.group("ap")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm[0].lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    frac = float(m.group("ms") or 0)
    fraction = (hour * 3600 + minute * 60 + second + frac) / 86400
    hour_token = ("h" if ampm else "H") * (2 if len(m.group("h")) == 2 else 1)
    pattern = hour_token + ":mm" + (":ss" if m.group("s") else "")
    pattern += ".000" if m.group("ms") else ""
    pattern += " am/pm" if ampm else ""
    return fraction, pattern


def _parse_date(text: str, locale: Locale, today: dt.date) -> tuple[dt.date, str] | None:
    m = re.match(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$", text)
    if m:
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
        sep = m.group(2)
        pattern = f"yyyy{sep}{'mm' if len(m.group(3)) == 2 else 'm'}{sep}"
        pattern += "dd" if len(m.group(4)) == 2 else "d"
        return _make_date(year, month, day, pattern)
    seps = "-/." if "." in locale.date_pattern else "-/"
    m = re.match(rf"^(\d{{1,2}})([{seps}])(\d{{1,2}})(?:\2(\d{{2}}|\d{{4}}))?$", text)
    if m and locale.date_order != "YMD":
        a, b = int(m.group(1)), int(m.group(3))
        year = _year(m.group(4)) if m.group(4) else today.year
        month, day = (a, b) if locale.date_order == "MDY" else (b, a)
        return _make_date(year, month, day, locale.date_pattern)
    m = re.match(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{2,4})$", text)
    if m and m.group(1).lower() in _MONTH_NAMES:
        pattern = "mmmm d, yyyy" if len(m.group(1)) > 3 else "mmm d, yyyy"
        return _make_date(
            _year(m.group(3)), _MONTH_NAMES[m.group(1).lower()], int(m.group(2)), pattern
        )
    m = re.match(r"^(\d{1,2})[\s-]([A-Za-z]+)\.?[\s-](\d{2,4})$", text)
    if m and m.group(2).lower() in _MONTH_NAMES:
        pattern = "d mmmm yyyy" if len(m.group(2)) > 3 else "d mmm yyyy"
        return _make_date(
            _year(m.group(3)), _MONTH_NAMES[m.group(2).lower()], int(m.group(1)), pattern
        )
    return None


def _make_date(year: int, month: int, day: int, pattern: str) -> tuple[dt.date, str] | None:
    try:
        return dt.date(year, month, day), pattern
    except ValueError:
        return None


def parse_datetime(
    text: str, locale: Locale, today: dt.date
) -> tuple[float, dict[str, str]] | None:
    """Dates, times and date-times as serial numbers with their inferred format."""
    date = _parse_date(text, locale, today)
    if date is not None:
        return to_serial(date[0]), {"type": "DATE", "pattern": date[1]}
    time = _parse_time(text)
    if time is not None:
        return time[0], {"type": "TIME", "pattern": time[1]}
    parts = text.split(None, 1)
    if len(parts) == 2 and "T" not in text:
        date, time = _parse_date(parts[0], locale, today), _parse_time(parts[1])
    else:
        left, _, right = text.partition("T")
        date, time = _parse_date(left, locale, today), _parse_time(right)
    if date is not None and time is not None:
        serial = to_serial(date[0]) + time[0]
        return serial, {"type": "DATE_TIME", "pattern": f"{date[1]} {time[1]}"}
    return None
