"""Enqueue a day on the cluster and wait for it: ``grapevine run --distributed``.

:func:`enqueue_day` records the day (``cluster_day``, unique by day id: a second enqueue of
the same day does nothing) and sends a Celery ``chord``: one ``grapevine.crawl`` task per
source (``workers`` tasks for a source on a shared queue) → ``grapevine.fan_in``.
:func:`wait_day` follows the day in the database, calls ``on_source_done`` as each source's
tasks finish (the same lines ``grapevine run`` prints) and returns the job's summary. Its
deadline is ``[cluster] day_timeout_minutes``: then the unfinished tasks become ``dead`` and
the fan-in is sent for the others (the day row makes sure it runs once). The fan-in is also
sent when every task is final but no fan-in started within a minute (a lost callback).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from crawler.runner import SourceResult
from grapevine import stopping
from grapevine.cluster.app import GrapevineCelery
from grapevine.cluster.tasks import source_results
from grapevine.config import Settings
from grapevine.job import JobSummary
from storage import cluster as store
from storage.types import utcnow

log = logging.getLogger(__name__)

#: Seconds between looks at the day's rows while waiting.
POLL_SECONDS = 0.5
#: Every task final, no fan-in yet: send it after this many seconds.
LOST_CALLBACK_SECONDS = 60.0


class DayTimeout(Exception):
    """The day did not finish, fan-in included, within its deadline (or the wait was
    stopped by a signal; the day itself goes on on the workers)."""


def manual_day_id(now: datetime | None = None) -> str:
    """The id of a day started by hand: ``manual-20261201T134500.123456``."""
    return f"manual-{(now or utcnow()):%Y%m%dT%H%M%S.%f}"


def slot_day_id(slot: datetime) -> str:
    """The id of a scheduled day: its slot in UTC, ``2026-12-01T07:00Z``."""
    return f"{slot:%Y-%m-%dT%H:%M}Z"


def day_tasks(settings: Settings) -> list[tuple[str, int, int]]:
    """``(source, part, parts)`` for every enabled source."""
    out = []
    for source in settings.sources:
        if not source.enabled:
            continue
        parts = source.workers if source.shared_queue else 1
        out += [(source.name, part, parts) for part in range(parts)]
    return out


def enqueue_day(
    settings: Settings, app: GrapevineCelery, engine: Engine, *, day_id: str, trigger: str
) -> bool:
    """Record the day and send its chord; ``False`` (nothing sent) when it exists already."""
    tasks = day_tasks(settings)
    deadline = utcnow() + timedelta(minutes=settings.cluster.day_timeout_minutes)
    if not store.create_day(
        engine, day_id=day_id, trigger=trigger, tasks=tasks, deadline_at=deadline
    ):
        return False
    callback = app.signature("grapevine.fan_in", kwargs={"day_id": day_id})
    if not tasks:
        callback.apply_async(args=([],))
        return True
    from celery import chord

    header = [app.signature("grapevine.crawl", args=(day_id, *t)) for t in tasks]
    chord(header)(callback)
    log.info("day %s enqueued: %d tasks", day_id, len(tasks))
    return True


def _send_fan_in(app: GrapevineCelery, day_id: str) -> None:
    app.signature("grapevine.fan_in", kwargs={"day_id": day_id}).apply_async(args=([],))


def wait_day(
    settings: Settings,
    app: GrapevineCelery,
    engine: Engine,
    *,
    day_id: str,
    on_source_done: Callable[[SourceResult], None] | None = None,
) -> JobSummary:
    """Wait for the day (see the module doc); raises :class:`DayTimeout` past its deadline
    and the fan-in's time limit."""
    cluster = settings.cluster
    row = store.day(engine, day_id=day_id) or {}
    deadline_at = row.get("deadline_at") or (
        utcnow() + timedelta(minutes=cluster.day_timeout_minutes)
    )
    give_up = deadline_at + timedelta(minutes=cluster.task_time_limit_minutes)
    reported: set[str] = set()
    all_final_since: float | None = None
    expired = False
    while True:
        row = store.day(engine, day_id=day_id) or {}
        rows = store.tasks(engine, day_id=day_id)
        _report(rows, reported, on_source_done)
        if row.get("state") == "done":
            return summary_from(row.get("summary") or {})
        now = utcnow()
        if not expired and now > deadline_at:
            count = store.expire_tasks(
                engine, day_id=day_id, reason="not finished by the day's deadline"
            )
            log.warning("day %s: deadline passed, %d tasks left dead; fanning in", day_id, count)
            expired = True
            _send_fan_in(app, day_id)
            continue
        if row.get("fanned_in_at") is None and all(r["state"] in store.FINAL_STATES for r in rows):
            all_final_since = all_final_since or time.monotonic()
            if time.monotonic() - all_final_since > LOST_CALLBACK_SECONDS:
                log.warning("day %s: every task ended but no fan-in started; sending it", day_id)
                _send_fan_in(app, day_id)
                all_final_since = time.monotonic() + 3600  # once an hour at most
        if stopping.STOP.requested():
            raise DayTimeout(
                f"stopped waiting for day {day_id} ({stopping.STOP.reason or 'a signal'}); "
                "the workers go on with it"
            )
        if now > give_up:
            raise DayTimeout(
                f"day {day_id} did not finish by {give_up:%Y-%m-%d %H:%M} UTC "
                "([cluster] day_timeout_minutes); are workers running? (grapevine worker)"
            )
        stopping.STOP.wait(POLL_SECONDS)


def _report(
    rows: list[dict[str, Any]],
    reported: set[str],
    on_source_done: Callable[[SourceResult], None] | None,
) -> None:
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_source.setdefault(r["source"], []).append(r)
    for source, parts in by_source.items():
        if source in reported or any(r["state"] not in store.FINAL_STATES for r in parts):
            continue
        reported.add(source)
        if on_source_done is not None:
            on_source_done(source_results(parts)[0])


def summary_from(data: dict[str, Any]) -> JobSummary:
    """The :class:`JobSummary` the fan-in stored as a dict."""
    names = {f.name for f in fields(JobSummary)} - {"sources"}
    summary = JobSummary(**{k: v for k, v in data.items() if k in names})
    keep = {f.name for f in fields(SourceResult)} - {"items"}
    summary.sources = [
        SourceResult(**{k: v for k, v in s.items() if k in keep}) for s in data.get("sources", [])
    ]
    return summary
