"""Reading a CRM export (CSV) into customers, for ``grapevine customers import`` and the demo.

Columns, any order, any case (only ``id`` is required):

* ``id`` (or ``external_id``, ``customer_id``): the CRM's id, the key of the upsert;
* ``name``, ``email``, ``phone``, ``tier``, ``lifetime_value`` (a number; ``£1,840.50`` is
  fine), ``orders`` (order numbers separated by ``;``, ``,`` or spaces);
* one column per platform holding the customer's handle there: ``twitter``, ``x``, ``reddit``,
  ``trustpilot``, ``appstore``, ``mastodon``, ``bluesky``, ``hackernews``, ``instagram``,
  ``facebook``, ``tiktok``, ``youtube``, ``threads``, ``linkedin``, ``google``, ``yelp``,
  ``tripadvisor``, or any column named ``<platform>_handle``;
* every other column is kept in the customer's ``extra``.

A bad file or row stops the import before anything is written, with one line naming the file,
the row and the column (:class:`CustomerFileError`).
"""

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from triage.customers import UpsertResult, upsert_customers

ID_COLUMNS = ("id", "external_id", "customer_id")
PLATFORMS = (
    "twitter",
    "x",
    "reddit",
    "trustpilot",
    "appstore",
    "mastodon",
    "bluesky",
    "hackernews",
    "instagram",
    "facebook",
    "tiktok",
    "youtube",
    "threads",
    "linkedin",
    "google",
    "yelp",
    "tripadvisor",
)
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_ORDER_SPLIT = re.compile(r"[;,\s]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CustomerFileError(ValueError):
    """A CRM export that cannot be imported; the message names the file, row and column."""


def _number(value: str) -> float:
    cleaned = value.strip().lstrip("£$€").replace(",", "").replace("_", "")
    if not _NUMBER.match(cleaned):
        raise ValueError(value)
    return float(cleaned)


def _platform(column: str) -> str | None:
    if column in PLATFORMS:
        return "twitter" if column == "x" else column
    for suffix in ("_handle", " handle"):
        if column.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)].strip()
    return None


def read_customers(path: Path) -> list[dict[str, Any]]:
    """The customers in a CSV file, validated; raises :class:`CustomerFileError`."""
    name = str(path)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise CustomerFileError(f"{name}: cannot read the file ({exc.strerror})") from None
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise CustomerFileError(f"{name}: the file is empty (expected a header row)")
            columns = [h.strip().lower() for h in header]
            id_column = next((c for c in ID_COLUMNS if c in columns), None)
            if id_column is None:
                raise CustomerFileError(
                    f"{name}: row 1: no id column (expected one of {', '.join(ID_COLUMNS)}; "
                    f"got {', '.join(columns)})"
                )
            rows: dict[str, dict[str, Any]] = {}
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                if len(values) > len(columns):
                    raise CustomerFileError(
                        f"{name}: row {number}: {len(values)} values for {len(columns)} columns"
                    )
                record = dict(zip(columns, (v.strip() for v in values), strict=False))
                customer = _customer(record, id_column, name, number)
                rows[customer["external_id"]] = customer
        except UnicodeDecodeError as exc:
            raise CustomerFileError(
                f"{name}: not UTF-8 text (byte {exc.start}); save the export as UTF-8 CSV"
            ) from None
        except csv.Error as exc:
            raise CustomerFileError(f"{name}: row {reader.line_num}: {exc}") from None
    return list(rows.values())


def _customer(record: dict[str, str], id_column: str, name: str, number: int) -> dict[str, Any]:
    def bad(column: str, expected: str) -> CustomerFileError:
        return CustomerFileError(
            f"{name}: row {number}, column {column}: expected {expected} "
            f"(got {record.get(column, '')!r})"
        )

    external_id = record.get(id_column, "")
    if not external_id:
        raise bad(id_column, "a customer id")
    customer: dict[str, Any] = {"external_id": external_id, "handles": {}, "extra": {}}
    for column, value in record.items():
        if column == id_column or column in ID_COLUMNS:
            continue
        if column in ("name", "tier"):
            customer[column] = value or None
        elif column == "email":
            if value and not _EMAIL.match(value):
                raise bad(column, "an email address")
            customer["email"] = value.lower() or None
        elif column == "phone":
            if value and sum(ch.isdigit() for ch in value) < 6:
                raise bad(column, "a phone number")
            customer["phone"] = value or None
        elif column in ("lifetime_value", "ltv", "value"):
            try:
                customer["lifetime_value"] = _number(value) if value else None
            except ValueError:
                raise bad(column, "a number") from None
        elif column in ("orders", "order_numbers"):
            customer["orders"] = [o for o in _ORDER_SPLIT.split(value) if o]
        elif (platform := _platform(column)) is not None:
            if value:
                customer["handles"][platform] = value
        elif value:
            customer["extra"][column] = value
    return customer


def import_customers_file(
    engine: Engine, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> UpsertResult:
    """Read and upsert a CRM export; ``progress(done, total)`` after each batch."""
    rows = read_customers(path)
    total = len(rows)
    return upsert_customers(
        engine, rows, progress=(lambda done: progress(done, total)) if progress else None
    )
