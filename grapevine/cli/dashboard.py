"""``grapevine dashboard``: the Streamlit app, bound to 127.0.0.1 unless configured."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from dashboard.settings import SETTINGS_ENV
from grapevine.cli.common import config_option, engine, settings
from grapevine.wiring import dashboard_settings

APP = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"


def streamlit_command(config_path: Path, host: str, port: int) -> list[str]:
    """The command line that serves the dashboard."""
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
        "--server.fileWatcherType",
        "none",
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
    if host not in ("127.0.0.1", "localhost", "::1") and not cfg.users:
        click.echo(
            f"No dashboard users are configured: binding to 127.0.0.1, not {host}. "
            "Add [[users]] to the config to serve other machines.",
            err=True,
        )
        host = "127.0.0.1"
    click.echo(f"Dashboard: http://{host}:{port}")
    if not cfg.users:
        click.echo("No users configured: anyone on this machine can open it; nobody else can.")
    with tempfile.TemporaryDirectory(prefix="grapevine-dashboard-") as folder:
        handover = dashboard_settings(cfg).write(Path(folder) / "settings.json")
        env = {**os.environ, SETTINGS_ENV: str(handover)}
        proc = subprocess.Popen(streamlit_command(cfg.path.resolve(), host, port), env=env)
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            code = proc.wait(timeout=10)
    sys.exit(code)


COMMANDS = [dashboard]
