"""The FastAPI application: `create_app(settings)` builds it; shared resources are made in
`lifespan` and kept on `app.state.context`."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from app.api import adopt as adopt_routes
from app.api import doctor as doctor_routes
from app.api import meta as meta_routes
from app.api import sheets as sheet_routes
from app.api.context import ServiceContext, utc_now
from app.api.deps import CallerDep, check_sheet_id
from app.api.errors import install_error_handlers
from app.api.guard import RequestGuard
from app.auth import Authenticator
from app.composition import CompositionRoot
from app.errors import ConfigurationError
from app.notify.reach import channel_note
from app.service.metrics import Metrics
from app.settings import Settings
from app.store.replay import StoreReplayCache

log = logging.getLogger("aftersales.api")
DEV_SECRET_FILE = Path("var/dev-hmac-secret")


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    start_scheduler: bool | None = None,
) -> FastAPI:
    """Build the app. The store, registry, authenticator and scheduler are opened in lifespan."""
    settings = check_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context = build_context(settings, clock=clock)
        app.state.context = context
        unsent = channel_note(settings.notify)
        if unsent is not None:  # escalations and reminders would only be noted in the sheet
            log.warning(
                "notifications: %s; escalations and reminders are recorded in the sheet but "
                "reach no one (set AFTERSALES_NOTIFY__WEBHOOKS or AFTERSALES_NOTIFY__SMTP__HOST)",
                unsent,
            )
        run_scheduler = settings.scheduler_enabled if start_scheduler is None else start_scheduler
        if run_scheduler:
            context.scheduler = context.root.scheduler(context)
            context.scheduler.start()
        try:
            yield
        finally:
            if context.scheduler is not None:
                context.scheduler.stop()
            context.root.close()

    app = FastAPI(
        title="After-sales Desk",
        version="0.1.0",
        summary="Checks after-sales cases in a team's sheet against platform policy.",
        lifespan=lifespan,
        # Nothing but /healthz answers without credentials: the schema is served by the
        # authenticated route below, and there are no anonymous Swagger/ReDoc pages.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_request_body_bytes,
        authenticator=lambda: app.state.context.authenticator,
    )
    app.include_router(meta_routes.router)
    app.include_router(sheet_routes.router)
    app.include_router(adopt_routes.router)
    app.include_router(doctor_routes.router)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(_: CallerDep) -> JSONResponse:
        """The OpenAPI schema, for callers of the non-sheet endpoints."""
        return JSONResponse(app.openapi())

    return app


def build_context(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> ServiceContext:
    """The running service's context, its parts from the composition root."""
    metrics = Metrics()
    root = CompositionRoot.open(settings, quota_observer=metrics.quota_wait.observe)
    registry = root.registry

    def sheet_key_version(sheet: str) -> int:
        # A malformed id is a 422 naming the parameter, an unregistered one a 404 naming it:
        # both before the signature is checked, which could only say "does not match".
        check_sheet_id(sheet)
        return registry.key_version(sheet)

    return ServiceContext(
        root=root,
        # The replay cache lives in the store, so a signature accepted by one replica is
        # refused by every other one too.
        authenticator=Authenticator(
            settings.auth,
            replay_cache=StoreReplayCache(root.store.engine),
            sheet_key_version=sheet_key_version,
        ),
        metrics=metrics,
        clock=clock,
    )


def check_settings(settings: Settings) -> Settings:
    """Refuse unsafe defaults outside development; give development a local secret."""
    auth = settings.auth
    has_auth = bool(auth.oidc_audiences) or auth.hmac_master_secret is not None
    if settings.environment == "production":
        problems = []
        if not has_auth:
            problems.append(
                "no caller can authenticate: set AFTERSALES_AUTH__OIDC_AUDIENCES (the add-on's "
                "OAuth client id) or AFTERSALES_AUTH__HMAC_MASTER_SECRET"
            )
        if settings.google_api_override:
            problems.append("AFTERSALES_GOOGLE_API_OVERRIDE is for tests only")
        if problems:
            raise ConfigurationError("Refusing to start in production: " + "; ".join(problems))
        return settings
    if not has_auth and settings.environment == "development":
        secret = dev_secret(DEV_SECRET_FILE)
        log.warning(
            "no authentication configured; using the development HMAC secret in %s", DEV_SECRET_FILE
        )
        settings = settings.model_copy(
            update={"auth": auth.model_copy(update={"hmac_master_secret": SecretStr(secret)})}
        )
    return settings


def dev_secret(path: Path) -> str:
    """A random master secret kept in a 0600 file, so a restarted dev service keeps it."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    path.touch(mode=0o600)
    path.write_text(secret, encoding="utf-8")
    return secret
