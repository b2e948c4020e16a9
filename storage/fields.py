"""Column helpers shared by every table module (storage.models and storage.tables.*)."""

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from storage.types import UTCDateTime, utcnow


def ts(*, index: bool = False, nullable: bool = True) -> Any:
    """A UTC timestamp column, empty by default."""
    return Field(
        default=None,
        sa_column=Column(UTCDateTime(), index=index, nullable=nullable),
    )


def ts_now(*, index: bool = False) -> Any:
    """A UTC timestamp column set to now on insert."""
    return Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), index=index, nullable=False),
    )


def json_field(default_factory: Any = dict) -> Any:
    """A JSON column (never NULL)."""
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))
