"""One run at a time: locks that a crashed process cannot leave behind.

* SQLite: an OS file lock (``fcntl.flock``) on ``<database>.<name>.lock`` next to the
  database file. The kernel releases it when the process ends, however it ends.
* PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) held on a dedicated
  connection. The server releases it when the connection closes, so it also works across
  machines sharing one database.

Names in use: ``run`` (the daily job and ``grapevine crawl``), ``export`` (any export),
``schedule`` (one scheduler per database). :class:`Busy` says who holds a lock.
"""

import fcntl
import hashlib
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from storage.types import utcnow


class Busy(Exception):
    """The lock is held by another process (the message says which, when known)."""


def _holder_info(name: str) -> str:
    return json.dumps(
        {"lock": name, "pid": os.getpid(), "host": socket.gethostname(),
         "since": utcnow().isoformat(timespec="seconds")}
    )  # fmt: skip


def _describe(raw: str, name: str) -> str:
    try:
        info = json.loads(raw)
        return (
            f"another grapevine process holds the {name} lock "
            f"(pid {info['pid']} on {info['host']}, since {info['since']})"
        )
    except (ValueError, KeyError, TypeError):
        return f"another grapevine process holds the {name} lock"


def _advisory_key(name: str, database: str) -> int:
    digest = hashlib.blake2b(f"grapevine:{database}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class RunLock:
    """``with RunLock(engine, "run"):`` — raises :class:`Busy` when another process has it.

    ``wait`` seconds: keep trying that long before giving up (0: one try).
    """

    def __init__(self, engine: Engine, name: str, *, wait: float = 0.0) -> None:
        self.engine, self.name, self.wait = engine, name, wait
        self._fd: int | None = None
        self._conn: Connection | None = None
        url = make_url(str(engine.url))
        self.postgres = url.get_backend_name() == "postgresql"
        if not self.postgres:
            database = url.database or ""
            folder = (
                Path(database).resolve().parent
                if database not in ("", ":memory:")
                else Path("/tmp")  # noqa: S108 (an in-memory database: a per-machine lock)
            )
            stem = Path(database).name if database not in ("", ":memory:") else "memory"
            self.path = folder / f"{stem}.{name}.lock"

    def acquire(self) -> None:
        """Take the lock or raise :class:`Busy`."""
        deadline = time.monotonic() + self.wait
        while True:
            reason = self._try()
            if reason is None:
                return
            if time.monotonic() >= deadline:
                raise Busy(reason)
            time.sleep(0.25)

    def _try(self) -> str | None:
        return self._try_postgres() if self.postgres else self._try_file()

    def _try_file(self) -> str | None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raw = self.path.read_text(encoding="utf-8", errors="replace")
            os.close(fd)
            return _describe(raw, self.name)
        os.ftruncate(fd, 0)
        os.write(fd, _holder_info(self.name).encode())
        self._fd = fd
        return None

    def _try_postgres(self) -> str | None:
        key = _advisory_key(self.name, self.engine.url.database or "")
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        if got:
            info = _holder_info(self.name)
            conn.execute(text("SELECT set_config('application_name', :v, false)"), {"v": info[:63]})
            conn.commit()
            self._conn = conn
            return None
        holder = conn.execute(
            text(
                "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.granted AND l.classid = :hi AND l.objid = :lo"
            ),
            {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF},
        ).first()
        conn.rollback()
        conn.close()
        if holder is None:
            return f"another grapevine process holds the {self.name} lock"
        return (
            f"another grapevine process holds the {self.name} lock (PostgreSQL backend "
            f"{holder.pid}, connected since {holder.backend_start:%Y-%m-%d %H:%M:%S})"
        )

    def release(self) -> None:
        """Give the lock back (closing the connection or file also does)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            try:
                key = _advisory_key(self.name, self.engine.url.database or "")
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
