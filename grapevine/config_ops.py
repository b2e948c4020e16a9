"""Config of daily operations: the schedule, support-queue targets, exports and alerts."""

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from grapevine.config_base import NAME_RE, Strict


class ScheduleConfig(Strict):
    """When ``grapevine schedule`` runs the daily job."""

    times: list[str] = Field(default_factory=lambda: ["07:00"], min_length=1)
    timezone: str = "UTC"
    run_missed: bool = True
    export_every_minutes: int = Field(
        default=5, ge=0, description="send what is pending (hand-sent cases) this often; 0: off"
    )
    run_timeout_minutes: float = Field(default=240, gt=0, description="a run is stopped after")
    stop_grace_seconds: float = Field(default=120, gt=0, description="SIGTERM, then SIGKILL")

    @field_validator("times")
    @classmethod
    def _hhmm(cls, value: list[str]) -> list[str]:
        for item in value:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", item):
                raise ValueError(f"times as HH:MM (24 h); got {item!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"an IANA time zone like Europe/Berlin; got {value!r}") from None
        return value


class TargetRules(Strict):
    """Which cases a support-queue target receives; all given conditions must hold."""

    complaint: bool | None = None
    max_rating: float | None = Field(default=None, ge=1, le=5)
    min_priority: float | None = Field(default=None, ge=0, le=1)
    brand: Literal["own", "competitor", "any"] = "own"
    sources: list[str] = Field(default_factory=list)
    aspects: list[str] = Field(default_factory=list)
    any_of: Literal[True, False] = Field(
        default=False, description="true: any one condition suffices instead of all"
    )


class ExportConfig(Strict):
    """How the support-queue export retries a target that fails."""

    retry_base_minutes: float = Field(default=5, gt=0, description="first retry after")
    retry_max_hours: float = Field(default=6, gt=0, description="retries back off up to")
    stop_after_failures: int = Field(
        default=3, ge=1, description="consecutive failures that end a target's turn in a run"
    )


class TargetBase(Strict):
    """Options every support-queue target accepts."""

    name: str = Field(pattern=NAME_RE, max_length=100)
    rules: TargetRules | None = None
    enabled: bool = True


class WebhookTarget(TargetBase):
    """A JSON POST per case, signed with HMAC-SHA256 when ``secret_env`` is set."""

    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret_env: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    headers_env: dict[str, str] = Field(
        default_factory=dict, description="header name -> environment variable with its value"
    )
    timeout: float = Field(default=10, gt=0, description="seconds for one delivery in all")


class EmailTarget(TargetBase):
    """One email per case to the helpdesk's intake address."""

    type: Literal["email"]
    to: list[str] = Field(min_length=1)
    sender: str = "grapevine@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    username_env: str | None = None
    password_env: str | None = None
    ca_file: str | None = Field(default=None, description="trust this CA for STARTTLS")
    timeout: float = Field(default=20, gt=0, description="seconds for one delivery in all")

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class FileTarget(TargetBase):
    """A CSV or JSONL file appended per run (for tools that import files)."""

    type: Literal["file"]
    path: str
    format: Literal["csv", "jsonl"] = "jsonl"


class RtTarget(TargetBase):
    """A ticket per case in Request Tracker 5 (REST 2), in ``queue``."""

    type: Literal["rt"]
    url: str = Field(pattern=r"^https?://", description="the REST 2 API, .../REST/2.0/")
    queue: str = "General"
    token_env: str = Field(description="environment variable with an RT auth token")
    tags: list[str] = Field(default_factory=lambda: ["grapevine"])
    timeout: float = Field(default=20, gt=0, description="seconds for one request")


class ZendeskTarget(TargetBase):
    """A ticket per case in Zendesk Support (tickets API, API-token auth)."""

    type: Literal["zendesk"]
    subdomain: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    url: str | None = Field(default=None, pattern=r"^https?://")
    email_env: str = Field(description="environment variable with the agent's email")
    token_env: str = Field(description="environment variable with the API token")
    tags: list[str] = Field(default_factory=lambda: ["grapevine"])
    timeout: float = Field(default=20, gt=0, description="seconds for one request")

    @model_validator(mode="after")
    def _where(self) -> "ZendeskTarget":
        if not (self.subdomain or self.url):
            raise ValueError("subdomain: a zendesk target needs subdomain (or url)")
        return self


class FreshdeskTarget(TargetBase):
    """A ticket per case in Freshdesk (API v2, API-key basic auth)."""

    type: Literal["freshdesk"]
    url: str = Field(pattern=r"^https?://", description="https://yourcompany.freshdesk.com")
    api_key_env: str = Field(description="environment variable with the API key")
    default_requester: str = Field(
        default="grapevine@example.com", description="requester when no customer is linked"
    )
    tags: list[str] = Field(default_factory=lambda: ["grapevine"])
    timeout: float = Field(default=20, gt=0, description="seconds for one request")


HELPDESK_TYPES = ("rt", "zendesk", "freshdesk")

Target = Annotated[
    WebhookTarget | EmailTarget | FileTarget | RtTarget | ZendeskTarget | FreshdeskTarget,
    Field(discriminator="type"),
]


class AlertChannel(Strict):
    """Where alerts and the digest go: an email address or a Slack-compatible webhook."""

    type: Literal["email", "webhook"]
    name: str | None = Field(default=None, pattern=NAME_RE, max_length=100)
    url: str | None = Field(default=None, pattern=r"^https?://")
    url_env: str | None = Field(
        default=None, description="environment variable holding the URL (Slack's is a secret)"
    )
    to: list[str] = Field(default_factory=list)
    sender: str = "grapevine@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    username_env: str | None = None
    password_env: str | None = None
    ca_file: str | None = None
    timeout: float = Field(default=10, gt=0, description="seconds for one delivery in all")

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _complete(self) -> "AlertChannel":
        if self.type == "webhook" and not (self.url or self.url_env):
            raise ValueError("url: a webhook channel needs a url (or url_env)")
        if self.type == "email" and not self.to:
            raise ValueError("to: an email channel needs at least one address")
        return self


class AlertsConfig(Strict):
    """Daily digest, spike and silence alerts."""

    channels: list[AlertChannel] = Field(default_factory=list)
    digest: bool = True
    spike_factor: float = Field(default=3.0, gt=1)
    spike_min_count: int = Field(default=5, ge=1)
    spike_baseline_days: int = Field(default=14, ge=3)
    spike_cooldown_hours: float = Field(default=24, ge=0)
    silence_factor: float = Field(default=3.0, gt=1)
    failed_runs: int = Field(default=3, ge=1)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ReportConfig(Strict):
    """The weekly report (``grapevine report``), and its email to a list on ``day``.

    The SMTP settings are those of an ``[[alerts.channels]]`` email channel. The scheduled
    report covers the seven whole UTC days before the day it is sent.
    """

    weekly: bool = False
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = (
        "monday"
    )
    time: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    format: Literal["html", "pdf"] = "html"
    to: list[str] = Field(default_factory=list)
    sender: str = "grapevine@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    username_env: str | None = None
    password_env: str | None = None
    ca_file: str | None = None
    timeout: float = Field(default=30, gt=0)

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("day", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _complete(self) -> "ReportConfig":
        if self.weekly and not self.to:
            raise ValueError("to: a weekly report needs at least one address")
        return self
