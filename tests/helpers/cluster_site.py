"""A local site of many small feeds, and configs and workers for the cluster tests.

``routes(n)`` serves ``/feeds/<i>.xml`` (two RSS items about Acme each, one a complaint) for
``i < n``; ``config(...)`` writes a Grapevine config with one feed source per file on the
same PostgreSQL database and Redis broker; :class:`Workers` starts ``grapevine worker``
processes, each in its own working directory with its own copy of the config, as separate
machines would have, and kills whatever is left of them at the end.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from helpers.httpserver import Reply

ITEM = (
    "<item><title>{title}</title><link>https://news.example/{f}/{i}</link>"
    "<guid>https://news.example/{f}/{i}</guid><description>{text}</description>"
    "<pubDate>Mon, 30 Nov 2026 1{i}:00:00 +0000</pubDate></item>"
)
TEXTS = (
    "Acme lost my parcel and support never answered, terrible, I want a refund",
    "Acme delivered early, great service, thank you",
)


def feed(f: int, items: int = 2) -> str:
    """The RSS body of feed ``f``."""
    body = "".join(
        ITEM.format(title=f"Acme story {f}-{i}", f=f, i=i, text=TEXTS[i % 2]) for i in range(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://news.example/</link>{body}</channel></rss>"
    )


def routes(feeds: int, *, delay: float = 0.0, items: int = 2) -> dict[str, Reply]:
    """``/feeds/<i>.xml`` for ``i < feeds`` (answering after ``delay`` seconds)."""
    return {
        f"/feeds/{f}.xml": Reply(feed(f, items), content_type="application/rss+xml", delay=delay)
        for f in range(feeds)
    }


def config(
    base: str,
    *,
    database_url: str,
    broker_url: str,
    prefix: str,
    sources: list[dict[str, Any]],
    cluster: str = "",
    delay: float = 0.05,
    crawl: str = "",
) -> str:
    """A config text: brand Acme, the sources, the cluster on ``broker_url``."""
    lines = [
        '[brand]\nname = "Acme"\n',
        f'[database]\nurl = "{database_url}"\n',
        f"[crawl]\ndownload_delay = {delay}\nautothrottle = false\nobey_robots = false\n"
        f"retries = 0\nprogress_interval = 0\n{crawl}",
        f'[cluster]\nbroker_url = "{broker_url}"\nkey_prefix = "{prefix}"\n{cluster}\n',
        "[alerts]\ndigest = false\n",
    ]
    for s in sources:
        urls = ", ".join(f'"{base}{u}"' for u in s["urls"])
        extra = "".join(f"{k} = {v}\n" for k, v in s.get("options", {}).items())
        lines.append(f'[[sources]]\nname = "{s["name"]}"\ntype = "feed"\nurls = [{urls}]\n{extra}')
    return "\n".join(lines)


class Workers:
    """``grapevine worker`` processes, one working directory each (``with Workers(...)``)."""

    def __init__(self, root: Path, config_text: str, count: int, concurrency: int = 2) -> None:
        self.root, self.config_text = root, config_text
        self.count, self.concurrency = count, concurrency
        self.procs: list[subprocess.Popen[bytes]] = []

    def start_one(self, index: int) -> "subprocess.Popen[bytes]":
        """Start worker ``index`` in ``root/worker-<index>``."""
        home = self.root / f"worker-{index}"
        home.mkdir(parents=True, exist_ok=True)
        (home / "grapevine.toml").write_text(self.config_text, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPEVINE_")}
        log = open(home / "worker.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "grapevine", "--config", "grapevine.toml", "worker",
             "--concurrency", str(self.concurrency)],
            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def __enter__(self) -> "Workers":
        for index in range(self.count):
            self.start_one(index)
        return self

    def kill(self, proc: "subprocess.Popen[bytes]") -> None:
        """SIGKILL the worker and its whole process group (its pool and crawls): a machine gone."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def __exit__(self, *exc: Any) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
            self.kill(proc)

    def logs(self) -> str:
        """Every worker's log, for a failing test's message."""
        return "\n".join(
            (p / "worker.log").read_text(errors="replace")[-3000:]
            for p in sorted(self.root.glob("worker-*"))
            if (p / "worker.log").exists()
        )


def remove(path: Path) -> None:
    """Remove a test's working directories."""
    shutil.rmtree(path, ignore_errors=True)
