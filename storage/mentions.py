"""Writing mentions: bulk upserts keyed on (source, external id), with edit history.

Re-crawling never duplicates. A mention whose text, title or rating changed is updated and its
previous version kept in ``mention_revision``; reach, metrics and the company's reply are
refreshed in place. Writes go through SQLAlchemy Core in batches (row-by-row ORM would be slow).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Mention, MentionRevision
from storage.types import utcnow

MENTION = Mention.__table__  # type: ignore[attr-defined]
REVISION = MentionRevision.__table__  # type: ignore[attr-defined]

#: Columns a caller may give; the rest take their defaults.
COLUMNS = [c.name for c in MENTION.columns if c.name != "id"]
_CONTENT = ("title", "text", "rating")
_REFRESH = ("reach", "metrics", "reply_text", "reply_at", "fetched_at", "raw")
_DEFAULTS: dict[str, Any] = {
    "published_estimated": False,
    "metrics": {},
    "raw": {},
    "aspects": [],
    "cues": [],
    "brand": "",
    "is_competitor": False,
    "complaint": False,
    "complaint_score": 0.0,
    "analyser_version": "",
    "needs_attention": False,
    "content_hash": "",
}
_CHUNK = 400


@dataclass
class UpsertResult:
    """What a batch did: counts, and the ids of the new and the edited mentions."""

    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def new(self) -> int:
        """How many mentions were new."""
        return len(self.new_ids)

    @property
    def updated(self) -> int:
        """How many stored mentions changed (edited by their author)."""
        return len(self.updated_ids)

    def add(self, other: "UpsertResult") -> None:
        """Accumulate another batch's result into this one."""
        self.new_ids += other.new_ids
        self.updated_ids += other.updated_ids
        self.unchanged += other.unchanged


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    full = {name: row.get(name, _DEFAULTS.get(name)) for name in COLUMNS}
    for name in ("published_at", "fetched_at", "updated_at"):
        if full[name] is None:
            full[name] = now
    return full


def _insert_ignoring_duplicates(conn: Connection, rows: list[dict[str, Any]]) -> None:
    dialect = conn.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(MENTION).on_conflict_do_nothing(
            index_elements=["source", "external_id"]
        )
    elif dialect == "sqlite":
        stmt = sqlite.insert(MENTION).on_conflict_do_nothing(
            index_elements=["source", "external_id"]
        )
    else:  # pragma: no cover - only the two supported backends
        stmt = insert(MENTION)
    conn.execute(stmt, rows)


def _upsert_chunk(conn: Connection, rows: list[dict[str, Any]]) -> UpsertResult:
    result = UpsertResult()
    keys = [(r["source"], r["external_id"]) for r in rows]
    existing = {
        (row.source, row.external_id): row
        for row in conn.execute(
            select(
                MENTION.c.id,
                MENTION.c.source,
                MENTION.c.external_id,
                MENTION.c.content_hash,
                MENTION.c.title,
                MENTION.c.text,
                MENTION.c.rating,
            ).where(tuple_(MENTION.c.source, MENTION.c.external_id).in_(keys))
        )
    }
    fresh, edited, refreshed = [], [], []
    for row in rows:
        old = existing.get((row["source"], row["external_id"]))
        if old is None:
            fresh.append(row)
        elif row["content_hash"] and row["content_hash"] != old.content_hash:
            edited.append((old, row))
        else:
            refreshed.append((old, row))
    if fresh:
        _insert_ignoring_duplicates(conn, fresh)
        fresh_keys = [(r["source"], r["external_id"]) for r in fresh]
        result.new_ids = list(
            conn.execute(
                select(MENTION.c.id).where(
                    tuple_(MENTION.c.source, MENTION.c.external_id).in_(fresh_keys)
                )
            ).scalars()
        )
    if edited:
        now = utcnow()
        conn.execute(
            insert(REVISION),
            [
                {
                    "mention_id": old.id,
                    "title": old.title,
                    "text": old.text,
                    "rating": old.rating,
                    "content_hash": old.content_hash,
                    "replaced_at": now,
                }
                for old, _ in edited
            ],
        )
        changing = [c for c in COLUMNS if c not in ("source", "external_id", "published_at")]
        conn.execute(
            update(MENTION)
            .where(MENTION.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in changing}),
            [
                {"_id": old.id, **{c: row[c] for c in changing}, "updated_at": now}
                for old, row in edited
            ],
        )
        result.updated_ids = [old.id for old, _ in edited]
    if refreshed:
        conn.execute(
            update(MENTION)
            .where(MENTION.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in _REFRESH}),
            [{"_id": old.id, **{c: row[c] for c in _REFRESH}} for old, row in refreshed],
        )
        result.unchanged = len(refreshed)
    return result


def upsert_mentions(engine: Engine | Connection, rows: Iterable[dict[str, Any]]) -> UpsertResult:
    """Insert new mentions, update edited ones, refresh the rest; one transaction per call.

    ``rows`` are dicts of :class:`~storage.models.Mention` columns; ``source``,
    ``external_id``, ``source_type`` and ``text`` are required. Within one call the last row
    for a key wins.
    """
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        by_key[(row["source"], str(row["external_id"]))] = _complete(
            {**row, "external_id": str(row["external_id"])}
        )
    batch = list(by_key.values())
    total = UpsertResult()
    if not batch:
        return total
    if isinstance(engine, Connection):
        for start in range(0, len(batch), _CHUNK):
            total.add(_upsert_chunk(engine, batch[start : start + _CHUNK]))
        return total
    with engine.begin() as conn:
        for start in range(0, len(batch), _CHUNK):
            total.add(_upsert_chunk(conn, batch[start : start + _CHUNK]))
    return total


def revisions(engine: Engine, mention_id: int) -> Sequence[Any]:
    """The previous versions of a mention, oldest first."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(REVISION)
                .where(REVISION.c.mention_id == mention_id)
                .order_by(REVISION.c.replaced_at, REVISION.c.id)
            )
        )
