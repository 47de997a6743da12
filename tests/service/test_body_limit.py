"""A real `aftersales serve` (uvicorn on 127.0.0.1) refuses a 256 MiB POST to Sync now without
reading it: a declared length over the limit is a 413 before the body, an anonymous or badly
authenticated caller is a 401 before the body, and a signed chunked body is cut off at the limit
with a 413; the server's peak memory stays where it was."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.auth import derive_sheet_secret, sign_request
from app.registry import SheetRegistry
from app.store import Store
from tests.service.conftest import Server, ServerFactory
from tests.workbooks import case, write_workbook

SHEET = "desk"
PATH = f"/v1/sheets/{SHEET}/sync"
MIB = 1024 * 1024
HUGE = 256 * MIB
PIECE = 64 * 1024
# Generous: the server answers within milliseconds; this only turns a server that waits for
# the whole body into a failure instead of a hang.
ANSWER_TIMEOUT = 60.0


@dataclass
class Upload:
    """A POST sent over a raw socket, so that the test decides how much of the body goes out
    before the answer is read: `head_start` bytes, then (after the answer) the rest, ignoring
    the server closing the connection."""

    port: int
    headers: dict[str, str]
    chunked: bool
    head_start: int
    answered: threading.Event = field(default_factory=threading.Event)
    sent: int = 0

    def _body_piece(self, size: int) -> bytes:
        data = b"x" * size
        if self.chunked:
            return f"{size:x}\r\n".encode() + data + b"\r\n"
        return data

    def _send_body(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while self.sent < min(self.head_start, HUGE):
                sock.sendall(self._body_piece(PIECE))
                self.sent += PIECE
            # The rest only after the server has answered: a server that needs the whole body
            # before answering never gets it, and the test fails instead of passing by luck.
            self.answered.wait(ANSWER_TIMEOUT)
            while self.sent < HUGE:
                sock.sendall(self._body_piece(PIECE))
                self.sent += PIECE
            if self.chunked:
                sock.sendall(b"0\r\n\r\n")

    def send(self) -> tuple[int, bytes]:
        """(status, raw response) once the server has answered."""
        framing = (
            {"Transfer-Encoding": "chunked"} if self.chunked else {"Content-Length": str(HUGE)}
        )
        lines = [f"POST {PATH} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in (self.headers | framing).items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=ANSWER_TIMEOUT) as sock:
            sock.sendall(head)
            sender = threading.Thread(target=self._send_body, args=(sock,), daemon=True)
            sender.start()
            try:
                response = read_response_head(sock)
            finally:
                self.answered.set()
                sender.join(ANSWER_TIMEOUT)
        return int(response.split(b" ", 2)[1]), response


def read_response_head(sock: socket.socket) -> bytes:
    """The status line, headers and whatever of the body came with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        got = sock.recv(65536)
        if not got:
            break
        data += got
    assert data, "the server closed the connection without answering"
    return data


def peak_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    values = {}
    for line in status:
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = int(rest.split()[0])
    return values


@pytest.fixture
def server(servers: ServerFactory, tmp_path: Path) -> Iterator[Server]:
    """One service process on SQLite with the sheet `desk` registered, warmed up by a signed
    Sync now (so that what is measured afterwards is the big POSTs, not the first sync)."""
    url = f"sqlite:///{tmp_path}/store.db"
    with Store.open(url) as store:
        workbook = write_workbook(tmp_path / "desk.xlsx", [case()])
        SheetRegistry(store).add(SHEET, kind="workbook", location=str(workbook))
    (process,) = servers(1, url)
    warm = process.sync_now(SHEET)
    assert warm.status_code == 200, warm.text
    yield process


def signed_headers(server: Server) -> dict[str, str]:
    """Valid-looking HMAC headers for Sync now (they cannot be checked without the body)."""
    return sign_request(derive_sheet_secret(server.master, SHEET), "POST", PATH, b"", 1)


def test_a_256_mib_post_is_refused_without_reading_it(server: Server) -> None:
    """Five 256 MiB POSTs to Sync now: declared and chunked, anonymous, with a bogus bearer token
    and signed. Each is answered (413, or 401 for callers without usable credentials) while the
    server has at most the limit's worth of the body, and its peak memory grows by little."""
    pid = server.proc.pid
    before = peak_kib(pid)
    bogus_bearer = {"Authorization": "Bearer not-a-real-identity-token"}
    uploads = {
        # (headers, chunked, bytes sent before the answer must come, acceptable statuses)
        "anonymous, declared length": ({}, False, 0, {413, 401}),
        "anonymous, chunked": ({}, True, PIECE, {401}),
        "bogus bearer token, chunked": (bogus_bearer, True, PIECE, {401}),
        "signed, declared length": (signed_headers(server), False, 0, {413}),
        # A signature covers the body, so the server reads up to the limit (1 MiB), then stops.
        "signed, chunked": (signed_headers(server), True, 2 * MIB, {413}),
    }
    for what, (headers, chunked, head_start, statuses) in uploads.items():
        upload = Upload(server.port, headers, chunked, head_start)
        status, response = upload.send()
        assert status in statuses, f"{what}: {response[:400]!r}"
        assert b'"error"' in response or b"content-length: 0" not in response.lower(), what
    after = peak_kib(pid)
    growth_kib = after["VmHWM"] - before["VmHWM"]
    print(
        f"server VmHWM {before['VmHWM']} -> {after['VmHWM']} KiB (+{growth_kib} KiB); "
        f"VmRSS {before['VmRSS']} -> {after['VmRSS']} KiB"
    )
    assert server.alive()
    assert growth_kib < 16 * 1024, f"peak memory grew by {growth_kib} KiB"
