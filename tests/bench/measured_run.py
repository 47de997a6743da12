"""Run a command from a small fresh process and report its exit code, CPU time and peak memory.

``python -m tests.bench.measured_run CMD [ARGS...]`` runs CMD (its output goes where this
process's goes) and prints one JSON line on standard error's last line: ``exit``, ``cpu_s`` and
``peak_mb`` from the command's own rusage (os.wait4).

Why not wait4 in the bench's pytest process: Linux carries a process's peak resident size over
from the parent it was forked from, through exec, so a command started straight from a pytest
process that had grown to 3.2 GB (after the 50,000-case benches) reported 3,210 MB for a sync of
one case. Forked from this interpreter instead, what it carries over is this process's own
size: the ~10 MB of a bare Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tests.bench.measured_run CMD [ARGS...]", file=sys.stderr)
        return 2
    child = subprocess.Popen(argv)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    figures = {
        "exit": child.returncode,
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
    }
    sys.stderr.write("\n" + json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
