"""The HTTP layer (stdlib ThreadingHTTPServer): routing to the API, the token endpoint and
the hooks, plus the request log, person edits and fault injection in front of the API."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .admin import handle_admin
from .api import handle_api
from .auth import OAuthError
from .hooks import ERROR_FAULTS, RequestRecord, fault_error
from .normalize import clean_numbers
from .routes import classify
from .state import EmulatorState, Reply


def encode_json(body: Any) -> bytes:
    return (json.dumps(clean_numbers(body), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without NODELAY, Nagle plus the
        # client's delayed ACK would add ~40 ms to every response
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # ---------------------------------------------------------------- plumbing
    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, reply: Reply, cut: bool = False) -> None:
        """Answer `reply`; with `cut`, announce the whole body but send half of it and hang up
        (an answer cut off mid-way: the request was served, its answer lost)."""
        if isinstance(reply.body, bytes):
            data = reply.body
        elif reply.body is None:
            data = b""
        else:
            data = encode_json(reply.body)
        self.send_response(reply.status)
        if reply.content_type and (data or reply.status != 204):
            self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data[: len(data) // 2] if cut else data)
        if cut:
            self._drop()

    def _drop(self) -> None:
        """Close the socket without answering (a dropped connection)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---------------------------------------------------------------- dispatch
    def _handle(self) -> None:
        state = self.server.state
        split = urllib.parse.urlsplit(self.path)
        raw_path, query = split.path, split.query
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        raw = self._body()
        if raw_path == "/__reset" or raw_path.startswith("/__emulator/"):
            self._send(handle_admin(state, self.command, raw_path, params, raw))
            return
        if raw_path == "/token" and self.command == "POST":
            self._token(raw)
            return
        route = classify(self.command, raw_path)
        if route is None:
            message = f"The requested URL {raw_path} was not found on this server."
            self._send(
                Reply(404, {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}})
            )
            return
        self._api(route, raw_path, query, params, raw)

    def _token(self, raw: bytes) -> None:
        state = self.server.state
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode("utf-8")).items()}
        with state.lock:
            state.token_requests += 1
        try:
            body = state.authority.token_request(form, self.server.base_url + "/token")
            self._send(Reply(200, body))
        except OAuthError as err:
            self._send(Reply(err.status, err.body()))

    def _api(
        self, route: Any, raw_path: str, query: str, params: dict[str, list[str]], raw: bytes
    ) -> None:
        state = self.server.state
        record = state.log.start(
            RequestRecord(
                0,
                self.command,
                urllib.parse.unquote(raw_path),
                query,
                route.kind,
                route.spreadsheet_id,
                raw_body=raw,
                started=time.time(),
            )
        )
        state.run_edits(state.edits.due(route.kind))
        fired = state.faults.decide(route.kind)
        for rule in fired:
            if rule.action == "slow":
                time.sleep(rule.delay)
        actions = [r.action for r in fired if r.action != "slow"]
        record.fault = ",".join(r.action for r in fired) or None
        if "drop" in actions:
            record.duration = time.time() - record.started
            self._drop()
            return
        errors = [a for a in actions if a in ERROR_FAULTS]
        if errors:
            error = fault_error(errors[0])
            reply = Reply(error.code, error.body())
        else:
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = handle_api(state, route, params, headers, raw)
        record.duration = time.time() - record.started
        record.principal = _principal_email(state, self.headers.get("Authorization", ""))
        if "drop_after" in actions:
            self._drop()
            return
        record.status = reply.status
        self._send(reply, cut="cut" in actions)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()


def _principal_email(state: EmulatorState, auth: str) -> str | None:
    if not auth.lower().startswith("bearer "):
        return None
    principal = state.authority.principal(auth[7:].strip())
    return principal.email if principal else None


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, dropped connections) are not errors."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        super().__init__(address, Handler)
        self.state = state
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"


def serve_in_thread(
    state: EmulatorState, host: str = "127.0.0.1", port: int = 0
) -> tuple[EmulatorHTTPServer, threading.Thread]:
    server = EmulatorHTTPServer((host, port), state)
    thread = threading.Thread(target=server.serve_forever, name="sheets-emulator", daemon=True)
    thread.start()
    return server, thread
