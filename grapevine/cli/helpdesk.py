"""``grapevine helpdesk sync``: bring the helpdesk tickets' status back to the cases now."""

import getpass
import sys

import click

from grapevine.cli.common import LockBusy, config_option, engine, settings, setup_logging
from grapevine.helpdesk import describe, sync_now
from grapevine.locks import Busy
from triage.helpdesk.sync import helpdesk_targets


@click.group("helpdesk")
def helpdesk_group() -> None:
    """Native helpdesk targets (Zendesk, Freshdesk, Request Tracker).

    \b
    Example:
      grapevine helpdesk sync
    """


@helpdesk_group.command("sync")
@config_option
@click.option("--target", "only", default=None, help="Only this helpdesk target.")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def sync_command(only: str | None, verbose: int) -> None:
    """Read every tracked ticket's state and bring it back to its case, printing changes.

    A ticket solved or closed in the helpdesk resolves its case (the helpdesk's last note on
    the timeline, follow-ups scheduled); a ticket reopened reopens it; a case resolved here
    adds one note to its ticket; a case and ticket both changed since the last sync are a
    conflict, shown and not overwritten. Exit status 1 when a ticket could not be read.

    \b
    Example:
      grapevine helpdesk sync --target rt
    """
    from grapevine.wiring import export_targets

    setup_logging(verbose)
    cfg = settings()
    names = [t.name for t in helpdesk_targets(export_targets(cfg))]
    if not names:
        raise click.ClickException(
            'no helpdesk targets are configured (a [[targets]] with type = "rt", '
            '"zendesk" or "freshdesk")'
        )
    if only is not None and only not in names:
        raise click.BadParameter(
            f"no helpdesk target {only!r} (configured: {', '.join(names)})", param_hint="--target"
        )
    eng = engine(cfg)
    try:
        report = sync_now(cfg, eng, actor=f"cli:{getpass.getuser()}", only=only, wait=5)
    except Busy as exc:
        raise LockBusy(str(exc)) from None
    for line in describe(report):
        click.echo(line)
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    changed = sum(1 for c in report.changes if c.what != "error")
    errors = report.count("error")
    click.echo(
        f"{report.checked} tickets checked, {changed} change{'' if changed == 1 else 's'}, "
        f"{errors} error{'' if errors == 1 else 's'}"
    )
    sys.exit(1 if errors or report.problems else 0)


COMMANDS = [helpdesk_group]
