"""Crawl health checks as spidermon monitors, run when each source's crawl closes.

* **Item count** — pages that were read listed entries (or the site said, in its own format,
  that there are none): zero entries from pages that should have them is a layout change; and
  at most ``GRAPEVINE_MAX_DROPPED_SHARE`` of the items were dropped as incomplete.
* **Error count** — HTTP errors, network errors after retries, unreadable pages and parse
  errors, at most ``GRAPEVINE_MAX_ERRORS`` (0).
* **Finish reason** — spidermon's own, expecting ``finished``.
* **Field coverage** — spidermon's own, with ``SPIDERMON_FIELD_COVERAGE_RULES`` (each spider
  adds the fields its source always has, e.g. Trustpilot's rating).

:class:`RecordMonitorResults` puts the verdict on ``spider.monitor_results``
(``{"passed": [...], "failed": [...], "summary": "..."}``); the CrawlRun recorder stores it in
``crawl_run.monitors`` and adds the failures to the error summary, which ``grapevine status``
and the dashboard's Sources page show.
"""

# ruff: noqa: PT009  (spidermon monitors are unittest cases: their assert methods report)
import re
from typing import Any

from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor, FinishReasonMonitor
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.core.actions import Action

from crawler.health import summarise

_ASSERTION = re.compile(r"(?:AssertionError|SkipTest): (.*)\Z", re.DOTALL)


#: Failures that only restate errors the summary already lists.
RESTATING = ("Error count/", "Item count/entries found")


@monitors.name("Item count")
class ItemCountMonitor(BaseScrapyMonitor):
    """Pages that were read listed entries, and few items were dropped as incomplete."""

    @monitors.name("entries found")
    def test_pages_listed_entries(self) -> None:
        """Zero entries from pages that should have them means the layout changed."""
        stats = self.data.stats
        pages = int(stats.get("grapevine/pages_parsed", 0))
        if not pages:
            self.skipTest("no page was read (see the error count)")
        seen = int(stats.get("grapevine/entries_seen", 0))
        empty = int(stats.get("grapevine/empty_results", 0))
        self.assertTrue(
            seen > 0 or empty > 0,
            msg=f"no entries on {pages} page(s) read (has the layout changed?)",
        )

    @monitors.name("items complete")
    def test_few_items_dropped(self) -> None:
        """Most items carried every required field."""
        stats = self.data.stats
        dropped = int(stats.get("grapevine/items_dropped", 0))
        total = dropped + int(stats.get("item_scraped_count", 0))
        limit = self.crawler.settings.getfloat("GRAPEVINE_MAX_DROPPED_SHARE", 0.5)
        share = dropped / total if total else 0.0
        self.assertLessEqual(
            share,
            limit,
            msg=f"{dropped} of {total} items dropped as incomplete (more than {limit:.0%})",
        )


@monitors.name("Error count")
class ErrorCountMonitor(BaseScrapyMonitor):
    """HTTP errors, network failures, unreadable pages and parse errors stay within bounds."""

    @monitors.name("errors")
    def test_errors_within_bounds(self) -> None:
        """At most ``GRAPEVINE_MAX_ERRORS`` errors."""
        problems = list(getattr(self.data.spider, "problems", []))
        errors, _ = summarise(dict(self.data.stats), problems)
        limit = self.crawler.settings.getint("GRAPEVINE_MAX_ERRORS", 0)
        self.assertLessEqual(errors, limit, msg=f"{errors} error(s), at most {limit} allowed")


class RecordMonitorResults(Action):
    """Hand the monitors' verdict to the spider (``spider.monitor_results``)."""

    def run_action(self) -> None:
        """Summarise passed, failed and skipped monitors."""
        result = self.result
        failed = [f"{r.item.name}: {_reason(r.error)}" for r in result.monitors_failed_results]
        skipped = [r.item.name for r in result.monitor_results if r.status == "SKIPPED"]
        passed = [r.item.name for r in result.monitors_passed_results if r.item.name not in skipped]
        checked = len(passed) + len(failed)
        summary = (
            f"{checked} checks passed"
            if not failed
            else f"{len(failed)} of {checked} checks failed: " + "; ".join(failed)
        )
        if skipped:
            summary += f" ({len(skipped)} skipped)"
        self.data.spider.monitor_results = {
            "passed": passed,
            "failed": failed,
            "skipped": skipped,
            "summary": summary,
        }


def _reason(error: Any) -> str:
    """The assertion message of a failed monitor, on one line."""
    text = str(error or "").strip()
    match = _ASSERTION.search(text)
    message = match.group(1) if match else text.splitlines()[-1] if text else "failed"
    message = message.replace("The following items did not meet field coverage rules:", "")
    return " ".join(message.split())[:300]


class CrawlHealthSuite(MonitorSuite):
    """The checks every source's crawl gets when it closes."""

    monitors = [ItemCountMonitor, ErrorCountMonitor, FinishReasonMonitor, FieldCoverageMonitor]
    monitors_finished_actions = [RecordMonitorResults]
