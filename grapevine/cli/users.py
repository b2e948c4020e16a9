"""``grapevine users``: password hashes for the dashboard's ``[[users]]``, and who is configured."""

import sys

import click
from argon2 import PasswordHasher

from grapevine.cli.common import config_option, settings

MIN_LENGTH = 10


@click.group()
def users() -> None:
    """Dashboard users: make a password hash, list who may sign in."""


@users.command("hash")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
def hash_password(password_stdin: bool) -> None:
    """Ask for a password (twice) and print its argon2 hash for a [[users]] entry.

    The password is never echoed, stored or logged; paste the printed hash into
    grapevine.toml as the user's password_hash.

    \b
    Example:
      grapevine users hash
      printf '%s\\n' "$PASSWORD" | grapevine users hash --password-stdin
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt="Repeat the password", err=True
        )
    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"the password needs at least {MIN_LENGTH} characters")
    click.echo(PasswordHasher().hash(password))


@users.command("list")
@config_option
def list_users() -> None:
    """List the configured dashboard users and their roles (never the hashes).

    \b
    Example:
      grapevine users list --config grapevine.toml
    """
    cfg = settings()
    oidc = cfg.dashboard.oidc
    if not cfg.users and oidc is None:
        click.echo("No users: the dashboard asks nobody to sign in and binds to 127.0.0.1 only.")
        return
    for user in cfg.users:
        kind = "argon2" if user.password_hash.startswith("$argon2") else "bcrypt"
        click.echo(f"{user.name:<24} {user.role:<10} password ({kind})")
    if oidc is not None:
        for email, role in sorted(oidc.roles.items()):
            click.echo(f"{email:<24} {role:<10} single sign-on ({oidc.provider or 'auth'})")
        anyone = oidc.default_role or "refused"
        click.echo(f"{'anyone else signed in':<24} {anyone:<10} single sign-on")


COMMANDS = [users]
