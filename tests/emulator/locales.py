"""Per-locale conventions used for parsing USER_ENTERED input and default formats."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    code: str
    decimal: str
    group: str
    date_order: str  # "MDY", "DMY" or "YMD"
    date_pattern: str
    time_pattern: str
    datetime_pattern: str
    currency_symbol: str
    currency_pattern: str


LOCALES: dict[str, Locale] = {
    "en_US": Locale(
        "en_US",
        ".",
        ",",
        "MDY",
        "M/d/yyyy",
        "h:mm:ss am/pm",
        "M/d/yyyy H:mm:ss",
        "$",
        '"$"#,##0.00',
    ),
    "en_GB": Locale(
        "en_GB",
        ".",
        ",",
        "DMY",
        "dd/MM/yyyy",
        "HH:mm:ss",
        "dd/MM/yyyy HH:mm:ss",
        "£",
        '"£"#,##0.00',
    ),
    "fr_FR": Locale(
        "fr_FR",
        ",",
        "\u202f",
        "DMY",
        "dd/MM/yyyy",
        "HH:mm:ss",
        "dd/MM/yyyy HH:mm:ss",
        "€",
        '#,##0.00" €"',
    ),
    "de_DE": Locale(
        "de_DE",
        ",",
        ".",
        "DMY",
        "dd.MM.yyyy",
        "HH:mm:ss",
        "dd.MM.yyyy HH:mm:ss",
        "€",
        '#,##0.00" €"',
    ),
    "zh_CN": Locale(
        "zh_CN",
        ".",
        ",",
        "YMD",
        "yyyy-M-d",
        "H:mm:ss",
        "yyyy-M-d H:mm:ss",
        "¥",
        '"¥"#,##0.00',
    ),
    "ja_JP": Locale(
        "ja_JP",
        ".",
        ",",
        "YMD",
        "yyyy/MM/dd",
        "H:mm:ss",
        "yyyy/MM/dd H:mm:ss",
        "¥",
        '"¥"#,##0',
    ),
}


def get_locale(code: str | None) -> Locale:
    """The conventions for a spreadsheet locale (language-only codes and unknown ones fall
    back sensibly, like Sheets falls back to en_US)."""
    if not code:
        return LOCALES["en_US"]
    if code in LOCALES:
        return LOCALES[code]
    lang = code.split("_")[0]
    for loc in LOCALES.values():
        if loc.code.split("_")[0] == lang:
            return loc
    return LOCALES["en_US"]
