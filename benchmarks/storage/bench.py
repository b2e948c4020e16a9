"""Storage at scale on PostgreSQL: queue, brand-health and search queries on 10 M mentions.

Creates a throwaway database on the server (dropped at the end unless ``--keep``), upgrades
it with the real migrations, fills it with ``--rows`` mentions (:mod:`data`: in the server,
``INSERT … SELECT generate_series``), then

1. times every query the triage queue and brand-health pages make, through Grapevine's own
   functions (median of ``--repeat`` calls after one warm-up) against 100 ms, and the text
   searches against 200 ms;
2. ingests ``--ingest`` new rows through the project's upsert (``storage.mentions``, in the
   crawler's batches of 200) and the same number through a raw ``COPY`` into the same table
   (its indexes, constraints and triggers all on), in the same run.

    python benchmarks/storage/bench.py                      # 10,000,000 mentions
    python benchmarks/storage/bench.py --rows 2000 --repeat 3 --ingest 1000
    python benchmarks/storage/bench.py --explain            # print each query's plan

Disk: about 1.1 GB per million mentions with their cases and indexes (measured, printed).
"""

import argparse
import hashlib
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import BRAND, fill  # noqa: E402

from storage import make_engine, upgrade  # noqa: E402
from storage.health import Period, case_kpis, complaint_themes, daily, mention_kpis  # noqa: E402
from storage.mentions import upsert_mentions  # noqa: E402
from storage.models import CASE_STATUSES  # noqa: E402
from storage.queries import QueueFilter, queue_counts, queue_page  # noqa: E402
from storage.search import search_mention_ids  # noqa: E402

QUERY_MS = 100.0
SEARCH_MS = 200.0
INGEST_BATCH = 200  # the crawler's GRAPEVINE_BATCH_SIZE
COPY_COLUMNS = (
    "source", "source_type", "external_id", "url", "author", "text", "rating", "published_at",
    "fetched_at", "updated_at", "language", "reach", "metrics", "brand", "is_competitor",
    "content_hash", "raw", "sentiment", "label", "complaint", "complaint_score", "aspects",
    "cues", "analyser_version", "needs_attention", "published_estimated",
)  # fmt: skip


