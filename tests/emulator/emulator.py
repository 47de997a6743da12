"""The Python face of the emulator: start / stop a server and drive every test hook."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .auth import ServiceAccount, generate_service_account, write_key_file
from .calc import Calc
from .edits import Edit, ScheduledEdit
from .hooks import Clock, FaultRule, RequestRecord
from .model import Spreadsheet, new_spreadsheet_id
from .ranges import resolve_a1
from .server import EmulatorHTTPServer, serve_in_thread
from .state import EmulatorState, share
from .values import read_matrix, value_range


class Emulator:
    """A running Sheets v4 / Drive v3 / OAuth2 emulator on loopback.

    Counting rule shared by faults and edits: ``at=k`` means the k-th API request (Sheets
    or Drive, optionally only of the given kinds) after the fault or edit was registered;
    token and hook requests never count. The request log numbers requests from the last
    reset (``RequestRecord.index``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.state = EmulatorState()
        self._server: EmulatorHTTPServer | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> Emulator:
        if self._server is None:
            self._server, _ = serve_in_thread(self.state, self.host, self.port)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return self._server.base_url

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    def reset(self, identities: bool = False) -> None:
        """Clear spreadsheets, tokens, log, faults, quota and edits (keys survive)."""
        self.state.reset(identities)

    # ------------------------------------------------------------ identities
    def create_service_account(
        self,
        directory: Path,
        name: str = "aftersales-test",
        project_id: str = "aftersales-emulator",
    ) -> ServiceAccount:
        """Generate a key, register it and write the JSON key file (token_uri = emulator)."""
        account = write_key_file(
            generate_service_account(name, project_id), directory, self.token_url
        )
        self.register_service_account(account)
        return account

    def register_service_account(self, account: ServiceAccount) -> None:
        self.state.authority.register(account.email, account.public_key_pem, account.project_id)

    def add_static_token(self, token: str, email: str, project: str = "emulator") -> None:
        """Accept a fixed bearer token as the given principal (no OAuth round trip)."""
        self.state.authority.add_static_token(token, email, project)

    def expire_tokens(self) -> None:
        """Invalidate all issued access tokens: the next API call gets a 401."""
        self.state.authority.expire_tokens()

    @property
    def token_requests(self) -> int:
        return self.state.token_requests

    # ------------------------------------------------------------ spreadsheets
    def create_spreadsheet(
        self,
        title: str,
        owner: str = "owner@example.com",
        shared_with: dict[str, str] | None = None,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
    ) -> str:
        """A spreadsheet owned by someone (by default not the service account), shared
        only with ``shared_with`` ({email: role}); returns its id."""
        return self.state.create_spreadsheet(title, owner, shared_with, locale, time_zone).id

    def copy_spreadsheet(self, spreadsheet_id: str, title: str | None = None) -> str:
        """A copy of a spreadsheet (every tab, cell, format and permission) under a new id,
        made directly (no API request, not logged), e.g. to set up many sheets quickly."""
        with self.state.lock:
            book = self.state.books[spreadsheet_id].clone()
            book.id = new_spreadsheet_id()
            if title is not None:
                book.props["title"] = title
            book.created = self.state.now()
            self.state.commit(book)
            return book.id

    def share(self, spreadsheet_id: str, email: str, role: str = "writer") -> None:
        with self.state.lock:
            share(self.state.books[spreadsheet_id], email, role)

    def unshare(self, spreadsheet_id: str, email: str) -> None:
        with self.state.lock:
            book = self.state.books[spreadsheet_id]
            book.permissions = [
                p
                for p in book.permissions
                if p.get("role") == "owner"
                or str(p.get("emailAddress", "")).lower() != email.lower()
            ]

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        """The stored spreadsheet (a live object: read it, do not mutate it)."""
        return self.state.books[spreadsheet_id]

    def spreadsheet_ids(self) -> list[str]:
        with self.state.lock:
            return list(self.state.books)

    def values(
        self,
        spreadsheet_id: str,
        a1_range: str,
        render: str = "UNFORMATTED_VALUE",
        date_render: str = "SERIAL_NUMBER",
    ) -> list[list[Any]]:
        """Read values directly (no HTTP, not logged), trimmed like the API."""
        with self.state.lock:
            book = self.state.books[spreadsheet_id]
            sheet, bounds = resolve_a1(book, a1_range)
            calc = Calc(book, self.state.now())
            return read_matrix(
                calc, sheet, bounds.clip(sheet.rows, sheet.cols), "ROWS", render, date_render
            )

    def value_range(self, spreadsheet_id: str, a1_range: str) -> dict[str, Any]:
        with self.state.lock:
            book = self.state.books[spreadsheet_id]
            sheet, bounds = resolve_a1(book, a1_range)
            return value_range(
                Calc(book, self.state.now()),
                sheet,
                bounds,
                "ROWS",
                "FORMATTED_VALUE",
                "SERIAL_NUMBER",
            )

    def edit_now(self, edit: Edit) -> None:
        """Apply a person's edit immediately."""
        self.state.apply_edit_now(edit)

    def set_values(
        self,
        spreadsheet_id: str,
        a1_range: str,
        values: list[list[Any]],
        input_option: str = "USER_ENTERED",
    ) -> None:
        """Type values into the sheet as a person would (not logged, not protected)."""
        self.edit_now(Edit.set_values(spreadsheet_id, a1_range, values, input_option))

    # ------------------------------------------------------------ request log
    def requests(self, kind: str | None = None) -> list[RequestRecord]:
        """API requests served since the last reset (optionally of one kind)."""
        return self.state.log.records(kind)

    def count(self, kind: str | None = None) -> int:
        return len(self.requests(kind))

    def clear_requests(self) -> None:
        self.state.log.clear()

    # ------------------------------------------------------------ faults, quota, edits
    def inject_fault(
        self,
        action: str,
        *,
        at: int | Iterable[int] | None = None,
        probability: float | None = None,
        seed: int | None = None,
        kinds: str | Iterable[str] | None = None,
        delay: float = 0.0,
        times: int | None = None,
    ) -> FaultRule:
        """Inject "429" | "500" | "503" | "drop" | "drop_after" | "cut" | "slow" on the at-th
        matching request(s), or with a seeded probability, or (neither) on every one."""
        return self.state.faults.add(
            action, at=at, probability=probability, seed=seed, kinds=kinds, delay=delay, times=times
        )

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def set_quota(
        self,
        per_user: int | None = None,
        per_project: int | None = None,
        *,
        reads_per_user: int | None = None,
        writes_per_user: int | None = None,
        reads_per_project: int | None = None,
        writes_per_project: int | None = None,
        window: float = 60.0,
    ) -> None:
        """Requests per `window` seconds (sliding); beyond it API calls get 429."""
        self.state.quota.configure(
            per_user=per_user,
            per_project=per_project,
            reads_per_user=reads_per_user,
            writes_per_user=writes_per_user,
            reads_per_project=reads_per_project,
            writes_per_project=writes_per_project,
            window=window,
        )

    def quota_peaks(self) -> dict[str, int]:
        """The most requests each quota limit counted in one window since `set_quota`."""
        return self.state.quota.peaks()

    @property
    def clock(self) -> Clock:
        """The emulator clock (quota windows, token expiry, NOW()/TODAY())."""
        return self.state.clock

    def schedule_edit(
        self, edit: Edit, at_request: int = 1, kinds: str | Iterable[str] | None = None
    ) -> ScheduledEdit:
        """Apply `edit` just before the at_request-th API request from now is served."""
        return self.state.edits.add(edit, at_request, kinds)

    @property
    def edit_errors(self) -> list[str]:
        return list(self.state.edit_errors)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of requests the emulator failed on (answered 500 INTERNAL)."""
        return list(self.state.internal_errors)
