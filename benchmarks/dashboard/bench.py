"""Time the queries behind the triage queue and brand health on 1,000,000 mentions (SQLite).

For each query: the median of repeated calls through Grapevine's own functions (SQLAlchemy,
as the dashboard calls them), and, as the baseline measured in the same run, the very same
SQL statements (captured from those calls) executed with the plain ``sqlite3`` module. Then
the triage page in a real browser: ``grapevine dashboard`` on that database, headless
Chromium, time from navigation until the queue table shows.

    python benchmarks/dashboard/bench.py                       # builds /tmp/grapevine-bench.db
    python benchmarks/dashboard/bench.py --db /tmp/g.db --reuse --repeat 21 --no-browser
"""

import argparse
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import BRAND, COMPETITORS, build  # noqa: E402

from storage import make_engine  # noqa: E402
from storage.health import Period, case_kpis, complaint_themes, daily, mention_kpis  # noqa: E402
from storage.queries import QueueFilter, queue_counts, queue_page  # noqa: E402

BUDGET_MS = 100.0
BROWSER_BUDGET_S = 2.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def queries(engine: Engine) -> dict[str, Callable[[], Any]]:
    """What the dashboard asks when the triage queue and brand-health pages load."""
    last30 = Period.last(30)
    return {
        "queue: first page (open, by priority)": lambda: queue_page(engine, limit=50),
        "queue: headline counts": lambda: queue_counts(engine),
        "queue: filtered page (source, aspect, own brand)": lambda: queue_page(
            engine,
            filters=QueueFilter(sources=("trustpilot",), aspects=("delivery",), brand="own"),
            limit=50,
        ),
        "queue: filtered page (unassigned, sorted by due)": lambda: queue_page(
            engine, filters=QueueFilter(assignees=("",), sort="due"), limit=50
        ),
        "queue: text search 'refund'": lambda: queue_page(
            engine, filters=QueueFilter(text="refund"), limit=50
        ),
        "queue: 3rd page": lambda: queue_page(engine, limit=50, offset=100),
        "health: mention KPIs (30 days)": lambda: mention_kpis(engine, last30),
        "health: mention KPIs (the 30 days before)": lambda: mention_kpis(engine, last30.previous),
        "health: case KPIs (30 days)": lambda: case_kpis(engine, last30),
        "health: case KPIs (the 30 days before)": lambda: case_kpis(engine, last30.previous),
        "health: daily trend (30 + 14 baseline days)": lambda: daily(
            engine, Period(last30.start - (last30.end - last30.start) * 14 / 30, last30.end)
        ),
        "health: complaint themes (30 days)": lambda: complaint_themes(engine, last30),
    }


def capture(engine: Engine, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SQL statements (with parameters) one call sends to the database."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``call`` in milliseconds (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def raw_runner(path: Path, statements: list[tuple[str, Any]]) -> Callable[[], None]:
    """The same statements on a plain ``sqlite3`` connection, results fetched."""
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA mmap_size=1073741824")  # as storage.engine sets it

    def run() -> None:
        for statement, parameters in statements:
            conn.execute(statement, parameters).fetchall()

    return run


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BASELINE_APP = """
import pandas as pd
import streamlit as st

st.title("Baseline")
st.dataframe(pd.DataFrame({"case": range(50), "said": ["words"] * 50}))
st.caption("Page 1 of 1")
"""


def _wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


def _load_times(url: str, loads: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        times = []
        for _ in range(loads + 1):
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=60_000)
            page.get_by_text("Page 1 of").first.wait_for(state="visible", timeout=60_000)
            times.append(time.perf_counter() - started)
            page.close()
        context.close()
    return times


def _serve(command: list[str], port: int, loads: int) -> list[float]:
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_for_port(port)
        return _load_times(f"http://127.0.0.1:{port}/", loads)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def browser_times(db: Path, loads: int) -> dict[str, list[float]] | None:
    """Load times in seconds (the first after start, then ``loads`` more) of the triage page
    served by ``grapevine dashboard``, and of a one-table Streamlit page (the baseline)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("browser: skipped (no playwright)")
        return None
    if not Path(CHROMIUM).exists():
        print(f"browser: skipped (no {CHROMIUM})")
        return None
    folder = Path(tempfile.mkdtemp(prefix="grapevine-bench-"))
    config = folder / "grapevine.toml"
    competitors = "".join(f'\n[[competitors]]\nname = "{c}"\n' for c in COMPETITORS)
    config.write_text(
        f'[brand]\nname = "{BRAND}"\n{competitors}\n[database]\nurl = "sqlite:///{db}"\n',
        encoding="utf-8",
    )
    baseline = folder / "baseline.py"
    baseline.write_text(BASELINE_APP, encoding="utf-8")
    port = free_port()
    streamlit = [sys.executable, "-m", "streamlit", "run", str(baseline), "--server.port"]
    results = {
        "baseline: a one-table Streamlit page": _serve(
            [*streamlit, str(port), "--server.headless", "true"], port, loads
        )
    }
    port = free_port()
    results["the triage queue (grapevine dashboard)"] = _serve(
        [sys.executable, "-m", "grapevine", "dashboard", "--config", str(config)]
        + ["--port", str(port)],
        port,
        loads,
    )
    return results


def main() -> None:
    """Build (or reuse) the database, time everything, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/grapevine-bench.db"))
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="Use --db as it is.")
    parser.add_argument(
        "--neglect", type=float, default=0.005, help="Share of old cases left open."
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--loads", type=int, default=5, help="Browser loads after the first.")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    if not (args.reuse and args.db.exists()):
        print(f"building {args.db} with {args.mentions:,} mentions…", flush=True)
        print(build(args.db, args.mentions, neglect=args.neglect), flush=True)
    engine = make_engine(f"sqlite:///{args.db}")
    rows = []
    for name, call in queries(engine).items():
        ours = median_ms(call, args.repeat)
        raw = median_ms(raw_runner(args.db, capture(engine, call)), args.repeat)
        rows.append((name, ours, raw))
    print()
    print(f"| query (SQLite, {args.mentions:,} mentions) | median ms | raw sqlite3 ms | ≤ 100 ms |")
    print("| --- | ---: | ---: | :---: |")
    for name, ours, raw in rows:
        mark = "yes" if ours <= BUDGET_MS else "NO"
        print(f"| {name} | {ours:.1f} | {raw:.1f} | {mark} |")
    health = [(o, r) for name, o, r in rows if name.startswith("health")]
    print(
        f"| (all of brand health's queries, one after the other) | "
        f"{sum(o for o, _ in health):.1f} | {sum(r for _, r in health):.1f} | |"
    )
    if not args.no_browser:
        result = browser_times(args.db, args.loads)
        if result:
            print()
            print(
                f"| page in headless Chromium | first load after start (s) | median of "
                f"next {args.loads} (s) | ≤ 2 s |"
            )
            print("| --- | ---: | ---: | :---: |")
            for label, times in result.items():
                later = statistics.median(times[1:])
                mark = "yes" if later <= BROWSER_BUDGET_S else "NO"
                print(f"| {label} | {times[0]:.2f} | {later:.2f} | {mark} |")


if __name__ == "__main__":
    main()
