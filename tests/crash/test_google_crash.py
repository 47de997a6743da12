"""A Google sync SIGKILLed where it differs from a workbook sync, then synced again.

The Google backend is positional and not atomic: new Case IDs and Opened times go out first
(and are read back, in case a sort moved rows under them), the service cells in a second call.
A kill between the two leaves ids without their computed cells; a kill after both leaves the
run unrecorded. Either way the next sync must finish the job exactly as an uninterrupted sync
does (the child talks to the same local Sheets emulator, through the real GoogleBackend).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.probe import WROTE, WROTE_IDS
from tests.crash.harness import Peers
from tests.crash.observe import Control, assert_repaired, play
from tests.crash.scenario import google_side
from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator


@pytest.mark.parametrize("step", [WROTE_IDS, WROTE])
def test_google_sync_killed_between_or_after_its_writes_is_repaired(
    step: str,
    emulator: Emulator,
    service_account: ServiceAccount,
    peers: Peers,
    control: Control,
    tmp_path: Path,
) -> None:
    """After a kill at `step` and one more sync, the spreadsheet, Timeline, notifications and
    undo are as if the sync had never been interrupted."""
    assert service_account.path is not None
    account, email = Path(service_account.path), service_account.email

    expected = control(
        "google",
        lambda: play(google_side(tmp_path / "control", emulator, account, email, peers), peers),
    )
    crashed = google_side(tmp_path / "crashed", emulator, account, email, peers)
    assert_repaired(play(crashed, peers, kill_at=step), expected, step)
