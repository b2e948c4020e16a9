"""The dashboard in a real browser: headless Chromium on `grapevine demo`'s database.

What a person sees, measured at 1280 × 800 and 1920 × 1080: the queue's columns a triager
decides by fit the screen (no sideways scrolling), the charts are tall enough to read, the
link an email or webhook carries opens its case, the reply template reads as a person wrote
it, no page shows a traceback or an internal code, and the dashboard's terminal log has no
Streamlit warning. A person works one case from the queue to resolved; the demo's hostile
review (a <script>, an <img onerror>, a fake link, Markdown) must show as text and run
nothing. Screenshots go to test-artifacts/ (the README's come from there).

Lean on purpose: one dashboard process and one browser tab for the module (the sign-in test
with its own configuration lives in test_browser_sign_in.py).
"""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

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


@contextmanager
def browser_tab(profile: Path) -> Iterator:
    """A headless Chromium tab that counts alert() calls; fails if a review's script opened
    a dialog."""
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 800},
        )
        context.add_init_script(WATCH_SCRIPTS)
        tab = context.new_page()

        def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
            dialogs.append(dialog.message)
            dialog.dismiss()

        tab.on("dialog", on_dialog)
        yield tab
        context.close()
    assert dialogs == [], f"a script from a review ran: {dialogs}"


@pytest.fixture(scope="module")
def page(dashboard: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """One tab for the whole module; each test sets the viewport it measures at."""
    with browser_tab(tmp_path_factory.mktemp("profile")) as tab:
        yield tab


SCREENS = {"1280x800": (1280, 800), "1920x1080": (1920, 1080)}
#: The queue columns a triager decides by: each must be on screen without scrolling sideways.
NEEDED = [
    "Priority",
    "Case",
    "Status",
    "Due",
    "Source",
    "Rating",
    "Said",
    "Aspects",
    "Assignee",
    "Customer",
]
#: Words no page may show a person: a stack trace, an empty value, internal codes.
UNWANTED = re.compile(r"Traceback|\bNone\b|\bnan\b|in_progress|waiting_on_customer|follow_up\b")


def shot(tab, name: str, *, full: bool = False) -> None:
    """A screenshot in test-artifacts/; ``full``: the whole page (Streamlit scrolls inside
    its main area, so the viewport is made as tall as the page for the picture)."""
    ARTIFACTS.mkdir(exist_ok=True)
    tab.wait_for_timeout(600)  # let charts and tables finish drawing
    size = tab.viewport_size
    if full and size:
        tall = tab.get_by_test_id("stMain").evaluate("m => m.scrollHeight")
        tab.set_viewport_size({"width": size["width"], "height": min(6000, int(tall))})
        tab.wait_for_timeout(800)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if full and size:
        tab.set_viewport_size(size)


def screen(tab, size: str) -> tuple[int, int]:
    width, height = SCREENS.get(size) or tuple(int(v) for v in size.split("x"))
    tab.set_viewport_size({"width": width, "height": height})
    return width, height


def open_queue(tab, url: str) -> None:
    tab.goto(url + "/")
    try:  # the first page of a fresh server imports pandas, Altair, the app: give it time
        tab.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=60_000)
    except Exception:
        shot(tab, "failed-queue")
        raise
    settle(tab)


def shown_text(tab) -> str:
    """What the page shows a person: the main area's text, and the table cells (drawn on a
    canvas; their text is in the grid's accessible table, for the rows on screen)."""
    cells = tab.evaluate(
        "() => Array.from(document.querySelectorAll("
        "'[data-testid=stDataFrame] td, [data-testid=stDataFrame] th'"
        ")).map(e => e.textContent).join(' | ')"
    )
    return tab.get_by_test_id("stMain").inner_text() + "\n" + str(cells)


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


