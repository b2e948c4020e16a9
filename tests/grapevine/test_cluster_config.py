"""``[cluster]``: the broker from the file or GRAPEVINE_BROKER_URL, a bad one named, a password
never shown; the Celery app built from it with the crash-safe settings."""

from pathlib import Path

import pytest

from grapevine.config import ConfigError, parse_config
from grapevine.config_cluster import masked_url

BASE = {"brand": {"name": "Acme"}}


def test_the_environment_overrides_the_file_and_redis_follows_the_broker() -> None:
    cfg = parse_config(
        {**BASE, "cluster": {"broker_url": "redis://a:6379/0"}}, Path("g.toml"), env={}
    )
    assert cfg.broker_url == "redis://a:6379/0"
    assert cfg.redis_url == "redis://a:6379/0"
    cfg = parse_config(
        {**BASE, "cluster": {"broker_url": "redis://a:6379/0"}},
        Path("g.toml"),
        env={"GRAPEVINE_BROKER_URL": "amqp://guest:pw@b:5672//"},
    )
    assert cfg.broker_url == "amqp://guest:pw@b:5672//"
    assert cfg.redis_url is None  # no Redis: politeness stays per process
    assert parse_config(BASE, Path("g.toml"), env={}).broker_url is None


def test_a_bad_broker_url_names_the_file_and_key() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({**BASE, "cluster": {"broker_url": "http://x"}}, Path("g.toml"), env={})
    assert str(err.value).startswith("g.toml: cluster.broker_url: expected a redis:// or amqp://")


def test_a_password_is_never_shown() -> None:
    assert masked_url("redis://:s3cret@h:6379/0") == "redis://:***@h:6379/0"
    assert masked_url("amqp://user:s3cret@h:5672//") == "amqp://user:***@h:5672//"
    assert masked_url("redis://h:6379/0") == "redis://h:6379/0"


def test_the_app_acknowledges_late_and_keeps_one_task_per_process() -> None:
    from grapevine.cluster.app import make_app

    cfg = parse_config(
        {**BASE, "cluster": {"broker_url": "redis://127.0.0.1:6379/0", "key_prefix": "t:"}},
        Path("g.toml"),
        env={},
    )
    app = make_app(cfg)
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] == 30 * 60 + 300
    assert conf.broker_transport_options["global_keyprefix"] == "t:"
    assert conf.result_backend == "redis://127.0.0.1:6379/0"
    assert {"grapevine.crawl", "grapevine.fan_in"} <= set(app.tasks)
    app.close()
