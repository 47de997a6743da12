"""Who made a request (`Principal`) and the allow-list rules for Google identities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

PrincipalKind = Literal["google", "hmac", "metrics"]

MASTER_SUBJECT = "hmac:master"
METRICS_SUBJECT = "metrics"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    - `google`: `subject` is the verified, lower-cased email of the identity token; `sheet` None;
      `hosted_domain` is the token's `hd` claim (the account's Google Workspace domain), None
      for a personal Google account.
    - `hmac`: `subject` is "hmac:<sheet id>" with `sheet` set (a per-sheet derived key), or
      "hmac:master" with `sheet` None (the master secret, non-sheet endpoints only).
    - `metrics`: the static Prometheus token; `subject` "metrics", `sheet` None.
    """

    kind: PrincipalKind
    subject: str
    sheet: str | None = None
    hosted_domain: str | None = None


def email_allowed(email: str, allowed: Iterable[str], hosted_domain: str | None = None) -> bool:
    """True when `email` is listed exactly, or its domain is listed as "@domain" and the account
    belongs to that domain's Google Workspace (`hosted_domain`, the token's `hd` claim).

    A personal Google account can be registered on any address, a company one included, so an
    address alone does not prove membership of the company: only `hd` does. Matching is
    case-insensitive; a domain entry does not cover subdomains ("@agency.com" does not admit
    "x@eu.agency.com"). Malformed entries never match anything.
    """
    address, domain = _split(email)
    if not address:
        return False
    hosted = (hosted_domain or "").strip().lower()
    for entry in allowed:
        rule = entry.strip().lower()
        if rule.startswith("@"):
            if rule[1:] == domain and hosted == domain:
                return True
        elif rule == address:
            return True
    return False


def domain_entry_without_workspace(email: str, allowed: Iterable[str]) -> str | None:
    """The "@domain" entry that would admit `email` by its address alone, if any: used to explain
    a refusal of an account that is not in that domain's Google Workspace."""
    address, domain = _split(email)
    if not address:
        return None
    return next((e for e in allowed if e.strip().lower() == f"@{domain}"), None)


def _split(email: str) -> tuple[str, str]:
    """(lower-cased address, its domain), or ("", "") when it is not an address."""
    address = email.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return "", ""
    return address, domain
