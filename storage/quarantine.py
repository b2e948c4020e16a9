"""The quarantine: crawled items that could not be stored, with the reason, until a retry.

Nothing a source served is lost silently. An item the pipeline could not normalise, analyse
or store (after its batch was retried row by row) lands here: source, external id, the crawl
run, the stage, the reason and the item itself as JSON. ``grapevine quarantine list`` shows
them, ``grapevine quarantine retry`` puts them through the pipeline again and marks the ones
it stored as resolved.

The reason is the exception class and a short first line of its message: never the SQL
parameters and never the review text (it is personal, untrusted text; the item JSON holds it).
"""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from storage.models import QuarantinedItem
from storage.privacy import tombstoned
from storage.sanitise import jsonable
from storage.types import utcnow

QUARANTINE = QuarantinedItem.__table__  # type: ignore[attr-defined]
_SQL_TAIL = re.compile(r"\s*\[(?:SQL|parameters|SQL parameters)[:\s].*", re.DOTALL)
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")
_REASON_LENGTH = 300
#: A quoted value in a database message (``invalid input syntax: "<a value>"``): long ones
#: are left out, so a message never carries a review's text.
_LONG_QUOTE = re.compile(r"([\"'])([^\"']{40,})\1")


def reason_for(exc: BaseException) -> str:
    """``ExceptionClass: first line of the message`` without SQL, parameters or row values."""
    error: BaseException = getattr(exc, "orig", None) or exc
    message = str(error)
    message = _BACKGROUND.sub("", _SQL_TAIL.sub("", message))
    first = message.strip().splitlines()[0] if message.strip() else ""
    if first.startswith("DETAIL"):
        first = ""
    if isinstance(error, UnicodeError):
        first = f"{type(error).__name__}: {getattr(error, 'reason', 'bad text')}"
        return first[:_REASON_LENGTH]
    first = _LONG_QUOTE.sub(lambda m: f"<{len(m.group(2))} characters>", first)
    name = type(error).__name__
    return (f"{name}: {first}" if first else name)[:_REASON_LENGTH]


def _item_json(item: dict[str, Any]) -> dict[str, Any]:
    data = jsonable(dict(item))
    return data if isinstance(data, dict) else {"item": data}


def _not_forgotten(
    conn: Engine | Connection, items: Sequence[dict[str, Any]], reasons: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    if isinstance(conn, Connection):
        gone = tombstoned(conn, items)
    else:
        with conn.connect() as c:
            gone = tombstoned(c, items)
    kept = [(i, r) for n, (i, r) in enumerate(zip(items, reasons, strict=True)) if n not in gone]
    return [i for i, _ in kept], [r for _, r in kept]


def add(
    conn: Engine | Connection,
    *,
    items: Sequence[dict[str, Any]],
    stage: str,
    reasons: Sequence[str],
    crawl_run_id: int | None = None,
) -> int:
    """Quarantine ``items`` (each with its reason); how many were written.

    An item a tombstone names (a forgotten person's, :mod:`storage.privacy`) is not kept.
    """
    if not items:
        return 0
    items, reasons = _not_forgotten(conn, items, reasons)
    if not items:
        return 0
    now = utcnow()
    rows = [
        {
            "source": str(item.get("source") or "?")[:100],
            "source_type": str(item.get("source_type") or "")[:40],
            "external_id": jsonable(
                None if item.get("external_id") is None else str(item["external_id"])
            ),
            "crawl_run_id": crawl_run_id,
            "stage": stage,
            "reason": jsonable(reason)[:_REASON_LENGTH],
            "item": _item_json(item),
            "created_at": now,
            "attempts": 1,
        }
        for item, reason in zip(items, reasons, strict=True)
    ]
    if isinstance(conn, Connection):
        conn.execute(insert(QUARANTINE), rows)
    else:
        with conn.begin() as c:
            c.execute(insert(QUARANTINE), rows)
    return len(rows)


def list_items(
    engine: Engine,
    *,
    source: str | None = None,
    ids: Sequence[int] | None = None,
    include_resolved: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Quarantined items, newest first, as dicts (``item`` included)."""
    stmt = select(QUARANTINE).order_by(QUARANTINE.c.id.desc())
    if source is not None:
        stmt = stmt.where(QUARANTINE.c.source == source)
    if ids:
        stmt = stmt.where(QUARANTINE.c.id.in_(list(ids)))
    if not include_resolved:
        stmt = stmt.where(QUARANTINE.c.resolved_at.is_(None))
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(stmt)]


def open_counts(engine: Engine) -> dict[str, int]:
    """Unresolved quarantined items per source."""
    with engine.connect() as conn:
        return {
            source: int(n)
            for source, n in conn.execute(
                select(QUARANTINE.c.source, func.count())
                .where(QUARANTINE.c.resolved_at.is_(None))
                .group_by(QUARANTINE.c.source)
            )
        }


def reasons_by_source(engine: Engine, *, limit: int = 5) -> dict[str, list[tuple[str, int]]]:
    """Per source, the most frequent reasons of its unresolved items, with counts."""
    out: dict[str, list[tuple[str, int]]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(QUARANTINE.c.source, QUARANTINE.c.reason, func.count().label("n"))
            .where(QUARANTINE.c.resolved_at.is_(None))
            .group_by(QUARANTINE.c.source, QUARANTINE.c.reason)
            .order_by(func.count().desc())
        )
        for source, reason, n in rows:
            if len(out.setdefault(source, [])) < limit:
                out[source].append((reason, int(n)))
    return out


def resolve(engine: Engine, *, item_id: int, mention_id: int | None) -> None:
    """Mark an item stored by a retry (one attempt more)."""
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(QUARANTINE)
            .where(QUARANTINE.c.id == item_id)
            .values(
                resolved_at=now,
                last_retry_at=now,
                mention_id=mention_id,
                attempts=QUARANTINE.c.attempts + 1,
            )
        )


def retry_failed(engine: Engine, *, item_id: int, reason: str) -> None:
    """Record a retry that failed again, with its new reason."""
    with engine.begin() as conn:
        conn.execute(
            update(QUARANTINE)
            .where(QUARANTINE.c.id == item_id)
            .values(
                reason=jsonable(reason)[:_REASON_LENGTH],
                last_retry_at=utcnow(),
                attempts=QUARANTINE.c.attempts + 1,
            )
        )
