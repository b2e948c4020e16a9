"""``grapevine schedule``: the daily job at the configured times, and a frequent export tick.

Built on the ``schedule`` library, in the foreground (systemd, a container or a terminal
keeps it alive). What it adds:

* **Each run in a child process** (``python -m grapevine run --trigger schedule``): a
  long-lived scheduler never hosts a Twisted reactor, and a run that hangs is stopped after
  ``run_timeout_minutes`` (SIGTERM, then SIGKILL after ``stop_grace_seconds``). The child
  takes the ``run`` lock, so a scheduled run and a manual ``grapevine run`` never overlap.
* **A job dies with the scheduler**: the child asks Linux for a SIGKILL when the scheduler
  ends (``PR_SET_PDEATHSIG``, set between fork and exec), so even a SIGKILL of the
  scheduler leaves no run behind (the run's analysis workers die with the run in turn);
  when :func:`run_child` returns or is interrupted, whatever is left of the job's process
  group is killed. A run killed that way is marked ``interrupted`` by the next run.
* **Nothing stops the loop**: every job is wrapped (``schedule`` would let an exception end
  it); a failed run is logged and recorded as a JobRun.
* **A run missed** while the machine was off or the scheduler was not running is made up at
  start-up: when the last JobRun started before the latest scheduled time (or there is none).
* **The export tick**: every ``export_every_minutes``, in this process, what is due is sent
  (cases sent by hand from the dashboard, retries whose backoff is over).
* **SIGTERM/SIGINT** stop it cleanly: a running child is asked to stop after its current
  step (and is waited for), an export tick stops between deliveries, then the loop ends.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time as systime
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import schedule
from sqlalchemy import Engine, func, insert, select, update
from sqlmodel import col

from crawler.analysis_pool import set_parent_death_signal
from grapevine.stopping import STOP
from storage.models import JobRun
from storage.types import as_utc, utcnow

log = logging.getLogger(__name__)

JOB_RUN = JobRun.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ScheduleSpec:
    """When to run, from ``[schedule]``."""

    times: tuple[str, ...] = ("07:00",)
    timezone: str = "UTC"
    run_missed: bool = True
    export_every_minutes: int = 5
    run_timeout: float = 4 * 3600.0
    stop_grace: float = 120.0
    # the weekly report ([report] weekly): its day ("monday") and time, or no day: off
    report_day: str | None = None
    report_time: str = "08:00"


class Clock:
    """The time and the waiting of the loop (a test passes a fake one)."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        return utcnow()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when a stop is requested."""
        STOP.wait(seconds)


def last_slot(times: tuple[str, ...], timezone: str, now: datetime) -> datetime:
    """The latest scheduled time at or before ``now`` (aware UTC)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    slots = []
    for back in (0, 1, 2):
        day = local.date() - timedelta(days=back)
        for hhmm in times:
            hour, minute = (int(x) for x in hhmm.split(":"))
            slot = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
            if slot <= now:
                slots.append(slot)
    return max(slots)


def last_job_start(engine: Engine) -> datetime | None:
    """When the latest JobRun started (any trigger: a manual run counts)."""
    with engine.connect() as conn:
        return as_utc(conn.execute(select(func.max(col(JobRun.started_at)))).scalar())


@dataclass
class ChildResult:
    """How a run in a child process ended."""

    code: int
    timed_out: bool
    seconds: float

    def describe(self) -> str:
        """The outcome in words, for the log."""
        took = f"after {self.seconds / 60:.1f} min"
        if self.timed_out:
            return f"stopped: it ran longer than the timeout ({took})"
        if self.code == 0:
            return f"finished ok {took}"
        if self.code == 1:
            return f"finished with failures {took} (see its output above)"
        if self.code == 2:
            return "could not start: the config has an error (see above)"
        if self.code == 3:
            return "skipped: another run was in progress"
        if self.code < 0:
            return f"killed by {signal.Signals(-self.code).name} {took}"
        return f"ended with exit status {self.code} {took}"


def _die_with_us(parent: int) -> None:
    """Between fork and exec of a job: SIGKILL when the scheduler ``parent`` ends."""
    set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent:  # the scheduler died before the prctl took effect
        os._exit(1)


def kill_group(pgid: int) -> None:
    """SIGKILL every process left in the job's process group (quietly when none is)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_child(argv: list[str], *, timeout: float, grace: float) -> ChildResult:
    """Run ``argv`` in its own process group; forward a stop; enforce the timeout.

    The child dies with this process; on return (or an exception here) what is left of its
    process group is killed.
    """
    started = systime.monotonic()
    parent = os.getpid()
    proc = subprocess.Popen(argv, start_new_session=True, preexec_fn=lambda: _die_with_us(parent))
    try:
        return _supervise(proc, started, timeout=timeout, grace=grace)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        kill_group(proc.pid)


