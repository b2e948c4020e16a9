"""Removing a forgotten person's records from the files Grapevine wrote (file-drop exports).

A file-drop target (``type = "file"``) appends one JSONL line or CSV row per case. To forget a
person, every record of one of their cases, or naming them, is removed: the file is written
again next to itself and swapped in (``os.replace``), so a reader sees the old file or the
new one, never half of one. A file that changed while it was read (an export appending) is
read again. ``grapevine forget`` holds the run and export locks meanwhile, so no export
appends to a file it is rewriting; the dashboard cannot take them, and an export that has
a file open at that very moment may write its next record to the replaced file. What went
to a webhook, an email address or a helpdesk cannot be
recalled from here; :mod:`storage.privacy` lists those targets from the ledger.
"""

import csv
import io
import json
import os
import re
from collections.abc import Collection
from pathlib import Path


def _drop(
    record: str, case_id: object, case_ids: Collection[int], pattern: re.Pattern[str]
) -> bool:
    try:
        if int(str(case_id)) in case_ids:
            return True
    except ValueError:
        pass
    return bool(pattern.search(record))


def _values(value: object) -> list[str]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _values(item)]
    if isinstance(value, list):
        return [v for item in value for v in _values(item)]
    return [] if value is None else [str(value)]


def remove_records(
    path: Path,
    *,
    fmt: str,
    case_ids: Collection[int],
    pattern: re.Pattern[str],
    dry_run: bool = False,
) -> int:
    """Remove the records of ``case_ids`` and those matching ``pattern``; how many went.

    A missing file holds nothing (0). ``fmt`` is ``jsonl`` or ``csv`` (its header stays).
    ``dry_run`` only counts them.
    """
    for _ in range(5):  # an export appended meanwhile: read it again
        if not path.exists():
            return 0
        before = path.stat()
        removed, data = _without(path.read_bytes(), fmt, case_ids, pattern)
        if not removed or dry_run:
            return removed
        temp = path.with_name(f".{path.name}.forget-tmp")
        with open(temp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        now = path.stat()
        if (now.st_size, now.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
            os.replace(temp, path)
            return removed
        temp.unlink()
    raise OSError(f"{path} kept changing while it was rewritten")


def _without(
    raw: bytes, fmt: str, case_ids: Collection[int], pattern: re.Pattern[str]
) -> tuple[int, bytes]:
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig", errors="replace")
    removed = 0
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            if (
                n > 0
                and row
                and _drop("\x1f".join(row), row[1] if len(row) > 1 else "", case_ids, pattern)
            ):
                removed += 1
                continue
            writer.writerow(row)
        new_text = out.getvalue()
    else:
        kept = []
        for line in text.splitlines(keepends=True):
            record, case_id = line, ""
            try:
                parsed = json.loads(line)
                case_id = parsed.get("case_id")
                record = "\x1f".join(_values(parsed))  # values only, never the keys
            except (ValueError, AttributeError):
                pass
            if line.strip() and _drop(record, case_id, case_ids, pattern):
                removed += 1
                continue
            kept.append(line)
        new_text = "".join(kept)
    data = new_text.encode("utf-8")
    return removed, (b"\xef\xbb\xbf" + data) if bom else data
