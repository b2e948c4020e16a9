"""Helpdesk targets in the config, ``grapevine helpdesk sync`` and conflicts in ``status``."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.cases import mention, seed_cases
from helpers.fake_helpdesks import FakeZendesk, serve

from grapevine.cli import cli
from grapevine.config import ConfigError, parse_config
from grapevine.wiring import export_targets
from triage.cases import Change, get_case, update_case
from triage.export.run import export_pending

BASE = {"brand": {"name": "Acme"}}


def settings(extra: dict, env: dict | None = None):
    return parse_config({**BASE, **extra}, Path("/srv/gv/grapevine.toml"), env or {})


def test_helpdesk_targets_from_the_config() -> None:
    cfg = settings(
        {"targets": [
            {"name": "rt", "type": "rt", "url": "https://rt.acme.example/REST/2.0/",
             "queue": "Care", "token_env": "RT_TOKEN"},
            {"name": "zd", "type": "zendesk", "subdomain": "acme", "email_env": "ZD_EMAIL",
             "token_env": "ZD_TOKEN", "rules": {"complaint": True}},
            {"name": "fd", "type": "freshdesk", "url": "https://acme.freshdesk.com",
             "api_key_env": "FD_KEY"},
        ]},
        env={"RT_TOKEN": "1-14-abc", "ZD_EMAIL": "care@acme.example", "ZD_TOKEN": "zdtok"},
    )  # fmt: skip
    rt, zd, fd = export_targets(cfg)
    assert (rt.kind, rt.queue, rt.token, rt.problem) == ("rt", "Care", "1-14-abc", None)
    assert (zd.kind, zd.url, zd.email) == (
        "zendesk",
        "https://acme.zendesk.com",
        "care@acme.example",
    )
    assert zd.rules.complaint is True
    assert fd.problem == "environment variable FD_KEY (api_key_env) is not set"
    assert "1-14-abc" not in repr(rt) and "zdtok" not in repr(zd)


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ({"type": "zendesk", "email_env": "E", "token_env": "T"}, "subdomain"),
        ({"type": "rt", "url": "https://rt.example/REST/2.0/"}, "token_env"),
        ({"type": "freshdesk", "url": "acme.freshdesk.com", "api_key_env": "K"}, "url"),
    ],
)
def test_bad_helpdesk_config_names_the_key(target: dict, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings({"targets": [{"name": "desk", **target}]})
    message = str(info.value)
    assert "grapevine.toml" in message and words in message and "\n" not in message.strip()


def invoke(tmp_path: Path, url: str, zd_url: str | None, *args: str) -> tuple[int, str]:
    config = tmp_path / "grapevine.toml"
    text = '[brand]\nname = "Acme"\nterms = ["Acme"]\n'
    if zd_url:
        text += (
            f'[[targets]]\nname = "zd"\ntype = "zendesk"\nurl = "{zd_url}"\n'
            'email_env = "GV_ZD_EMAIL"\ntoken_env = "GV_ZD_TOKEN"\n'
        )
    config.write_text(text)
    env = {"GRAPEVINE_DATABASE_URL": url, "GV_ZD_EMAIL": "a@acme.example", "GV_ZD_TOKEN": "tok"}
    result = CliRunner().invoke(cli, [*args[:2], "--config", str(config), *args[2:]], env=env)
    return result.exit_code, result.output


def test_helpdesk_sync_prints_what_changed_and_status_shows_conflicts(sqlite_engine, tmp_path):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    code, out = invoke(tmp_path, url, None, "helpdesk", "sync")
    assert code == 1 and out.strip().splitlines() == [
        'Error: no helpdesk targets are configured (a [[targets]] with type = "rt", "zendesk" '
        'or "freshdesk")'
    ]
    first, second = seed_cases(sqlite_engine, [mention("c1"), mention("c2")])
    with serve(FakeZendesk("a@acme.example", "tok")) as zd:
        from grapevine.config import load_config

        invoke(tmp_path, url, zd.url, "status")  # writes the config
        cfg = load_config(tmp_path / "grapevine.toml", env={"GV_ZD_EMAIL": "a@acme.example",
                                                            "GV_ZD_TOKEN": "tok"})  # fmt: skip
        assert export_pending(sqlite_engine, export_targets(cfg)).sent == 2
        code, out = invoke(tmp_path, url, zd.url, "helpdesk", "sync")
        assert code == 0, out
        assert out.splitlines() == [
            f"case #{first} ↔ zd ticket #1: now tracked",
            f"case #{second} ↔ zd ticket #2: now tracked",
            "2 tickets checked, 2 changes, 0 errors",
        ]
        zd.agent_update(1, status="solved", comment={"body": "Sorted"})
        zd.agent_update(2, status="solved")
        case = get_case(sqlite_engine, second)
        assert case is not None
        update_case(sqlite_engine, second, version=case.version, actor="dana",
                    change=Change(assignee="dana"))  # fmt: skip
        code, out = invoke(tmp_path, url, zd.url, "helpdesk", "sync")
        assert out.splitlines() == [
            f"case #{first} ↔ zd ticket #1: resolved here (ticket solved in the helpdesk)",
            f"case #{second} ↔ zd ticket #2: CONFLICT: changed on both sides, nothing overwritten",
            "2 tickets checked, 2 changes, 0 errors",
        ]
        code, out = invoke(tmp_path, url, zd.url, "status")
    assert code == 0
    assert f"  case #{second} ↔ zd ticket #2: changed on both sides" in out.splitlines()


def test_the_daily_job_step_and_the_export_tick_sync(sqlite_engine) -> None:
    from grapevine.cli.ops import helpdesk_tick
    from grapevine.job import JobSummary, StepProblem, helpdesk_step

    (case_id,) = seed_cases(sqlite_engine, [mention("j1")])
    env = {"E": "a@acme.example", "T": "tok"}
    with serve(FakeZendesk("a@acme.example", "tok")) as zd:
        desk = {"name": "zd", "type": "zendesk", "url": zd.url, "email_env": "E", "token_env": "T"}
        cfg = settings({"targets": [desk]}, env)
        export_pending(sqlite_engine, export_targets(cfg))
        helpdesk_step(cfg, sqlite_engine, JobSummary())
        zd.agent_update(1, status="solved")
        helpdesk_tick(cfg, sqlite_engine)
        case = get_case(sqlite_engine, case_id)
        assert case is not None and case.status == "resolved"
        zd.tickets.clear()  # every ticket deleted: the step reports it
        with pytest.raises(StepProblem, match="helpdesk sync: Zendesk: HTTP 404"):
            helpdesk_step(cfg, sqlite_engine, JobSummary())


def test_a_helpdesk_without_its_credentials_is_a_problem_line(sqlite_engine, tmp_path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    config = tmp_path / "grapevine.toml"
    config.write_text(
        '[brand]\nname = "Acme"\n[[targets]]\nname = "rt"\ntype = "rt"\n'
        'url = "http://127.0.0.1:9/REST/2.0/"\ntoken_env = "GV_RT_TOKEN_UNSET"\n'
    )
    result = CliRunner().invoke(
        cli, ["helpdesk", "sync", "--config", str(config)], env={"GRAPEVINE_DATABASE_URL": url}
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines() == [
        "problem: rt: environment variable GV_RT_TOKEN_UNSET (token_env) is not set",
        "0 tickets checked, 0 changes, 0 errors",
    ]
