"""The cluster: ``worker`` (take crawl tasks from the broker) and ``run --distributed``."""

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click
from sqlalchemy import Engine

from grapevine.cli.common import config_option, engine, settings, setup_logging
from grapevine.config import Settings
from grapevine.config_cluster import masked_url
from grapevine.job import JobSummary
from grapevine.locks import Busy, RunLock

if TYPE_CHECKING:
    from crawler.runner import SourceResult
    from grapevine.cluster.app import GrapevineCelery

log = logging.getLogger("grapevine.cluster")


def _app(cfg: Settings) -> "GrapevineCelery":
    from grapevine.cluster.app import make_app

    if not cfg.broker_url:
        raise click.ClickException(
            f"no broker: set [cluster] broker_url in {cfg.path} or GRAPEVINE_BROKER_URL "
            "(like redis://127.0.0.1:6379/0)"
        )
    return make_app(cfg)


def run_distributed(
    cfg: Settings,
    eng: Engine,
    *,
    trigger: str,
    day_id: str | None,
    on_source_done: "Callable[[SourceResult], None] | None" = None,
    quiet: bool = False,
) -> JobSummary:
    """Enqueue the day for the workers (unless it is enqueued already) and wait for it."""
    from grapevine.cluster.day import DayTimeout, enqueue_day, manual_day_id, wait_day

    app = _app(cfg)
    day_id = day_id or manual_day_id()
    try:
        sent = enqueue_day(cfg, app, eng, day_id=day_id, trigger=trigger)
    except Exception as exc:  # the broker is down or refuses us
        raise click.ClickException(
            f"cannot enqueue on {masked_url(cfg.broker_url or '')}: {type(exc).__name__}: {exc}"
        ) from None
    if not quiet:
        click.echo(
            f"Day {day_id} enqueued for the workers on {masked_url(cfg.broker_url or '')}…"
            if sent
            else f"Day {day_id} was enqueued already: waiting for it…"
        )
    try:
        return wait_day(
            cfg,
            app,
            eng,
            day_id=day_id,
            on_source_done=on_source_done,
        )
    except DayTimeout as exc:
        raise click.ClickException(str(exc)) from None


@contextlib.contextmanager
def leading(eng: Engine, *, retry_every: float = 0.5) -> Iterator[RunLock]:
    """Hold the ``schedule`` lock for the block, standing by until it is free: of several
    schedulers on one (PostgreSQL) database one leads; when it dies the server frees its
    advisory lock and a standby takes over within ``retry_every`` seconds."""
    lock = RunLock(eng, "schedule")
    waiting = False
    while True:
        try:
            lock.acquire()
            break
        except Busy as exc:
            if not waiting:
                log.warning("standing by: %s; taking over when it stops", exc)
                waiting = True
            time.sleep(retry_every)
    log.warning("leading: this scheduler enqueues the cluster's days")
    try:
        yield lock
    finally:
        lock.release()


@click.command()
@config_option
@click.option(
    "-c", "--concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
    help="Crawl tasks this worker runs at once (one process each).",
)  # fmt: skip
@click.option("-Q", "--queues", default=None, help="Queues to take tasks from, comma-separated "
              "[default: [cluster] queue].")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="More logging (-v: every task).")
def worker(concurrency: int, queues: str | None, verbose: int) -> None:
    """Start a worker: take crawl and fan-in tasks from the broker until stopped.

    Workers connect out to the broker ([cluster] broker_url or GRAPEVINE_BROKER_URL) and to
    the database; they listen on no port. Start one per machine (or several); each crawl
    runs in its own child process. SIGTERM lets running tasks finish (warm shutdown); a
    worker killed mid-task has its task redelivered to another.

    \b
    Example:
      GRAPEVINE_BROKER_URL=redis://10.0.0.5:6379/0 grapevine worker --concurrency 4
    """
    setup_logging(verbose)
    cfg = settings()
    engine(cfg).dispose()  # the schema is current; the tasks open their own connections
    app = _app(cfg)
    from grapevine.cluster.child import preload

    preload(cfg)  # imported and built once here, so each crawl's fork starts at once

    queue = queues or cfg.cluster.queue
    log.warning(
        "worker %d on %s, queues %s, concurrency %d",
        os.getpid(), masked_url(cfg.broker_url or ""), queue, concurrency,
    )  # fmt: skip
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={queue}",
            f"--hostname=grapevine-{os.getpid()}@%h",
            f"--loglevel={'INFO' if verbose else 'WARNING'}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


COMMANDS = [worker]
