"""Processes that die together: SIGKILL ``grapevine run`` and nothing of it stays behind.

A real ``grapevine run`` in a subprocess crawls two feeds from a local HTTP server: one
answers at once (its items go to the analysis worker when its crawl closes), the other takes
a minute. Once the worker exists the run is killed with SIGKILL; within a few seconds none
of its children may be left (worker, resource tracker) and the SQLite database must open
exclusively. The scheduler's job children get the same treatment.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from helpers import slow_feed
from helpers.httpserver import LocalServer

from grapevine.scheduler import run_child
from grapevine.stopping import STOP
from storage import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[2]


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process, ``None`` when it is gone (or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return None if fields[0] in ("Z", "X") else (fields[0], int(fields[1]))  # type: ignore[return-value]


def descendants(pid: int) -> dict[int, str]:
    """Every live descendant of ``pid``, with its command line."""
    found: dict[int, str] = {}
    frontier = {pid}
    while frontier:
        children = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            stat = _stat(int(entry.name))
            if stat and stat[1] in frontier and int(entry.name) not in found:
                children.add(int(entry.name))
        for child in children:
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                found[child] = found[child].decode(errors="replace")  # type: ignore[assignment]
            except OSError:
                continue
        frontier = children
    return found


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def opens_exclusively(path: Path) -> bool:
    conn = sqlite3.connect(path, timeout=0)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM mention").fetchone()
        conn.execute("COMMIT")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def test_sigkill_of_a_run_leaves_no_worker_and_frees_the_database(tmp_path) -> None:
    routes = slow_feed.routes(60)
    database = tmp_path / "grapevine.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    with LocalServer(routes) as site:
        (tmp_path / "grapevine.toml").write_text(slow_feed.CONFIG.format(base=site.base_url))
        run = subprocess.Popen(
            [sys.executable, "-m", "grapevine", "run"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={
                **os.environ,
                "GRAPEVINE_DATABASE_URL": f"sqlite:///{database}",
                "PYTHONPATH": str(ROOT),
            },
        )
        try:
            seen: dict[int, str] = {}

            def worker_started() -> bool:
                seen.update(descendants(run.pid))
                return run.poll() is not None or any("spawn_main" in c for c in seen.values())

            assert wait_for(worker_started, 60), seen
            assert run.poll() is None, run.communicate()[1][-2000:]
            assert any("resource_tracker" in cmd for cmd in seen.values()), seen
            run.send_signal(signal.SIGKILL)
            run.wait(10)
            assert wait_for(lambda: all(_stat(pid) is None for pid in seen), 5), {
                pid: cmd for pid, cmd in seen.items() if _stat(pid) is not None
            }
            assert opens_exclusively(database)
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()


def test_the_schedulers_job_child_dies_with_the_scheduler(tmp_path) -> None:
    """A scheduler killed with SIGKILL takes its running job (and its process group) along."""
    marker = tmp_path / "child.pid"
    child_code = (
        f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    )
    scheduler_code = (
        "import sys; from grapevine.scheduler import run_child; "
        f"run_child([sys.executable, '-c', {child_code!r}], timeout=600, grace=5)"
    )
    scheduler = subprocess.Popen(
        [sys.executable, "-c", scheduler_code], env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    try:
        assert wait_for(lambda: marker.exists() and marker.read_text(), 30)
        child = int(marker.read_text())
        assert _stat(child) is not None
        scheduler.send_signal(signal.SIGKILL)
        scheduler.wait(10)
        assert wait_for(lambda: _stat(child) is None, 5), "the job outlived its scheduler"
    finally:
        if scheduler.poll() is None:
            scheduler.kill()


def test_a_stopped_job_leaves_nothing_of_its_process_group(tmp_path) -> None:
    """A job stopped by the scheduler: what it started itself is killed with it."""
    marker = tmp_path / "grandchild.pid"
    code = (
        "import os, subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(marker)!r}, 'w').write(str(p.pid)); time.sleep(120)"
    )

    def stop_once_started() -> None:
        wait_for(lambda: marker.exists() and marker.read_text(), 30)
        STOP.request("test")

    threading.Thread(target=stop_once_started, daemon=True).start()
    try:
        result = run_child([sys.executable, "-c", code], timeout=600, grace=5)
    finally:
        STOP.reset()
    assert result.code == -signal.SIGTERM
    grandchild = int(marker.read_text())
    assert wait_for(lambda: _stat(grandchild) is None, 5), "the job's child outlived its job"
