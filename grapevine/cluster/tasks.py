"""The cluster's tasks: one crawl per source (in a child process), and the day's fan-in.

``grapevine.crawl(day_id, source, part, parts)`` crawls one source (or one of ``parts``
workers' share of a source on a shared queue). It is safe to run again: its attempts are
counted in ``cluster_task`` when it starts, so a task redelivered after its worker died
(late acknowledgement) runs again incrementally — the mention upsert keeps one row per
source and external id — and a task that keeps dying or failing becomes ``dead`` after
``[cluster] max_attempts`` tries (a dead letter: shown by ``grapevine status`` and on the
Sources page) and counts as a failed source, without blocking the day. The task itself never
fails, so the chord always reaches its callback.

``grapevine.fan_in(results, day_id)`` runs the global steps of :mod:`grapevine.job` (link
customers, triage, export, alerts, follow-ups) once per day: it first claims the day's
``cluster_day`` row (an ``UPDATE ... WHERE fanned_in_at IS NULL``), so a callback delivered
twice, or sent both by the chord and by the waiting client at the deadline, runs once. A
fan-in whose worker died mid-way can be claimed again after the task time limit.
"""

import logging
import socket
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session

from crawler.runner import SourceResult
from grapevine import locks, stopping
from grapevine.cluster.child import CrawlCrashed, crawl_source, shared_key
from grapevine.cluster.engines import engine_for
from grapevine.config import Settings
from grapevine.job import STEPS, JobSummary, finish_run, run_step
from storage import cluster as store
from storage.models import JobRun

if TYPE_CHECKING:
    from celery import Celery, Task

log = logging.getLogger(__name__)
_RANK = {"ok": 0, "partial": 1, "failed": 2}


def crawl(task: "Task", day_id: str, source: str, part: int = 0, parts: int = 1) -> dict[str, Any]:
    """Crawl one source of the day (see the module doc); returns the task's state."""
    settings: Settings = task.app.grapevine_settings
    cluster = settings.cluster
    eng = engine_for(settings)
    worker = str(task.request.hostname or socket.gethostname())
    attempt = store.start_task(eng, day_id=day_id, source=source, part=part, worker=worker)
    outcome = {"day_id": day_id, "source": source, "part": part}
    if attempt == 0:  # unknown, or already done (a redelivery after it finished)
        return {**outcome, "state": "skipped"}
    if attempt > cluster.max_attempts:
        error = f"gave up after {attempt - 1} attempts (the worker died each time)"
        store.finish_task(eng, day_id=day_id, source=source, part=part, state="dead", error=error)
        return {**outcome, "state": "dead"}
    try:
        settings.source(source)
        result = crawl_source(
            settings, source, day_id=day_id, timeout=cluster.task_time_limit_minutes * 60
        )
    except KeyError:
        error = f"no source {source!r} in this worker's config ({settings.path})"
        store.finish_task(eng, day_id=day_id, source=source, part=part, state="dead", error=error)
        return {**outcome, "state": "dead"}
    except (CrawlCrashed, Exception) as exc:  # noqa: BLE001 - retried, then a dead letter
        error = str(exc) if isinstance(exc, CrawlCrashed) else f"{type(exc).__name__}: {exc}"
        log.warning("crawl of %s (attempt %d) failed: %s", source, attempt, error)
        if attempt >= cluster.max_attempts:
            store.finish_task(
                eng, day_id=day_id, source=source, part=part, state="dead",
                error=f"dead after {attempt} attempts: {error}",
            )  # fmt: skip
            return {**outcome, "state": "dead"}
        store.note_error(eng, day_id=day_id, source=source, part=part, error=error)
        raise task.retry(countdown=cluster.retry_delay_seconds, max_retries=None) from None
    store.finish_task(eng, day_id=day_id, source=source, part=part, state="done", result=result)
    return {**outcome, "state": "done", "status": result.get("status")}


def source_results(rows: list[dict[str, Any]]) -> list[SourceResult]:
    """One result per source from the day's task rows (the parts of a shared source merged;
    a dead task is a failed source saying why)."""
    by_source: dict[str, SourceResult] = {}
    for row in rows:
        data = dict(row["result"] or {})
        if row["state"] == "done" and data:
            data.pop("items", None)
            part = SourceResult(**{k: v for k, v in data.items() if k in _FIELDS})
        else:
            part = SourceResult(
                name=row["source"], type=data.get("type", "?"), status="failed",
                error=f"{row['state']}: {row['last_error'] or 'not finished'}",
            )  # fmt: skip
        merged = by_source.get(row["source"])
        if merged is None:
            by_source[row["source"]] = part
            continue
        for key in ("pages", "items_scraped", "items_new", "items_updated", "items_dropped",
                    "items_failed"):  # fmt: skip
            setattr(merged, key, getattr(merged, key) + getattr(part, key))
        if _RANK.get(part.status, 2) > _RANK.get(merged.status, 2):
            merged.status = part.status
        if part.error and part.error != merged.error:
            merged.error = "; ".join(e for e in (merged.error, part.error) if e)
        if merged.type == "?":
            merged.type = part.type
    return list(by_source.values())


