"""GoogleBackend and the quota governor on the emulator enforcing a quota: every attempt (a
retry too) takes a slot first, so a sync stays under the quota instead of collecting 429s."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from app.errors import QuotaExhaustedError
from app.service.quota import Grant, Kind, LocalQuotaGovernor, QuotaSettings
from app.sheets.google import GoogleBackend
from app.sheets.redirect import redirected_session
from app.sheets.retry import RetryPolicy
from tests.google.conftest import GoogleSheet, typed_row

ROWS = [typed_row(n) for n in range(1, 6)]


class Recording(LocalQuotaGovernor):
    """The in-process governor, remembering every slot it handed out and took back."""

    def __init__(self, settings: QuotaSettings) -> None:
        super().__init__(settings)
        self.granted: list[Grant] = []
        self.released: list[Grant] = []

    def acquire(self, user: str, project: str, kind: Kind) -> Grant:
        grant = super().acquire(user, project, kind)
        self.granted.append(grant)
        return grant

    def release(self, grant: Grant) -> None:
        super().release(grant)
        self.released.append(grant)


def governed(sheet: GoogleSheet, governor: LocalQuotaGovernor | None) -> GoogleBackend:
    """A backend of the sheet (patient retries) whose requests go through `governor`."""
    backend = GoogleBackend.from_service_account(
        sheet.spreadsheet_id,
        sheet.account_path,
        session_factory=lambda creds: redirected_session(creds, sheet.emulator.base_url),
        retry=RetryPolicy(base_delay=0.05, max_delay=0.6, budget=20.0, attempts=40),
        timeout=10.0,
        governor=governor,
    )
    sheet.runtime._backend = backend
    return backend


def test_every_attempt_a_retry_too_takes_a_slot_as_the_service_account(
    google_sheet: GoogleSheet,
) -> None:
    """A sync whose second request is answered 429 once: one slot per request sent (the retry
    included), each taken back, all as the service account in its project."""
    governor = Recording(QuotaSettings())
    backend = governed(google_sheet, governor)
    google_sheet.type_rows(ROWS)
    google_sheet.emulator.inject_fault("429", at=2, times=1)
    google_sheet.sync()

    sent = google_sheet.emulator.requests()
    assert backend.calls.retries == 1
    assert len(governor.granted) == len(sent) == sum(backend.calls.by_kind.values())
    assert [g.id for g in governor.released] == [g.id for g in governor.granted]
    assert {(g.user, g.project) for g in governor.granted} == {
        (backend.account, "aftersales-emulator")
    }
    writes = {"values.batchUpdate", "spreadsheets.batchUpdate"}
    kinds = ["write" if r.kind in writes else "read" for r in sent]
    assert [g.kind for g in governor.granted] == kinds


@pytest.mark.parametrize("governor_on", [True, False], ids=["governed", "ungoverned"])
def test_a_sync_under_the_emulators_quota(google_sheet: GoogleSheet, governor_on: bool) -> None:
    """The emulator allows 2 requests per user and 3 per project every 0.5 s; a sync needs
    more. Governed by the same limits the sync waits and Google never answers 429; without
    the governor the same sync runs into 429s and has to retry. The account's two requests
    of the window are spent just before the sync (governed: two slots another replica took;
    ungoverned: two requests in a 5 s window), so its own first one meets the quota however
    slowly a loaded machine runs it."""
    google_sheet.type_rows(ROWS)
    limits = QuotaSettings(per_user=2, per_project=3, window_seconds=0.5)
    governor = Recording(limits) if governor_on else None
    backend = governed(google_sheet, governor)
    emulator = google_sheet.emulator
    emulator.clear_requests()
    emulator.set_quota(per_user=2, per_project=3, window=0.5 if governor_on else 5.0)
    if governor is not None:
        for _ in range(2):  # sent and answered just now
            governor.release(governor.acquire(backend.account, backend.project, "read"))
    else:
        token = "quota-spender"
        emulator.add_static_token(token, backend.account, backend.project)
        url = f"{emulator.base_url}/v4/spreadsheets/{google_sheet.spreadsheet_id}"
        for _ in range(2):
            spent = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert spent.status_code == 200
    report = google_sheet.sync()
    emulator.set_quota()

    assert report.cases == len(ROWS)
    answers = [r.status for r in emulator.requests()]
    assert len(answers) > 2
    if governor is not None:
        assert 429 not in answers and backend.calls.retries == 0
        assert any(g.waited > 0 for g in governor.granted)
    else:
        assert 429 in answers and backend.calls.retries > 0


def test_no_slot_within_the_maximum_wait_stops_the_sync_before_it_sends(
    google_sheet: GoogleSheet, tmp_path: Path
) -> None:
    """Every slot taken (by another replica) for longer than a caller may wait: the sync
    fails with QuotaExhaustedError (503) without a retry, and Google saw no request."""
    governor = LocalQuotaGovernor(
        QuotaSettings(per_user=1, per_project=1, window_seconds=60, max_wait_seconds=1)
    )
    backend = governed(google_sheet, governor)
    governor.acquire(backend.account, backend.project, "read")  # the other replica's
    google_sheet.type_rows(ROWS)
    google_sheet.emulator.clear_requests()
    with pytest.raises(QuotaExhaustedError):
        google_sheet.sync()
    assert google_sheet.emulator.requests() == []
    assert backend.calls.retries == 0 and sum(backend.calls.by_kind.values()) == 0
