"""``grapevine audit list`` (who did what) and ``grapevine retention`` (apply ``[retention]``)."""

import csv
import getpass
import json
import re
import sys
from datetime import UTC, datetime, timedelta

import click

from grapevine.cli.common import Failure, config_option, engine, settings
from grapevine.retention import run_retention
from storage.audit import list_audit
from storage.types import utcnow
from triage.export.senders import neutralise

COLUMNS = ("at", "actor", "action", "subject_type", "subject_id", "summary", "detail")


def _since(value: str | None) -> datetime | None:
    """``7d``, ``12h`` or a date/time (``2026-11-30``, ``2026-11-30T08:00``; UTC)."""
    if not value:
        return None
    match = re.fullmatch(r"(\d+)\s*([dh])", value.strip())
    if match:
        amount = int(match.group(1))
        unit = "days" if match.group(2) == "d" else "hours"
        return utcnow() - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Failure(
            f"--since: expected a date (2026-11-30), a time (2026-11-30T08:00) or an age "
            f"like 7d or 12h (got {value!r})"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group()
def audit() -> None:
    """The audit trail: sign-ins, case changes, deliveries, replies, forgets, retention runs.

    \b
    Example:
      grapevine audit list --since 7d
      grapevine audit list --action case. --csv > audit.csv
    """


@audit.command("list")
@config_option
@click.option("--actor", default=None, help="Only this person (or 'system').")
@click.option("--action", default=None, help="Only actions starting with this ('case.', 'signin').")
@click.option("--since", default=None, help="From a date (2026-11-30) or an age (7d, 12h).")
@click.option("--limit", default=1000, show_default=True, help="At most this many rows.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout (formula cells neutralised).")
@click.option("--json", "as_json", is_flag=True, help="A JSON list on stdout.")
def list_rows(
    actor: str | None,
    action: str | None,
    since: str | None,
    limit: int,
    as_csv: bool,
    as_json: bool,
) -> None:
    """List audit rows, newest first: when (UTC), who, action, subject and summary.

    \b
    Example:
      grapevine audit list --actor ana --since 2026-11-01
      grapevine audit list --action export. --csv > deliveries.csv
    """
    cfg = settings()
    with engine(cfg).connect() as conn:
        rows = list_audit(conn, actor=actor, action=action, since=_since(since), limit=limit)
    if as_json:
        click.echo(json.dumps([{**r, "at": r["at"].isoformat()} for r in rows], indent=2))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for r in rows:
            values = {**r, "at": r["at"].isoformat(), "detail": json.dumps(r["detail"])}
            writer.writerow([neutralise(str(values[c])) for c in COLUMNS])
        return
    if not rows:
        click.echo("No audit rows match.")
        return
    for r in rows:
        subject = f"{r['subject_type']} {r['subject_id']}".strip() or "-"
        click.echo(
            f"{r['at'].astimezone(UTC):%Y-%m-%d %H:%M:%S}  {r['actor']:<16} "
            f"{r['action']:<18} {subject:<16} {r['summary']}"
        )


@click.command()
@config_option
@click.option("--dry-run", is_flag=True, help="Say what would go; change nothing.")
def retention(dry_run: bool) -> None:
    """Remove what is past the [retention] windows (the daily job does it too).

    Mention texts, raw payloads, closed cases (anonymised: the counts stay), crawl runs and,
    when audit_days is set, old audit rows. Each run writes an audit row with the counts.

    \b
    Example:
      grapevine retention --dry-run
      grapevine retention --config acme/grapevine.toml
    """
    cfg = settings()
    run = run_retention(cfg, engine(cfg), dry_run=dry_run, actor=f"cli:{getpass.getuser()}")
    verb = "Would remove" if dry_run else "Removed"
    if not run.total:
        click.echo(f"{verb} nothing: no data is past its [retention] window.")
        return
    click.echo(f"{verb} (past the [retention] windows):")
    for line in run.lines():
        click.echo(line)
    if dry_run:
        click.echo("Nothing was changed (--dry-run).")


COMMANDS = [audit, retention]
