"""``grapevine customers``: import the CRM export, link mentions to customers."""

import sys
from pathlib import Path

import click

from grapevine.cli.common import Failure, config_option, engine, settings
from grapevine.customers import CustomerFileError, read_customers
from triage.customers import link_new_mentions, upsert_customers

#: Without a terminal, files with more customers than this report each batch written.
BIG = 20_000


@click.group()
def customers() -> None:
    """The customer base: import a CRM export, link mentions to customers."""


@customers.command("import")
@config_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Import or update customers from a CRM export (CSV), matched on their id.

    Columns: id (required), name, email, phone, tier, lifetime_value, orders, and one column
    per platform with the customer's handle there (twitter, reddit, trustpilot, ... or
    <platform>_handle). Other columns are kept with the customer. The file must be UTF-8 CSV
    of at most 100 MiB; the whole file is checked first, and a bad line (a quote never
    closed, more values than columns, a bad email...) stops the import before anything is
    written, naming the file, line and column (exit status 2). Cells are kept as text: a
    cell like =SUM(A1) is a name, never a formula. Mentions are linked to the new customer
    base on the next run (or with `grapevine customers link`).

    \b
    Example:
      grapevine customers import crm-export.csv --config acme/grapevine.toml
    """
    cfg = settings()
    try:
        rows = read_customers(file)  # all of it, before the database is touched
    except CustomerFileError as exc:
        raise Failure(str(exc)) from None
    eng = engine(cfg)
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit=" customers", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()
        elif total > BIG:  # a log, not a terminal: a count now and then
            click.echo(f"{file}: {done:,} of {total:,} customers written", err=True)

    total = len(rows)
    try:
        result = upsert_customers(eng, rows, progress=lambda done: progress(done, total))
    finally:
        if bar is not None:
            bar.close()
    click.echo(
        f"{file}: {result.created + result.updated} customers "
        f"({result.created} new, {result.updated} updated)"
    )


@customers.command("link")
@config_option
def link() -> None:
    """Link the mentions not linked yet to customers now (the daily job does it too).

    Strong evidence (a handle on the same platform, an email, a phone or an order number in
    the text) confirms a link; a similar name or the same handle on another platform only
    suggests one, for a person to confirm or reject in the dashboard.

    \b
    Example:
      grapevine customers link --config acme/grapevine.toml
    """
    cfg = settings()
    counts = link_new_mentions(
        engine(cfg),
        order_pattern=cfg.analysis.order_number_pattern,
        min_confidence=cfg.analysis.min_link_confidence,
    )
    click.echo(
        f"{counts.mentions} mentions matched: {counts.confirmed} links confirmed, "
        f"{counts.suggested} suggested"
    )


COMMANDS = [customers]
