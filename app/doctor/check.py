"""`Check` (one line of `aftersales doctor`) and `Report` (all of them, with the exit code)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

EXIT_OK, EXIT_NEEDS_PERSON, EXIT_CANNOT_RUN = 0, 1, 2
PASS, FAIL, SKIP = "✓", "✗", "–"


@dataclass(frozen=True, slots=True)
class Check:
    """One thing the doctor looked at: whether it holds, what was seen, and for a failure the
    exact fix. A skipped check (it does not apply, or what it needs failed above) is not a
    failure; its detail says why it was skipped."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    skipped: bool = False

    @property
    def mark(self) -> str:
        if self.skipped:
            return SKIP
        return PASS if self.ok else FAIL


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


def skipped(name: str, why: str) -> Check:
    return Check(name, True, why, skipped=True)


@dataclass(slots=True)
class Report:
    """Every check, in the order they ran (settings, store, registration, Google, the sheet)."""

    target: str  # what was checked: "Google spreadsheet ID" or "workbook PATH"
    checks: list[Check] = field(default_factory=list)
    service_account: str | None = None  # the client_email the team shares its sheets with

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_NEEDS_PERSON

    def as_json(self) -> dict[str, object]:
        return {
            "target": self.target,
            "ok": self.ok,
            "exit_code": self.exit_code,
            "service_account": self.service_account,
            "checks": [asdict(c) for c in self.checks],
        }
