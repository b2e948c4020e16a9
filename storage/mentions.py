"""Writing mentions: bulk upserts keyed on (source, external id), with edit history.

Re-crawling never duplicates. A mention whose text, title or rating changed is updated and its
previous version kept in ``mention_revision``; reach, metrics and the company's reply are
refreshed in place. Writes go through SQLAlchemy Core in batches (row-by-row ORM would be slow).

Every row is cleaned first (:mod:`storage.sanitise`: NUL, lone surrogates, over-long short
fields). A batch the database still refuses is written again row by row, each row in its own
transaction (a savepoint when the caller passes a connection), and each row refused on its own
goes to the quarantine with its reason (:mod:`storage.quarantine`). A database that is down or
locked is not a row's fault: that error is raised and the caller counts the batch as failed.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, insert, or_, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from storage import privacy, quarantine
from storage.models import Mention, MentionRevision
from storage.sanitise import clean_row
from storage.types import as_utc, utcnow

log = logging.getLogger(__name__)

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
_TIMES = ("published_at", "fetched_at", "updated_at", "reply_at", "linked_at")


@dataclass
class UpsertResult:
    """What a batch did: counts, and the ids of the new and the edited mentions."""

    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    unchanged: int = 0
    #: Rows written to the quarantine because the database refused them one by one.
    quarantined: int = 0
    #: The refused rows with their reasons (quarantined unless the caller asked otherwise).
    refused: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    #: Rows skipped because a person asked to be forgotten (a tombstone, :mod:`storage.privacy`).
    forgotten: int = 0

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
        self.quarantined += other.quarantined
        self.refused += other.refused
        self.forgotten += other.forgotten


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    full: dict[str, Any] = {name: row.get(name, _DEFAULTS.get(name)) for name in COLUMNS}
    for name in _TIMES:
        value = full[name]
        if isinstance(value, str):  # a row read back from JSON (the quarantine)
            full[name] = as_utc(datetime.fromisoformat(value))
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


def _keys_match(keys: list[tuple[str, str]]) -> Any:
    """``(source, external_id) IN keys`` as ``source = s AND external_id IN (…)`` per source:
    PostgreSQL then looks each key up in the unique index; with a row-value IN of 200 keys
    it scanned every mention of the source (0.4 s a batch for a source of 100,000)."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    return or_(
        *(
            and_(MENTION.c.source == source, MENTION.c.external_id.in_(ids))
            for source, ids in by_source.items()
        )
    )


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
            ).where(_keys_match(keys))
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
            conn.execute(select(MENTION.c.id).where(_keys_match(fresh_keys))).scalars()
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


def database_trouble(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's trouble (down, locked, timed out), not a row's."""
    if getattr(exc, "connection_invalidated", False):
        return True
    return isinstance(
        exc,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | sa_exc.TimeoutError,
    )


def _write(conn: Connection, batch: list[dict[str, Any]]) -> UpsertResult:
    total = UpsertResult()
    for start in range(0, len(batch), _CHUNK):
        total.add(_upsert_chunk(conn, batch[start : start + _CHUNK]))
    return total


def _row_by_row(engine: Engine | Connection, batch: list[dict[str, Any]]) -> UpsertResult:
    total = UpsertResult()
    for row in batch:
        try:
            if isinstance(engine, Connection):
                with engine.begin_nested():
                    total.add(_upsert_chunk(engine, [row]))
            else:
                with engine.begin() as conn:
                    total.add(_upsert_chunk(conn, [row]))
        except Exception as exc:
            if database_trouble(exc):
                raise
            total.refused.append((row, quarantine.reason_for(exc)))
    return total


def _without_forgotten(
    engine: Engine | Connection, batch: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The rows no tombstone names, and how many were skipped as forgotten."""
    if isinstance(engine, Connection):
        gone = privacy.tombstoned(engine, batch)
    else:
        with engine.connect() as conn:
            gone = privacy.tombstoned(conn, batch)
    if gone:
        log.info("%d mentions skipped: their author asked to be forgotten", len(gone))
    return [row for i, row in enumerate(batch) if i not in gone], len(gone)


def upsert_mentions(
    engine: Engine | Connection,
    rows: Iterable[dict[str, Any]],
    *,
    crawl_run_id: int | None = None,
    quarantine_refused: bool = True,
) -> UpsertResult:
    """Insert new mentions, update edited ones, refresh the rest; one transaction per call.

    ``rows`` are dicts of :class:`~storage.models.Mention` columns; ``source``,
    ``external_id``, ``source_type`` and ``text`` are required. Within one call the last row
    for a key wins. Rows are cleaned first; when the batch is refused it is retried row by row
    and the rows refused on their own are quarantined (stage ``store``, with
    ``crawl_run_id``) — or only returned in ``refused`` with ``quarantine_refused=False``
    (a quarantine retry keeps its own row). Database trouble (:func:`database_trouble`) is
    raised: nothing of the batch was stored. Rows a tombstone names (a forgotten person's,
    :mod:`storage.privacy`) are skipped and counted in ``forgotten``.
    """
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        full = clean_row(_complete({**row, "external_id": str(row["external_id"])}))
        by_key[(full["source"], full["external_id"])] = full
    batch, forgotten = _without_forgotten(engine, list(by_key.values()))
    if not batch:
        return UpsertResult(forgotten=forgotten)
    try:
        if isinstance(engine, Connection):
            with engine.begin_nested():
                return replace(_write(engine, batch), forgotten=forgotten)
        with engine.begin() as conn:
            return replace(_write(conn, batch), forgotten=forgotten)
    except Exception as exc:
        if database_trouble(exc):
            raise
        log.warning(
            "a batch of %d mentions was refused (%s); writing it row by row",
            len(batch),
            quarantine.reason_for(exc),
        )
    total = _row_by_row(engine, batch)
    total.forgotten = forgotten
    if total.refused and quarantine_refused:
        total.quarantined = quarantine.add(
            engine,
            items=[row for row, _ in total.refused],
            reasons=[reason for _, reason in total.refused],
            stage="store",
            crawl_run_id=crawl_run_id,
        )
        log.warning(
            "%d mentions quarantined: %s",
            total.quarantined,
            "; ".join(sorted({reason for _, reason in total.refused})),
        )
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
