"""Daily operations: ``schedule`` (run by itself) and ``export`` (the support queue now)."""

import logging
import sys
from datetime import UTC

import click
from sqlalchemy import Engine

from grapevine import stopping
from grapevine.cli.common import (
    LockBusy,
    config_option,
    engine,
    held_lock,
    settings,
    setup_logging,
)
from grapevine.config import ConfigError, Settings, load_config
from grapevine.locks import Busy
from grapevine.ops import export_now
from grapevine.scheduler import (
    Scheduler,
    ScheduleSpec,
    last_job_start,
    scheduled_report,
    scheduled_run,
)
from triage.export.run import ExportReport, TargetReport

log = logging.getLogger("grapevine.schedule")


def _spec(cfg: Settings) -> ScheduleSpec:
    s = cfg.schedule
    return ScheduleSpec(
        times=tuple(s.times),
        timezone=s.timezone,
        run_missed=s.run_missed,
        export_every_minutes=s.export_every_minutes,
        run_timeout=s.run_timeout_minutes * 60,
        stop_grace=s.stop_grace_seconds,
        report_day=cfg.report.day if cfg.report.weekly else None,
        report_time=cfg.report.time,
    )


@click.command("schedule")
@config_option
@click.option("-v", "--verbose", count=True, help="Debug logging (-v); runs log at info.")
def schedule_command(verbose: int) -> None:
    """Run the daily job at the configured times, in the foreground, until stopped.

    Times and time zone come from [schedule]; each run is a child `grapevine run` (stopped
    after run_timeout_minutes), one at a time; a run missed while the machine was off runs
    at start-up; every export_every_minutes what is due goes to the support queue (cases
    sent by hand from the dashboard). SIGTERM or Ctrl-C stops it cleanly. Logs go to stderr.

    \b
    Example:
      grapevine schedule --config /etc/grapevine/grapevine.toml
    """
    setup_logging(1 + verbose)
    cfg = settings()
    eng = engine(cfg)
    spec = _spec(cfg)
    path = cfg.path.resolve()

    def export_tick() -> None:
        try:
            current = load_config(path)  # target changes apply without a restart
        except ConfigError as exc:
            log.error("export tick skipped: %s", exc)
            return
        try:
            report = export_now(current, eng, wait=0)
        except Busy:
            log.debug("export tick skipped: another export is running")
            return
        if report.sent or report.failed or report.problems:
            log.info(
                "export tick: %d sent, %d failed, %d waiting%s",
                report.sent, report.failed, report.waiting,
                "; " + "; ".join(report.problems) if report.problems else "",
            )  # fmt: skip
        helpdesk_tick(current, eng)

    distributed = bool(cfg.broker_url)  # cluster mode: one leader, the others stand by
    from grapevine.cli.cluster import leading

    with leading(eng) if distributed else held_lock(eng, "schedule"):
        stopping.STOP.reset()
        previous = stopping.install()
        try:
            Scheduler(
                spec,
                run_job=lambda trigger: scheduled_run(
                    eng, path, spec, trigger, verbose, distributed
                ),
                export=export_tick,
                last_run=lambda: last_job_start(eng),
                report=lambda: scheduled_report(path, spec, fmt=cfg.report.format),
            ).run()
        finally:
            stopping.restore(previous)


def helpdesk_tick(cfg: Settings, eng: Engine) -> None:
    """The helpdesk sync on the export tick (ticket status back to the cases)."""
    from grapevine.helpdesk import describe, has_helpdesks, sync_now

    if not has_helpdesks(cfg):
        return
    try:
        report = sync_now(cfg, eng, wait=0)
    except Busy:
        log.debug("helpdesk sync skipped: another sync is running")
        return
    except Exception as exc:  # the tick goes on; the daily job reports it too
        log.error("helpdesk sync failed: %s", exc)
        return
    for line in describe(report):
        log.info("helpdesk: %s", line)
    for problem in report.problems:
        log.warning("helpdesk: %s", problem)


def _print_report(report: ExportReport, dry_run: bool) -> None:
    if not report.targets:
        click.echo("No support-queue targets are configured ([[targets]] in the config).")
    for tr in report.targets:
        if dry_run:
            _print_plan(tr)
            continue
        mark = "✗" if tr.failed or tr.problem else "✓"
        line = (
            f"  {mark} {tr.name:<20} {tr.kind:<8} {tr.sent:>4} sent {tr.failed:>4} failed "
            f"{tr.waiting:>5} waiting"
        )
        detail = [tr.problem] if tr.problem else list(tr.errors)
        if tr.stopped and tr.failed:
            detail.append("stopped after failures in a row")
        if tr.waiting and tr.next_attempt_at is not None:
            detail.append(f"next attempt {tr.next_attempt_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
        click.echo(line + (f"  — {'; '.join(d for d in detail if d)}" if detail else ""))


def _print_plan(tr: TargetReport) -> None:
    click.echo(f"{tr.name} ({tr.kind}) — {tr.rules}")
    if tr.problem:
        click.echo(f"  cannot send: {tr.problem}")
    if not tr.planned:
        click.echo("  nothing to send now")
    for p in tr.planned:
        attempt = f", attempt {p.attempts + 1}" if p.attempts else ""
        click.echo(
            f"  case #{p.case_id:<6} {p.reason:<10} priority {p.priority:.2f}  {p.source}{attempt}"
        )
    later = tr.waiting - sum(1 for p in tr.planned if p.reason != "new")
    if later > 0:
        click.echo(f"  {later} more waiting for their next attempt")


@click.command("export")
@config_option
@click.option("--target", "only", default=None, help="Only this target.")
@click.option("--dry-run", is_flag=True, help="Show what would go where; send nothing.")
@click.option("--now", "ignore_backoff", is_flag=True, help="Retry failed deliveries now.")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def export_command(only: str | None, dry_run: bool, ignore_backoff: bool, verbose: int) -> None:
    """Send what is pending to the support-queue targets now (exactly once per case).

    Queues every open case that matches a target's rules, then delivers what is due: new
    cases, cases sent by hand from the dashboard, and retries whose backoff is over (--now:
    retry failed ones at once). Exit status 1 when a delivery failed (it is retried later).

    \b
    Example:
      grapevine export --dry-run
      grapevine export --target helpdesk --now
    """
    setup_logging(verbose)
    cfg = settings()
    names = [t.name for t in cfg.targets]
    if only is not None and only not in names:
        raise click.BadParameter(
            f"no target {only!r} (configured: {', '.join(names) or 'none'})", param_hint="--target"
        )
    eng = engine(cfg)
    previous = stopping.install()
    try:
        report = export_now(
            cfg, eng, only=only, dry_run=dry_run, ignore_backoff=ignore_backoff, wait=5
        )
    except Busy as exc:
        raise LockBusy(str(exc)) from None
    finally:
        stopping.restore(previous)
    _print_report(report, dry_run)
    if not dry_run:
        click.echo(f"{report.sent} sent, {report.failed} failed, {report.waiting} waiting")
    sys.exit(1 if (report.failed or report.problems) and not dry_run else 0)


COMMANDS = [schedule_command, export_command]
