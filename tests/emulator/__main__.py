"""``python -m tests.emulator --host 127.0.0.1 --port 8085``: run the emulator."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from .emulator import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local Google Sheets API v4 emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument(
        "--static-token",
        action="append",
        default=None,
        metavar="TOKEN[=EMAIL]",
        help="accept a fixed bearer token (default: 'test-token', as the conformance harness "
        "sends); repeat for more",
    )
    parser.add_argument("--no-static-token", action="store_true", help="accept OAuth tokens only")
    args = parser.parse_args(argv)
    emu = Emulator(args.host, args.port).start()
    if not args.no_static_token:
        for spec in args.static_token or ["test-token"]:
            token, _, email = spec.partition("=")
            emu.add_static_token(token, email or "tester@emulator.iam.gserviceaccount.com")
    print(f"Sheets API emulator listening on {emu.base_url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