def _supervise(
    proc: "subprocess.Popen[bytes]", started: float, *, timeout: float, grace: float
) -> ChildResult:
    asked_at: float | None = None
    timed_out = False
    while True:
        try:
            code = proc.wait(timeout=0.5)
            return ChildResult(code, timed_out, systime.monotonic() - started)
        except subprocess.TimeoutExpired:
            pass
        now = systime.monotonic()
        if asked_at is None and STOP.requested():
            log.info("asking the running job (pid %d) to stop after its current step", proc.pid)
            proc.send_signal(signal.SIGTERM)
            asked_at = now
        if asked_at is None and now - started > timeout:
            log.error("the run (pid %d) exceeded %.0f min: stopping it", proc.pid, timeout / 60)
            proc.send_signal(signal.SIGTERM)
            asked_at, timed_out = now, True
        if asked_at is not None and now - asked_at > grace:
            log.error("the run (pid %d) did not stop within %.0f s: killing it", proc.pid, grace)
            proc.kill()
            asked_at = float("inf")


def record_failed_run(engine: Engine, *, started: datetime, trigger: str, reason: str) -> None:
    """Close the JobRun of a child that died (or record one if it never got that far)."""
    now = utcnow()
    with engine.begin() as conn:
        result = conn.execute(
            update(JOB_RUN)
            .where(JOB_RUN.c.status == "running", JOB_RUN.c.started_at >= started)
            .values(status="failed", finished_at=now, summary={"error": reason, "failed": True})
        )
        if result.rowcount == 0:
            conn.execute(
                insert(JOB_RUN).values(
                    started_at=started,
                    finished_at=now,
                    trigger=trigger,
                    status="failed",
                    summary={"error": reason, "failed": True},
                )
            )


class Scheduler:
    """The loop: ``Scheduler(spec, run_job=..., export=..., last_run=...).run()``.

    ``run_job(trigger)`` runs the daily job once (in production a child process);
    ``export()`` is the export tick; ``last_run()`` the latest JobRun's start.
    """

    def __init__(
        self,
        spec: ScheduleSpec,
        *,
        run_job: Callable[[str], object],
        export: Callable[[], object] | None,
        last_run: Callable[[], datetime | None],
        clock: Clock | None = None,
        report: Callable[[], object] | None = None,
    ) -> None:
        self.spec = spec
        self.run_job, self.export, self.last_run = run_job, export, last_run
        self.report = report  # the weekly report email, on spec.report_day
        self.clock = clock or Clock()
        self.jobs = schedule.Scheduler()
        self.failures = 0

    def _guarded(self, what: str, func: Callable[..., object], *args: object) -> None:
        if STOP.requested():
            return
        try:
            func(*args)
        except Exception:
            self.failures += 1
            log.exception("%s failed; the scheduler goes on", what)

    def missed(self) -> bool:
        """Whether the latest scheduled run did not happen (a JobRun started since)."""
        last = self.last_run()
        slot = last_slot(self.spec.times, self.spec.timezone, self.clock.now())
        return last is None or last < slot

    def setup(self) -> None:
        """Register the daily runs and the export tick with ``schedule``."""
        self.jobs.clear()
        for hhmm in self.spec.times:
            self.jobs.every().day.at(hhmm, self.spec.timezone).do(
                self._guarded, "the scheduled run", self.run_job, "schedule"
            )
        if self.export is not None and self.spec.export_every_minutes > 0:
            self.jobs.every(self.spec.export_every_minutes).minutes.do(
                self._guarded, "the export tick", self.export
            )
        if self.report is not None and self.spec.report_day:
            weekly = getattr(self.jobs.every(), self.spec.report_day)  # .monday, .tuesday...
            weekly.at(self.spec.report_time, self.spec.timezone).do(
                self._guarded, "the weekly report", self.report
            )

    def next_run(self) -> datetime | None:
        """When the next daily run is due (aware UTC)."""
        days = [j.next_run for j in self.jobs.jobs if j.unit == "days" and j.next_run]
        if not days:
            return None
        return min(days).astimezone(UTC)  # schedule keeps naive local times

    def run(self) -> None:
        """Make up a missed run, then loop until a stop is requested."""
        self.setup()
        if self.spec.run_missed:
            try:
                missed = self.missed()
            except Exception:
                log.exception("cannot tell whether a run was missed")
                missed = False
            if missed:
                log.info("the last scheduled run was missed: running now")
                self._guarded("the missed run", self.run_job, "missed")
        next_run = self.next_run()
        log.info(
            "scheduler started: daily at %s (%s), next run %s; export every %s min",
            ", ".join(self.spec.times), self.spec.timezone,
            f"{next_run:%Y-%m-%d %H:%M} UTC" if next_run else "-",
            self.spec.export_every_minutes or "- (off)",
        )  # fmt: skip
        while not STOP.requested():
            try:
                self.jobs.run_pending()
            except Exception:  # _guarded catches the jobs' errors; this is schedule's own
                log.exception("the scheduler loop hit an error; going on")
            idle = self.jobs.idle_seconds
            self.clock.sleep(max(0.0, min(idle if idle is not None else 60.0, 60.0)))
        log.info("scheduler stopped (%s)", STOP.reason or "asked to")


