"""One typed `Settings` for the whole service, read from `AFTERSALES_*` environment variables
(and a `.env` file). Secrets are `SecretStr`, so they print as '**********' in logs and reprs;
each may instead come from a mounted file, named by `AFTERSALES_<NAME>_FILE` (secret_files.py)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from app.auth.settings import AuthSettings
from app.automation.settings import AutomationSettings
from app.notify.settings import NotifySettings
from app.schedule_offsets import ScheduleSettings
from app.secret_files import SecretFilesSource
from app.service.coordinator import SyncLimits
from app.service.quota import QuotaSettings
from app.store import DatabaseSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AFTERSALES_",
        env_file=".env",
        extra="ignore",
        env_nested_delimiter="__",
        hide_input_in_errors=True,  # a bad secret must not be echoed in the error
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: SecretStr = SecretStr("sqlite:///var/aftersales.db")
    # The connection pool of each process (AFTERSALES_DATABASE__POOL_SIZE, ...).
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    # Bursts of presses: syncs run at once, presses that may wait (AFTERSALES_SYNCS__...).
    syncs: SyncLimits = Field(default_factory=SyncLimits)
    workbook: Path = Path("data/aftersales.xlsx")
    # Directory of extra/replacement policy files; None uses the shipped policies/data.
    policies_dir: Path | None = None
    team_file: Path | None = None
    # Tab names, when a team renamed them (key -> title), e.g. {"cases": "售后"}.
    tab_names: dict[str, str] = Field(default_factory=dict)
    # Incremental evaluation (AFTERSALES_INCREMENTAL): a sync reuses the planning of cases whose
    # inputs did not change and whose validity horizon has not passed; off plans every case.
    incremental: bool = True
    # How many cases' plannings the process keeps for that (some 5 KB each; 100,000 is about
    # 500 MB); past it the sheets synced least lately are planned in full at their next press.
    incremental_cache_cases: int = Field(default=100_000, ge=0)
    # How many times a sync re-reads and re-plans when the sheet changed under it.
    max_replans: int = 3
    # How long a command waits for another process's sync or undo of the same sheet to finish.
    sheet_lock_wait_seconds: float = Field(default=600.0, gt=0)
    # How many processes of the service share this store (the deployment's replica count);
    # `aftersales doctor` checks that more than one share a PostgreSQL store.
    replicas: int = Field(default=1, ge=1)
    # How long a press of Sync now / Recalculate all waits for its run before it is answered
    # 202 with the run to poll (Apps Script gives up on a fetch after 60 s); `?wait=` overrides.
    press_answer_seconds: float = Field(default=20.0, ge=0, le=600)
    # How long a CLI sync runs before it shows a progress bar (on a terminal, not with --json).
    cli_progress_after_seconds: float = Field(default=0.5, ge=0)
    # Google service-account key: a file path or the key's JSON. Never logged.
    google_credentials: SecretStr | None = None
    # Tests only: send Google API traffic to a local Sheets API emulator (loopback only).
    google_api_override: str | None = None
    google_timeout_seconds: float = 30.0
    google_retry_budget_seconds: float = 60.0
    # Google's per-minute quotas, which all replicas together stay under (the quota governor).
    quota: QuotaSettings = Field(default_factory=QuotaSettings)
    # Who may call the API: Google identity tokens, HMAC signatures, the metrics token.
    auth: AuthSettings = Field(default_factory=AuthSettings)
    # Replies, reminders, escalation rules; where notifications go (never from a sheet cell).
    automation: AutomationSettings = Field(default_factory=AutomationSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    # Largest request body accepted (bytes); a larger one is refused with 413 before it is read.
    max_request_body_bytes: int = Field(default=1024 * 1024, gt=0)
    host: str = "127.0.0.1"
    port: int = 8000
    scheduler_enabled: bool = True
    # The night window each sheet's nightly recalculation gets its own moment in.
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # A secret given by file sits beside its environment variable (both at once is refused).
        return (
            init_settings,
            env_settings,
            SecretFilesSource(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
