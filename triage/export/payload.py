"""What a support-queue target receives about a case: the record, its payload, its key.

A :class:`CaseRecord` joins a case, its mention and the customer it is confirmed to be
linked to. :func:`case_payload` turns it into the JSON object every target type sends (the
webhook body, a JSONL line, a CSV row, the facts of an email). :func:`delivery_key` is the
idempotency key of one delivery: the same for every attempt of a ledger row, new for each
re-send requested by hand.

**Only http(s) links leave Grapevine.** A mention's URL comes from the source (a feed or a
page can say ``javascript:alert(1)`` or ``data:text/html,...``) and a helpdesk, a spreadsheet
or a mail client may turn it into a clickable link. :func:`safe_link` keeps an absolute
``http``/``https`` URL without spaces or control characters and gives ``None`` otherwise;
every link field of the payload (:data:`LINK_FIELDS`) goes through it, so webhook bodies,
JSONL lines, CSV rows and emails all carry the same cleaned value. When a link was refused,
``links_removed`` names the fields (so a receiver can tell "no link" from "a link we would
not pass on"); otherwise the key is absent.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from storage.case_records import case_rows, open_case_rows_without

#: A function giving the dashboard link of a case (``None`` when there is no dashboard URL).
CaseLink = Callable[[int], str | None]


@dataclass(frozen=True)
class CaseRecord:
    """A case with its mention and linked customer, as the export and the rules see it."""

    case_id: int
    status: str
    priority: float
    opened_at: datetime
    due_at: datetime | None
    assignee: str | None
    mention_id: int
    mention_url: str | None
    source: str
    source_type: str
    author: str | None
    author_handle: str | None
    title: str | None
    text: str
    rating: float | None
    sentiment: float | None
    label: str | None
    complaint: bool
    aspects: tuple[str, ...]
    published_at: datetime | None
    brand: str
    is_competitor: bool
    reach: int | None
    customer: dict[str, Any] | None = None


def _record(row: dict[str, Any]) -> CaseRecord:
    return CaseRecord(
        **{
            **row,
            "aspects": tuple(row["aspects"] or ()),
            "complaint": bool(row["complaint"]),
            "is_competitor": bool(row["is_competitor"]),
        }
    )


def load_records(conn: Connection, case_ids: Iterable[int]) -> dict[int, CaseRecord]:
    """The records of the given cases, by case id."""
    return {r.case_id: r for r in map(_record, case_rows(conn, case_ids=case_ids))}


def open_records_without(conn: Connection, target: str) -> list[CaseRecord]:
    """Open cases that have no ledger row for ``target`` yet, highest priority first."""
    return [_record(row) for row in open_case_rows_without(conn, target=target)]


def delivery_key(case_id: int, target: str, created_at: datetime, resends: int = 0) -> str:
    """The idempotency key of a ledger row's delivery (``case-12.helpdesk.20261120T0907``).

    The ledger row's creation time makes keys from a re-created database differ from the old
    ones (case ids start again at 1); each re-send by hand gets a new key (``.r1``, ``.r2``...).
    """
    key = f"case-{case_id}.{target}.{created_at:%Y%m%dT%H%M%S}"
    return f"{key}.r{resends}" if resends else key


#: The payload fields that hold a link a receiver may make clickable.
LINK_FIELDS = ("case_url", "mention_url")
_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\"`\\]")


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else ``None``."""
    if not url or _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def case_payload(record: CaseRecord, *, key: str, case_url: str | None) -> dict[str, Any]:
    """The JSON object a target receives for one case (links: http(s) only)."""
    payload = {
        "delivery_id": key,
        "case_id": record.case_id,
        "case_url": case_url,
        "status": record.status,
        "priority": round(record.priority, 4),
        "opened_at": _iso(record.opened_at),
        "due_at": _iso(record.due_at),
        "assignee": record.assignee,
        "mention_id": record.mention_id,
        "mention_url": record.mention_url,
        "source": record.source,
        "source_type": record.source_type,
        "published_at": _iso(record.published_at),
        "author": record.author,
        "author_handle": record.author_handle,
        "title": record.title,
        "text": record.text,
        "rating": record.rating,
        "sentiment": None if record.sentiment is None else round(record.sentiment, 4),
        "label": record.label,
        "complaint": record.complaint,
        "aspects": list(record.aspects),
        "brand": record.brand,
        "is_competitor": record.is_competitor,
        "reach": record.reach,
        "customer": record.customer,
    }
    links = {name: payload[name] for name in LINK_FIELDS}
    removed = [name for name, url in links.items() if url and safe_link(str(url)) is None]
    for name, url in links.items():
        payload[name] = safe_link(str(url)) if url else None
    if removed:
        payload["links_removed"] = removed
    return payload
