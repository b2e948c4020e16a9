"""The ``grapevine`` command line: every command's docstring is its help, with an example."""

import logging
import sys
from typing import Any

import click

from grapevine.cli.common import CONFIG_HELP

log = logging.getLogger("grapevine")


class GrapevineGroup(click.Group):
    """A group that turns unexpected errors into one logged line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; user errors are one line, anything unexpected is logged once."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except SystemExit:
            raise
        except Exception as exc:
            log.debug("unexpected error", exc_info=True)
            click.echo(f"error: {type(exc).__name__}: {exc} (run with -v for details)", err=True)
            if logging.getLogger().isEnabledFor(logging.INFO):
                logging.getLogger("grapevine").exception("unexpected error")
            sys.exit(1)


@click.group(cls=GrapevineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None, help=CONFIG_HELP
)
@click.version_option(package_name="grapevine")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Grapevine: find every unhappy customer talking about you in public, and answer fast.

    \b
    Quick start:
      grapevine demo                 # a demo site, a real run, the dashboard
      grapevine init mybrand         # a starter config to edit
      grapevine db upgrade --config mybrand/grapevine.toml
      grapevine run --config mybrand/grapevine.toml
    """
    ctx.obj = {"config_path": config_path}


def _register() -> None:
    from grapevine.cli import (
        customers,
        dashboard,
        jobs,
        ops,
        privacy,
        quarantine,
        report,
        score,
        setup,
        users,
    )

    for module in (setup, jobs, quarantine, score, customers, dashboard, users, ops, report,
                   privacy):  # fmt: skip
        for command in module.COMMANDS:
            cli.add_command(command)
    from grapevine.cli import audit  # audit list, retention

    for command in audit.COMMANDS:
        cli.add_command(command)
    from grapevine.cli.cluster import COMMANDS as CLUSTER_COMMANDS  # worker

    for command in CLUSTER_COMMANDS:
        cli.add_command(command)
    from grapevine.cli.helpdesk import helpdesk_group  # helpdesk sync

    cli.add_command(helpdesk_group)
    cli.add_command(__import__("grapevine.cli.model", fromlist=["model"]).model)  # model …


_register()


def main() -> None:
    """The console-script entry point."""
    cli(prog_name="grapevine")
