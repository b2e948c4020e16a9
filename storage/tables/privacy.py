"""Tables of the privacy part of the schema (see storage/models.py for the rest).

``tombstone`` (migration ``0009_privacy``): what ``grapevine forget`` erased, so that the next
crawl does not bring it back. It holds hashes only (:func:`storage.privacy.digest`), never
a handle or an external id in clear.
"""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.fields import ts_now as _ts_now


class Tombstone(SQLModel, table=True):
    """One forgotten key: a mention ``(source, external id)`` or an author ``(source, handle)``.

    ``source`` is a source's name or its type (``mastodon``): an author forgotten on a
    platform stays forgotten on every source of that type. ``external_id_hash`` and
    ``handle_hash`` are SHA-256 hex digests; one of them is set. ``request_id`` ties the rows
    of one forget together (and to its audit row); ``reason`` is the operator's words.
    """

    __tablename__ = "tombstone"
    __table_args__ = (
        Index("ix_tombstone_source_external", "source", "external_id_hash"),
        Index("ix_tombstone_source_handle", "source", "handle_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100)
    external_id_hash: str | None = Field(default=None, max_length=64)
    handle_hash: str | None = Field(default=None, max_length=64)
    request_id: str = Field(default="", max_length=40, index=True)
    reason: str = Field(default="", max_length=200)
    created_at: datetime = _ts_now()
