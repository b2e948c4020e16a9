"""Every command has help with an example; init and db upgrade work; status reads the schema."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from grapevine.cli import cli


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    if not isinstance(command, click.Group):
        assert "Example:" in result.output, f"`grapevine {' '.join(path)} --help` has no example"
        assert "grapevine " + " ".join(path) in result.output


def test_init_then_upgrade_then_status(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(tmp_path / "acme"), "--brand", "Acme"])
    assert result.exit_code == 0, result.output
    config = tmp_path / "acme" / "grapevine.toml"
    assert config.exists() and (tmp_path / "acme" / "customers.csv").exists()
    assert len(list((tmp_path / "acme" / "templates").glob("*.txt"))) >= 5
    assert 'name = "Acme"' in config.read_text()

    behind = runner.invoke(cli, ["status", "--config", str(config)])
    assert behind.exit_code == 1 and "grapevine db upgrade" in behind.output

    assert runner.invoke(cli, ["db", "upgrade", "--config", str(config)]).exit_code == 0
    status = runner.invoke(cli, ["status", "--json", "--config", str(config)])
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert data["mentions"] == 0 and data["open_cases"] == 0 and data["cases_by_status"] == {}
    assert [s["name"] for s in data["sources"]] == ["news-alerts"]
    assert data["sources"][0]["last_run_at"] is None


def test_the_group_option_and_the_environment_choose_the_config(
    tmp_path: Path, monkeypatch
) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["init", str(tmp_path), "--brand", "Acme"])
    config = str(tmp_path / "grapevine.toml")
    assert runner.invoke(cli, ["--config", config, "db", "upgrade"]).exit_code == 0
    monkeypatch.setenv("GRAPEVINE_CONFIG", config)
    assert runner.invoke(cli, ["db", "check"]).exit_code == 0


def _refused_url(hidden: str = "s3cret") -> str:
    """A PostgreSQL URL on a local port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://grapevine:{hidden}@127.0.0.1:{port}/grapevine"


@pytest.mark.parametrize(
    "command", [["status"], ["db", "upgrade"], ["db", "check"], ["run"], ["customers", "link"]]
)
def test_a_database_nobody_serves_is_one_line_naming_the_variable(
    tmp_path: Path, command: list[str]
) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["init", str(tmp_path), "--brand", "Acme"])
    url = _refused_url()
    result = runner.invoke(
        cli,
        [*command, "--config", str(tmp_path / "grapevine.toml")],
        env={"GRAPEVINE_DATABASE_URL": url},
    )
    shown = url.replace(":s3cret@", "@")
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"error: cannot reach the database at {shown} (from GRAPEVINE_DATABASE_URL): "
        "connection refused — is the server running?\n"
    )


