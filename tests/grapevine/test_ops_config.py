"""Targets, channels and schedule from the config: secrets from the environment, one-line errors."""

from pathlib import Path

import pytest

from grapevine.config import ConfigError, parse_config
from grapevine.wiring import alert_channels, alert_policy, case_link, export_targets, retry_policy

BASE = {"brand": {"name": "Acme"}}


def settings(extra: dict, env: dict | None = None):
    return parse_config({**BASE, **extra}, Path("/srv/gv/grapevine.toml"), env or {})


def test_targets_get_their_secrets_and_rules() -> None:
    cfg = settings(
        {
            "targets": [
                {"name": "hook", "type": "webhook", "url": "https://x.example/h",
                 "secret_env": "S", "headers": {"X-A": "1"}, "headers_env": {"Authorization": "T"},
                 "rules": {"complaint": True, "max_rating": 2, "any_of": True}},
                {"name": "mail", "type": "email", "to": "s@x.example", "password_env": "P",
                 "username_env": "U"},
                {"name": "sheet", "type": "file", "path": "out/c.csv", "format": "csv"},
                {"name": "off", "type": "file", "path": "x.jsonl", "enabled": False},
            ],
            "dashboard": {"public_url": "https://gv.example/"},
        },
        env={"S": "sig", "T": "Bearer t", "U": "care"},
    )  # fmt: skip
    hook, mail, sheet = export_targets(cfg)
    assert hook.secret == "sig" and dict(hook.headers) == {"X-A": "1", "Authorization": "Bearer t"}
    assert hook.problem is None and hook.rules.brand == "own" and hook.rules.any_of
    assert mail.to == ("s@x.example",) and mail.username == "care"
    assert mail.problem == "environment variable P (password_env) is not set"
    assert sheet.path == Path("/srv/gv/out/c.csv") and sheet.rules.describe() == "all cases"
    assert "sig" not in repr(hook) and "Bearer" not in repr(hook)
    assert case_link(cfg)(12) == "https://gv.example/?case=12"
    assert retry_policy(cfg).stop_after == 3


def test_channels_and_policy() -> None:
    cfg = settings(
        {
            "alerts": {"channels": [{"type": "webhook", "url_env": "SLACK"},
                                    {"type": "email", "to": "ops@x.example", "name": "ops"}]},
            "schedule": {"timezone": "Europe/Berlin"},
            "sources": [{"name": "news", "type": "feed", "urls": ["https://x.example/f"]}],
        },
        env={"SLACK": "https://hooks.slack.example/T/B/secret"},
    )  # fmt: skip
    slack, ops = alert_channels(cfg)
    assert (
        slack.name == "webhook-1" and slack.url.endswith("/secret") and "secret" not in repr(slack)
    )
    assert ops.to == ("ops@x.example",)
    policy = alert_policy(cfg)
    assert policy.timezone == "Europe/Berlin" and policy.sources == ("news",)
    assert policy.queue_url == "http://127.0.0.1:8501/"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"alerts": {"channels": [{"type": "webhook"}]}},
         "alerts.channels[0].url: expected a webhook channel needs a url (or url_env)"),
        ({"schedule": {"export_every_minutes": -1}},
         "schedule.export_every_minutes: expected greater than or equal to 0 (got -1)"),
        ({"export": {"retry_base": 5}}, "export.retry_base: unknown key"),
        ({"targets": [{"name": "h", "type": "webhook", "url": "ftp://x"}]},
         "targets[0].url: expected an http(s):// URL (got 'ftp://x')"),
    ],
)  # fmt: skip
def test_bad_values_are_one_line(extra: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings(extra)
    assert message in str(info.value) and "\n" not in str(info.value)
