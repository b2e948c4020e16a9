"""The Advocates page in a real browser, on `grapevine demo`'s database.

The demo's happy customer (Laura Jensen, a suggested link to the CRM) is listed first with a
thank-you ready to copy; recording it puts it on her timeline. The fixtures and helpers are
those of ``test_browser.py`` (imported, so both files share one way of starting things).
"""

import sqlite3
from pathlib import Path

import pytest

from tests.dashboard.test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    dashboard,
    demo,
    no_exception,
    page,
    settle,
    shot,
)

pytestmark = pytest.mark.browser


def test_the_demos_happy_customers_have_a_thank_you_ready(page, dashboard: str, demo: Path) -> None:  # noqa: F811
    page.goto(f"{dashboard}/advocates")
    page.get_by_role("heading", name="Advocates", exact=True).wait_for(timeout=30_000)
    page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=30_000)
    settle(page)
    facts = page.get_by_test_id("stText").first
    assert "Customer: Laura Jensen" in facts.inner_text()
    reply = page.get_by_test_id("stCode").first
    text = reply.inner_text()
    assert text.startswith("Hi Laura,") and "Thank you so much" in text
    no_exception(page)
    shot(page, "09-advocates")

    page.get_by_role("button", name="Record “Thank” on the timeline").click()
    page.get_by_text("Recorded on the customer's timeline.").wait_for(timeout=30_000)
    no_exception(page)
    with sqlite3.connect(demo / "grapevine.db") as db:
        rows = db.execute(
            "SELECT e.kind, c.name FROM customer_event e JOIN customer c ON c.id = e.customer_id"
        ).fetchall()
    assert rows == [("thanked", "Laura Jensen")]
    assert page.evaluate("window.__alerts") == 0
