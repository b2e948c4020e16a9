"""The scheduler on a fake clock (driving the `schedule` library), its lock and child runs."""

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import schedule

from grapevine import stopping
from grapevine.locks import Busy, RunLock
from grapevine.scheduler import Clock, Scheduler, ScheduleSpec, last_slot, run_child

START = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # 06:00 in Berlin


class FakeClock(Clock):
    """Time that moves only when the loop sleeps; stops the loop at ``until``."""

    def __init__(self, start: datetime, until: datetime) -> None:
        self.t, self.until = start, until

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += timedelta(seconds=max(seconds, 1.0))
        if self.t >= self.until:
            stopping.STOP.request("end of the test")


@pytest.fixture(autouse=True)
def clean_stop() -> Iterator[None]:
    stopping.STOP.reset()
    yield
    stopping.STOP.reset()


def drive(monkeypatch, clock: FakeClock) -> None:
    """Make the `schedule` library read the fake clock."""

    class FakeDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            if tz is None:
                return clock.t.astimezone().replace(tzinfo=None)  # naive local, as schedule wants
            return clock.t.astimezone(tz)

    fake = types.SimpleNamespace(
        datetime=FakeDatetime, timedelta=dt.timedelta, time=dt.time, date=dt.date
    )
    monkeypatch.setattr(schedule, "datetime", fake)


def scheduler(clock: FakeClock, spec: ScheduleSpec, *, last_run, job=None, export=None):
    runs: list[tuple[datetime, str]] = []

    def run_job(trigger: str) -> None:
        runs.append((clock.t, trigger))
        if job is not None:
            job(trigger)

    return Scheduler(spec, run_job=run_job, export=export, last_run=last_run, clock=clock), runs


def test_runs_at_the_configured_times_in_the_time_zone(monkeypatch) -> None:
    clock = FakeClock(START, START + timedelta(days=1, hours=2))
    drive(monkeypatch, clock)
    spec = ScheduleSpec(times=("07:00", "19:00"), timezone="Europe/Berlin", export_every_minutes=0)
    sched, runs = scheduler(clock, spec, last_run=lambda: START - timedelta(hours=10))
    sched.run()
    assert [(t.strftime("%d %H:%M"), trigger) for t, trigger in runs] == [
        ("20 06:00", "schedule"),
        ("20 18:00", "schedule"),
        ("21 06:00", "schedule"),
    ]


def test_a_missed_run_runs_at_start_up(monkeypatch) -> None:
    clock = FakeClock(START + timedelta(hours=3), START + timedelta(days=1, hours=2))
    drive(monkeypatch, clock)
    spec = ScheduleSpec(times=("07:00",), timezone="Europe/Berlin", export_every_minutes=0)
    # the machine was off at 07:00 Berlin (06:00 UTC): the last run is from the day before
    sched, runs = scheduler(clock, spec, last_run=lambda: START - timedelta(hours=23))
    assert sched.missed()
    sched.run()
    assert [(t.strftime("%d %H:%M"), trigger) for t, trigger in runs] == [
        ("20 08:00", "missed"),
        ("21 06:00", "schedule"),
    ]
    # a run since the last slot (even a manual one) means nothing was missed
    fresh = FakeClock(START + timedelta(hours=3), START + timedelta(hours=4))
    ok, _ = scheduler(fresh, spec, last_run=lambda: START + timedelta(hours=1, minutes=5))
    assert not ok.missed()


def test_last_slot_across_midnight_and_daylight_saving() -> None:
    times = ("07:00", "23:30")
    now = datetime(2026, 3, 29, 3, 0, tzinfo=UTC)  # 05:00 CEST, the morning DST began
    assert last_slot(times, "Europe/Berlin", now) == datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    now = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # 07:00 CEST
    assert last_slot(times, "Europe/Berlin", now) == now


def test_a_failing_job_never_stops_the_loop(monkeypatch, caplog) -> None:
    clock = FakeClock(START, START + timedelta(days=2, hours=2))
    drive(monkeypatch, clock)
    ticks: list[datetime] = []

    def broken_job(_trigger: str) -> None:
        raise RuntimeError("the crawl exploded")

    def broken_export() -> None:
        ticks.append(clock.t)
        raise OSError("the export exploded")

    spec = ScheduleSpec(times=("07:00",), timezone="Europe/Berlin", export_every_minutes=30)
    sched, runs = scheduler(
        clock, spec, last_run=lambda: START - timedelta(hours=10), job=broken_job,
        export=broken_export,
    )  # fmt: skip
    sched.run()
    assert len(runs) == 3  # day 1, day 2, day 3 at 06:00 UTC
    assert len(ticks) == 50 * 2 - 1  # every 30 minutes for 50 hours (stopped at the last)
    assert sched.failures == 3 + len(ticks)
    assert "the scheduled run failed; the scheduler goes on" in caplog.text


def test_sigterm_stops_after_the_current_job(monkeypatch) -> None:
    clock = FakeClock(START, START + timedelta(days=3))
    drive(monkeypatch, clock)
    ticks: list[datetime] = []

    def job(_trigger: str) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the job runs

    spec = ScheduleSpec(times=("07:00",), timezone="Europe/Berlin", export_every_minutes=5)
    sched, runs = scheduler(
        clock, spec, last_run=lambda: START - timedelta(hours=10), job=job,
        export=lambda: ticks.append(clock.t),
    )  # fmt: skip
    previous = stopping.install()
    try:
        sched.run()
    finally:
        stopping.restore(previous)
    assert len(runs) == 1 and stopping.STOP.reason == "SIGTERM"
    assert clock.t < START + timedelta(hours=2)  # it did not go on to the next day
    assert all(t <= runs[0][0] for t in ticks)


HOLD = textwrap.dedent(
    """
    import sys, time
    from storage import make_engine
    from grapevine.locks import RunLock
    lock = RunLock(make_engine(sys.argv[1]), "run")
    lock.acquire()
    print("held", flush=True)
    time.sleep(60)
    """
)


def test_one_run_at_a_time_and_a_crashed_holder_leaves_no_stale_lock(engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(Busy, match="another grapevine process holds the run lock"):
            RunLock(engine, "run").acquire()
        with RunLock(engine, "export"):  # other names are independent
            pass
    finally:
        holder.kill()  # SIGKILL: no clean-up in the holder
        holder.wait()
    with RunLock(engine, "run", wait=10):
        with pytest.raises(Busy):
            RunLock(engine, "run").acquire()


def test_a_child_run_is_stopped_at_its_timeout(tmp_path) -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    result = run_child(sleeper, timeout=0.5, grace=5)
    assert result.timed_out and result.code == -signal.SIGTERM
    assert "longer than the timeout" in result.describe()
    stubborn = [
        sys.executable, "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(30)",
    ]  # fmt: skip
    result = run_child(stubborn, timeout=0.5, grace=0.5)
    assert result.timed_out and result.code == -signal.SIGKILL
