"""The store: it answers, its schema is at the head this version ships (the doctor never
migrates it: it says so instead), and several replicas share a PostgreSQL one."""

from __future__ import annotations

from sqlalchemy import text as sql
from sqlalchemy.exc import SQLAlchemyError

from app.doctor.check import Check, failed, passed, skipped
from app.settings import Settings
from app.store import Store
from app.store.engine import READ_ONLY_OPTION, scrub
from app.store.migrate import alembic_config, stored_revision
from sheet_schema.messages import text


def store_checks(
    store: Store, settings: Settings, language: str = "en"
) -> tuple[list[Check], bool]:
    """(the checks, whether the store can be used for the registry checks that follow)."""
    checks: list[Check] = []
    try:
        reader = store.engine.execution_options(**{READ_ONLY_OPTION: True})  # no write lock
        with reader.connect() as conn:
            conn.execute(sql("SELECT 1"))
            current = stored_revision(conn)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = scrub((str(cause).strip().splitlines() or ["no answer"])[0], store.engine.url)
        checks.append(
            failed(
                "store: reachable",
                text("doctor.store_unreachable_detail", language, url=store.url, reason=reason),
                text("doctor.store_unreachable_fix", language),
            )
        )
        why = text("doctor.why_store_no_answer", language)
        checks.append(skipped("store: migrated", text("doctor.skipped", language, why=why)))
        checks.append(replicas(store, settings, language))
        return checks, False
    checks.append(
        passed(
            "store: reachable",
            text("doctor.store_reachable", language, url=store.url, dialect=store.dialect),
        )
    )
    checks.append(migrated(current, language))
    checks.append(replicas(store, settings, language))
    return checks, checks[1].ok


def migrated(current: str | None, language: str = "en") -> Check:
    # Alembic only here (a doctor run): the service that serves the doctor never loads it.
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    name = "store: migrated"
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if current == head:
        return passed(name, text("doctor.migrated_at_head", language, head=head))
    fix = text("doctor.migrate_fix", language)
    if current is None:
        return failed(name, text("doctor.migrated_empty", language, head=head), fix)
    try:
        known = script.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        return failed(
            name,
            text("doctor.migrated_unknown_detail", language, current=current),
            text("doctor.migrated_unknown_fix", language),
        )
    return failed(name, text("doctor.migrated_behind", language, current=current, head=head), fix)


def replicas(store: Store, settings: Settings, language: str = "en") -> Check:
    """More than one replica share syncs, locks, the scheduler and the quota through PostgreSQL."""
    name = "store: replicas"
    count = settings.replicas
    counted = text(f"doctor.replicas_{'one' if count == 1 else 'many'}", language, count=count)
    if count > 1 and store.dialect != "postgresql":
        return failed(
            name,
            text(
                "doctor.replicas_shared_detail", language, replicas=counted, dialect=store.dialect
            ),
            text("doctor.replicas_shared_fix", language),
        )
    return passed(
        name, text("doctor.replicas_ok", language, replicas=counted, dialect=store.dialect)
    )
