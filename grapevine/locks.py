"""One run at a time: locks that a crashed process cannot leave behind.

* SQLite: an OS file lock (``fcntl.flock``) on ``<database>.<name>.lock`` next to the
  database file. The kernel releases it when the process ends, however it ends.
* PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) held on a dedicated
  connection. The server releases it when the connection closes, so it also works across
  machines sharing one database.

Names in use: ``run`` (the daily job and ``grapevine crawl``), ``export`` (any export),
``schedule`` (one scheduler per database). :class:`Busy` says who holds a lock.

**A PostgreSQL lock can be lost while its holder lives**: the lock's connection drops (a
restart, a failover, ``pg_terminate_backend``, a network cut) and the server frees it, so a
second run could start beside the first. Therefore a held PostgreSQL lock is *watched*: a
thread asks the server every :data:`CHECK_SECONDS` whether this connection still holds it,
and :meth:`RunLock.ensure` does the same on demand (the daily job calls it before every
step). When it is gone the lock is taken again on a new connection with
``pg_try_advisory_lock``, which is atomic: only when nobody else took it meanwhile. When
someone else has it, the lock is *lost* for good: :meth:`RunLock.ensure` raises
:class:`LockLost`, and the watch thread asks the process to stop (``on_lost``; by default
for the ``run`` lock one SIGTERM to itself when something handles SIGTERM — Scrapy during a
crawl, :mod:`grapevine.stopping` around it — so a crawl closes as it would on Ctrl-C, else
:data:`grapevine.stopping.STOP`). A one-second check keeps the window in which a second run
could slip in small: a run started after the drop needs longer than that to reach its lock.
Releasing a lock whose connection is gone is not an error (the server already let it go).
File locks cannot be lost while the process lives; they need no watch.

The locks this process holds are known by name (:func:`held`), so the job can check the
lock the CLI took without it being passed through every layer.
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from grapevine.stopping import STOP
from storage.types import utcnow

log = logging.getLogger(__name__)

#: How often a held PostgreSQL lock is checked from its watch thread.
CHECK_SECONDS = 1.0
_HELD: dict[str, "RunLock"] = {}


class Busy(Exception):
    """The lock is held by another process (the message says which, when known)."""


class LockLost(Exception):
    """The lock's connection dropped and another process holds the lock now."""


def held(name: str) -> "RunLock | None":
    """The lock ``name`` this process holds, if any."""
    return _HELD.get(name)


def _log_only(reason: str) -> None:
    log.warning("%s", reason)


def stop_this_process(reason: str) -> None:
    """The default reaction to a lost run lock: stop as one SIGTERM would (see the module doc).

    When something handles SIGTERM (Scrapy during a crawl, :mod:`grapevine.stopping`
    around it) the process sends itself one, and that handler starts the stop; :data:`STOP`
    is not set first, or the stopping handler would take the signal for a second one and stop
    at once. The job's next lock check then records why. Without a handler only
    :data:`STOP` is set.
    """
    if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None):
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        STOP.request(reason)


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

    ``wait`` seconds: keep trying that long before giving up (0: one try). ``check_every``
    seconds the watch thread checks a PostgreSQL lock (0: no thread); ``on_lost(reason)``
    runs (in that thread) when it is lost for good — by default the ``run`` lock stops the
    process (:func:`stop_this_process`) and other locks (``export``, ``schedule``, whose
    work is guarded otherwise: the ledger's claims, the run lock) are only logged.
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        wait: float = 0.0,
        check_every: float = CHECK_SECONDS,
        on_lost: Callable[[str], None] | None = None,
    ) -> None:
        self.engine, self.name, self.wait = engine, name, wait
        # losing the run lock stops the run; another lock lost is logged (and ensure() raises)
        default = stop_this_process if name == "run" else _log_only
        self.check_every, self.on_lost = check_every, on_lost or default
        self._fd: int | None = None
        self._conn: Connection | None = None
        self._guard = threading.RLock()  # the lock's connection is used by two threads
        self._stop_watch = threading.Event()
        self._watch: threading.Thread | None = None
        self.lost: str | None = None
        self.retaken = 0
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
                _HELD[self.name] = self
                if self.postgres and self.check_every > 0:
                    self._stop_watch.clear()
                    self._watch = threading.Thread(
                        target=self._watching, name=f"grapevine-{self.name}-lock", daemon=True
                    )
                    self._watch.start()
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

    def _key_parts(self) -> dict[str, int]:
        key = _advisory_key(self.name, self.engine.url.database or "")
        return {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}

    def _still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            count = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND classid = :hi AND objid = :lo"
                ),
                self._key_parts(),
            ).scalar()
            self._conn.rollback()
        except SQLAlchemyError:
            return False
        return bool(count)

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # a connection already gone cannot be closed any further: nothing to report
            with contextlib.suppress(SQLAlchemyError):
                conn.invalidate()  # never back into the pool: it may be half dead
                conn.close()

    def ensure(self) -> None:
        """Make sure the lock is still ours: take it again if it was dropped, else raise.

        Raises :class:`LockLost` when another process holds it now (and from then on). A
        file lock, or no lock held, passes.
        """
        if not self.postgres:
            return
        with self._guard:
            if self.lost is not None:
                raise LockLost(self.lost)
            if self._conn is None and self.name not in _HELD:
                return  # released (or never taken): nothing to keep
            if self._still_held():
                return
            log.warning("the %s lock's database connection was lost; taking it again", self.name)
            self._drop_connection()
            try:
                reason = self._try_postgres()
            except SQLAlchemyError as exc:
                reason = f"the database cannot be reached ({type(exc).__name__})"
            if reason is None:
                self.retaken += 1
                log.warning("the %s lock is held again (nobody took it meanwhile)", self.name)
                return
            self.lost = f"the {self.name} lock was lost: {reason}"
            raise LockLost(self.lost)

    def _watching(self) -> None:
        while not self._stop_watch.wait(self.check_every):
            try:
                self.ensure()
            except LockLost as exc:
                log.error("%s; stopping", exc)
                self.on_lost(str(exc))
                return
            except Exception:  # a watch must never kill the process
                log.exception("checking the %s lock failed", self.name)

    def release(self) -> None:
        """Give the lock back (closing the connection or file also does).

        A lock whose connection is gone is already free on the server: not an error.
        """
        self._stop_watch.set()
        if self._watch is not None and self._watch is not threading.current_thread():
            self._watch.join(timeout=10)
        self._watch = None
        if _HELD.get(self.name) is self:
            del _HELD[self.name]
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        with self._guard:
            if self._conn is None:
                return
            try:
                key = _advisory_key(self.name, self.engine.url.database or "")
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                self._conn.commit()
            except SQLAlchemyError as exc:
                log.info("the %s lock's connection was already gone (%s)", self.name, exc.code)
                self._drop_connection()
                return
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
