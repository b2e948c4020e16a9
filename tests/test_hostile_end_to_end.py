"""End to end against hostile sites: the real `grapevine run`, on SQLite and PostgreSQL.

One config, as a user would write it: a feed source on the hostile site's two feeds (control
characters, surrogates, invalid UTF-8, over-long fields), a feed whose second page is a gzip
bomb, a JSON source (Hacker News' Algolia API) on its hostile search answer, a clean feed that
opens cases, and a webhook target whose receiver answers 200 and then trickles its body, a
byte every half second (each read is quick, so only a total deadline per delivery stops it;
the receiver gives up after 32 s). What a user must be able to rely on afterwards:

* every entry the sites served is either stored or in the quarantine with a reason
  (`grapevine status --json` counts per source, `grapevine quarantine list --json`);
* a source that lost anything (an item in the quarantine, a page cut at the size bound) is
  not `ok`;
* the trickling receiver does not hold the run: each delivery is cut at the target's
  ``timeout`` and the export gives the target up after ``stop_after_failures``.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from helpers.hostile_site import GOOD_ENTRIES, HOSTILE_FEED_IDS, HOSTILE_HIT_IDS, HostileSite
from helpers.httpserver import LocalServer, Reply
from helpers.receiver import WebhookReceiver

#: Per delivery (the target's ``timeout``) and how many failures end the target's turn.
DELIVERY_TIMEOUT = 3
STOP_AFTER = 2

CONFIG = """
[brand]
name = "Slack"
terms = ["Slack"]

[crawl]
download_delay = 0
autothrottle = false
retries = 1
timeout = 20

[[sources]]
name = "hostile-feed"
type = "feed"
urls = ["{hostile}/feed/hostile.xml", "{hostile}/feed/bad-utf8.xml"]

[[sources]]
name = "hostile-json"
type = "hackernews"
query = "Slack"
base_url = "{hostile}/hn"

[[sources]]
name = "hostile-mixed"
type = "feed"
urls = ["{hostile}/feed/bad-utf8.xml", "{hostile}/bomb.xml"]

[[sources]]
name = "alerts"
type = "feed"
urls = ["{clean}/alerts.xml"]

[[targets]]
name = "trickler"
type = "webhook"
url = "{hook}"
timeout = {timeout}

[export]
stop_after_failures = {stop_after}
"""

#: What each source was served (entries of the feeds, hits of the JSON answer).
SERVED = {
    "hostile-feed": len(HOSTILE_FEED_IDS) + len(GOOD_ENTRIES) + 1,  # + the bad-UTF-8 entry
    "hostile-json": len(HOSTILE_HIT_IDS),
    "hostile-mixed": len(GOOD_ENTRIES) + 1,  # and a gzip bomb: a page lost
    "alerts": 20,  # tests/fixtures/rss/google_alerts_atom_slack.xml
}


def grapevine(*args: str, cwd: Path, db_url: str, timeout: float = 240) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "grapevine", *args, "--config", str(cwd / "grapevine.toml")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "GRAPEVINE_DATABASE_URL": db_url},
    )


def test_hostile_sites_lose_nothing_and_a_trickling_receiver_holds_nothing(
    tmp_path: Path, db_url: str
) -> None:
    """On SQLite and PostgreSQL (``db_url``, tests/conftest.py: the PostgreSQL one is marked)."""
    database = db_url
    clean = {"/alerts.xml": Reply.fixture("rss/google_alerts_atom_slack.xml")}
    with (
        HostileSite() as site,
        LocalServer(clean) as server,
        WebhookReceiver(plan=["trickle"], slow_seconds=0.5) as hook,
    ):
        (tmp_path / "grapevine.toml").write_text(
            CONFIG.format(
                hostile=site.base_url,
                clean=server.base_url,
                hook=hook.url,
                timeout=DELIVERY_TIMEOUT,
                stop_after=STOP_AFTER,
            ),
            encoding="utf-8",
        )
        upgraded = grapevine("db", "upgrade", cwd=tmp_path, db_url=database)
        assert upgraded.returncode == 0, upgraded.stderr
        started = time.monotonic()
        run = grapevine("run", "--json", cwd=tmp_path, db_url=database)
        run_seconds = time.monotonic() - started
        assert run.returncode in (0, 1), run.stderr  # 1: a source or a delivery failed
        assert "Traceback" not in run.stderr
        summary = json.loads(run.stdout)

        status = grapevine("status", "--json", cwd=tmp_path, db_url=database)
        assert status.returncode == 0, status.stderr
        sources = {s["name"]: s for s in json.loads(status.stdout)["sources"]}
        listed = grapevine("quarantine", "list", "--json", cwd=tmp_path, db_url=database)
        assert listed.returncode == 0, listed.stdout + listed.stderr
        quarantined = json.loads(listed.stdout)
        assert all(str(item.get("reason") or "").strip() for item in quarantined), quarantined
        for name, served in SERVED.items():
            held = [item for item in quarantined if item["source"] == name]
            stored = sources[name]["items_total"]
            assert stored + len(held) == served, (
                f"{name}: served {served}, stored {stored}, quarantined {len(held)}: "
                f"{served - stored - len(held)} lost without a trace"
            )
            if held:
                assert sources[name]["last_status"] != "ok", f"{name} lost {len(held)}, says ok"
        assert sources["alerts"]["last_status"] == "ok"
        # a source that lost a page (the bomb, cut at the size bound) is not ok, and says why
        mixed = sources["hostile-mixed"]
        assert mixed["last_status"] in ("partial", "failed"), mixed
        assert "size" in str(mixed["error"]).lower() or "mb" in str(mixed["error"]).lower(), mixed

        # the trickling receiver: every delivery it got failed, none was recorded as sent
        assert hook.requests, "the webhook target was never tried"
        assert summary["exports_sent"] == 0 and summary["exports_failed"] >= 1
        # ...and it held neither the run nor an export: at most STOP_AFTER deliveries, each
        # cut at DELIVERY_TIMEOUT, plus the process start-up (the crawl is local and small)
        deadline = STOP_AFTER * DELIVERY_TIMEOUT + 15
        late = []
        if run_seconds > deadline + 45:
            late.append(f"the run took {run_seconds:.0f} s")
        started = time.monotonic()
        try:
            export = grapevine("export", "--now", cwd=tmp_path, db_url=database, timeout=deadline)
            assert export.returncode == 1, export.stdout + export.stderr
        except subprocess.TimeoutExpired:
            late.append(f"`grapevine export --now` was still going after {deadline} s")
        else:
            if time.monotonic() - started > deadline:
                late.append(f"`grapevine export --now` took {time.monotonic() - started:.0f} s")
        assert not late, "; ".join(late)