@pytest.mark.parametrize("size", list(SCREENS))
def test_the_queue_columns_a_triager_needs_are_on_screen(page, dashboard: str, size: str) -> None:
    """Measured: the table's box lies inside the viewport, its content is no wider than its
    visible box (no column off to the side), every needed column header is drawn, and the
    table's toolbar does not cover the Filters toggle."""
    width, _ = screen(page, size)
    open_queue(page, dashboard)
    grid = page.get_by_test_id("stDataFrame").first
    box = grid.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    scroller = grid.locator(".dvn-scroller").first
    content, visible = scroller.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert content <= visible + 1, f"the table is {content} px wide in a {visible} px box"
    headers = grid.locator("[role=columnheader]").all_inner_texts()
    assert [h for h in headers if h in NEEDED] == NEEDED, headers
    grid.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    toggle = page.get_by_text("Filters", exact=True).bounding_box()
    if toolbar.count() and toolbar.is_visible():
        bar = toolbar.bounding_box()
        overlaps = not (
            bar["x"] > toggle["x"] + toggle["width"]
            or bar["x"] + bar["width"] < toggle["x"]
            or bar["y"] > toggle["y"] + toggle["height"]
            or bar["y"] + bar["height"] < toggle["y"]
        )
        assert not overlaps, "the table's toolbar covers the Filters toggle"
    page.mouse.move(0, 0)
    page.get_by_test_id("stMain").evaluate("m => m.scrollTo(0, 0)")
    shot(page, f"01-triage-queue-{size}")


def test_the_link_an_email_carries_opens_its_case(page, dashboard: str, demo: Path) -> None:
    """Exports and alerts link to ``[dashboard] public_url + /?case=ID``."""
    from grapevine.wiring import case_link

    screen(page, "1280x800")
    case_id, _, _ = case_of(demo, "Daniel Okafor")
    settings = SimpleNamespace(dashboard=SimpleNamespace(public_url=dashboard, host="", port=0))
    page.goto(case_link(settings)(case_id))  # type: ignore[arg-type]
    page.get_by_role("heading", name=f"Case #{case_id}").wait_for(timeout=30_000)
    no_exception(page)
    # and from there to the next case of the queue (all open, by priority), and back
    heading = page.get_by_role("heading", name=f"Case #{case_id}", exact=True)
    page.get_by_role("button", name="Next ›").click()
    heading.wait_for(state="detached", timeout=30_000)
    page.get_by_role("heading", name=re.compile(r"^Case #\d+$")).wait_for()
    page.get_by_role("button", name="‹ Previous").click()
    heading.wait_for(timeout=30_000)


