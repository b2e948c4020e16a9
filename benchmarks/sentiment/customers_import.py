"""``grapevine customers import`` on a generated CRM export of 100,000 customers.

    .venv/bin/python benchmarks/sentiment/customers_import.py [ROWS] [DATABASE_URL]

Writes a CSV (id, name, email, phone, twitter, reddit, tier, lifetime_value, orders, city),
imports it into a fresh SQLite file (or the PostgreSQL database named, which must be empty
and is upgraded first), then imports it again (every row an update). The baseline, in the
same run: inserting the same rows one ORM object at a time through a session. Prints a
Markdown table.
"""

import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import Session  # noqa: E402

from grapevine.customers import import_customers_file, read_customers  # noqa: E402
from storage import make_engine, upgrade  # noqa: E402
from storage.models import Customer  # noqa: E402


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(3)
    tiers = ["bronze", "silver", "gold", "vip", ""]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "id",
                "name",
                "email",
                "phone",
                "twitter",
                "reddit",
                "tier",
                "lifetime_value",
                "orders",
                "city",
            ]
        )
        for i in range(rows):
            out.writerow(
                [
                    f"C-{i}",
                    f"Customer {i}",
                    f"c{i}@example.com",
                    f"+44 7{i:09d}",
                    f"@c{i}",
                    f"c_{i}",
                    rng.choice(tiers),
                    f"{rng.uniform(0, 5000):.2f}",
                    f"LW-{i:07d};LW-{i + rows:07d}",
                    "London",
                ]
            )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crm.csv"
        write_csv(path, rows)
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tmp) / 'g.db'}"
        engine = make_engine(url)
        upgrade(engine)
        start = time.perf_counter()
        first = import_customers_file(engine, path)
        created = time.perf_counter() - start
        start = time.perf_counter()
        again = import_customers_file(engine, path)
        updated = time.perf_counter() - start
        baseline_rows = read_customers(path)[:5000]
        other = make_engine(f"sqlite:///{Path(tmp) / 'orm.db'}")
        upgrade(other)
        start = time.perf_counter()
        with Session(other) as session:
            for row in baseline_rows:
                session.add(Customer(**row))
                session.commit()
        orm = (time.perf_counter() - start) / len(baseline_rows) * rows
    print(f"| {rows:,} customers, {engine.dialect.name} | seconds |")
    print("| --- | --- |")
    print(f"| import (all new: {first.created:,} created) | {created:.1f} |")
    print(f"| import again (all updates: {again.updated:,} updated) | {updated:.1f} |")
    print(f"| baseline: one ORM insert and commit per row (extrapolated from 5,000) | {orm:.0f} |")


if __name__ == "__main__":
    main()
