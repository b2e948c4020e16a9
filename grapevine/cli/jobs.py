"""Running Grapevine: ``run`` (the daily job), ``crawl`` and ``status``."""

import json
import sys
from collections.abc import Callable
from datetime import datetime

import click
from sqlalchemy import Engine

from crawler.progress import SourceProgress, format_progress
from crawler.runner import SourceResult
from dashboard.sources_view import dead_letter_lines
from grapevine import stopping
from grapevine.cli.common import (
    config_option,
    engine,
    held_lock,
    log_level_name,
    settings,
    setup_logging,
)
from grapevine.config import Settings
from grapevine.job import JobSummary, crawl_step, run_job, triage_step
from storage.cluster import dead_tasks
from storage.quarantine import open_counts
from storage.queries import status_summary

_MARK = {"ok": "✓", "partial": "!", "failed": "✗"}


def print_source(result: SourceResult, quarantined: int = 0) -> None:
    """One line as each source finishes (the progress of a crawl); ``quarantined`` is how
    many of the source's items wait in the quarantine (``grapevine quarantine list``)."""
    mark = _MARK.get(result.status, "?")
    line = (
        f"  {mark} {result.name:<24} {result.status:<8} {result.items_new:>5} new "
        f"{result.items_updated:>4} updated {result.items_dropped:>4} dropped "
        f"{result.pages:>4} pages"
    )
    if quarantined:
        line += f" {quarantined:>4} quarantined"
    if result.error:
        line += f"  — {result.error}"
    click.echo(line)


def print_progress(snapshot: list[SourceProgress], elapsed: float) -> None:
    """Every few seconds of a long crawl: pages and items so far, per source."""
    running = [p for p in snapshot if not p.finished]
    click.echo(f"  … {elapsed:.0f} s: " + format_progress(running))


def crawl_banner(cfg: Settings) -> str:
    """The first line of a run: how many sources, or what to do when there are none."""
    enabled = sum(1 for s in cfg.sources if s.enabled)
    if enabled == 0:
        return (
            f"No enabled sources in {cfg.path}: add a [[sources]] entry (or remove "
            "`enabled = false` from one); the other steps still run."
        )
    return f"Crawling {enabled} source{'s' if enabled != 1 else ''}…"


def retention_line(counts: dict[str, int]) -> str:
    """``12 mention texts blanked, 3 crawl runs deleted`` (the parts that removed anything)."""
    from grapevine.retention import LABELS

    return ", ".join(f"{n:,} {LABELS.get(part, part)}" for part, n in counts.items() if n)


def print_summary(summary: JobSummary) -> None:
    """The end-of-run summary: totals per source and what the later steps did."""
    new = sum(s.items_new for s in summary.sources)
    updated = sum(s.items_updated for s in summary.sources)
    failed = [s.name for s in summary.sources if s.status != "ok"]
    click.echo(
        f"\n{len(summary.sources)} source{'' if len(summary.sources) == 1 else 's'}: "
        f"{new} new, {updated} updated mentions"
        + (f"; problems with {', '.join(failed)}" if failed else "")
    )
    click.echo(
        f"Cases opened: {summary.cases_opened} · customer links suggested: "
        f"{summary.links_suggested} (confirmed: {summary.links_confirmed})"
        f" · exports sent: {summary.exports_sent}"
        + (f" (failed: {summary.exports_failed})" if summary.exports_failed else "")
        + (f" (waiting: {summary.exports_waiting})" if summary.exports_waiting else "")
        + f" · alerts sent: {summary.alerts_sent}"
    )
    for source, flood in summary.floods.items():
        click.echo(
            f"Flood from {source}: {flood['needing']:,} mentions need attention; "
            f"{flood['opened']:,} cases opened, {flood['waiting']:,} wait for the next runs "
            "([triage] max_new_cases_per_source)"
        )
    if summary.cases_answered:
        click.echo(
            f"Answered on the platform (outside Grapevine or before this run): "
            f"{summary.cases_answered} case{'' if summary.cases_answered == 1 else 's'}"
        )
    if summary.retention:
        click.echo("Retention: " + retention_line(summary.retention))
    for step, error in summary.step_errors.items():
        click.echo(f"Step {step} failed: {error}", err=True)
    if summary.skipped:
        click.echo(f"Stopped by a signal; skipped: {', '.join(summary.skipped)}", err=True)