def test_work_a_case_from_the_queue_to_resolved(page, dashboard: str, demo: Path) -> None:
    """From the queue to resolved: the copied reply reads as a person wrote it, "Take it"
    answers nobody, a refund does; then on to the next case without the queue."""
    screen(page, "1280x800")
    case_id, status, _ = case_of(demo, "Maria Lopez")
    assert status == "new"
    open_queue(page, dashboard)
    grid = page.get_by_test_id("stDataFrame").first
    page.get_by_test_id("stExpandSidebarButton").click()  # who you are lives in the sidebar
    page.get_by_label("Your name (for the timeline and replies)").fill("Sam")
    page.get_by_label("Your name (for the timeline and replies)").press("Enter")
    settle(page)
    page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    settle(page)
    search = page.get_by_placeholder("Search words in the mention or author, or #123 for a case")
    search.fill("Maria Lopez")
    search.press("Enter")
    page.get_by_text("cases 1–1 of 1").wait_for()
    settle(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 52)  # the first row's selection box
    page.get_by_role("button", name=f"Open case #{case_id}").click()

    page.get_by_role("heading", name=f"Case #{case_id}").wait_for()
    page.get_by_text("Still waiting for my refund, three weeks now.", exact=False).first.wait_for()
    reply = page.get_by_test_id("stCode").first.inner_text().strip()
    assert reply.startswith("Hi Maria") and "Sam" in reply
    assert "your order LW-204518" in reply and "payment" not in reply.split("LW-")[0][-12:]
    for paragraph in reply.split("\n\n"):
        for line in paragraph.split("\n")[:-1]:  # a break inside a paragraph ends a line
            assert re.search(r"[,.!?:]$", line) and len(line) < 50, f"broken line: {line!r}"
    page.get_by_role("button", name="Take it (assign to me, in progress)").click()
    page.get_by_text("The case is yours.").wait_for()
    assert case_of(demo, "Maria Lopez")[1:] == ("in_progress", "Sam")
    assert page.get_by_text("answered", exact=True).count() == 0  # taking it is no answer

    choose(page, "Status", "resolved")
    choose(page, "Action taken", "refund")
    page.get_by_label("Note").fill("Refunded LW-204518 and apologised by email.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    no_exception(page)
    shot(page, "02-case", full=True)
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
    with sqlite3.connect(demo / "grapevine.db") as db:  # and each change is in the audit trail
        audited = set(
            db.execute(
                "SELECT actor, action FROM audit_event WHERE subject_type = 'case' "
                "AND subject_id = ?",
                (str(case_id),),
            )
        )
    assert {("Sam", f"case.{k}") for k in ("assigned", "status", "action", "note")} <= audited
    assert follow_up is not None  # the 30-day review was scheduled
    # the queue was narrowed to her by the search: she was the only case, and still is
    page.get_by_text("Case not in the queue view any more", exact=False).wait_for()
    assert page.get_by_role("button", name="Next ›").is_disabled()


def test_the_hostile_review_is_text_and_runs_nothing(page, dashboard: str, demo: Path) -> None:
    screen(page, "1280x800")
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
    # the cues are true of the text: a review that says "Avoid" lists no "positive words"
    cues = shown_text(page)
    assert "Cues:" in cues and "positive words" not in cues
    shot(page, "03-case-hostile-review")

    page.goto(dashboard + "/")
    page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(800)
    assert page.evaluate("window.__alerts") == 0


@pytest.mark.parametrize("size", [*SCREENS, "900x900"])
def test_brand_health_charts_are_tall_enough_to_read(page, dashboard: str, size: str) -> None:
    width, _ = screen(page, size)
    page.goto(f"{dashboard}/health")
    page.get_by_role("heading", name="Share of voice").wait_for(timeout=30_000)
    charts = page.get_by_test_id("stVegaLiteChart")
    charts.last.wait_for(state="visible")
    page.wait_for_timeout(1000)
    boxes = [charts.nth(i).bounding_box() for i in range(charts.count())]
    assert len(boxes) == 5, boxes  # volume, rating, sources, themes, share of voice
    for box in boxes:
        assert box["height"] >= 200, f"a chart {box['height']:.0f} px high at {size}"
        assert box["width"] >= min(600, width * 0.6), f"a chart {box['width']:.0f} px wide"
    no_exception(page)
    if size == "1280x800":
        shot(page, "04-brand-health", full=True)


PAGES = [
    ("/", "Triage queue", "10-queue"),
    ("/case?case=99999999999999999999", "Case", "11-case-bad-number"),
    ("/case?case=abc", "Case", "12-case-not-a-number"),
    ("/health", "Brand health", "13-health"),
    ("/follow_ups", "Follow-ups", "14-follow-ups"),
    ("/customers", "Customers", "15-customers"),
    ("/advocates", "Advocates", "16-advocates"),
    ("/sources", "Sources", "17-sources"),
    ("/settings", "Settings", "18-settings"),
    ("/audit", "Audit trail", "21-audit"),
]


def test_no_page_shows_a_traceback_an_empty_value_or_a_code(
    page, dashboard: str, demo: Path
) -> None:
    """Every page (a case waiting on its customer, a doctored case link, each list) reads in
    words: no "Traceback", no "None", no ``in_progress`` or ``waiting_on_customer``."""
    screen(page, "1280x800")
    waiting, _, _ = case_of(demo, "Daniel Okafor")
    with sqlite3.connect(demo / "grapevine.db") as db:
        db.execute(
            "UPDATE triage_case SET status = 'waiting_on_customer', assignee = 'Sam' WHERE id = ?",
            (waiting,),
        )
    with sqlite3.connect(demo / "grapevine.db") as db:
        customer = db.execute("SELECT id FROM customer ORDER BY id LIMIT 1").fetchone()[0]
    pages = [
        *PAGES,
        (f"/case?case={waiting}", f"Case #{waiting}", "19-case-waiting"),
        (f"/customers?customer={customer}", "Customers", "20-customer-file"),
    ]
    for path, heading, name in pages:
        page.goto(dashboard + path)
        page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1200)
        settle(page)
        no_exception(page)
        text = shown_text(page)
        found = UNWANTED.findall(text)
        assert not found, f"{path} shows {found}"
        if path == "/":  # the check reads the table's cells too
            assert "due in" in text and "review-site" in text
        shot(page, name)
    assert page.evaluate("window.__alerts") == 0


def test_the_dashboard_log_has_no_warning(page, dashboard: str, demo: Path) -> None:
    """After everything above: the terminal shows no Streamlit warning, error or traceback
    (a widget given a default and a session value warns there, with a stack trace)."""
    log = (demo / "grapevine.log").read_text()
    # Streamlit prints its widget warnings without a level, as a message and "Stack (most
    # recent call last):"; logged errors carry their level
    noise = re.compile(
        r"WARNING|ERROR|Traceback|Stack \(most recent call last\)|Session State API"
        r"|^\s+File \""
    )
    bad = [line for line in log.splitlines() if noise.search(line)]
    assert not bad, "\n".join(bad[:10])
