"""Crawl benchmark: pages per second with the full pipeline against the same spiders bare.

    .venv/bin/python benchmarks/crawl/bench.py            # about 2,400 pages, one round
    .venv/bin/python benchmarks/crawl/bench.py --rounds 3 --scale 2

Serves the local site of :mod:`site` (every source shape, >= 2,000 pages) and crawls all of it
with the real spiders in one process per measurement (a Twisted reactor runs once per
process), twice per round: once with no item pipelines (the baseline) and once with the full
pipeline (normalise, brand matching, sentiment analysis, batched upserts into a fresh SQLite
database). Resident memory is sampled every 0.25 s during each crawl. Prints a Markdown table;
the ratio is full / bare pages per second (target >= 0.8).
"""

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_pages import SiteServer, build  # noqa: E402

BRANDS = [{"name": "Larkwood", "terms": ["Larkwood"], "exclusions": [], "is_competitor": False}]


def _rss_mb(pid: int | str = "self") -> float:
    """Private (anonymous) resident memory: what a leak would grow. The worker maps the
    SQLite file (``mmap_size``), so its file-backed RSS follows the database's size; those
    pages are the OS's cache, not the process's memory."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def _children() -> list[str]:
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return children.read().split()
    except OSError:
        return []


def _rss_total_mb() -> float:
    """The crawl process and its analysis worker(s)."""
    return _rss_mb() + sum(_rss_mb(child) for child in _children())


def _child(queue: Any, sources: list[dict[str, Any]], settings: dict[str, Any]) -> None:
    from crawler import analysis_pool
    from crawler.runner import run_sources

    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    start = time.perf_counter()

    def sample() -> None:
        while not stop.is_set():
            samples.append((time.perf_counter() - start, _rss_total_mb()))
            stop.wait(0.25)

    if settings.get("GRAPEVINE_DATABASE_URL"):
        from storage import make_engine, upgrade

        upgrade(make_engine(settings["GRAPEVINE_DATABASE_URL"]))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    cpu_start = time.process_time()
    results = run_sources(sources, settings, progress_interval=0, install_root_handler=False)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker, joined by now
    stop.set()
    sampler.join()
    queue.put(
        {
            "seconds": seconds,
            "pages": sum(r.pages for r in results),
            "items": sum(r.items_scraped for r in results),
            "stored": sum(r.items_new for r in results),
            "failed": [(r.name, r.error) for r in results if r.status != "ok"],
            "offloaded": analysis_pool.submitted,
            "cpu": cpu,
            "worker_cpu": children.ru_utime + children.ru_stime,
            "rss": samples,
        }
    )


def measure(sources: list[dict[str, Any]], settings: dict[str, Any]) -> dict[str, Any]:
    """One crawl in a fresh child process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, sources, settings))
    proc.start()
    result = queue.get(timeout=1800)
    proc.join(timeout=60)
    return result


def rss_profile(samples: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """RSS (MB) at 25 %, 50 % and 100 % of the crawl, and its peak."""
    values = [rss for _, rss in samples] or [0.0]

    def at(share: float) -> float:
        return values[min(len(values) - 1, int(share * (len(values) - 1)))]

    return at(0.25), at(0.5), values[-1], max(values)


def main() -> None:
    """Build the site, crawl it bare and with the full pipeline, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="site size (1: about 2,400 pages)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per mode")
    parser.add_argument(
        "--workers", type=int, default=None, help="analysis worker processes (default: auto)"
    )
    args = parser.parse_args()

    site = build(scale=args.scale)
    common = {
        "LOG_LEVEL": "ERROR",
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "GRAPEVINE_BRANDS": BRANDS,
    }
    if args.workers is not None:
        common["GRAPEVINE_ANALYSIS_WORKERS"] = args.workers
    rows: dict[str, list[dict[str, Any]]] = {"bare": [], "full": []}
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        sources = []
        for spec in site.sources:
            spec = {**spec, "base_url": server.base_url, "max_pages": 1000}
            if "urls" in spec:
                spec["urls"] = [server.base_url + u for u in spec["urls"]]
            sources.append(spec)
        for round_no in range(args.rounds):
            rows["bare"].append(measure(sources, {**common, "ITEM_PIPELINES": {}}))
            db = f"sqlite:///{tmp}/bench-{round_no}.db"
            rows["full"].append(measure(sources, {**common, "GRAPEVINE_DATABASE_URL": db}))

    def pps(run: dict[str, Any]) -> float:
        return run["pages"] / run["seconds"]

    print(f"site: {len(site.pages):,} pages in {len(site.sources)} sources (8 source types)")
    print(
        f"rounds: {args.rounds} (bare and full alternate); "
        f"load average now {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| mode | pages | items stored | seconds (median) | pages/s (median) | "
        "crawl CPU s | worker CPU s | private RSS 25% / 50% / end / peak (MB) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    medians = {}
    for mode, runs in rows.items():
        mid = sorted(runs, key=pps)[len(runs) // 2]
        medians[mode] = statistics.median(pps(r) for r in runs)
        q1, q2, end, peak = rss_profile(mid["rss"])
        label = "bare spiders (no pipelines)" if mode == "bare" else "full pipeline"
        print(
            f"| {label} | {mid['pages']:,} | {mid['stored']:,} | "
            f"{statistics.median(r['seconds'] for r in runs):.1f} | {medians[mode]:.0f} | "
            f"{statistics.median(r['cpu'] for r in runs):.1f} | "
            f"{statistics.median(r['worker_cpu'] for r in runs):.1f} | "
            f"{q1:.0f} / {q2:.0f} / {end:.0f} / {peak:.0f} |"
        )
        for name, error in mid["failed"]:
            print(f"  ! {mode}: {name} {error}", file=sys.stderr)
    full, bare = rows["full"][0], rows["bare"][0]
    print(
        f"\nitems scraped: bare {bare['items']:,}, full {full['items']:,} (brand matching drops "
        f"listing entries that name no brand); batches analysed and stored by the worker: "
        f"{full['offloaded']}"
    )
    print(
        "pages/s per round: "
        + ", ".join(
            f"bare {pps(b):.0f} / full {pps(f):.0f}"
            for b, f in zip(rows["bare"], rows["full"], strict=True)
        )
    )
    print(f"ratio full / bare (medians): {medians['full'] / medians['bare']:.2f} (target >= 0.8)")
    cpu_ratio = statistics.median(r["cpu"] for r in rows["bare"]) / statistics.median(
        r["cpu"] for r in rows["full"]
    )
    print(
        f"crawl-process CPU ratio bare / full: {cpu_ratio:.2f} (the ratio on an idle machine "
        "with a core for the worker)"
    )


if __name__ == "__main__":
    main()
