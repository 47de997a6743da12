"""Domain allow-list entries ("@agency.com") admit only accounts of that Google Workspace (the
identity token's `hd` claim), not personal Google accounts registered on a company address;
exact email entries admit the address whatever its account type."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.auth import Authenticator, Principal
from app.errors import ForbiddenError
from tests.auth.support import bearer

SHEET = "1AgencySheetCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"


def signed_in(authenticator: Authenticator, token: str, *, sheet: str | None = SHEET) -> Principal:
    """Authenticate a real RS256 identity token as the add-on sends it."""
    path = f"/v1/sheets/{sheet}/sync" if sheet else "/v1/policies"
    return authenticator.authenticate(
        method="POST", path=path, headers=bearer(token), body=b"", sheet=sheet
    )


def test_workspace_account_of_the_listed_domain_is_admitted(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """lily@agency.com signed in with the agency.com Workspace (hd=agency.com) passes
    "@agency.com"."""
    principal = signed_in(authenticator, mint(email="lily@agency.com", hd="agency.com"))
    authenticator.authorize(principal, sheet=SHEET, allowed=["@agency.com"])


def test_personal_account_on_a_company_address_is_refused_by_a_domain_entry(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """A personal Google account registered on lily@agency.com has no `hd`: "@agency.com"
    refuses it with a 403 that says why (only agency.com's Google Workspace accounts)."""
    principal = signed_in(authenticator, mint(email="lily@agency.com"))
    with pytest.raises(ForbiddenError) as caught:
        authenticator.authorize(principal, sheet=SHEET, allowed=["@agency.com"])
    message = caught.value.message
    assert caught.value.status_code == 403
    assert "lily@agency.com" in message
    assert "personal Google account" in message
    assert "agency.com" in message and "Workspace" in message


def test_account_of_another_workspace_is_refused_by_a_domain_entry(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """An agency.com address whose token says it belongs to another Workspace (hd=reseller.cn)
    is not admitted by "@agency.com"."""
    principal = signed_in(authenticator, mint(email="wang.fang@agency.com", hd="reseller.cn"))
    with pytest.raises(ForbiddenError, match=r"reseller\.cn Workspace"):
        authenticator.authorize(principal, sheet=SHEET, allowed=["@agency.com"])


def test_exact_email_entry_admits_a_personal_account(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """An exact entry "lily@agency.com" still admits Lily's personal account (no `hd`)."""
    principal = signed_in(authenticator, mint(email="Lily@Agency.com"))
    authenticator.authorize(principal, sheet=SHEET, allowed=["@agency.com", "lily@agency.com"])


def test_global_domain_entry_checks_the_hosted_domain_too(
    authenticator: Authenticator, mint: Callable[..., str]
) -> None:
    """On non-sheet endpoints "@desk.example" admits the desk.example Workspace account and
    refuses a personal account on the same address."""
    allowed = ["@desk.example"]
    workspace = signed_in(
        authenticator, mint(email="ops@desk.example", hd="desk.example"), sheet=None
    )
    authenticator.authorize(workspace, sheet=None, allowed=allowed)
    personal = signed_in(authenticator, mint(email="ops@desk.example"), sheet=None)
    with pytest.raises(ForbiddenError, match="personal Google account"):
        authenticator.authorize(personal, sheet=None, allowed=allowed)
