"""Killing a sync process at a step, and the peers its notifications go to.

Why a fork server: starting Python and importing the service takes about two seconds, which
times a dozen kills would dominate `make test`. `multiprocessing`'s fork server imports the
child module once (and warms it up with one throwaway sync, `warm.py`) in a clean
single-threaded process, and forks a fresh process from it per kill (tens of milliseconds);
each is still a separate process, killed by a real SIGKILL.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
from dataclasses import dataclass, replace
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

from tests.crash.child import Job, run
from tests.notify.conftest import MailReceiver, WebhookReceiver

CHILD_TIMEOUT = 120.0  # seconds; only reached if the child hangs, which fails the test
_context: ForkServerContext | None = None


def _fork_server() -> ForkServerContext:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["tests.crash.child", "tests.crash.warm"])
    return _context


def kill(job: Job, log: Path) -> None:
    """Run `job` in a new process and check that it died of SIGKILL at its step."""
    log.unlink(missing_ok=True)
    job = replace(job, log=str(log))
    child = _fork_server().Process(target=run, args=(job,), daemon=True)
    child.start()
    child.join(CHILD_TIMEOUT)
    if child.exitcode is None:
        child.kill()  # our own child, by its handle
        child.join()
    said = log.read_text(errors="replace")[-4000:] if log.exists() else ""
    assert child.exitcode == -signal.SIGKILL, (
        f"the sync was not killed at {job.kill_at!r} (exit code {child.exitcode}):\n{said}"
    )


def env_of(fields: dict[str, Any]) -> dict[str, str]:
    """`Settings` fields as the AFTERSALES_* environment a process reads them from."""
    return {
        f"AFTERSALES_{name.upper()}": value if isinstance(value, str) else json.dumps(value)
        for name, value in fields.items()
    }


@dataclass
class Peers:
    """The webhook receiver and the SMTP server every notification goes to."""

    webhook: WebhookReceiver
    mail: MailReceiver
    lease_seconds: int

    def notify(self) -> dict[str, Any]:
        """`NotifySettings` fields: one generic webhook, and SMTP copying every notice to a
        lead (so each notice is two messages, on two kinds of channel)."""
        return {
            "webhooks": [{"name": "team", "url": self.webhook.url, "timeout_seconds": 5}],
            "smtp": {
                "host": self.mail.host,
                "port": self.mail.port,
                "sender": "desk@agency.test",
                "starttls": False,
                "timeout_seconds": 5,
                "to": ["lead@agency.test"],
            },
            "lease_seconds": self.lease_seconds,
        }

    def clear(self) -> None:
        self.webhook.requests.clear()
        self.mail.messages.clear()
        self.mail.attempts.clear()

    def received(self) -> list[str]:
        """The idempotency key of every message a receiver accepted (a repeat twice)."""
        return [*self.webhook.keys(), *(str(m["X-Idempotency-Key"]) for m in self.mail.messages)]