_FIELDS = set(SourceResult.__dataclass_fields__) - {"items"}


#: How long a fan-in waits for the run lock (an in-process ``grapevine run`` or a ``grapevine
#: forget`` holding it) before it gives the day up with the reason, in seconds.
FAN_IN_LOCK_WAIT = 600.0


def _lock_lost(reason: str) -> None:
    # only logged here: the check before each step stops the fan-in (never the worker)
    log.error("the fan-in's run lock: %s", reason)


def run_global_steps(
    settings: Settings, engine: Engine, summary: JobSummary, *, wait: float = FAN_IN_LOCK_WAIT
) -> None:
    """The steps after the crawl, as the in-process job runs them (a failing one is recorded
    and the others still run), under the same ``run`` lock as ``grapevine run``: the global
    steps never run beside an in-process run's. A lock still held after ``wait`` seconds, or
    lost on the way, skips the (rest of the) steps with the reason in ``step_errors["lock"]``;
    the next run's steps take up the same mentions."""
    lock = locks.RunLock(engine, "run", wait=wait, on_lost=_lock_lost)
    try:
        lock.acquire()
    except locks.Busy as exc:
        summary.step_errors["lock"] = f"the run lock stayed taken ({exc})"
        summary.skipped.extend(name for name, _ in STEPS)
        return
    try:
        for name, step in STEPS:
            if not stopping.STOP.requested() and "lock" not in summary.step_errors:
                try:
                    lock.ensure()
                except locks.LockLost as exc:
                    summary.step_errors["lock"] = str(exc)
            if stopping.STOP.requested() or "lock" in summary.step_errors:
                summary.skipped.append(name)
                continue
            run_step(name, step, settings, engine, summary)
    finally:
        lock.release()


def fan_in(task: "Task", results: Any = None, day_id: str = "") -> dict[str, Any]:
    """The day's global steps, once (see the module doc)."""
    settings: Settings = task.app.grapevine_settings
    eng = engine_for(settings)
    stale = timedelta(minutes=settings.cluster.task_time_limit_minutes)
    if not store.claim_fan_in(eng, day_id=day_id, stale_after=stale):
        return {"day_id": day_id, "fan_in": "already claimed"}
    day = store.day(eng, day_id=day_id) or {}
    summary = JobSummary(sources=source_results(store.tasks(eng, day_id=day_id)))
    with Session(eng) as session:
        run = JobRun(trigger=day.get("trigger") or "manual")
        session.add(run)
        session.commit()
        run_id = run.id
    run_global_steps(settings, eng, summary)
    data = summary.as_dict()
    data["day_id"] = day_id
    finish_run(eng, run_id, summary, data)
    store.finish_day(eng, day_id=day_id, job_run_id=run_id, summary=data)
    _drop_shared_keys(settings, day_id)
    return {"day_id": day_id, "fan_in": "done", "job_run_id": run_id}


def _drop_shared_keys(settings: Settings, day_id: str) -> None:
    """Delete the day's shared request queues and duplicate filters in Redis."""
    shared = [s.name for s in settings.sources if s.enabled and s.shared_queue]
    if not shared or not settings.redis_url:
        return
    try:
        import redis

        client = redis.Redis.from_url(settings.redis_url, socket_timeout=10)
        for name in shared:
            keys = list(client.scan_iter(match=shared_key(settings, day_id, name) + "*"))
            if keys:
                client.delete(*keys)
    except Exception as exc:  # the keys expire or wait for a person; the day is done
        log.warning("could not delete the day's shared queues: %s", exc)


def register(app: "Celery") -> None:
    """Add the tasks to ``app`` (names ``grapevine.crawl`` and ``grapevine.fan_in``)."""
    time_limit = app.conf.task_time_limit
    app.task(name="grapevine.crawl", bind=True, acks_late=True, time_limit=time_limit)(crawl)
    app.task(name="grapevine.fan_in", bind=True, acks_late=True, time_limit=time_limit)(fan_in)