def child_argv(
    config_path: Path, trigger: str, verbose: int, day_id: str | None = None
) -> list[str]:
    """The command line of one scheduled run (with ``day_id``: on the cluster's workers)."""
    argv = [sys.executable, "-m", "grapevine", "--config", str(config_path), "run"]
    argv += ["--trigger", trigger] + (["-" + "v" * verbose] if verbose else [])
    if day_id:  # the day's id is its slot: a scheduler taking over cannot enqueue it again
        argv += ["--distributed", "--day-id", day_id]
    return argv


def scheduled_run(
    engine: Engine,
    config_path: Path,
    spec: ScheduleSpec,
    trigger: str,
    verbose: int = 0,
    distributed: bool = False,
) -> ChildResult:
    """One daily run in a child process, logged and, when it died, recorded.

    ``distributed`` (``[cluster] broker_url`` set): the child enqueues the day of the latest
    slot on the cluster (``grapevine run --distributed``) and waits for it."""
    started = utcnow()
    log.info("%s run starting", "scheduled" if trigger == "schedule" else "missed")
    day_id = None
    if distributed:
        day_id = f"{last_slot(spec.times, spec.timezone, started):%Y-%m-%dT%H:%M}Z"
    result = run_child(
        child_argv(config_path, trigger, verbose, day_id),
        timeout=spec.run_timeout,
        grace=spec.stop_grace,
    )
    outcome = result.describe()
    if result.code == 0:
        log.info("run %s", outcome)
    elif result.code in (1, 3):
        log.warning("run %s", outcome)
    else:
        log.error("run %s", outcome)
        record_failed_run(engine, started=started, trigger=trigger, reason=outcome)
    return result


def report_argv(config_path: Path, today: str, fmt: str = "html") -> list[str]:
    """The command line of the weekly report email: the seven whole days before today."""
    argv = [sys.executable, "-m", "grapevine", "--config", str(config_path), "report"]
    return argv + ["--period", "week", "--end", today, "--format", fmt, "--email"]


def scheduled_report(
    config_path: Path, spec: ScheduleSpec, *, fmt: str = "html", timeout: float = 600.0
) -> ChildResult:
    """The weekly report in a child process (a hung SMTP server or Chromium cannot stall the
    loop); a failure is logged, and next week's report is tried as usual."""
    today = utcnow().strftime("%Y-%m-%d")
    argv = report_argv(config_path, today, fmt)
    result = run_child(argv, timeout=timeout, grace=spec.stop_grace)
    if result.code == 0:
        log.info("weekly report sent (%s)", result.describe())
    else:
        log.error("weekly report not sent: %s", result.describe())
    return result
