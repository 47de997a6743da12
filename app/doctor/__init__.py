"""`aftersales doctor` and `GET /v1/sheets/{sheet}/doctor`: is a deployment ready for a sheet?

Small checks, each a `Check(name, ok, detail, fix)`: the settings (environment, authentication,
metrics token, quota), the store (reachable, migrated, PostgreSQL for several replicas), Google
(the key, its `client_email`, a token) and the sheet (registered, opens, editable by the service
account, its time zone, the cases tab and required columns). Nothing is written anywhere.
"""

from app.doctor.check import EXIT_CANNOT_RUN, Check, Report
from app.doctor.run import diagnose

__all__ = ["EXIT_CANNOT_RUN", "Check", "Report", "diagnose"]
