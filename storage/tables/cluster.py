"""Tables of the cluster part of the schema (migration ``0012_cluster``).

A distributed day (``grapevine run --distributed``, ``grapevine schedule`` in cluster mode) is
one :class:`ClusterDay` row, unique by ``day_id`` (the date and slot, or a manual run's
stamp), so a day cannot be enqueued twice; each of its crawl tasks is a :class:`ClusterTask`
row (one per source, or ``parts`` rows for a source shared by several workers). The fan-in
claims the day row (``fanned_in_at`` set once), so it runs once even when delivered twice.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.fields import json_field as _json
from storage.fields import ts as _ts
from storage.fields import ts_now as _ts_now

#: Day states: ``queued`` (tasks sent), ``fanning_in`` (the global steps run), ``done``.
DAY_STATES = ("queued", "fanning_in", "done")
#: Task states; ``dead``: failed more often than allowed (a dead letter), the day goes on.
TASK_STATES = ("queued", "running", "done", "failed", "dead")


class ClusterDay(SQLModel, table=True):
    """One enqueued day of the distributed job."""

    __tablename__ = "cluster_day"

    id: int | None = Field(default=None, primary_key=True)
    day_id: str = Field(max_length=80, unique=True, index=True)
    trigger: str = Field(default="manual", max_length=20)
    state: str = Field(default="queued", max_length=20, index=True)
    enqueued_at: datetime = _ts_now(index=True)
    deadline_at: datetime | None = _ts()
    fanned_in_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    job_run_id: int | None = Field(default=None)
    summary: dict[str, Any] = _json()


class ClusterTask(SQLModel, table=True):
    """One crawl task of a day: a source (``part`` of ``parts`` for a shared source)."""

    __tablename__ = "cluster_task"
    __table_args__ = (
        UniqueConstraint("day_id", "source", "part", name="uq_cluster_task_day_source_part"),
    )

    id: int | None = Field(default=None, primary_key=True)
    day_id: str = Field(max_length=80, index=True)
    source: str = Field(max_length=100, index=True)
    part: int = Field(default=0)
    parts: int = Field(default=1)
    state: str = Field(default="queued", max_length=20, index=True)
    attempts: int = Field(default=0)
    worker: str = Field(default="", max_length=200)
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    started_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    result: dict[str, Any] = _json()
