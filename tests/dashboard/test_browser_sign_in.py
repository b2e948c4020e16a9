"""Signing in, in a real browser: a shared case link opens after sign-in, read-only for a
viewer (its own dashboard process: a configuration with users)."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.test_browser import browser_tab, case_of, demo, no_exception, serve

pytestmark = pytest.mark.browser
__all__ = ["demo"]  # the module's demo database (a fixture)


@pytest.fixture
def page(tmp_path: Path) -> Iterator:
    with browser_tab(tmp_path / "profile") as tab:
        yield tab


def test_sign_in_then_a_shared_link_opens_read_only_for_a_viewer(page, demo: Path) -> None:
    from argon2 import PasswordHasher

    digest = PasswordHasher().hash("a long enough secret")
    config = demo / "with-users.toml"
    config.write_text(
        (demo / "grapevine.toml").read_text()
        + f'\n[[users]]\nname = "vic"\nrole = "viewer"\npassword_hash = "{digest}"\n'
    )
    case_id, status, _ = case_of(demo, "Daniel Okafor")
    with serve(demo, config) as url:
        page.goto(f"{url}/case?case={case_id}")
        page.get_by_label("Name", exact=True).fill("vic")
        page.get_by_label("Password", exact=True).fill("not the secret")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Unknown name or wrong password.").wait_for(timeout=30_000)
        page.get_by_label("Password", exact=True).fill("a long enough secret")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name=f"Case #{case_id}").wait_for(timeout=30_000)
        page.get_by_text("You have read access (viewer)").wait_for()
        assert page.get_by_role("button", name="Save").is_disabled()
        assert page.get_by_role("link", name="Settings").count() == 0
        no_exception(page)
    assert case_of(demo, "Daniel Okafor")[1] == status
    with sqlite3.connect(demo / "grapevine.db") as db:
        audited = list(db.execute("SELECT action FROM audit_event WHERE actor = 'vic' ORDER BY id"))
    assert audited[:2] == [("signin_failed",), ("signin",)]  # then the customer file she saw
