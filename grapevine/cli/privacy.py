"""``grapevine forget`` and ``grapevine export-person``: erasure and access requests."""

import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from grapevine.cli.common import Failure, LockBusy, config_option, engine, settings
from grapevine.locks import Busy
from grapevine.privacy import Plan, Who, export_person, forget, parse_author, preview

#: How long ``forget`` waits for a running crawl or export to finish (seconds).
LOCK_WAIT = 60.0


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def who_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The four ways to name a person."""
    for option in reversed(
        [
            click.option("--customer", metavar="ID", help="The customer's CRM id."),
            click.option("--email", metavar="ADDRESS", help="An email address."),
            click.option("--phone", metavar="NUMBER", help="A phone number."),
            click.option(
                "--author",
                metavar="SOURCE:HANDLE",
                help="An author's handle on a source (a source's name or type).",
            ),
        ]
    ):
        func = option(func)
    return func


def _who(customer: str | None, email: str | None, phone: str | None, author: str | None) -> Who:
    if not any(v and v.strip() for v in (customer, email, phone, author)):
        raise Failure("name the person: --customer ID, --email ADDRESS, --phone NUMBER or "
                      "--author SOURCE:HANDLE")  # fmt: skip
    try:
        pair = parse_author(author) if author else None
    except ValueError as exc:
        raise Failure(str(exc)) from None
    return Who(customer=customer, email=email, phone=phone, author=pair)


def _show(plan: Plan, *, done: bool) -> None:
    if not plan.person.mention_ids and not plan.person.customer_ids:
        click.echo("Nothing of theirs is stored yet; tombstones keep the next crawls from it.")
    if plan.counts:
        click.echo("Rows erased or anonymised, per table:" if done else
                   "Rows to erase or anonymise, per table:")  # fmt: skip
        for table, count in plan.counts.items():
            click.echo(f"  {table:<32} {count:>6}")
    verb = "removed" if done else "to remove"
    for name, path, removed in plan.files:
        if removed or not done:
            click.echo(f"  file-drop export {name} ({path}): {removed} record(s) {verb}")
    files = {name for name, _, _ in plan.files}
    sent = [row for row in plan.sent_to if row["target"] not in files]
    if sent and not done:
        click.echo("Their cases were sent to (cannot be recalled from here; ask each target):")
        for row in sent:
            ref = f", reference {row['reference']}" if row["reference"] else ""
            click.echo(f"  case #{row['case_id']} → {row['target']} ({row['state']}{ref})")


@click.command("forget")
@config_option
@who_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only show what would be erased.")
@click.option("--reason", default="", help="A short note kept with the tombstones.")
def forget_command(
    customer: str | None,
    email: str | None,
    phone: str | None,
    author: str | None,
    yes: bool,
    dry_run: bool,
    reason: str,
) -> None:
    """Erase everything held about one person (a request to be forgotten).

    Finds the customer (by CRM id, email or phone) and the mentions they wrote (by handle,
    links, or their email or phone in the text), shows the counts per table, asks, then
    erases: the customer, links and timeline go; mentions and cases stay as anonymous rows
    so the statistics still add up; notes naming them are blanked; file-drop exports are
    rewritten. Tombstones keep the next crawl from bringing their mentions back. Targets
    their cases were already sent to are listed: those copies cannot be recalled.

    \b
    Example:
      grapevine forget --customer C-1042 --dry-run
      grapevine forget --author mastodon:@anna@example.social --yes
    """
    who = _who(customer, email, phone, author)
    cfg = settings()
    eng = engine(cfg)
    try:
        plan = preview(eng, cfg, who)
    except OSError as exc:
        raise Failure(
            f"a file-drop export cannot be read ({exc.strerror or exc}): nothing was erased "
            "in the database; fix it and run the same command again"
        ) from None
    click.echo(f"Forgetting {who.describe()}")
    if plan.nothing:
        click.echo("Nothing is held about this person.")
        return
    _show(plan, done=False)
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    question = "Erase all this? It cannot be undone" if plan.counts else "Write the tombstone?"
    if not yes and not click.confirm(question, default=False):
        raise click.ClickException("nothing was erased")
    try:
        done = forget(eng, cfg, who, actor=_actor(), reason=reason, wait=LOCK_WAIT)
    except Busy as exc:
        raise LockBusy(f"{exc}; nothing was erased, try again when it is done") from None
    except OSError as exc:
        raise Failure(
            f"a file-drop export could not be rewritten ({exc.strerror or exc}): nothing was "
            "erased in the database; fix it and run the same command again"
        ) from None
    _show(done, done=True)
    click.echo(
        f"Forgotten (request {done.request_id}): {done.counts.get('tombstone', 0)} tombstone(s) "
        "keep the next crawls from storing them again."
    )


@click.command("export-person")
@config_option
@who_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The JSON file to write ('-' for standard output).",
)
def export_person_command(
    customer: str | None, email: str | None, phone: str | None, author: str | None, output: Path
) -> None:
    """Write everything held about one person as readable JSON (an access request).

    The customer row, their links, the mentions (with earlier versions), the cases with
    their timeline and where they were sent, quarantined items, and other records naming
    them. The export itself is recorded in the audit trail.

    \b
    Example:
      grapevine export-person --email anna@example.com -o anna.json
    """
    who = _who(customer, email, phone, author)
    cfg = settings()
    data = export_person(engine(cfg), who, actor=_actor())
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Failure(f"cannot write {output}: {exc.strerror}") from None
    click.echo(
        f"{output}: {len(data['customers'])} customer(s), {len(data['mentions'])} mention(s), "
        f"{len(data['cases'])} case(s)"
    )


COMMANDS = [forget_command, export_person_command]
