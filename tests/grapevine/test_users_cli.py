"""``grapevine users``: hashes a password for [[users]], lists who may sign in."""

from pathlib import Path

from argon2 import PasswordHasher
from click.testing import CliRunner

from grapevine.cli import cli
from grapevine.cli.dashboard import oidc_problem, streamlit_command


def test_hash_prompts_twice_and_prints_a_verifiable_argon2_hash() -> None:
    result = CliRunner().invoke(cli, ["users", "hash"], input="a long secret\na long secret\n")
    assert result.exit_code == 0, result.output
    printed = result.stdout.strip().splitlines()[-1]
    assert printed.startswith("$argon2id$")
    assert PasswordHasher().verify(printed, "a long secret")
    assert "a long secret" not in result.stdout


def test_hash_refuses_a_short_password_in_one_line() -> None:
    result = CliRunner().invoke(cli, ["users", "hash", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert "Traceback" not in result.output


def test_list_shows_roles_never_hashes(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["init", str(tmp_path), "--brand", "Acme"])
    config = tmp_path / "grapevine.toml"
    digest = PasswordHasher().hash("a long secret")
    config.write_text(
        config.read_text()
        + f'\n[[users]]\nname = "sam"\nrole = "viewer"\npassword_hash = "{digest}"\n'
    )
    result = runner.invoke(cli, ["users", "list", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "sam" in result.output and "viewer" in result.output
    assert "$argon2" not in result.output


def test_single_sign_on_needs_the_auth_secrets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = tmp_path / "grapevine.toml"
    assert "redirect_uri and cookie_secret" in (oidc_problem(config) or "")
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        '[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\n'
        'cookie_secret = "x" \nclient_id = "c"\nclient_secret = "s"\n'
        'server_metadata_url = "https://id.example/.well-known/openid-configuration"\n'
    )
    assert oidc_problem(config) is None
    command = streamlit_command(config, "127.0.0.1", 8501)
    assert str(secrets) in command and "--secrets.files" in command
