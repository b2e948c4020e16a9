"""SQL of the sign-in throttle (table ``signin_failure``, :mod:`storage.tables.throttle`).

Keyword-only functions taking a connection; the caller decides what "too many" is.
"""

import hashlib
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from storage.tables.throttle import SigninFailure

FAILURE = SigninFailure.__table__  # type: ignore[attr-defined]


def name_key(name: str) -> str:
    """The stored form of a sign-in name: the SHA-256 of its trimmed lower-case form."""
    return hashlib.sha256(name.strip().lower().encode("utf-8")).hexdigest()


def recent_failures(conn: Connection, *, name: str, since: datetime) -> tuple[int, datetime | None]:
    """How many sign-ins for ``name`` failed at or after ``since``, and when the last did."""
    count, last = conn.execute(
        select(func.count(), func.max(FAILURE.c.at)).where(
            FAILURE.c.name_key == name_key(name), FAILURE.c.at >= since
        )
    ).one()
    return int(count), last


def record_failure(conn: Connection, *, name: str, at: datetime, forget_before: datetime) -> None:
    """Note a failed sign-in for ``name``; drop every failure older than ``forget_before``."""
    conn.execute(delete(FAILURE).where(FAILURE.c.at < forget_before))
    conn.execute(insert(FAILURE).values(name_key=name_key(name), at=at))


def clear_failures(conn: Connection, *, name: str) -> int:
    """Forget the failures of ``name`` (it signed in); how many were forgotten."""
    return int(conn.execute(delete(FAILURE).where(FAILURE.c.name_key == name_key(name))).rowcount)
