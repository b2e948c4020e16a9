"""Throughput of ``grapevine score`` on a 50,000-line JSONL input, start-up included.

    .venv/bin/python benchmarks/sentiment/score_throughput.py [LINES]

The input is generated (review-like sentences combined at random, seeded, 1–3 sentences a
line, a star rating on a third of them), written to a temporary file and piped through the
real console script, as a marketer would run it. In the same run, as the baseline: vanilla
VADER over the same lines in one process (read JSON, score, write JSON), and
``grapevine score --workers 1``. Prints a Markdown table: texts per second (wall clock) and
the CPU time each run used (user + system, its child processes included), with its ratio to
VADER's — the figure that stays meaningful on a busy machine.
"""

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "grapevine"

OPENINGS = [
    "Ordered the starter kit last week.",
    "Been a customer for two years now.",
    "Second order this month.",
    "Bought this as a gift for my dad.",
    "Tried the new app for the first time.",
    "Called support this morning.",
]
MIDDLES = [
    "The coffee is fresh and the delivery was quick.",
    "Still waiting for my refund, three weeks now.",
    "The parcel never arrived and nobody answers the phone.",
    "Lovely staff, friendly and helpful.",
    "I was charged twice for the same box.",
    "The grinder stopped working after eight days.",
    "Good value for the price, would order again.",
    "The app keeps logging me out when I try to skip a delivery.",
    "Delivery took nine days and the tracking page never updated.",
    "Beans were stale and the bag arrived split open.",
    "Customer care sorted it within an hour, great service.",
    "Not what I ordered, and the return label link is broken.",
]
CLOSINGS = ["", "Thanks!", "Would not go back.", "Highly recommend.", "Why is this so hard?"]


def make_input(path: Path, lines: int) -> None:
    rng = random.Random(42)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(lines):
            parts = [rng.choice(OPENINGS)] if rng.random() < 0.5 else []
            parts += rng.sample(MIDDLES, rng.randint(1, 2))
            parts.append(rng.choice(CLOSINGS))
            record: dict[str, object] = {"id": i, "text": " ".join(p for p in parts if p)}
            if rng.random() < 0.33:
                record["rating"] = rng.randint(1, 5)
            out.write(json.dumps(record) + "\n")


def vader_baseline(path: Path, lines: int) -> tuple[float, float]:
    code = (
        "import json,sys\n"
        "from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer\n"
        "a=SentimentIntensityAnalyzer()\n"
        "w=sys.stdout.write\n"
        "for line in sys.stdin:\n"
        "    r=json.loads(line)\n"
        "    w(json.dumps({'id':r['id'],'sentiment':a.polarity_scores(r['text'])['compound']})"
        "+'\\n')\n"
    )
    return timed([sys.executable, "-c", code], path, lines)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], path: Path, lines: int) -> tuple[float, float]:
    """Texts per second (wall clock) and CPU seconds of one run of ``cmd``."""
    with open(path, "rb") as stdin, open(os.devnull, "wb") as stdout:
        cpu = _cpu()
        start = time.perf_counter()
        subprocess.run(cmd, stdin=stdin, stdout=stdout, check=True, cwd=tempfile.gettempdir())
        return lines / (time.perf_counter() - start), _cpu() - cpu


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reviews.jsonl"
        make_input(path, lines)
        rows = [
            ("vanilla VADER, one process (baseline)", vader_baseline(path, lines)),
            (
                "grapevine score --workers 1",
                timed([str(SCRIPT), "score", "--workers", "1"], path, lines),
            ),
            (
                f"grapevine score (every core: {os.cpu_count()})",
                timed([str(SCRIPT), "score"], path, lines),
            ),
        ]
    base_cpu = rows[0][1][1]
    print(f"| {lines:,} JSONL lines, start-up included | texts / s | CPU s | CPU / VADER |")
    print("| --- | --- | --- | --- |")
    for name, (rate, cpu) in rows:
        print(f"| {name} | {rate:,.0f} | {cpu:.1f} | {cpu / base_cpu:.2f}x |")


if __name__ == "__main__":
    main()
