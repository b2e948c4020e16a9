"""`grapevine report` and the Brand health page tell the same story, in a real browser.

The report says its figures are the page's (one source of truth, :mod:`grapevine.report`):
here that is checked the way a person would, on `grapevine demo`'s database — the week's
report written as HTML next to the page set to "Last 7 days", card by card. Values are
compared as a person reads them ("1,234" is 1234, "42%" is 0.42, "5.2 h" is 5.2), to the
precision the coarser of the two shows. The Advocates page's screenshot for the README is
taken on the way. The fixtures and helpers are those of ``test_browser.py`` (imported).
"""

import html
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.dashboard.test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    ARTIFACTS,
    ROOT,
    dashboard,
    demo,
    no_exception,
    page,
    settle,
    shot,
)

pytestmark = pytest.mark.browser

CARD = re.compile(r'<div class="label">(.*?)</div>\s*<div class="value">(.*?)</div>', re.S)


def figure(text: str) -> tuple[float, float] | None:
    """A shown KPI as (value, half its last shown digit); ``None`` for "n/a"."""
    text = text.strip().replace(",", "").replace("\u2212", "-")
    if text == "n/a":
        return None
    number = re.fullmatch(r"([+-]?\d+(?:\.(\d+))?)\s*(%|h)?", text)
    assert number, f"not a figure a person can read: {text!r}"
    scale = 0.01 if number[3] == "%" else 1.0
    decimals = len(number[2] or "")
    return float(number[1]) * scale, 0.5 * 10**-decimals * scale


def same(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a[0] - b[0]) <= max(a[1], b[1]) + 1e-9


def answer_two_cases(demo: Path) -> None:  # noqa: F811
    """The demo's cases are all new, so the response KPIs would be "n/a" on both sides: two
    cases opened two days ago get a first response, one in time and one late."""
    with sqlite3.connect(demo / "grapevine.db") as db:
        rows = db.execute("SELECT id, opened_at, due_at FROM triage_case ORDER BY id LIMIT 2")
        for (case_id, opened, due), late in zip(rows.fetchall(), (False, True), strict=True):
            opened = datetime.fromisoformat(opened) - timedelta(days=2)
            due = datetime.fromisoformat(due) - timedelta(days=2)
            answered = due + timedelta(hours=5) if late else opened + timedelta(hours=3)
            db.execute(
                "UPDATE triage_case SET status = 'in_progress', opened_at = ?, due_at = ?, "
                "first_action_at = ? WHERE id = ?",
                (*(str(t) for t in (opened, due, answered)), case_id),
            )


def report_cards(demo: Path) -> dict[str, str]:  # noqa: F811
    out = demo / "week.html"
    done = subprocess.run(
        [sys.executable, "-m", "grapevine", "report", "--period", "week", "--format", "html"]
        + ["-o", str(out), "--config", str(demo / "grapevine.toml")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=demo,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    cards = CARD.findall(out.read_text(encoding="utf-8"))
    return {html.unescape(label).strip(): html.unescape(value).strip() for label, value in cards}


def page_cards(tab, url: str, period: str) -> dict[str, str]:
    tab.set_viewport_size({"width": 1280, "height": 800})
    tab.goto(f"{url}/health")
    tab.get_by_role("heading", name="Brand health", exact=True).wait_for(timeout=60_000)
    tab.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    settle(tab)
    choice = tab.get_by_role("radio", name=period, exact=True)  # st.segmented_control
    if choice.get_attribute("aria-checked") != "true":  # a click on the chosen one unpicks it
        choice.click()
    days = re.search(r"\d+", period)
    assert days
    tab.get_by_text(f"compared with the {days[0]} days before", exact=False).wait_for()
    settle(tab)
    assert choice.get_attribute("aria-checked") == "true"
    no_exception(tab)
    metrics = tab.get_by_test_id("stMetric")
    cards = {}
    for i in range(metrics.count()):
        metric = metrics.nth(i)
        label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
        cards[label] = metric.get_by_test_id("stMetricValue").inner_text().strip()
    return cards


def test_the_weeks_report_shows_the_brand_health_pages_figures(
    page,  # noqa: F811
    dashboard: str,  # noqa: F811
    demo: Path,  # noqa: F811
) -> None:
    answer_two_cases(demo)
    report = report_cards(demo)
    shown = page_cards(page, dashboard, "Last 7 days")
    shot(page, "30-brand-health-week")
    assert len(report) >= 8, report
    # a card on one side only is a disagreement too (the same figure under another name)
    differ = {
        label: (report.get(label, "(missing)"), shown.get(label, "(missing)"))
        for label in report | shown
        if label not in report
        or label not in shown
        or not same(figure(report[label]), figure(shown[label]))
    }
    assert not differ, f"report vs page (Last 7 days): {differ}"
    for label in ("Mentions", "Median time to first response", "Answered within the SLA"):
        assert figure(report[label]), f"nothing to compare: {label} is {report[label]!r}"

    page.goto(f"{dashboard}/advocates")
    page.get_by_role("heading", name="Advocates", exact=True).wait_for(timeout=30_000)
    page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=30_000)
    settle(page)
    no_exception(page)
    shot(page, "31-advocates", full=True)  # down to the thank-you ready to copy
    docs = ROOT / "docs" / "screenshots"
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTIFACTS / "31-advocates.png", docs / "advocates.png")
