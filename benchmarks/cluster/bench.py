"""Cluster benchmark: a day of many I/O-bound sources on 1, 2 and 4 workers, and the overhead
of ``grapevine run --distributed`` against the in-process ``grapevine run`` for a small day.

    .venv/bin/python benchmarks/cluster/bench.py                  # 300 sources, 1/2/4 workers
    .venv/bin/python benchmarks/cluster/bench.py --sources 60 --workers 1,2

The local site: ``--domains`` HTTP servers on 127.0.0.1 (a domain is a host and port, as the
cluster's politeness counts them), each answering after ``--latency`` seconds; every source is
a feed source of ``--pages`` feed files on one of them, with the per-domain delay ``--delay``
kept across all workers in Redis. Each measurement gets a fresh PostgreSQL database and its
own Redis key prefix; the workers (``grapevine worker --concurrency C``, each in its own
working directory) are started and found ready *before* the clock starts, as long-lived
workers are; the time is the wall time of ``grapevine run --distributed`` until its summary,
fan-in included. Prints a Markdown table.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import redis  # noqa: E402
from helpers import cluster_site  # noqa: E402
from helpers.httpserver import LocalServer, Reply  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage import make_engine, upgrade  # noqa: E402

REDIS = "redis://127.0.0.1:6379/0"


def site_routes(first: int, count: int, pages: int, latency: float) -> dict[str, Reply]:
    """The feed files of sources ``first .. first+count-1``."""
    return {
        f"/feeds/{s * pages + p}.xml": Reply(
            cluster_site.feed(s * pages + p), content_type="application/rss+xml", delay=latency
        )
        for s in range(first, first + count)
        for p in range(pages)
    }


def sources(servers: list[LocalServer], n: int, pages: int) -> list[dict[str, Any]]:
    """``n`` feed sources, spread over the servers (one domain each)."""
    out = []
    for s in range(n):
        base = servers[s % len(servers)].base_url
        out.append(
            {"name": f"src-{s}", "urls": [f"/feeds/{s * pages + p}.xml" for p in range(pages)],
             "base": base}
        )  # fmt: skip
    return out


def config_text(database_url: str, prefix: str, srcs: list[dict[str, Any]], delay: float,
                broker: bool = True) -> str:  # fmt: skip
    """A config with the sources (each with its own server's absolute URLs)."""
    lines = [
        '[brand]\nname = "Acme"\n',
        f'[database]\nurl = "{database_url}"\n',
        f"[crawl]\ndownload_delay = {delay}\nautothrottle = false\nobey_robots = false\n"
        "retries = 0\nprogress_interval = 0\n",
        "[alerts]\ndigest = false\n",
    ]
    if broker:
        lines.append(f'[cluster]\nbroker_url = "{REDIS}"\nkey_prefix = "{prefix}"\n')
    for s in srcs:
        urls = ", ".join(f'"{s["base"]}{u}"' for u in s["urls"])
        lines.append(f'[[sources]]\nname = "{s["name"]}"\ntype = "feed"\nurls = [{urls}]\n')
    return "\n".join(lines)


class Database:
    """A fresh PostgreSQL database per measurement (dropped at the end)."""

    def __init__(self, admin_url: str) -> None:
        self.admin = create_engine(
            make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        self.names: list[str] = []

    def fresh(self) -> str:
        name = f"grapevine_bench_cluster_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        url = self.admin.url.set(database=name).render_as_string(hide_password=False)
        eng = make_engine(url)
        upgrade(eng)
        eng.dispose()
        return url

    def drop(self) -> None:
        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def wait_ready(prefix: str, count: int, timeout: float = 120) -> None:
    """Until ``count`` workers answer a ping on this prefix's broker."""
    from celery import Celery

    app = Celery(broker=REDIS)
    app.conf.broker_transport_options = {"global_keyprefix": prefix}
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if len(app.control.ping(timeout=1.0) or []) >= count:
                return
        raise SystemExit(f"{count} workers did not come up within {timeout:.0f} s")
    finally:
        app.close()


def run_day(config: Path, distributed: bool) -> tuple[float, str]:
    """Wall time of one ``grapevine run`` and its output's summary line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPEVINE_")}
    argv = [sys.executable, "-m", "grapevine", "--config", str(config), "run"]
    started = time.monotonic()
    done = subprocess.run(
        argv + (["--distributed"] if distributed else []),
        capture_output=True, text=True, env=env, timeout=3600,
    )  # fmt: skip
    took = time.monotonic() - started
    summary = next((ln for ln in done.stdout.splitlines() if " sources: " in ln), "?")
    if done.returncode != 0:
        print(done.stdout[-1500:], done.stderr[-1500:], file=sys.stderr)
    return took, summary.strip()


def measure(args: argparse.Namespace, servers: list[LocalServer], db: Database, n: int,
            workers: int, concurrency: int, root: Path) -> tuple[float, str]:  # fmt: skip
    """One distributed day of ``n`` sources on ``workers`` workers."""
    prefix = f"gvbench-{uuid.uuid4().hex[:8]}:"
    url = db.fresh()
    home = root / f"w{workers}-c{concurrency}-{n}"
    home.mkdir()
    text_ = config_text(url, prefix, sources(servers, n, args.pages), args.delay)
    (home / "grapevine.toml").write_text(text_)
    try:
        with cluster_site.Workers(home, text_, workers, concurrency=concurrency):
            wait_ready(prefix, workers)
            return run_day(home / "grapevine.toml", distributed=True)
    finally:
        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--domains", type=int, default=30)
    parser.add_argument("--pages", type=int, default=2, help="feed files per source")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per answer")
    parser.add_argument("--delay", type=float, default=0.2, help="per-domain delay, seconds")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=2, help="crawls per worker")
    parser.add_argument("--small", type=int, default=10, help="sources of the overhead day")
    parser.add_argument(
        "--postgres", default=os.environ.get("GRAPEVINE_TEST_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/test",
    )  # fmt: skip
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    per = -(-args.sources // args.domains)
    servers = [
        LocalServer(site_routes(0, 0, args.pages, args.latency)) for _ in range(args.domains)
    ]
    for s in range(args.sources):  # each source's files on its own server
        servers[s % args.domains].routes.update(site_routes(s, 1, args.pages, args.latency))
    for server in servers:
        server.__enter__()
    db = Database(args.postgres)
    rows: list[tuple[str, float, str]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="grapevine-bench-cluster-") as tmp:
            root = Path(tmp)
            for w in counts:
                took, summary = measure(args, servers, db, args.sources, w, args.concurrency, root)
                rows.append((f"{args.sources} sources, {w} worker{'s' if w > 1 else ''} × "
                             f"{args.concurrency}", took, summary))  # fmt: skip
                print(f"  {rows[-1][0]}: {took:.1f} s ({summary})", file=sys.stderr)
            # the overhead: a small day in one process, then on the cluster
            url = db.fresh()
            home = root / "inprocess"
            home.mkdir()
            small = sources(servers, args.small, args.pages)
            (home / "grapevine.toml").write_text(
                config_text(url, "-", small, args.delay, broker=False)
            )
            took_in, summary_in = run_day(home / "grapevine.toml", distributed=False)
            took_d, summary_d = measure(args, servers, db, args.small, 2, args.small // 2, root)
    finally:
        db.drop()
        for server in servers:
            server.__exit__(None, None, None)
    base = rows[0][1] if rows else float("nan")
    print(
        f"\nCluster day: {args.sources} feed sources × {args.pages} files on {args.domains} "
        f"local domains ({per} sources each), {args.latency} s per answer, per-domain delay "
        f"{args.delay} s across the cluster; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| run | wall time | speed-up vs 1 worker | summary |")
    print("| --- | --- | --- | --- |")
    for label, took, summary in rows:
        print(f"| {label} | {took:.1f} s | {base / took:.2f} × | {summary} |")
    print(f"| {args.small} sources in process (`grapevine run`) | {took_in:.1f} s | — | "
          f"{summary_in} |")  # fmt: skip
    print(
        f"| {args.small} sources distributed (2 workers × {args.small // 2}, already up) | "
        f"{took_d:.1f} s | overhead {took_d - took_in:+.1f} s ({took_d / took_in:.2f} ×) | "
        f"{summary_d} |"
    )


if __name__ == "__main__":
    main()
