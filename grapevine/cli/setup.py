"""Setting up: ``init``, ``db upgrade`` and ``demo``."""

import os
import subprocess
import sys
from pathlib import Path

import click
from sqlalchemy import Engine

from grapevine.cli.common import (
    config_option,
    database_errors,
    engine,
    require_free_port,
    settings,
)
from grapevine.config import load_config
from grapevine.starter import starter_config, write_starter
from storage import make_engine, upgrade
from storage.engine import describe

#: The demo site's usual port (the dashboard's is 8501).
SITE_PORT = 8599


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--brand", default="Example Co", show_default=True, help="Your brand's name.")
@click.option("--force", is_flag=True, help="Overwrite an existing grapevine.toml.")
def init(directory: Path, brand: str, force: bool) -> None:
    """Write a commented starter grapevine.toml, an example customers.csv and templates.

    \b
    Example:
      grapevine init acme --brand "Acme"
      grapevine db upgrade --config acme/grapevine.toml
    """
    if (directory / "grapevine.toml").exists() and not force:
        click.echo(f"{directory / 'grapevine.toml'} exists; keeping it (--force overwrites).")
    written = write_starter(directory, config_text=starter_config(brand), force=force)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(
        f"Next: edit {directory / 'grapevine.toml'}, then "
        f"`grapevine db upgrade --config {directory / 'grapevine.toml'}`."
    )


@click.group()
def db() -> None:
    """The database schema (Alembic migrations)."""


@db.command("upgrade")
@config_option
def db_upgrade() -> None:
    """Create or upgrade the database schema to this version of Grapevine.

    \b
    Example:
      grapevine db upgrade --config grapevine.toml
      GRAPEVINE_DATABASE_URL=postgresql://grapevine@127.0.0.1/grapevine grapevine db upgrade
    """
    cfg = settings()
    with database_errors(cfg):
        eng = make_engine(cfg.database_url)
        before, after = upgrade(eng)
    if before == after:
        click.echo(f"{describe(eng)} is up to date (migration {after}).")
    else:
        click.echo(f"{describe(eng)}: upgraded from {before or 'empty'} to {after}.")


@db.command("check")
@config_option
def db_check() -> None:
    """Exit 0 when the schema is current, 1 (saying what to do) when it is not.

    \b
    Example:
      grapevine db check --config grapevine.toml
    """
    engine(settings())
    click.echo("the database schema is current")


@click.command()
@click.option(
    "--dir",
    "directory",
    default="grapevine-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo's config and database live.",
)
@click.option("--no-dashboard", is_flag=True, help="Run the job, print the summary and exit.")
@click.option("--port", default=8501, show_default=True, help="The dashboard's port.")
@click.option(
    "--site-port",
    type=int,
    default=None,
    help=f"The demo site's port [default: {SITE_PORT}, or another free one when it is taken].",
)
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def demo(
    directory: Path, no_dashboard: bool, port: int, site_port: int | None, verbose: int
) -> None:
    """Serve a demo site, run the real daily job on it into SQLite, open the dashboard.

    Everything lives in --dir, so afterwards every command works on it with
    --config grapevine-demo/grapevine.toml. The demo site runs as long as this command.

    \b
    Example:
      grapevine demo
      grapevine demo --no-dashboard && grapevine status --config grapevine-demo/grapevine.toml
    """
    from grapevine.cli.jobs import print_source, print_summary
    from grapevine.demo import prepare_demo
    from grapevine.demo_site import DemoSite
    from grapevine.job import run_job

    if not no_dashboard:  # before the job runs, not after
        require_free_port("127.0.0.1", port)
    if site_port is not None:  # asked for: that port or nothing
        require_free_port("127.0.0.1", site_port, "--site-port")
    with DemoSite(
        port=SITE_PORT if site_port is None else site_port, fallback=site_port is None
    ) as site:
        click.echo(
            f"Demo site: {site.base_url} (reviews and forum/news mentions of "
            "Larkwood Coffee, a fictional brand)"
        )
        path = prepare_demo(directory, site.base_url, port)
        click.echo(f"Config: {path}")
        cfg = load_config(path)
        with database_errors(cfg):  # --dir on a read-only disk: one line
            eng = make_engine(cfg.database_url)
            upgrade(eng)
        click.echo(f"Database: {describe(eng)}")
        _import_demo_customers(directory, eng)
        click.echo("Running the daily job…")
        summary = run_job(
            cfg, engine=eng, on_source_done=print_source, log_level="INFO" if verbose else "WARNING"
        )
        print_summary(summary)
        click.echo(f"\nNext: grapevine status --config {path}")
        if no_dashboard:
            return
        _serve_dashboard(path, port)


def _import_demo_customers(directory: Path, eng: Engine) -> None:
    from grapevine.customers import import_customers_file

    result = import_customers_file(eng, directory / "customers.csv")
    click.echo(f"Customers: {result.created + result.updated} imported from customers.csv")


def _serve_dashboard(config_path: Path, port: int) -> None:
    url = f"http://127.0.0.1:{port}"
    require_free_port("127.0.0.1", port)  # taken while the job ran?
    cmd = [
        sys.executable,
        "-m",
        "grapevine",
        "dashboard",
        "--config",
        str(config_path),
        "--port",
        str(port),
    ]
    click.echo(f"\nDashboard: {url}  (Ctrl-C stops the dashboard and the demo site)")
    proc = subprocess.Popen(cmd, env={**os.environ})
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)


COMMANDS = [init, db, demo]