def queries(engine: Engine) -> dict[str, tuple[float, Callable[[], Any]]]:
    """What the dashboard asks for the queue and brand health, and the searches; budgets."""
    last30 = Period.last(30)
    everything = CASE_STATUSES

    def search(**filters: Any) -> Callable[[], Any]:
        return lambda: queue_page(engine, filters=QueueFilter(**filters), limit=50)

    def newest(query: str) -> Callable[[], Any]:
        def run() -> Any:
            with engine.connect() as conn:
                return search_mention_ids(conn, query=query, limit=50)

        return run

    return {
        "queue: first page (open, by priority)": (QUERY_MS, lambda: queue_page(engine, limit=50)),
        "queue: headline counts": (QUERY_MS, lambda: queue_counts(engine)),
        "queue: filtered page (source, aspect, own brand)": (
            QUERY_MS,
            search(sources=("trustpilot",), aspects=("delivery",), brand="own"),
        ),
        "queue: filtered page (unassigned, sorted by due)": (
            QUERY_MS,
            search(assignees=("",), sort="due"),
        ),
        "queue: 3rd page": (QUERY_MS, lambda: queue_page(engine, limit=50, offset=100)),
        "queue: everything (incl. closed), by priority": (QUERY_MS, search(statuses=everything)),
        "queue: everything, newest first": (QUERY_MS, search(statuses=everything, sort="newest")),
        "health: mention KPIs (30 days)": (QUERY_MS, lambda: mention_kpis(engine, last30)),
        "health: mention KPIs (the 30 days before)": (
            QUERY_MS,
            lambda: mention_kpis(engine, last30.previous),
        ),
        "health: case KPIs (30 days)": (QUERY_MS, lambda: case_kpis(engine, last30)),
        "health: case KPIs (the 30 days before)": (
            QUERY_MS,
            lambda: case_kpis(engine, last30.previous),
        ),
        "health: daily trend (30 + 14 baseline days)": (
            QUERY_MS,
            lambda: daily(
                engine, Period(last30.start - (last30.end - last30.start) * 14 / 30, last30.end)
            ),
        ),
        "health: complaint themes (30 days)": (QUERY_MS, lambda: complaint_themes(engine, last30)),
        "search: open cases 'refund'": (SEARCH_MS, search(text="refund")),
        'search: open cases "never arrived"': (SEARCH_MS, search(text='"never arrived"')),
        "search: closed too, 'grinder broke'": (
            SEARCH_MS,
            search(text="grinder broke", statuses=everything),
        ),
        "search: closed too, 'lw-100042' (rare)": (
            SEARCH_MS,
            search(text="lw-100042", statuses=everything),
        ),
        "search: closed too, 'deliv*' (prefix)": (
            SEARCH_MS,
            search(text="deliv*", statuses=everything),
        ),
        "search: newest 50 mentions 'refund'": (SEARCH_MS, newest("refund")),
        "search: newest 50 mentions 'roastery'": (SEARCH_MS, newest("roastery")),
    }


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``call`` in milliseconds (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def explain(engine: Engine, call: Callable[[], Any]) -> list[str]:
    """``EXPLAIN ANALYZE`` of every statement one call sends."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    plans = []
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for statement, parameters in seen:
            with raw.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def ingest_rows(n: int, prefix: str) -> list[dict[str, Any]]:
    """``n`` new mentions as a crawl hands them to the upsert."""
    now = datetime.now(UTC)
    return [
        {
            "source": prefix, "source_type": "schemaorg", "external_id": f"{prefix}-{i}",
            "url": f"https://{prefix}.example/{i}", "author": "Priya Natarajan",
            "text": f"My box never arrived and the courier tracking page never updated. #{i}",
            "rating": 1.0, "published_at": now, "fetched_at": now, "updated_at": now,
            "language": "en", "reach": i % 500, "metrics": {}, "brand": BRAND,
            "is_competitor": False, "raw": {},
            "content_hash": hashlib.sha256(f"{prefix}-{i}".encode()).hexdigest(),
            "sentiment": -0.6, "label": "negative", "complaint": True, "complaint_score": 0.8,
            "aspects": ["delivery"], "cues": [], "analyser_version": "bench",
            "needs_attention": True, "published_estimated": False,
        }
        for i in range(n)
    ]  # fmt: skip


def ingest(engine: Engine, n: int) -> tuple[float, float]:
    """Rows per second through ``upsert_mentions`` and through a raw ``COPY`` (same rows,
    same batches of :data:`INGEST_BATCH`, a transaction each)."""
    rows = ingest_rows(n, "ingest-upsert")
    started = time.perf_counter()
    for start in range(0, n, INGEST_BATCH):
        upsert_mentions(engine, rows[start : start + INGEST_BATCH])
    upsert_s = time.perf_counter() - started
    copy_rows = ingest_rows(n, "ingest-copy")
    started = time.perf_counter()
    for start in range(0, n, INGEST_BATCH):
        _copy(engine, copy_rows[start : start + INGEST_BATCH])
    copy_s = time.perf_counter() - started
    return n / upsert_s, n / copy_s


def _copy(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """One ``COPY`` of ``rows`` in its own transaction.

    In batches like the upsert's: one transaction of 100,000 rows of the same day updates
    that day's rollup row 100,000 times, and PostgreSQL walks the row's ever longer chain of
    versions on each update (minutes, quadratic) — a bulk load drops the rollup triggers.
    """
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            columns = ", ".join(COPY_COLUMNS)
            with cursor.copy(f"COPY mention ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(row[c]) if c in ("metrics", "raw", "aspects", "cues")
                            else row[c]
                            for c in COPY_COLUMNS
                        ]
                    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--ingest", type=int, default=100_000)
    parser.add_argument("--neglect", type=float, default=0.005)
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL printed)")
    parser.add_argument("--reuse", help="time an existing database (a URL) instead of filling")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument("--no-queries", action="store_true", help="only the ingest")
    args = parser.parse_args()

    admin_url = make_url(args.server).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"grapevine_bench_{uuid.uuid4().hex[:8]}"
    if args.reuse:
        url = args.reuse
    else:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        if not args.reuse:
            upgrade(engine)
            print(f"filling {name} with {args.rows:,} mentions …")
            seconds = fill(engine, args.rows, neglect=args.neglect)
            print("  " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            counts = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM mention), (SELECT count(*) FROM triage_case), "
                    "(SELECT count(*) FROM triage_case WHERE status IN "
                    "('new', 'in_progress', 'waiting_on_customer'))"
                )
            ).one()
        print(
            f"{counts[0]:,} mentions, {counts[1]:,} cases ({counts[2]:,} open); "
            f"database {int(size or 0) / 1e9:.1f} GB"
        )
        print()
        print(f"| query (PostgreSQL, {counts[0]:,} mentions) | median ms | target | met |")
        print("| --- | ---: | ---: | :---: |")
        for label, (budget, call) in ({} if args.no_queries else queries(engine)).items():
            ms = median_ms(call, args.repeat)
            print(f"| {label} | {ms:.1f} | ≤ {budget:.0f} | {'yes' if ms <= budget else 'NO'} |")
            if args.explain:
                for plan in explain(engine, call):
                    print(plan, file=sys.stderr)
                    print("-" * 40, file=sys.stderr)
        if args.ingest:
            upsert_rate, copy_rate = ingest(engine, args.ingest)
            print()
            print(f"| ingest of {args.ingest:,} new mentions | rows/s | vs COPY |")
            print("| --- | ---: | ---: |")
            print(
                f"| raw COPY, batches of {INGEST_BATCH} (same table, indexes and triggers) "
                f"| {copy_rate:,.0f} | 1.00 |"
            )
            print(
                f"| storage.mentions.upsert_mentions, batches of {INGEST_BATCH} | "
                f"{upsert_rate:,.0f} | {upsert_rate / copy_rate:.2f} |"
            )
    finally:
        engine.dispose()
        if args.keep or args.reuse:
            print(f"kept: {url}" if not args.reuse else "")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
