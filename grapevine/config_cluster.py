"""Config of the cluster: ``[cluster]`` (the broker, task limits) for distributed runs.

Nothing here is needed on one machine: without ``broker_url`` (or ``GRAPEVINE_BROKER_URL``)
``grapevine run`` crawls in its own process as always. The broker URL may hold a password:
it is only ever shown with the password masked (:func:`masked_url`).
"""

import re

from pydantic import Field, field_validator

from grapevine.config_base import Strict

BROKER_URL_ENV = "GRAPEVINE_BROKER_URL"


class ClusterConfig(Strict):
    """Celery on Redis (or RabbitMQ): workers on any number of machines, one database."""

    broker_url: str | None = Field(
        default=None, description="redis://host:6379/0 or amqp://user@host:5672//"
    )
    result_backend: str | None = Field(
        default=None, description="Celery's result store; default: the broker when it is Redis"
    )
    key_prefix: str = Field(
        default="grapevine:", max_length=100, description="prefix of every Redis key we make"
    )
    queue: str = Field(default="grapevine", pattern=r"^[\w.-]+$", description="the task queue")
    task_time_limit_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    max_attempts: int = Field(
        default=3, ge=1, le=20, description="tries of a crawl task before it is dead"
    )
    retry_delay_seconds: float = Field(default=10.0, ge=0)
    day_timeout_minutes: float = Field(
        default=240.0, gt=0, description="a distributed day's total deadline"
    )
    visibility_timeout_seconds: float | None = Field(
        default=None,
        gt=0,
        description="Redis: a task unacknowledged this long (its worker died) is redelivered; "
        "default: the task time limit plus 5 minutes",
    )
    restore_interval_seconds: float = Field(
        default=10.0, gt=0, description="Redis: how often workers look for such tasks"
    )

    @field_validator("broker_url", "result_backend")
    @classmethod
    def _broker(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(redis|rediss|amqp|amqps|pyamqp)://", value):
            raise ValueError("a redis:// or amqp:// URL")
        return value

    @property
    def visibility_timeout(self) -> float:
        """Seconds before an unacknowledged task is given to another worker (Redis)."""
        return self.visibility_timeout_seconds or self.task_time_limit_minutes * 60 + 300


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for logs and messages)."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
