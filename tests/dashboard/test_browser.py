"""The dashboard in a real browser: headless Chromium on `grapevine demo`'s database.

A person works one case from the queue to resolved; every page is opened and saved as a
screenshot in test-artifacts/; the demo's hostile review (a <script>, an <img onerror>, a fake
link, Markdown) must show as text and run nothing.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import unavailable

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# counts every alert() and, through the dialog handler, fails the test if one opens
WATCH_SCRIPTS = """
window.__alerts = 0;
const nativeAlert = window.alert.bind(window);
window.alert = (...args) => { window.__alerts += 1; return nativeAlert(...args); };
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database made by `grapevine demo --no-dashboard` (with the hostile review)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the playwright package is missing (pip install -e '.[test]')")
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-m", "grapevine", "demo", "--no-dashboard", "--dir", str(folder)]
        + ["--site-port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=folder,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


@contextmanager
def serve(demo: Path, config: Path) -> Iterator[str]:
    """`grapevine dashboard --config config` on a free port; its URL."""
    port = free_port()
    log = (demo / f"{config.stem}.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "grapevine", "dashboard", "--config", str(config)]
        + ["--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=demo,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, (demo / f"{config.stem}.log").read_text()
                assert time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def dashboard(demo: Path) -> Iterator[str]:
    """`grapevine dashboard` on the demo (no users: bound to 127.0.0.1); its URL."""
    with serve(demo, demo / "grapevine.toml") as url:
        yield url


@pytest.fixture
def page(dashboard: str, tmp_path: Path) -> Iterator:
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1400, "height": 1100},
        )
        context.add_init_script(WATCH_SCRIPTS)
        tab = context.new_page()

        def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
            dialogs.append(dialog.message)
            dialog.dismiss()

        tab.on("dialog", on_dialog)
        tab.dialogs = dialogs  # type: ignore[attr-defined]
        yield tab
        context.close()
    assert dialogs == [], f"a script from a review ran: {dialogs}"


def shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.wait_for_timeout(600)  # let charts and tables finish drawing
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def settle(tab) -> None:
    """Wait until the app has finished the rerun a change started."""
    tab.wait_for_timeout(300)
    tab.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=30_000)


def no_exception(tab) -> None:
    assert tab.get_by_test_id("stException").count() == 0


def choose(tab, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    tab.get_by_label(label, exact=True).click()
    tab.get_by_role("option", name=option, exact=True).click()


def case_of(demo: Path, author: str) -> tuple[int, str, str | None]:
    with sqlite3.connect(demo / "grapevine.db") as db:
        row = db.execute(
            "SELECT c.id, c.status, c.assignee FROM triage_case c "
            "JOIN mention m ON m.id = c.mention_id WHERE m.author = ?",
            (author,),
        ).fetchone()
    return row


def test_work_a_case_from_the_queue_to_resolved(page, dashboard: str, demo: Path) -> None:
    case_id, status, _ = case_of(demo, "Maria Lopez")
    assert status == "new"
    page.goto(dashboard + "/")
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for(state="visible", timeout=30_000)
    shot(page, "01-triage-queue")
    page.get_by_label("Your name (for the timeline and replies)").fill("Sam")
    page.get_by_label("Your name (for the timeline and replies)").press("Enter")
    settle(page)
    search = page.get_by_placeholder("Search words in the mention or author, or #123 for a case")
    search.fill("Maria")
    search.press("Enter")
    page.get_by_text("cases 1–1 of 1").wait_for()
    settle(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 52)  # the first row's selection box
    page.get_by_role("button", name=f"Open case #{case_id}").click()

    page.get_by_role("heading", name=f"Case #{case_id}").wait_for()
    page.get_by_text("Still waiting for my refund, three weeks now.", exact=False).first.wait_for()
    reply = page.get_by_test_id("stCode").first
    assert reply.inner_text().startswith("Hi Maria")
    assert "LW-204518" in reply.inner_text() and "Sam" in reply.inner_text()
    page.get_by_role("button", name="Take it (assign to me, in progress)").click()
    page.get_by_text("The case is yours.").wait_for()
    assert case_of(demo, "Maria Lopez")[1:] == ("in_progress", "Sam")

    choose(page, "Status", "resolved")
    choose(page, "Action taken", "refund")
    page.get_by_label("Note").fill("Refunded LW-204518 and apologised by email.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    no_exception(page)
    shot(page, "02-case")
    assert case_of(demo, "Maria Lopez")[1:] == ("resolved", "Sam")
    with sqlite3.connect(demo / "grapevine.db") as db:
        kinds = [
            k
            for (k,) in db.execute(
                "SELECT kind FROM case_event WHERE case_id = ? ORDER BY id", (case_id,)
            )
        ]
        follow_up = db.execute(
            "SELECT follow_up_at FROM triage_case WHERE id = ?", (case_id,)
        ).fetchone()[0]
    assert kinds[0] == "opened" and {"assigned", "status", "action", "note"} <= set(kinds)
    assert follow_up is not None  # the 30-day review was scheduled


def test_the_hostile_review_is_text_and_runs_nothing(page, dashboard: str, demo: Path) -> None:
    case_id, _, _ = case_of(demo, "Ahmed Hassan")
    page.goto(f"{dashboard}/case?case={case_id}")
    page.get_by_role("heading", name=f"Case #{case_id}").wait_for(timeout=30_000)
    page.get_by_text("<script>alert('xss')</script> Scam?", exact=True).wait_for()
    page.get_by_text("**Avoid**", exact=False).first.wait_for()
    page.wait_for_timeout(1000)
    assert page.evaluate("window.__alerts") == 0
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script:text('xss')").count() == 0
    no_exception(page)
    shot(page, "03-case-hostile-review")

    page.goto(dashboard + "/")
    page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(800)
    assert page.evaluate("window.__alerts") == 0


@pytest.mark.parametrize(
    ("path", "heading", "name"),
    [
        ("health", "Brand health", "04-brand-health"),
        ("follow_ups", "Follow-ups", "05-follow-ups"),
        ("customers", "Customers", "06-customers"),
        ("sources", "Sources", "07-sources"),
        ("settings", "Settings", "08-settings"),
    ],
)
def test_every_page_opens(page, dashboard: str, path: str, heading: str, name: str) -> None:
    page.goto(f"{dashboard}/{path}")
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    no_exception(page)
    shot(page, name)
    assert page.evaluate("window.__alerts") == 0


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
