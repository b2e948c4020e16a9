"""The distributed engine, for real: Celery workers (subprocesses, each in its own working
directory) on the machine's Redis, one PostgreSQL database, a local site of many feeds.

Every test uses its own Redis key prefix (``[cluster] key_prefix``: Celery's queues and
results, the politeness slots, the shared queues) and deletes its keys at the end.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import cluster_site as site_kit
from helpers.httpserver import LocalServer, Reply
from sqlalchemy import Engine, create_engine, func, select, text

from storage import make_engine, upgrade
from storage.models import Case, JobRun, Mention

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

REDIS = "redis://127.0.0.1:6379/0"


def unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail when services are required (CI), as tests/conftest.py."""
    if os.environ.get("GRAPEVINE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


def _reset_postgres(url: str) -> None:
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


#: Short enough that a task of a killed worker comes back within the test.
FAST_REDELIVERY = "visibility_timeout_seconds = 8\nrestore_interval_seconds = 1\n"


@pytest.fixture
def prefix() -> Iterator[str]:
    """A Redis key prefix of this test alone; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"no Redis at {REDIS}: {exc}")
    name = f"gvtest-{uuid.uuid4().hex[:10]}:"
    yield name
    keys = list(client.scan_iter(match=name + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def pg(postgres_server_url: str) -> Iterator[tuple[str, Engine]]:
    """An empty PostgreSQL database at the current schema: (URL, engine)."""
    _reset_postgres(postgres_server_url)
    eng = make_engine(postgres_server_url)
    upgrade(eng)
    yield postgres_server_url, eng
    eng.dispose()


def grapevine(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``grapevine --config CONFIG ARGS`` in a subprocess (the environment without GRAPEVINE_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPEVINE_")}
    return subprocess.run(
        [sys.executable, "-m", "grapevine", "--config", str(config), *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=config.parent,
    )  # fmt: skip


def count(eng: Engine, sql: str) -> int:
    """The single number ``sql`` answers."""
    with eng.connect() as conn:
        return int(conn.execute(text(sql)).scalar() or 0)


def deliver_fan_in_again(config: Path, eng: Engine) -> dict[str, object]:
    """Send the finished day's fan-in once more, through the broker; the worker's answer."""
    from grapevine.cluster.app import make_app
    from grapevine.config import load_config

    with eng.connect() as conn:
        day_id = conn.execute(text("SELECT day_id FROM cluster_day")).scalar_one()
    app = make_app(load_config(config, env={}))
    result = app.signature("grapevine.fan_in", kwargs={"day_id": day_id}).apply_async(args=([],))
    try:
        answer: dict[str, object] = result.get(timeout=60)
    finally:
        app.close()
    return answer


def feeds(n: int, start: int = 0) -> list[dict[str, object]]:
    """``n`` feed sources, one file each."""
    return [{"name": f"feed-{i}", "urls": [f"/feeds/{i}.xml"]} for i in range(start, start + n)]


def test_a_day_on_three_workers_crawls_every_source_once_and_fans_in_once(
    tmp_path: Path, pg: tuple[str, Engine], prefix: str
) -> None:
    url, eng = pg
    n = 60
    with LocalServer(site_kit.routes(n)) as site:
        text_ = site_kit.config(
            site.base_url, database_url=url, broker_url=REDIS, prefix=prefix, sources=feeds(n)
        )
        config = tmp_path / "grapevine.toml"
        config.write_text(text_)
        with site_kit.Workers(tmp_path, text_, 3) as workers:
            started = time.monotonic()
            done = grapevine(config, "run", "--distributed", timeout=150)
            took = time.monotonic() - started
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr + workers.logs()
            # the chord's callback delivered a second time: the day row turns it away
            again = deliver_fan_in_again(config, eng)
            assert again == {"day_id": again["day_id"], "fan_in": "already claimed"}
        fetched = [p for p in site.requests if p.startswith("/feeds/")]
    # every source crawled once, every mention stored once
    assert sorted(fetched) == sorted(f"/feeds/{i}.xml" for i in range(n)), "a feed twice or never"
    assert count(eng, "SELECT count(*) FROM mention") == 2 * n
    assert count(eng, "SELECT count(DISTINCT (source, external_id)) FROM mention") == 2 * n
    # the same lines as `grapevine run`: one per source, then the summary
    lines = [ln for ln in done.stdout.splitlines() if re.match(r"\s+✓ feed-\d+ ", ln)]
    assert len(lines) == n
    assert f"{n} sources: {2 * n} new, 0 updated mentions" in done.stdout
    assert f"Cases opened: {n} " in done.stdout  # one complaint per feed
    # the fan-in ran once: one day, one JobRun, every task done at its first attempt
    assert count(eng, "SELECT count(*) FROM cluster_day WHERE state = 'done'") == 1
    assert count(eng, "SELECT count(*) FROM job_run") == 1
    assert (
        count(eng, "SELECT count(*) FROM cluster_task WHERE state = 'done' AND attempts = 1") == n
    )
    assert count(eng, "SELECT count(DISTINCT worker) FROM cluster_task") == 3
    print(f"\n{n} sources on 3 workers: {took:.1f} s")


def test_a_worker_killed_mid_crawl_the_day_completes_without_duplicates(
    tmp_path: Path, pg: tuple[str, Engine], prefix: str
) -> None:
    url, eng = pg
    n = 9
    routes = site_kit.routes(n, delay=1.0)  # each crawl is in flight for a second
    routes["/stuck.xml"] = Reply("<rss/>", delay=30, content_type="application/rss+xml")
    exports = tmp_path / "exports.jsonl"
    with LocalServer(routes) as site:
        text_ = site_kit.config(
            site.base_url, database_url=url, broker_url=REDIS, prefix=prefix,
            sources=[*feeds(n), {"name": "stuck", "urls": ["/stuck.xml"]}],
            cluster=FAST_REDELIVERY + "task_time_limit_minutes = 0.05\nmax_attempts = 2\n"
            "retry_delay_seconds = 0\nday_timeout_minutes = 1.5\n",
        ) + f'\n[[targets]]\nname = "file"\ntype = "file"\npath = "{exports}"\n'  # fmt: skip
        config = tmp_path / "grapevine.toml"
        config.write_text(text_)
        with site_kit.Workers(tmp_path, text_, 3) as workers:
            day = subprocess.Popen(
                [sys.executable, "-m", "grapevine", "--config", str(config), "run",
                 "--distributed"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env={k: v for k, v in os.environ.items() if not k.startswith("GRAPEVINE_")},
            )  # fmt: skip
            victim = workers.procs[0]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # until the victim is crawling
                running = count(
                    eng,
                    "SELECT count(*) FROM cluster_task WHERE state = 'running' "
                    f"AND worker LIKE 'grapevine-{victim.pid}@%' AND source <> 'stuck'",
                )
                if running:
                    break
                time.sleep(0.05)
            assert running, workers.logs()
            workers.kill(victim)  # SIGKILL, its pool and its crawls with it: a machine gone
            out, err = day.communicate(timeout=120)
            assert day.returncode == 1, out[-2000:] + err + workers.logs()  # 'stuck' is dead
    # the victim's tasks came back (late acknowledgement) and ran again elsewhere
    assert count(eng, "SELECT count(*) FROM cluster_task WHERE attempts > 1 AND source <> 'stuck'")
    with eng.connect() as conn:
        rows = conn.execute(
            text("SELECT source, state, attempts, last_error, result FROM cluster_task")
        ).all()
    assert count(eng, "SELECT count(*) FROM cluster_task WHERE state = 'done'") == n, [
        r[:4] for r in rows if r[1] != "done"
    ]
    # nothing twice: mentions, cases, exports
    assert count(eng, "SELECT count(*) FROM mention") == 2 * n
    with eng.connect() as conn:
        cases = conn.execute(select(func.count()).select_from(Case)).scalar()
        mentions_with_cases = conn.execute(
            select(func.count(func.distinct(Case.mention_id)))  # type: ignore[arg-type]
        ).scalar()
        assert conn.execute(select(func.count()).select_from(JobRun)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(Mention)).scalar() == 2 * n
    assert cases == mentions_with_cases == n
    exported = exports.read_text().splitlines()
    assert len(exported) == n, "a case exported twice or not at all"
    # the task that keeps failing is a dead letter; the day went on without it
    assert count(eng, "SELECT count(*) FROM cluster_task WHERE state = 'dead'") == 1
    assert re.search(r"✗ stuck .*dead: dead after 2 attempts: the crawl ran longer", out)
    status = grapevine(config, "status")
    assert "Dead crawl tasks (cluster, last 7 days): 1" in status.stdout
    assert re.search(r"stuck — day manual-\S+, 2 attempts: dead after 2 attempts", status.stdout)


def test_the_leading_scheduler_killed_another_takes_over_and_the_day_is_enqueued_once(
    tmp_path: Path, pg: tuple[str, Engine], prefix: str
) -> None:
    url, eng = pg
    n = 8
    with LocalServer(site_kit.routes(n, delay=0.7)) as site:
        text_ = site_kit.config(
            site.base_url, database_url=url, broker_url=REDIS, prefix=prefix, sources=feeds(n)
        ) + '\n[schedule]\ntimes = ["00:00"]\nexport_every_minutes = 0\n'  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPEVINE_")}
        schedulers = []
        for index in range(2):
            home = tmp_path / f"scheduler-{index}"
            home.mkdir()
            (home / "grapevine.toml").write_text(text_)
            log = open(home / "log", "wb")  # noqa: SIM115 - closed below
            schedulers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "grapevine", "--config", "grapevine.toml", "schedule"],
                    cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip
            log.close()
            time.sleep(1.5 if index == 0 else 0)  # the first one leads
        try:
            with site_kit.Workers(tmp_path, text_, 2):
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not count(
                    eng, "SELECT count(*) FROM cluster_task WHERE state = 'done'"
                ):
                    time.sleep(0.1)
                leader_log = (tmp_path / "scheduler-0" / "log").read_text()
                assert "leading" in leader_log, leader_log
                os.killpg(schedulers[0].pid, signal.SIGKILL)  # the leader and its run child
                schedulers[0].wait(10)
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline and not count(
                    eng, "SELECT count(*) FROM job_run"
                ):
                    time.sleep(0.2)
                standby_log = (tmp_path / "scheduler-1" / "log").read_text()
        finally:
            for proc in schedulers:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
                    try:
                        proc.wait(15)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
        fetched = [p for p in site.requests if p.startswith("/feeds/")]
    assert "standing by" in standby_log and "leading" in standby_log, standby_log
    assert count(eng, "SELECT count(*) FROM cluster_day") == 1, "a day enqueued twice"
    assert count(eng, "SELECT count(*) FROM cluster_day WHERE state = 'done'") == 1
    assert count(eng, "SELECT count(*) FROM job_run") == 1
    assert sorted(fetched) == sorted(f"/feeds/{i}.xml" for i in range(n))
    assert count(eng, "SELECT count(*) FROM mention") == 2 * n


def test_three_workers_on_one_shared_source_fetch_each_page_once(
    tmp_path: Path, pg: tuple[str, Engine], prefix: str
) -> None:
    url, eng = pg
    pages = 30
    with LocalServer(site_kit.routes(pages, delay=0.2)) as site:
        source = {
            "name": "forum",
            "urls": [f"/feeds/{i}.xml" for i in range(pages)],
            "options": {"shared_queue": "true", "workers": 3, "max_pages": 100},
        }
        text_ = site_kit.config(
            site.base_url, database_url=url, broker_url=REDIS, prefix=prefix, sources=[source],
            delay=0.1, crawl="concurrency_per_domain = 1\n",
        )  # fmt: skip
        config = tmp_path / "grapevine.toml"
        config.write_text(text_)
        with site_kit.Workers(tmp_path, text_, 3, concurrency=1) as workers:
            done = grapevine(config, "run", "--distributed", timeout=120)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr + workers.logs()
        fetched = [p for p in site.requests if p.startswith("/feeds/")]
        arrivals = sorted(r.at for r in site.log if r.path.startswith("/feeds/"))
    assert sorted(fetched) == sorted(f"/feeds/{i}.xml" for i in range(pages)), "a page twice"
    # politeness across the cluster: the three workers together keep the domain's delay
    # (0.1 s): any ten requests in a row span at least nine delays, less some jitter
    spans = [b - a for a, b in zip(arrivals, arrivals[9:], strict=False)]
    assert min(spans) >= 9 * 0.1 - 0.15, f"ten requests within {min(spans):.2f} s: {spans}"
    # and one request in flight to the domain at a time (each answer takes 0.2 s)
    ends = sorted(at + 0.18 for at in arrivals)
    in_flight = max(sum(1 for a in arrivals if a <= at) - sum(1 for e in ends if e <= at)
                    for at in arrivals)  # fmt: skip
    assert in_flight == 1, f"{in_flight} requests to the domain at once"
    assert count(eng, "SELECT count(*) FROM mention") == 2 * pages
    with eng.connect() as conn:
        parts = conn.execute(text("SELECT part, worker, result FROM cluster_task")).all()
    assert len(parts) == 3
    assert len({p.worker for p in parts}) == 3
    busy = [p for p in parts if (p.result or {}).get("pages", 0) > 0]
    assert len(busy) >= 2, f"one worker did it all: {[p.result for p in parts]}"
    assert sum(p.result["pages"] for p in parts) == pages
    # one line for the source, its parts merged
    assert re.search(rf"✓ forum\s+ok\s+{2 * pages} new", done.stdout), done.stdout
    import redis

    assert not list(redis.Redis.from_url(REDIS).scan_iter(match=f"{prefix}shared:*")), (
        "the day's shared queue was left in Redis"
    )


def test_run_distributed_without_a_broker_says_what_to_set(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from grapevine.cli import cli

    db = tmp_path / "g.db"
    config = tmp_path / "grapevine.toml"
    config.write_text(f'[brand]\nname = "Acme"\n[database]\nurl = "sqlite:///{db}"\n')
    upgrade(make_engine(f"sqlite:///{db}"))
    done = CliRunner().invoke(cli, ["--config", str(config), "run", "--distributed"], env={})
    assert done.exit_code == 1
    assert "no broker: set [cluster] broker_url" in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)


def test_a_day_on_rabbitmq_with_results_in_redis(
    tmp_path: Path, pg: tuple[str, Engine], prefix: str
) -> None:
    import kombu

    amqp = "amqp://guest:guest@127.0.0.1:5672//"
    try:
        with kombu.Connection(amqp, connect_timeout=3) as conn:
            conn.connect()
    except Exception as exc:
        unavailable(f"no RabbitMQ at 127.0.0.1:5672: {exc}")
    url, eng = pg
    n = 6
    queue = prefix.rstrip(":")  # a queue of this test alone
    try:
        with LocalServer(site_kit.routes(n)) as site:
            text_ = site_kit.config(
                site.base_url, database_url=url, broker_url=amqp, prefix=prefix, sources=feeds(n),
                cluster=f'result_backend = "{REDIS}"\nqueue = "{queue}"\n',
            )  # fmt: skip
            config = tmp_path / "grapevine.toml"
            config.write_text(text_)
            with site_kit.Workers(tmp_path, text_, 1) as workers:
                done = grapevine(config, "run", "--distributed", timeout=120)
                assert done.returncode == 0, done.stdout[-2000:] + done.stderr + workers.logs()
            fetched = sorted(p for p in site.requests if p.startswith("/feeds/"))
    finally:
        with kombu.Connection(amqp) as conn:
            conn.channel().queue_delete(queue)
    assert "amqp://guest:***@127.0.0.1:5672//" in done.stdout  # the password never shown
    assert "guest:guest" not in done.stdout + done.stderr
    assert fetched == sorted(f"/feeds/{i}.xml" for i in range(n))
    assert count(eng, "SELECT count(*) FROM mention") == 2 * n
    assert count(eng, "SELECT count(*) FROM job_run") == 1
