"""The learned models' registry and the desk's labels (migration ``0013_models``).

``model_version``: every learned model the desk trained (``grapevine model train
--from-desk``), its metrics and its artefact (the model's JSON, zlib-compressed), one active
per language; no row active for a language means the model shipped in its language pack.
``desk_label``: a label a person gave a mention besides the case workflow (a sentiment
corrected, a mention marked as needing attention, a complaint called or uncalled).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from storage.fields import json_field as _json
from storage.fields import ts_now as _ts_now


class ModelVersion(SQLModel, table=True):
    """One learned model: ``version`` (the model's name, in each mention's
    ``analyser_version``), ``lang``, its metrics, whether it is the active one."""

    __tablename__ = "model_version"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=40, unique=True)
    lang: str = Field(default="en", max_length=8, index=True)
    created_at: datetime = _ts_now()
    #: the model it was refit from (a shipped model's name or another version)
    parent: str = Field(default="", max_length=40)
    metrics: dict[str, Any] = _json()
    active: bool = Field(default=False, index=True)
    #: the model's JSON artefact, zlib-compressed
    artefact: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


class DeskLabel(SQLModel, table=True):
    """A person's label on a mention: ``kind`` ``sentiment`` (value -1..1), ``complaint``
    (1 or 0) or ``attention`` (1: needs attention, marked by hand)."""

    __tablename__ = "desk_label"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mention.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    value: float = 0.0
    actor: str = Field(default="system", max_length=200)
    at: datetime = _ts_now()
