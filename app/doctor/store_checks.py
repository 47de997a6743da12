"""The store: it answers, its schema is at the head this version ships (the doctor never
migrates it: it says so instead), and several replicas share a PostgreSQL one."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.doctor.check import Check, failed, passed, skipped
from app.settings import Settings
from app.store import Store
from app.store.engine import READ_ONLY_OPTION, scrub
from app.store.migrate import alembic_config

MIGRATE = "`aftersales sheets list` (every command but doctor migrates the store; so does "
MIGRATE += "`aftersales serve` when it starts)"


def store_checks(store: Store, settings: Settings) -> tuple[list[Check], bool]:
    """(the checks, whether the store can be used for the registry checks that follow)."""
    checks: list[Check] = []
    try:
        reader = store.engine.execution_options(**{READ_ONLY_OPTION: True})  # no write lock
        with reader.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = scrub((str(cause).strip().splitlines() or ["no answer"])[0], store.engine.url)
        checks.append(
            failed(
                "store: reachable",
                f"{store.url} does not answer: {reason}",
                "Check AFTERSALES_DATABASE_URL (host, port, database, user, password) and that "
                "the database accepts connections from this machine.",
            )
        )
        checks.append(skipped("store: migrated", "skipped: the store does not answer"))
        checks.append(replicas(store, settings))
        return checks, False
    checks.append(passed("store: reachable", f"{store.url} ({store.dialect})"))
    checks.append(migrated(current))
    checks.append(replicas(store, settings))
    return checks, checks[1].ok


def migrated(current: str | None) -> Check:
    name = "store: migrated"
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if current == head:
        return passed(name, f"at {head}, this version's newest schema")
    if current is None:
        return failed(name, f"empty: no schema yet (this version needs {head})", f"Run {MIGRATE}.")
    try:
        known = script.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        return failed(
            name,
            f"at {current}, which this version does not know (a newer version migrated it)",
            "Deploy the version that migrated the store, or a newer one.",
        )
    return failed(name, f"at {current}; this version needs {head}", f"Run {MIGRATE}.")


def replicas(store: Store, settings: Settings) -> Check:
    """More than one replica share syncs, locks, the scheduler and the quota through PostgreSQL."""
    name = "store: replicas"
    count = settings.replicas
    plural = "replica" if count == 1 else "replicas"
    if count > 1 and store.dialect != "postgresql":
        return failed(
            name,
            f"{count} {plural} on {store.dialect}: each would lock, schedule and count Google's "
            "quota on its own",
            "Set AFTERSALES_DATABASE_URL=postgresql+psycopg://USER@HOST/DB for every replica "
            "(or AFTERSALES_REPLICAS=1 if only one runs).",
        )
    return passed(name, f"{count} {plural} on {store.dialect}")
