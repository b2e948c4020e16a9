"""``grapevine dashboard``: the Streamlit app, bound to 127.0.0.1 unless configured."""

import os
import signal
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import click

from dashboard.settings import SETTINGS_ENV
from grapevine.cli.common import config_option, engine, require_free_port, settings
from grapevine.wiring import dashboard_settings

APP = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"


def secrets_files(config_path: Path) -> list[Path]:
    """Where Streamlit looks for ``secrets.toml`` (``[auth]`` for ``st.login``), last wins:
    ``~/.streamlit``, the working directory's ``.streamlit``, the config file's ``.streamlit``."""
    found = [
        Path.home() / ".streamlit" / "secrets.toml",
        Path.cwd() / ".streamlit" / "secrets.toml",
        config_path.resolve().parent / ".streamlit" / "secrets.toml",
    ]
    return list(dict.fromkeys(found))


def oidc_problem(config_path: Path) -> str | None:
    """Why ``st.login`` cannot work with the secrets files there are (``None``: it can)."""
    auth: dict[str, object] = {}
    for path in secrets_files(config_path):
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                return f"{path}: cannot be read: {exc}"
            auth.update(data.get("auth") or {})
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    if missing:
        return (
            "[dashboard.oidc] needs an [auth] section with "
            + " and ".join(missing)
            + " in "
            + str(secrets_files(config_path)[-1])
            + " (see the README, Dashboard)"
        )
    return None


def streamlit_command(config_path: Path, host: str, port: int) -> list[str]:
    """The command line that serves the dashboard."""
    secrets = [arg for path in secrets_files(config_path) for arg in ("--secrets.files", str(path))]
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--server.fileWatcherType",
        "none",
        *secrets,
        "--",
        "--config",
        str(config_path),
    ]


@click.command()
@config_option
@click.option("--port", type=int, default=None, help="Port [default: [dashboard] port, 8501].")
@click.option(
    "--host",
    default=None,
    help="Address to bind [default: [dashboard] host, 127.0.0.1]. Other than "
    "127.0.0.1 only when dashboard users are configured.",
)
def dashboard(port: int | None, host: str | None) -> None:
    """Start the dashboard (the triage queue, cases, brand health) in the foreground.

    \b
    Example:
      grapevine dashboard --config grapevine-demo/grapevine.toml --port 8502
    """
    cfg = settings()
    engine(cfg)  # fail early, in one line, when the schema is behind
    host = host or cfg.dashboard.host
    port = port or cfg.dashboard.port
    sign_in = bool(cfg.users) or cfg.dashboard.oidc is not None
    if cfg.dashboard.oidc is not None and (problem := oidc_problem(cfg.path)):
        raise click.ClickException(problem)
    if host not in ("127.0.0.1", "localhost", "::1") and not sign_in:
        click.echo(
            f"No dashboard users are configured: binding to 127.0.0.1, not {host}. "
            "Add [[users]] (or [dashboard.oidc]) to the config to serve other machines.",
            err=True,
        )
        host = "127.0.0.1"
    require_free_port(host, port)  # before the URL is printed: nobody is sent to a dead page
    click.echo(f"Dashboard: http://{host}:{port}")
    if not sign_in:
        click.echo("No users configured: anyone on this machine can open it; nobody else can.")
    with tempfile.TemporaryDirectory(prefix="grapevine-dashboard-") as folder:
        handover = dashboard_settings(cfg)
        handover.host = host
        handover.port = port
        handover.write(Path(folder) / "settings.json")
        env = {**os.environ, SETTINGS_ENV: str(Path(folder) / "settings.json")}
        proc = subprocess.Popen(streamlit_command(cfg.path.resolve(), host, port), env=env)
        # a service manager stops us with SIGTERM: stop Streamlit too, never leave it behind
        signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            code = proc.wait(timeout=10)
    sys.exit(code)


COMMANDS = [dashboard]
