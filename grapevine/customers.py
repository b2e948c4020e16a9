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
the line and the column (:class:`CustomerFileError`); see :func:`read_customers`.
"""

import csv
import os
import re
from collections.abc import Callable, Iterator
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
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|\Z)")
_ORDER_SPLIT = re.compile(r"[;,\s]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: An import is validated whole, in memory, before anything is written (one transaction):
#: 100 MiB is about a million customers, and reading it peaks near 1.5 GB (measured: a 21 MiB
#: export of 200,000 customers peaks at 363 MB). Bigger exports go in parts: rows are upserted
#: on their id, so parts can come in any order.
MAX_FILE_BYTES = 100 * 2**20
#: No customer field (a name, an address, a list of orders) is longer; a longer cell is a
#: quote that swallowed the rest of the file, or not a CRM export at all.
MAX_FIELD_CHARS = 64 * 1024


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


def _lines(data: bytes, name: str, position: list[int]) -> Iterator[str]:
    """The file's lines decoded one by one, so a bad byte is reported with its line.

    ``position[0]`` is the number of the line last handed to the CSV reader. Lines end in
    ``\\r\\n``, ``\\n`` or a lone ``\\r`` (Excel for Mac's "CSV (Macintosh)"); UTF-8 never has
    either byte inside a character, so splitting the bytes first is safe.
    """
    lines = (m.group() for m in _LINE.finditer(data) if m.group())
    for number, raw in enumerate(lines, start=1):
        position[0] = number
        if len(raw) > MAX_FIELD_CHARS * 4:
            raise CustomerFileError(
                f"{name}: line {number}: longer than {MAX_FIELD_CHARS * 4:,} bytes; "
                "is this a CRM export?"
            )
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise CustomerFileError(
                f"{name}: line {number}: byte {raw[exc.start]:#04x} at column {exc.start + 1} "
                "is not UTF-8; save the export as UTF-8 CSV"
            ) from None
        if "\x00" in line:
            raise CustomerFileError(
                f"{name}: line {number}: a NUL byte (column {line.index(chr(0)) + 1}); "
                "this is not a text CSV file"
            )
        yield line


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint in the words of someone who edits spreadsheets."""
    text = str(exc)
    if "unexpected end of data" in text:
        return "a quote opened here is never closed"
    if "expected after" in text:
        return 'text after a closing quote (a quote inside a quoted cell is written "")'
    if "field larger" in text:
        return f"a cell longer than {MAX_FIELD_CHARS:,} characters (a quote never closed?)"
    return text


def read_customers(path: Path) -> list[dict[str, Any]]:
    """The customers in a CSV file, validated; raises :class:`CustomerFileError`.

    The whole file is read and checked before anything is written, strictly: a quote that is
    never closed (which would otherwise swallow the rest of the file into one cell), text
    after a closing quote, a row with more values than the header, a NUL byte or a byte that
    is not UTF-8 stops the import with the line it is on. Files are at most
    :data:`MAX_FILE_BYTES` and cells :data:`MAX_FIELD_CHARS`. Cell text is kept exactly as
    written: a cell like ``=HYPERLINK(...)`` is a name, never a formula (file targets prefix
    such cells with ``'`` when they write CSV).
    """
    name = str(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise CustomerFileError(
                    f"{name}: {size / 2**20:,.0f} MiB is more than the "
                    f"{MAX_FILE_BYTES // 2**20} MiB an import may be; split it (rows are matched "
                    "on id, so the parts can come in any order)"
                )
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CustomerFileError(f"{name}: cannot read the file ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:  # grew while we looked
        raise CustomerFileError(f"{name}: more than {MAX_FILE_BYTES // 2**20} MiB; split it")
    position = [0]  # the line the CSV reader has read up to
    reader = csv.reader(_lines(data, name, position), strict=True)
    start = 1  # the line the current record starts on
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise CustomerFileError(f"{name}: the file is empty (expected a header row)")
        columns = [h.strip().lower() for h in header]
        id_column = next((c for c in ID_COLUMNS if c in columns), None)
        if id_column is None:
            raise CustomerFileError(
                f"{name}: line 1: no id column (expected one of {', '.join(ID_COLUMNS)}; "
                f"got {', '.join(columns)})"
            )
        rows: dict[str, dict[str, Any]] = {}
        start = position[0] + 1
        for values in reader:
            number, start = start, position[0] + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                raise CustomerFileError(
                    f"{name}: line {number}: {len(values)} values for {len(columns)} "
                    "columns (a comma in a cell that is not quoted?)"
                )
            if max(map(len, values)) > MAX_FIELD_CHARS:
                raise CustomerFileError(
                    f"{name}: line {number}: {_csv_problem(csv.Error('field larger'))}"
                )
            record = dict(zip(columns, (v.strip() for v in values), strict=False))
            customer = _customer(record, id_column, name, number)
            rows[customer["external_id"]] = customer
    except csv.Error as exc:
        raise CustomerFileError(f"{name}: line {start}: {_csv_problem(exc)}") from None
    return list(rows.values())


def _customer(record: dict[str, str], id_column: str, name: str, number: int) -> dict[str, Any]:
    def bad(column: str, expected: str) -> CustomerFileError:
        return CustomerFileError(
            f"{name}: line {number}, column {column}: expected {expected} "
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
