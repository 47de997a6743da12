"""Team settings (`policies/data/team.yaml`): working hours, SLA targets, paused/closed statuses."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from policies.errors import PolicyError, display_path, from_validation_error
from policies.vocab import STATUSES, normalise

DATA_DIR = Path(__file__).resolve().parent / "data"
TEAM_FILE = DATA_DIR / "team.yaml"

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CalendarName = Literal["team", "china"]
CLOCK_NAMES: tuple[str, ...] = ("first_response", "seller_response", "resolution")
DEFAULT_CALENDARS: dict[str, CalendarName] = {
    "first_response": "team",
    "seller_response": "china",
    "resolution": "team",
}

_DURATION = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[dhm]\s*)+$", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm])", re.IGNORECASE)
_SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BusinessDuration(_Model):
    """A target such as '4h', '2d' or '1d 4h': business days plus business time."""

    days: float = 0.0
    time: timedelta = timedelta(0)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_duration(value)
        return value

    def to_timedelta(self, business_day: timedelta) -> timedelta:
        """The business time this duration stands for, given the length of a business day."""
        return business_day * self.days + self.time

    def __str__(self) -> str:
        parts = [f"{self.days:g}d"] if self.days else []
        minutes = int(self.time.total_seconds() // 60)
        if minutes // 60:
            parts.append(f"{minutes // 60}h")
        if minutes % 60:
            parts.append(f"{minutes % 60}m")
        return " ".join(parts) or "0m"


def parse_duration(text: str) -> dict[str, Any]:
    """'1d 4h' -> {'days': 1.0, 'time': 4 hours}; raises ValueError with a readable message."""
    if not _DURATION.match(text):
        raise ValueError(f"expected a duration like '4h' or '2d', got {text!r}")
    days = 0.0
    time = timedelta(0)
    for number, unit in _DURATION_PART.findall(text):
        amount = float(number)
        if unit.lower() == "d":
            days += amount
        elif unit.lower() == "h":
            time += timedelta(hours=amount)
        else:
            time += timedelta(minutes=amount)
    if days <= 0 and time <= timedelta(0):
        raise ValueError(f"expected a duration longer than zero, got {text!r}")
    return {"days": days, "time": time}


def parse_slot(text: str) -> tuple[int, int]:
    """'09:00-12:00' -> (540, 720) minutes after midnight; '24:00' may end a slot."""
    match = _SLOT.match(text)
    if not match:
        raise ValueError(f"expected a time slot like '09:00-12:00', got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60:
        raise ValueError(f"not a valid time of day in {text!r}")
    if end <= start:
        raise ValueError(f"slot {text!r} ends before it starts")
    return start, end


def _slots(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return value
    parsed = sorted(parse_slot(v) if isinstance(v, str) else v for v in value)
    for (_, end), (start, _) in itertools.pairwise(parsed):
        if start < end:
            raise ValueError("time slots overlap")
    return tuple(parsed)


class SlaTarget(_Model):
    """One SLA target: written as '4h', or as {target: '2d', calendar: china}."""

    target: BusinessDuration
    calendar: CalendarName | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"target": parse_duration(value)}
        return value


class SlaTargets(_Model):
    first_response: SlaTarget = SlaTarget(target=BusinessDuration(time=timedelta(hours=4)))
    seller_response: SlaTarget = SlaTarget(target=BusinessDuration(days=2))
    resolution: SlaTarget = SlaTarget(target=BusinessDuration(days=5))

    def get(self, name: str) -> SlaTarget:
        target: SlaTarget = getattr(self, name)
        return target

    def calendar_for(self, name: str) -> CalendarName:
        return self.get(name).calendar or DEFAULT_CALENDARS[name]


def _default_week() -> dict[str, tuple[tuple[int, int], ...]]:
    day = ((9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60 + 30))
    return {d: (day if d not in ("sat", "sun") else ()) for d in WEEKDAYS}


class TeamSettings(_Model):
    """Everything team-specific the engine needs; every field has the documented default."""

    timezone: str = "Asia/Shanghai"
    holidays_country: str = "CN"
    working_hours: dict[str, tuple[tuple[int, int], ...]] = Field(default_factory=_default_week)
    makeup_day_hours: tuple[tuple[int, int], ...] | None = None
    business_day: BusinessDuration | None = None
    sla: SlaTargets = SlaTargets()
    due_soon_fraction: float = Field(default=0.25, gt=0, lt=1)
    paused_statuses: tuple[str, ...] = ("Awaiting Customer",)
    closed_statuses: tuple[str, ...] = ("Resolved", "Closed")
    # The marketplace a case was bought on when its Marketplace cell is blank (its canonical
    # word in the `marketplace` vocabulary); decides the Seller Deadline's rule.
    default_marketplace: str = "Taobao"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}; expected e.g. 'Asia/Shanghai'") from None
        return v

    @field_validator("holidays_country")
    @classmethod
    def _country(cls, v: str) -> str:
        code = v.strip().upper()
        if code not in holidays.list_supported_countries():
            raise ValueError(f"unknown country code {v!r}; expected e.g. 'CN'")
        return code

    @field_validator("working_hours", mode="before")
    @classmethod
    def _week(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {d: () for d in WEEKDAYS}
        for key, slots in value.items():
            day = str(key).strip().lower()[:3]
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {key!r}; expected one of {', '.join(WEEKDAYS)}")
            try:
                out[day] = _slots(slots)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        if not any(out.values()):
            raise ValueError("no working hours on any day")
        return out

    @field_validator("makeup_day_hours", mode="before")
    @classmethod
    def _makeup(cls, value: Any) -> Any:
        return None if value is None else _slots(value)

    @field_validator("paused_statuses", "closed_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return value
        out = []
        for item in value:
            canon = normalise(STATUSES, str(item))
            if canon is None:
                raise ValueError(f"unknown status {item!r}; expected one of: {', '.join(STATUSES)}")
            out.append(canon)
        return out

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def weekly_slots(self) -> dict[int, tuple[tuple[int, int], ...]]:
        """Working slots by weekday number (Monday = 0), minutes after midnight."""
        return {i: self.working_hours.get(d, ()) for i, d in enumerate(WEEKDAYS)}

    def makeup_slots(self) -> tuple[tuple[int, int], ...]:
        """Hours worked on a make-up working day: `makeup_day_hours`, else the first working
        weekday's hours (Monday's by default)."""
        if self.makeup_day_hours:
            return self.makeup_day_hours
        return next((s for s in self.weekly_slots().values() if s), ())

    def business_day_length(self) -> timedelta:
        """Length of one team business day: `business_day`, else the longest working day."""
        if self.business_day is not None:
            return self.business_day.to_timedelta(timedelta(hours=24))
        longest = max(sum(e - s for s, e in slots) for slots in self.weekly_slots().values())
        return timedelta(minutes=longest)

    def is_paused(self, status: str | None) -> bool:
        return status is not None and status in self.paused_statuses

    def is_closed(self, status: str | None) -> bool:
        return status is not None and status in self.closed_statuses


def load_team_settings(path: Path | None = None) -> TeamSettings:
    """Read and validate a team file (default: the shipped `policies/data/team.yaml`)."""
    file = path if path is not None else TEAM_FILE
    name = display_path(file)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(name, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(name, "(yaml)", f"is not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(name, "(document)", "expected a mapping of settings")
    try:
        return TeamSettings.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(name, exc) from None
