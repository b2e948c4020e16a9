"""End to end, as a user runs it: `grapevine run` on recorded pages, then `grapevine status`."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from helpers.httpserver import LocalServer, Reply

ROOT = Path(__file__).resolve().parents[1]


def grapevine(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grapevine", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


CONFIG = """
[brand]
name = "Slack"
terms = ["Slack"]

[[competitors]]
name = "Kenmore"
terms = ["Kenmore"]

[crawl]
download_delay = 0
autothrottle = false
retries = 0

[[sources]]
name = "alerts"
type = "feed"
urls = ["{base}/alerts/feeds/1/2"]

[[sources]]
name = "microwave-reviews"
type = "schemaorg"
urls = ["{base}/product"]

[[sources]]
name = "broken"
type = "schemaorg"
urls = ["{base}/gone"]

[[sources]]
name = "unreachable"
type = "feed"
urls = ["http://127.0.0.1:9/feed.xml"]
"""


def test_run_then_status(tmp_path: Path) -> None:
    routes = {
        "/alerts/feeds/1/2": Reply.fixture("rss/google_alerts_atom_slack.xml"),
        "/product": Reply.fixture("schemaorg/schemaorg_eg-0010_product_reviews_microdata.html"),
        "/gone": Reply("gone", status=503),
    }
    with LocalServer(routes) as server:
        (tmp_path / "grapevine.toml").write_text(CONFIG.format(base=server.base_url))
        assert grapevine("db", "upgrade", cwd=tmp_path).returncode == 0
        run = grapevine("run", cwd=tmp_path)
        assert run.returncode == 1, run.stdout + run.stderr  # one source is broken
        assert "Traceback" not in run.stderr  # the crawler's own log stays out of the way
        # a local address nobody serves fails at once, in one line, not after the retries
        assert (
            "unreachable: nothing answers at http://127.0.0.1:9 (connection refused" in run.stderr
        )
        assert "alerts" in run.stdout and "broken" in run.stdout and "HTTP 503" in run.stdout

        status = grapevine("status", "--json", cwd=tmp_path)
        assert status.returncode == 0, status.stderr
        data = json.loads(status.stdout)
        sources = {s["name"]: s for s in data["sources"]}
        assert sources["alerts"]["items_new"] == 20 and sources["alerts"]["last_status"] == "ok"
        assert sources["microwave-reviews"]["items_total"] == 2
        assert (
            sources["broken"]["last_status"] == "failed" and sources["broken"]["items_total"] == 0
        )
        assert sources["unreachable"]["last_status"] == "failed"
        assert data["mentions"] == 22
        # the 1-star Kenmore review is a competitor's: it needs no case of ours
        assert data["open_cases"] == data["cases_by_status"].get("new", 0)
        assert data["open_cases"] == data["needs_attention"]
        assert 0 < data["needs_attention"] < 22
        for source in data["sources"]:
            assert {"name", "last_run_at", "last_status", "items_new", "items_total"} <= set(source)

        # a second run brings nothing new and opens no case twice (the same site at the same
        # address: schema.org reviews without an id are keyed on the page's URL)
        grapevine("run", cwd=tmp_path)
    again = json.loads(grapevine("status", "--json", cwd=tmp_path).stdout)
    assert again["mentions"] == 22 and again["open_cases"] == data["open_cases"]
    assert {s["name"]: s["items_new"] for s in again["sources"]}["alerts"] == 0


def readme_demo_example() -> tuple[list[str], dict[str, int]]:
    """The README's example `grapevine run` lines on the demo and its status --json numbers."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("$ grapevine run --config grapevine-demo/grapevine.toml\n", 1)[1]
    block = block.split("$ grapevine status --json", 1)
    lines = [line for line in block[0].splitlines() if line.strip() and "Crawling" not in line]
    numbers = {
        key: int(value)
        for key, value in re.findall(r'"(mentions|needs_attention|open_cases)": (\d+)', block[1])
    }
    return lines, numbers


def test_demo_without_dashboard(tmp_path: Path) -> None:
    demo = grapevine("demo", "--no-dashboard", "--dir", "demo", "--site-port", "0", cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Cases opened" in demo.stdout
    status = grapevine(
        "status",
        "--json",
        cwd=tmp_path,
        env={"GRAPEVINE_CONFIG": str(tmp_path / "demo" / "grapevine.toml")},
    )
    data = json.loads(status.stdout)
    with_mentions = [s for s in data["sources"] if s["items_total"] > 0]
    assert len(with_mentions) >= 2
    assert data["open_cases"] >= 1

    # the README's example outputs are this run's (regenerate them when this fails)
    shown, shown_status = readme_demo_example()
    printed = [line for line in demo.stdout.splitlines() if line.startswith(("  ✓", "  !", "  ✗"))]
    printed += [
        line for line in demo.stdout.splitlines() if line.startswith(("3 sources", "Cases"))
    ]
    assert sorted(printed) == sorted(shown), "README.md's `grapevine run` example is stale"
    for key in ("mentions", "needs_attention", "open_cases"):
        assert data[key] == shown_status[key], f"README.md's status --json {key} is stale"

    # the demo has stopped, and its site with it: `grapevine run` says so at once
    started = time.monotonic()
    run = grapevine("run", "--config", "demo/grapevine.toml", cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - started
    assert run.returncode == 1, run.stdout + run.stderr
    [line] = [x for x in run.stderr.splitlines() if x.startswith("error:")]
    assert "nothing answers at http://127.0.0.1:" in line and "`grapevine demo`" in line
    assert "review-site, forums-and-news, reddit-coffee" in line
    assert elapsed < 15  # the crawler's retries on a refused port take 20 s and more
    after = json.loads(
        grapevine("status", "--json", "--config", "demo/grapevine.toml", cwd=tmp_path).stdout
    )
    assert {s["last_status"] for s in after["sources"]} == {"failed"}
    # ...and the run itself is recorded as failed, not ok
    with sqlite3.connect(tmp_path / "demo" / "grapevine.db") as db:
        [(last_job,)] = db.execute("SELECT status FROM job_run ORDER BY id DESC LIMIT 1")
    assert last_job == "failed"