def _skip_unserved(
    cfg: Settings, eng: Engine, *, quiet: bool = False, names: list[str] | None = None
) -> tuple[Settings, list[SourceResult]]:
    """Sources on a local address nothing serves (the demo site, stopped): failed at once,
    in one line, instead of after the crawler's retries (see :mod:`grapevine.preflight`)."""
    from grapevine.preflight import find_unserved, skip_unserved

    unserved = find_unserved(cfg, names)
    if not unserved.addresses:
        return cfg, []
    if not quiet:
        click.echo(f"error: {unserved.message()}", err=True)
    return skip_unserved(cfg, eng, unserved)


def with_quarantine(eng: Engine) -> Callable[[SourceResult], None]:
    """:func:`print_source` with the source's count of quarantined items."""

    def done(result: SourceResult) -> None:
        try:
            held = open_counts(eng).get(result.name, 0)
        except Exception:  # the database is down: the line says the rest
            held = 0
        print_source(result, held)

    return done


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.option(
    "--trigger",
    type=click.Choice(["manual", "schedule", "missed"]),
    default="manual",
    hidden=True,
    help="Who started the run (recorded on the JobRun).",
)
@click.option(
    "--distributed", is_flag=True,
    help="Enqueue the day for the cluster's workers ([cluster] broker_url) and wait for it.",
)  # fmt: skip
@click.option("--day-id", hidden=True, help="The distributed day's id (the scheduler's slot).")
def run(as_json: bool, verbose: int, trigger: str, distributed: bool, day_id: str | None) -> None:
    """Run the daily job once: crawl, analyse, open cases, export, alert, follow up.

    Prints a line per source as it finishes and a summary; the exit status is 1 when a
    source, a step or a delivery failed, 3 when another run is in progress. SIGTERM or
    Ctrl-C stops it after the current step (a second one at once).

    \b
    Example:
      grapevine run --config grapevine.toml
      grapevine run --distributed     # on the workers of [cluster] (grapevine worker)
    """
    setup_logging(verbose)
    cfg = settings()
    eng = engine(cfg)
    previous = stopping.install()
    try:
        if distributed:
            from grapevine.cli.cluster import run_distributed

            if not as_json:
                click.echo(crawl_banner(cfg))
            summary = run_distributed(
                cfg, eng, trigger=trigger, day_id=day_id, quiet=as_json,
                on_source_done=None if as_json else with_quarantine(eng),
            )  # fmt: skip
        else:
            summary = _run_here(cfg, eng, as_json, trigger, verbose)
    finally:
        stopping.restore(previous)
    _print_run(summary, eng, as_json)


def _run_here(cfg: Settings, eng: Engine, as_json: bool, trigger: str, verbose: int) -> JobSummary:
    """The daily job in this process, holding the run lock."""
    with held_lock(eng, "run"):
        if not as_json:
            click.echo(crawl_banner(cfg))
        crawl_cfg, unserved = _skip_unserved(cfg, eng, quiet=as_json)
        summary = run_job(
            crawl_cfg,
            engine=eng,
            trigger=trigger,
            on_source_done=None if as_json else with_quarantine(eng),
            log_level=log_level_name(verbose),
            handle_signals=True,
            on_progress=None if as_json else print_progress,
            failed_sources=unserved,
        )
    return summary


def _print_run(summary: JobSummary, eng: Engine, as_json: bool) -> None:
    """The end of ``grapevine run``: the summary (or JSON) and the exit status."""
    if as_json:
        data = summary.as_dict()
        try:
            held = open_counts(eng)
        except Exception:  # the database is down: the sources' errors say so
            held = {}
        for source in data["sources"]:
            source.setdefault("quarantined", held.get(source["name"], 0))
        click.echo(json.dumps(data, indent=2))
    else:
        print_summary(summary)
    sys.exit(1 if summary.failed else 0)


