"""The pure cores (automation, analytics) load without the store, the notifier, the sheets
backends or a database driver: they share values with those only through `app.values`."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import app.automation.notices, app.automation.triage, app.automation.workflow
import app.analytics.compute, app.analytics.tables, app.analytics.timeline
print(json.dumps(sorted(sys.modules)))
"""


def test_automation_and_analytics_import_nothing_that_does_io() -> None:
    """A fresh interpreter importing both packages has loaded no store, notify, sheets or
    sync module, and neither SQLAlchemy nor gspread."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE], check=True, capture_output=True, text=True
    ).stdout
    loaded = json.loads(out)
    io = [
        name
        for name in loaded
        if name.split(".")[0] in {"sqlalchemy", "gspread", "httpx"}
        or name.startswith(("app.store", "app.notify", "app.sheets", "app.sync", "app.api"))
    ]
    assert io == []