def test_the_config_file_named_as_the_origin_in_a_subprocess(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path), "--brand", "Acme"])
    config = tmp_path / "grapevine.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('url = "sqlite:///grapevine.db"', f'url = "{_refused_url("pw")}"'), "utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "GRAPEVINE_DATABASE_URL"}
    proc = subprocess.run(
        [sys.executable, "-m", "grapevine", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: cannot reach the database at postgresql://grapevine@127.0.0.1:")
    assert f"(from [database] url in {config}): connection refused" in line
    assert "pw" not in line.replace("postgresql", "") and proc.stdout == ""


@pytest.mark.postgres
def test_a_missing_postgres_database_says_so(tmp_path: Path, postgres_server_url: str) -> None:
    url = make_url(postgres_server_url).set(database="grapevine_no_such_db")
    result = CliRunner().invoke(
        cli,
        ["status", "--config", str(_sqlite_config(tmp_path))],
        env={"GRAPEVINE_DATABASE_URL": url.render_as_string(hide_password=False)},
    )
    assert result.exit_code == 2
    assert "the server has no database 'grapevine_no_such_db'" in result.output
    assert len(result.output.splitlines()) == 1


def _sqlite_config(tmp_path: Path, url: str = "sqlite:///grapevine.db") -> Path:
    config = tmp_path / "grapevine.toml"
    config.write_text(f'[brand]\nname = "Acme"\n\n[database]\nurl = "{url}"\n', "utf-8")
    return config


@pytest.mark.parametrize("command", [["status"], ["db", "upgrade"], ["dashboard"]])
def test_sqlite_files_that_cannot_be_used_are_one_line(tmp_path: Path, command: list[str]) -> None:
    runner = CliRunner()
    config = _sqlite_config(tmp_path, "sqlite:///missing/folder/g.db")
    result = runner.invoke(cli, [*command, "--config", str(config)], env={})
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"error: cannot open the SQLite database {tmp_path}/missing/folder/g.db "
        f"(from [database] url in {config}): the folder {tmp_path}/missing/folder does not "
        "exist — create it or fix the URL\n"
    )
    (tmp_path / "junk.db").write_bytes(b"this is a spreadsheet, not a database" * 200)
    config = _sqlite_config(tmp_path, "sqlite:///junk.db")
    result = runner.invoke(cli, [*command, "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.output.endswith(
        "the file is not a SQLite database — point the URL at another file\n"
    )
    assert len(result.output.splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    config = _sqlite_config(tmp_path, "sqlite:///ro/g.db")
    result = CliRunner().invoke(cli, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 2
    assert f"the folder {folder} is not writable" in result.output


def test_a_url_that_is_not_a_database_url(tmp_path: Path) -> None:
    config = _sqlite_config(tmp_path)
    result = CliRunner().invoke(
        cli, ["status", "--config", str(config)], env={"GRAPEVINE_DATABASE_URL": "mysql://a@b/c"}
    )
    assert result.exit_code == 2
    assert result.output == (
        "error: GRAPEVINE_DATABASE_URL: mysql:// is not a database Grapevine can use "
        "(sqlite:/// or postgresql://)\n"
    )


@pytest.fixture
def listening() -> Iterator[int]:
    """A port on 127.0.0.1 someone else listens on."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_dashboard_on_a_busy_port_says_so_before_any_url(tmp_path: Path, listening: int) -> None:
    config = _sqlite_config(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--config", str(config)]).exit_code == 0
    result = runner.invoke(cli, ["dashboard", "--config", str(config), "--port", str(listening)])
    assert result.exit_code == 2
    assert result.output == (
        f"error: port {listening} on 127.0.0.1 is already in use; choose another with --port\n"
    )


def test_demo_ports_that_are_taken(tmp_path: Path, listening: int) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--dir", str(tmp_path), "--port", str(listening)])
    assert (result.exit_code, result.output) == (
        2,
        f"error: port {listening} on 127.0.0.1 is already in use; choose another with --port\n",
    )  # before the job ran, not after
    result = runner.invoke(
        cli, ["demo", "--no-dashboard", "--dir", str(tmp_path), "--site-port", str(listening)]
    )
    assert result.exit_code == 2
    assert result.output.endswith("in use; choose another with --site-port\n")
    assert not (tmp_path / "grapevine.db").exists()


def test_the_preflight_probes_only_this_machine(tmp_path: Path, listening: int) -> None:
    from grapevine.config import load_config
    from grapevine.preflight import find_unserved

    refused = _refused_url().split("@", 1)[1].split("/", 1)[0]  # 127.0.0.1:<closed port>
    config = tmp_path / "grapevine.toml"
    config.write_text(
        '[brand]\nname = "Acme"\n'
        f'[[sources]]\nname = "down"\ntype = "feed"\nurls = ["http://{refused}/f.xml"]\n'
        f'[[sources]]\nname = "up"\ntype = "feed"\nurls = ["http://127.0.0.1:{listening}/f"]\n'
        # a remote address that would take long to fail: never probed
        '[[sources]]\nname = "far"\ntype = "feed"\nurls = ["http://10.255.255.1/f.xml"]\n'
        '[[sources]]\nname = "off"\ntype = "feed"\nurls = ["http://localhost:1/f"]\n'
        "enabled = false\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    unserved = find_unserved(load_config(config, env={}))
    assert time.monotonic() - started < 2
    assert unserved.addresses == {f"http://{refused}": ["down"]}
    assert not unserved.demo and "is the local server running?" in unserved.message()
