"""What cleaning rows before the write costs: ``upsert_mentions`` time vs ``clean_row`` time.

    python benchmarks/ops/upsert_clean.py [--rows 10000] [--url postgresql://...]

Writes ``--rows`` typical mentions (860 characters of non-ASCII text, nested ``raw``) into a
fresh SQLite file (or the given database) in batches of 200, as the crawl does, and times
:func:`storage.sanitise.clean_row` alone on the same rows.
"""

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from storage import make_engine, upgrade  # noqa: E402
from storage.mentions import _complete, upsert_mentions  # noqa: E402
from storage.sanitise import clean_row  # noqa: E402


def rows(n: int) -> list[dict[str, object]]:
    """``n`` typical mention rows."""
    now = datetime.now(UTC)
    return [
        {
            "source": "reviews",
            "source_type": "trustpilot",
            "external_id": str(i),
            "url": f"https://example.com/r/{i}",
            "author": "Ann Lee",
            "author_handle": "@ann",
            "title": "Late again",
            "text": "Still waiting for my refund, 3 weeks now — café. " * 17,
            "published_at": now,
            "metrics": {"likes": 3, "replies": 1},
            "raw": {"id": i, "nested": {"a": "b", "c": [1, 2, "x"]}},
            "reach": 5,
            "content_hash": f"h{i}",
        }
        for i in range(n)
    ]


def main() -> None:
    """Print µs per row for the whole upsert and for the cleaning in it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = make_engine(url)
    upgrade(engine)
    data = rows(args.rows)
    start = time.perf_counter()
    for i in range(0, len(data), 200):
        upsert_mentions(engine, data[i : i + 200])
    upsert = time.perf_counter() - start
    completed = [_complete(r) for r in data]
    start = time.perf_counter()
    for row in completed:
        clean_row(row)
    clean = time.perf_counter() - start
    per = 1e6 / len(data)
    print(
        f"{engine.dialect.name}: upsert {upsert * per:.0f} µs/row, of which cleaning "
        f"{clean * per:.1f} µs/row ({clean / upsert:.1%})"
    )


if __name__ == "__main__":
    main()
