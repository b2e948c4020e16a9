"""A run lock that holds on PostgreSQL: its connection dropped, it is taken again or the run
stops; a second run never works beside a live one; unlocking a dropped lock is no error."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import slow_feed
from helpers.httpserver import LocalServer
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, select

from grapevine import stopping
from grapevine.locks import Busy, LockLost, RunLock
from storage import make_engine, upgrade
from storage.models import CrawlRun, JobRun

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg(postgres_server_url: str) -> Engine:
    engine = make_engine(postgres_server_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


def lock_backends(engine: Engine) -> list[int]:
    """PostgreSQL backends holding a grapevine ``run`` lock."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted "
                    'AND a.application_name LIKE \'{"lock": "run"%\''
                )
            ).scalars()
        )


def terminate(engine: Engine, pids: list[int]) -> None:
    with engine.connect() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        conn.commit()


def other_engine(engine: Engine) -> Engine:
    return create_engine(engine.url)


def test_unlocking_a_dropped_lock_is_not_an_error(pg) -> None:
    lock = RunLock(pg, "run", check_every=0)
    lock.acquire()
    terminate(pg, lock_backends(pg))
    lock.release()  # the server already freed it: no error
    again = RunLock(other_engine(pg), "run", check_every=0)
    again.acquire()
    again.release()


def test_a_dropped_lock_nobody_took_is_taken_again(pg) -> None:
    lock = RunLock(pg, "run", check_every=0)
    lock.acquire()
    try:
        terminate(pg, lock_backends(pg))
        lock.ensure()
        assert lock.retaken == 1 and lock.lost is None
        assert len(lock_backends(pg)) == 1
        with pytest.raises(Busy):
            RunLock(other_engine(pg), "run", check_every=0).acquire()
    finally:
        lock.release()
    assert lock_backends(pg) == []


def test_a_dropped_lock_another_run_took_is_lost_and_the_watch_says_so(pg) -> None:
    reasons: list[str] = []
    lock = RunLock(pg, "run", check_every=0.2, on_lost=reasons.append)
    lock.acquire()
    other = RunLock(other_engine(pg), "run", check_every=0)
    try:
        terminate(pg, lock_backends(pg))
        other.acquire()  # faster than the watch: the other run has it now
        deadline = time.monotonic() + 5
        while not reasons and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reasons and "the run lock was lost" in reasons[0]
        with pytest.raises(LockLost):
            lock.ensure()
    finally:
        other.release()
        lock.release()


def test_a_second_run_never_overlaps_a_live_one(pg, tmp_path) -> None:
    """Run A crawls; its lock connection is killed; run B starts; B must not crawl beside A."""
    url = pg.url.render_as_string(hide_password=False)
    routes = slow_feed.routes(6)
    env = {**os.environ, "GRAPEVINE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "grapevine", "run"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    with LocalServer(routes) as site:
        (tmp_path / "grapevine.toml").write_text(slow_feed.CONFIG.format(base=site.base_url))
        a = start()
        try:
            deadline = time.monotonic() + 60
            while not site.requests.count("/slow.xml") and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "/slow.xml" in site.requests, a.poll()
            backends = lock_backends(pg)
            assert len(backends) == 1
            terminate(pg, backends)
            b = start()
            b_out, b_err = b.communicate(timeout=120)
            a_out, a_err = a.communicate(timeout=120)
        finally:
            for proc in (a,):
                if proc.poll() is None:
                    proc.kill()
    assert b.returncode in (1, 3), b_out + b_err
    with Session(pg) as session:
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.started_at)).all()
        jobs = session.exec(select(JobRun).order_by(JobRun.id)).all()
    intervals = sorted((r.started_at, r.finished_at) for r in runs)
    by_job = [(j.started_at, j.finished_at, j.status) for j in jobs]
    for (_s1, f1, _), (s2, _f2, _) in zip(by_job, by_job[1:], strict=False):
        assert f1 is not None and f1 <= s2, by_job  # job runs one after the other
    if b.returncode == 3:  # A took its lock again before B asked: B did nothing
        assert "holds the run lock" in b_err
        assert a.returncode == 0, a_out + a_err  # and its unlock at the end is fine
        assert len(jobs) == 1 and jobs[0].status == "ok"
    else:  # A lost it and stopped before its next step; B ran after
        assert a.returncode == 1 and "lock was lost" in a_out + a_err
    assert all(f is not None for _s, f in intervals)


def test_a_run_whose_lock_another_took_stops_before_its_next_step(pg, tmp_path) -> None:
    """The lock is taken by someone else the moment A's connection drops: A must stop."""
    url = pg.url.render_as_string(hide_password=False)
    routes = slow_feed.routes(4)
    env = {**os.environ, "GRAPEVINE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    with LocalServer(routes) as site:
        (tmp_path / "grapevine.toml").write_text(slow_feed.CONFIG.format(base=site.base_url))
        a = subprocess.Popen(
            [sys.executable, "-m", "grapevine", "run"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        thief = RunLock(other_engine(pg), "run", check_every=0)
        try:
            deadline = time.monotonic() + 60
            while not site.requests.count("/slow.xml") and time.monotonic() < deadline:
                time.sleep(0.1)
            terminate(pg, lock_backends(pg))
            thief.acquire()  # well within A's one-second check
            out, err = a.communicate(timeout=120)
        finally:
            thief.release()
            if a.poll() is None:
                a.kill()
    assert a.returncode == 1, out + err
    assert "the run lock was lost" in out + err
    with Session(pg) as session:
        [job] = session.exec(select(JobRun)).all()
    assert job.status == "interrupted" and job.finished_at is not None
    assert "lock" in job.summary["step_errors"]
    assert {"export", "alerts"} <= set(job.summary["skipped"])


def test_losing_the_run_lock_asks_for_one_clean_stop(pg) -> None:
    """Under the stop handlers a lost run lock is one SIGTERM: a clean stop, not a crash."""
    previous = stopping.install()
    lock = RunLock(pg, "run", check_every=0.2)
    other = RunLock(other_engine(pg), "run", check_every=0)
    try:
        lock.acquire()
        terminate(pg, lock_backends(pg))
        other.acquire()
        deadline = time.monotonic() + 5
        while not stopping.STOP.requested() and time.monotonic() < deadline:
            time.sleep(0.05)  # the handler runs here, in the main thread
        assert stopping.STOP.requested() and stopping.STOP.reason == "SIGTERM"
        assert lock.lost and "the run lock was lost" in lock.lost
    finally:
        stopping.restore(previous)
        stopping.STOP.reset()
        other.release()
        lock.release()
