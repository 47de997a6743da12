"""Authorisation: per-sheet allow-lists of emails and domains for Google principals, per-sheet
keys for HMAC principals, and the global allow-list for non-sheet endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.auth import Authenticator, Principal, email_allowed, normalize_allow_list_entry
from app.errors import ForbiddenError
from tests.auth.support import bearer

SHEET_A = "sheet-a"
SHEET_B = "sheet-b"
LILY = Principal(kind="google", subject="lily@agency.com")


def test_listed_email_may_act_on_the_sheet(authenticator: Authenticator) -> None:
    """An email listed on the sheet's allow-list is authorised for that sheet."""
    authenticator.authorize(LILY, sheet=SHEET_A, allowed=["lily@agency.com"])


def test_email_not_on_the_sheet_allow_list_is_forbidden(authenticator: Authenticator) -> None:
    """An authenticated email missing from the sheet's allow-list gets a 403 naming the email."""
    with pytest.raises(ForbiddenError) as caught:
        authenticator.authorize(LILY, sheet=SHEET_A, allowed=["tom@agency.com", "@other.com"])
    assert caught.value.status_code == 403
    assert caught.value.message == "email lily@agency.com is not allowed on this sheet"


def test_domain_entry_admits_every_address_of_that_domain(authenticator: Authenticator) -> None:
    """An "@agency.com" entry admits any address at agency.com of the agency.com Workspace,
    case-insensitively."""
    lily = Principal(kind="google", subject="lily@agency.com", hosted_domain="agency.com")
    authenticator.authorize(lily, sheet=SHEET_A, allowed=["@Agency.COM"])
    tom = Principal(kind="google", subject="tom@agency.com", hosted_domain="agency.com")
    authenticator.authorize(tom, sheet=SHEET_A, allowed=["@agency.com"])


@pytest.mark.parametrize(
    "email", ["lily@eu.agency.com", "lily@agency.com.evil.io", "lily@notagency.com"]
)
def test_domain_entry_does_not_admit_lookalike_domains(email: str) -> None:
    """A domain entry matches the exact domain only: not subdomains, suffixes or prefixes."""
    assert not email_allowed(email, ["@agency.com"])


def test_allowed_on_one_sheet_is_forbidden_on_another(authenticator: Authenticator) -> None:
    """Being on sheet A's allow-list does not authorise the same email on sheet B."""
    lists = {SHEET_A: ["lily@agency.com"], SHEET_B: ["@partner.com"]}
    authenticator.authorize(LILY, sheet=SHEET_A, allowed=lists[SHEET_A])
    with pytest.raises(ForbiddenError, match="not allowed on this sheet"):
        authenticator.authorize(LILY, sheet=SHEET_B, allowed=lists[SHEET_B])


def test_token_then_allow_list_end_to_end(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """A valid token for an email on the domain list (an account of that Workspace)
    authenticates and is authorised."""
    token = mint(hd="agency.com")
    principal = authenticator.authenticate(
        method="GET", path="/v1/sheets/s/cases", headers=bearer(token), body=b"", sheet="s"
    )
    authenticator.authorize(principal, sheet="s", allowed=["@agency.com"])
    with pytest.raises(ForbiddenError):
        authenticator.authorize(principal, sheet="s", allowed=["boss@agency.com"])


def test_global_allow_list_governs_non_sheet_endpoints(authenticator: Authenticator) -> None:
    """On non-sheet endpoints a Google principal must pass the global allow-list."""
    ops = Principal(kind="google", subject="ops@agency.com")
    authenticator.authorize(ops, sheet=None, allowed=["ops@agency.com", "@desk.example"])
    with pytest.raises(ForbiddenError, match=r"email lily@agency\.com is not allowed to call"):
        authenticator.authorize(LILY, sheet=None, allowed=["ops@agency.com"])


def test_empty_allow_list_admits_nobody(authenticator: Authenticator) -> None:
    """An empty allow-list forbids every Google principal (closed by default)."""
    with pytest.raises(ForbiddenError):
        authenticator.authorize(LILY, sheet=SHEET_A, allowed=[])


def test_sheet_key_principal_is_bound_to_its_sheet(authenticator: Authenticator) -> None:
    """An HMAC principal of sheet A may act on A only: not on B, not on non-sheet endpoints."""
    key_a = Principal(kind="hmac", subject=f"hmac:{SHEET_A}", sheet=SHEET_A)
    authenticator.authorize(key_a, sheet=SHEET_A, allowed=[])
    with pytest.raises(ForbiddenError):
        authenticator.authorize(key_a, sheet=SHEET_B, allowed=["lily@agency.com"])
    with pytest.raises(ForbiddenError):
        authenticator.authorize(key_a, sheet=None, allowed=[])


def test_master_and_metrics_principals_only_act_off_sheet(authenticator: Authenticator) -> None:
    """The master-secret and metrics principals are authorised on non-sheet endpoints only."""
    master = Principal(kind="hmac", subject="hmac:master")
    metrics = Principal(kind="metrics", subject="metrics")
    for principal in (master, metrics):
        authenticator.authorize(principal, sheet=None, allowed=[])
        with pytest.raises(ForbiddenError):
            authenticator.authorize(principal, sheet=SHEET_A, allowed=["@agency.com"])


@pytest.mark.parametrize("entry", ["agency.com", "lily", "@", "lily@", "a@b@c.com", "@ agency.com"])
def test_malformed_allow_list_entries_are_rejected(entry: str) -> None:
    """Allow-list entries must be an email or "@domain"; anything else is a configuration error."""
    with pytest.raises(ValueError, match="allow-list entry"):
        normalize_allow_list_entry(entry)


def test_allow_list_entries_are_normalised() -> None:
    """Entries are trimmed and lower-cased."""
    assert normalize_allow_list_entry("  Lily@Agency.com ") == "lily@agency.com"
    assert normalize_allow_list_entry("@Agency.com") == "@agency.com"