@click.command()
@config_option
@click.option("--source", "names", multiple=True, help="Only this source (repeatable).")
@click.option("--full", is_flag=True, help="Ignore high-water marks: page through everything.")
@click.option("--no-triage", is_flag=True, help="Do not open cases afterwards.")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def crawl(names: tuple[str, ...], full: bool, no_triage: bool, verbose: int) -> None:
    """Crawl configured sources into storage (all enabled ones, or --source NAME...).

    \b
    Example:
      grapevine crawl --source trustpilot --source reddit-search
      grapevine crawl --full          # re-read everything, not just what is new
    """
    setup_logging(verbose)
    cfg = settings()
    eng = engine(cfg)
    for name in names:
        try:
            cfg.source(name)
        except KeyError:
            known = ", ".join(s.name for s in cfg.sources) or "none"
            raise click.BadParameter(
                f"no source {name!r} (configured: {known})", param_hint="--source"
            ) from None
    summary = JobSummary()
    with held_lock(eng, "run"):
        crawl_cfg, unserved = _skip_unserved(cfg, eng, names=list(names) or None)
        wanted = [name for name in names if name not in {r.name for r in unserved}]
        summary.sources = list(unserved)
        if wanted or not names:
            crawl_step(
                crawl_cfg,
                eng,
                summary,
                names=wanted or None,
                full=full,
                on_done=with_quarantine(eng),
                log_level=log_level_name(verbose),
                on_progress=print_progress,
            )
        if not no_triage:
            triage_step(cfg, eng, summary)
    print_summary(summary)
    sys.exit(1 if summary.failed else 0)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _ago(iso: str | None) -> str:
    if not iso:
        return "never"
    when = datetime.fromisoformat(iso)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def status(as_json: bool) -> None:
    """What is in the database: mentions, cases by status, each source's last run.

    \b
    Example:
      grapevine status --config grapevine-demo/grapevine.toml
      grapevine status --json | jq .open_cases
    """
    cfg = settings()
    eng = engine(cfg)
    data = status_summary(eng, [s.name for s in cfg.sources])
    held = open_counts(eng)
    data["quarantined"] = sum(held.values())
    for source in data["sources"]:
        source["quarantined"] = held.get(source["name"], 0)
    dead = dead_tasks(eng)  # the cluster's dead letters (grapevine run --distributed)
    data["dead_tasks"] = [{**d, "finished_at": _iso(d["finished_at"])} for d in dead]
    from grapevine.helpdesk import conflict_lines

    data["helpdesk_conflicts"] = conflict_lines(eng)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"Mentions: {data['mentions']} ({data['needs_attention']} need attention)")
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(data["cases_by_status"].items())) or "none"
    click.echo(f"Open cases: {data['open_cases']} (all cases: {by_status})")
    click.echo("Sources:")
    for source in data["sources"]:
        line = (
            f"  {source['name']:<24} last run {_ago(source['last_run_at']):<16} "
            f"{source['last_status'] or '-':<8} {source['items_new']:>5} new  "
            f"{source['items_total']:>6} total"
        )
        if source["quarantined"]:
            line += f"  {source['quarantined']} quarantined"
        if source["error"]:
            line += f"  — {source['error']}"
        click.echo(line)
    if data["quarantined"]:
        click.echo(f"Quarantined items: {data['quarantined']} (grapevine quarantine list)")
    if dead:
        click.echo(f"Dead crawl tasks (cluster, last 7 days): {len(dead)}")
        for line in dead_letter_lines(dead):
            click.echo(f"  {line}")
    if data["helpdesk_conflicts"]:
        click.echo("Helpdesk conflicts (case and ticket both changed; see the case page):")
        for line in data["helpdesk_conflicts"]:
            click.echo(f"  {line}")


COMMANDS = [run, crawl, status]
