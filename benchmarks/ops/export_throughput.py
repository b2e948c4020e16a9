"""How fast the support-queue export delivers, and what the exactly-once ledger costs.

Seeds N cases in a fresh SQLite database (or --database-url), then measures, in one run:

* ``file target (ledger)``: ``export_pending`` to a JSONL file target (claim, write + fsync,
  record, per case);
* ``file baseline``: the same payloads appended and fsynced per line, without the ledger;
* ``webhook target (ledger)``: ``export_pending`` to a local HTTP receiver;
* ``webhook baseline``: the same payloads POSTed with one requests.Session, without the ledger.

Usage: python benchmarks/ops/export_throughput.py [--cases 500] [--postgres-server URL]
(with a PostgreSQL server URL, a scratch database is created there and dropped afterwards).
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage import make_engine, upgrade  # noqa: E402
from storage.mentions import upsert_mentions  # noqa: E402
from storage.models import Export  # noqa: E402
from triage.export.payload import case_payload, load_records  # noqa: E402
from triage.export.run import export_pending  # noqa: E402
from triage.export.targets import FileTarget, WebhookTarget  # noqa: E402
from triage.opening import open_cases  # noqa: E402
from triage.policy import TriagePolicy  # noqa: E402


class Sink(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def seed(url: str, n: int) -> Any:
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    rows = [
        {
            "source": "reviews", "source_type": "schemaorg", "external_id": str(i),
            "url": f"https://reviews.example/{i}", "author": f"Author {i}",
            "text": "Still waiting for my refund, three weeks now. " * 4, "content_hash": str(i),
            "needs_attention": True, "sentiment": -0.6, "complaint": True, "rating": 2.0,
            "aspects": ["billing"], "published_at": now - timedelta(hours=1),
        }
        for i in range(n)
    ]  # fmt: skip
    upsert_mentions(engine, rows)
    open_cases(engine, TriagePolicy())
    return engine


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--postgres-server", help="e.g. postgresql://postgres@127.0.0.1/test")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gv-bench-"))
    if args.postgres_server:
        admin_url = make_url(args.postgres_server).set(drivername="postgresql+psycopg")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"grapevine_bench_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        try:
            run_all(url, folder, args.cases)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        run_all(f"sqlite:///{folder / 'bench.db'}", folder, args.cases)


def run_all(database_url: str, folder: Path, cases: int) -> None:
    """Seed, measure and print the table."""
    engine = seed(database_url, cases)
    with engine.connect() as conn:
        records = list(load_records(conn, range(1, cases + 1)).values())
    payloads = [case_payload(r, key=f"k{r.case_id}", case_url=None) for r in records]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    def file_baseline() -> None:
        with open(folder / "baseline.jsonl", "ab") as fh:
            for p in payloads:
                fh.write(json.dumps(p, ensure_ascii=False, sort_keys=True).encode() + b"\n")
                fh.flush()
                os.fsync(fh.fileno())

    def webhook_baseline() -> None:
        with requests.Session() as session:
            for p in payloads:
                session.post(url, data=json.dumps(p).encode(), timeout=10).close()

    def reset() -> None:
        with engine.begin() as conn:
            conn.execute(delete(Export))

    results = []
    for name, run in (
        ("file baseline (no ledger)", file_baseline),
        ("file target (ledger)", lambda: export_pending(engine, [FileTarget("f", folder / "f")])),
        ("webhook baseline (no ledger)", webhook_baseline),
        ("webhook target (ledger)", lambda: export_pending(engine, [WebhookTarget("w", url)])),
    ):  # fmt: skip
        reset()
        seconds = timed(run)
        results.append((name, seconds))
    server.shutdown()
    engine.dispose()
    print(f"{cases} cases, {engine.dialect.name}\n")
    print("| delivery | seconds | cases/s |")
    print("| --- | ---: | ---: |")
    for name, seconds in results:
        print(f"| {name} | {seconds:.2f} | {cases / seconds:.0f} |")


if __name__ == "__main__":
    main()
