"""Settings of the case-workflow automation (a part of the service Settings, `app.settings`).

Rules live in data files (priority, escalation, default templates); these settings only say
which files to use and hold the few numbers that are not rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.automation.reminders import ReminderSettings
from policies.vocab import STATUSES
from sheet_schema.vocabulary import canonical_items

DEFAULT_CUSTOMER_VISIBLE = ("In Progress", "Awaiting Customer", "Resolved", "Closed")


class AutomationSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # None = the shipped app/automation/data/<file>.yaml
    priority_file: Path | None = None
    escalation_file: Path | None = None
    templates_file: Path | None = None
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    # A Status change INTO one of these queues a "tell the customer" notice.
    customer_visible_statuses: tuple[str, ...] = DEFAULT_CUSTOMER_VISIBLE

    @field_validator("customer_visible_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if not isinstance(value, list | tuple):
            return value
        return canonical_items(STATUSES, value, "status")
