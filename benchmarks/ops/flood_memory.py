"""How much memory opening cases takes when one source floods (flood control, issue 9).

Seeds N mentions needing attention from one source (default 50,000) in a fresh SQLite
database, then, each in its own fresh process on its own copy of that database, measures:

* ``cap 200``: ``open_new_cases`` with the default ``max_new_cases_per_source`` (reads in
  batches, keeps the best 200 in a heap, opens 200);
* ``no cap``: the same with 0 (opens all N, in batches of 1,000);
* ``all rows at once``: only the read the case opening did before flood control (the same
  eight columns of every candidate row in one list, before any case is written), as the
  baseline.

Reported: the Python allocation peak (tracemalloc) during the step, the process's peak RSS
after it (ru_maxrss, which includes the interpreter and the imported packages) and the time.

Usage: python benchmarks/ops/flood_memory.py [--mentions 50000]
"""

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import and_, select  # noqa: E402
from sqlmodel import col  # noqa: E402

from storage import make_engine, upgrade  # noqa: E402
from storage.mentions import upsert_mentions  # noqa: E402
from storage.models import Customer, Mention  # noqa: E402
from storage.opening import candidate_conditions, confirmed_customer_field  # noqa: E402
from triage import opening  # noqa: E402
from triage.policy import TriagePolicy  # noqa: E402

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def seed(url: str, n: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    chunk = []
    for i in range(n):
        chunk.append(
            {
                "source": "news-alerts",
                "source_type": "feed",
                "external_id": f"n{i}",
                "url": f"https://news.example/a/{i}",
                "author": f"Writer {i % 900}",
                "title": f"Acme in the news {i}",
                "text": f"Acme refund still not here, story {i} " + "lorem ipsum " * 20,
                "content_hash": f"h{i}",
                "needs_attention": True,
                "sentiment": -((i * 37) % 100) / 100,
                "label": "negative",
                "complaint": True,
                "complaint_score": 0.5 + (i % 50) / 100,
                "aspects": ["billing"],
                "rating": None,
                "reach": i % 5000,
                "brand": "Acme",
                "published_at": NOW - timedelta(minutes=i % 1440),
                "fetched_at": NOW,
            }
        )
        if len(chunk) == 2000:
            upsert_mentions(engine, chunk)
            chunk = []
    if chunk:
        upsert_mentions(engine, chunk)
    engine.dispose()


def measure(url: str, mode: str) -> dict[str, float]:
    engine = make_engine(url)
    tracemalloc.start()
    started = time.perf_counter()
    if mode == "all":
        conditions = candidate_conditions(competitor_cases=TriagePolicy().competitor_cases)
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    col(Mention.id),
                    col(Mention.sentiment),
                    col(Mention.complaint_score),
                    col(Mention.rating),
                    col(Mention.reach),
                    col(Mention.published_at),
                    confirmed_customer_field(column=Customer.lifetime_value).label("ltv"),
                    confirmed_customer_field(column=Customer.tier).label("tier"),
                ).where(and_(*conditions))
            ).all()
        opened = 0
        assert rows
    else:
        cap = 200 if mode == "cap" else 0
        report = opening.open_new_cases(engine, TriagePolicy(max_new_cases_per_source=cap), now=NOW)
        opened = len(report.opened)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"opened": opened, "peak_mb": peak / 2**20, "rss_mb": rss, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=50_000)
    parser.add_argument("--measure", choices=["cap", "nocap", "all"])
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.url, args.measure)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "seed.db"
        started = time.perf_counter()
        seed(f"sqlite:///{base}", args.mentions)
        print(f"seeded {args.mentions:,} mentions in {time.perf_counter() - started:.1f} s")
        print("| step | cases opened | Python peak (MB) | peak RSS (MB) | seconds |")
        print("| --- | ---: | ---: | ---: | ---: |")
        names = {"cap": "cap 200", "nocap": "no cap", "all": "all rows at once (old read)"}
        for mode in ("cap", "nocap", "all"):
            copy = Path(tmp) / f"{mode}.db"
            shutil.copy(base, copy)
            out = subprocess.run(
                [sys.executable, __file__, "--measure", mode, "--url", f"sqlite:///{copy}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"| {names[mode]} | {r['opened']:,} | {r['peak_mb']:.1f} | {r['rss_mb']:.0f} "
                f"| {r['seconds']:.1f} |"
            )


if __name__ == "__main__":
    main()
