"""What forgetting costs: finding one person among N mentions, erasing them, and the
tombstone check the mention upsert now makes on every batch.

Usage: ``python benchmarks/privacy/forget_cost.py [N]`` (default 50,000 mentions, SQLite in
a temporary directory; ``GRAPEVINE_BENCH_URL`` for another database, emptied first).
"""

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from storage import make_engine, privacy, upgrade  # noqa: E402
from storage.mentions import upsert_mentions  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)


def rows(n: int, offset: int = 0) -> list[dict]:
    return [
        {
            "source": "toots",
            "source_type": "mastodon",
            "external_id": f"e{i}",
            "author": f"Author {i % 5000}",
            "author_handle": f"user{i % 5000}@social.example",
            "text": f"Order {i} arrived late again, mail me at user{i % 5000}@mail.example",
            "content_hash": f"h{i}",
            "label": "negative",
            "sentiment": -0.5,
            "published_at": START + timedelta(minutes=i),
        }
        for i in range(offset, offset + n)
    ]


def timed(label: str, func, *args, **kwargs):
    """Wall and CPU time (CPU is what counts on a shared machine: SQLite runs in-process)."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - t0:.3f} s wall, {time.process_time() - c0:.3f} s CPU")
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    tmp = tempfile.mkdtemp()
    url = os.environ.get("GRAPEVINE_BENCH_URL") or f"sqlite:///{tmp}/bench.db"
    engine = make_engine(url)
    upgrade(engine)
    t0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, n, 2000):
        upsert_mentions(engine, rows(min(2000, n - start), start))
    base, base_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{n:,} mentions stored in {base:.1f} s wall, {base_cpu:.1f} s CPU")
    with engine.connect() as conn:
        timed(
            "find_person(author) among all",
            privacy.find_person,
            conn,
            author=("mastodon", "user42@social.example"),
        )
        timed(
            "find_person(email in the text)", privacy.find_person, conn, email="user42@mail.example"
        )
    with engine.begin() as conn:
        counts = timed("forget_person (erase + tombstones + audit)", privacy.forget_person, conn,
                       actor="bench", author=("mastodon", "user42@social.example"))[1]  # fmt: skip
    print(f"  erased: {counts}")
    with engine.begin() as conn:  # a thousand forgotten people
        for k in range(1000, 2000):
            privacy.erase(conn, privacy.Person(handles=[("mastodon", f"nobody{k}")]))
    batch = rows(2000, n)  # a crawl's batch of new mentions
    with engine.connect() as conn:
        t0 = time.process_time()
        for _ in range(50):
            skipped = privacy.tombstoned(conn, batch)
        per_batch = (time.process_time() - t0) / 50
    print(f"tombstone check, {privacy.tombstone_count(engine.connect()):,} tombstones: "
          f"{per_batch * 1000:.1f} ms CPU per batch of 2,000 ({per_batch / 2000 * 1e6:.1f} µs "
          f"a row; the upsert itself: {base_cpu / n * 1e6:.0f} µs a row); "
          f"{len(skipped)} of the batch skipped")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
