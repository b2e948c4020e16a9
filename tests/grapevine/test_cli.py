"""Every command has help with an example; init and db upgrade work; status reads the schema."""

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

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
