"""Allow-list entries: who may use a sheet ("lily@agency.com" or "@agency.com").

Neutral ground: the sheet registry stores the entries and the auth settings hold the global
ones, and neither should import the other's package to check them.
"""

from __future__ import annotations


def normalize_allow_list_entry(entry: str) -> str:
    """Lower-case and check one allow-list entry: "lily@agency.com" or "@agency.com"."""
    value = entry.strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not domain or "." not in domain or "@" in local or any(c.isspace() for c in value):
        raise ValueError(
            f"allow-list entry {entry!r} must be an email (lily@agency.com) "
            "or a domain starting with @ (@agency.com)"
        )
    return value
