"""Everything held about one person: find it, export it, erase it; tombstones for the crawl.

A person is named by a customer (CRM id), an email address, a phone number or an author
handle on a source. :func:`find_person` collects the ids of every row that is theirs:

- the customer rows (by CRM id, email or phone), their links and timeline events;
- the mentions they wrote: by their handle on a source (``SOURCE`` is a source's name or its
  type; on a source without handles, such as Trustpilot, the display name), linked to the
  customer (confirmed or suggested links), or containing their email address or phone
  number; with their earlier versions, links, events, replies and cases (and the cases'
  timelines, export ledger rows and helpdesk tickets);
- quarantined items holding their handle, email, phone or a forgotten mention's key;
- other rows that name them (case notes, alerts, saved views).

**Rollups stay as they were.** An erased mention is anonymised, not deleted: its text,
title, author, handle, URL, raw payload, metrics, cues, the company's reply and its content
hash are blanked and its external id replaced by a hash; its day, source, brand, sentiment,
label, rating and aspects stay. So ``mention_day`` and ``aspect_day`` (kept by triggers on
exactly those columns, :mod:`storage.rollups`) and the case statistics still count it, and
nothing has to be recomputed. Its earlier versions (``mention_revision``) are deleted. Cases
opened for it stay as anonymous counts: status, priority, assignee and timestamps kept;
dismissal reason, event messages and event data blanked. Other rows that name the person
have the name, email, phone or handle replaced by ``[erased]``.

:func:`erase` writes tombstones (SHA-256 hashes of the source and external id, and of the
source and handle — never the values) which :func:`tombstoned` checks for the mention upsert:
the next crawl does not bring the person back.
"""

import hashlib
import json
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, delete, func, insert, or_, select, update

from storage.models import (
    Alert,
    Case,
    CaseEvent,
    Customer,
    CustomerEvent,
    CustomerLink,
    Export,
    Mention,
    MentionRevision,
    QuarantinedItem,
    SavedView,
)
from storage.tables.helpdesk import HelpdeskTicket
from storage.tables.privacy import Tombstone
from storage.tables.replies import Reply
from storage.types import utcnow

MENTION = Mention.__table__  # type: ignore[attr-defined]
REVISION = MentionRevision.__table__  # type: ignore[attr-defined]
CUSTOMER = Customer.__table__  # type: ignore[attr-defined]
LINK = CustomerLink.__table__  # type: ignore[attr-defined]
CEVENT = CustomerEvent.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
EVENT = CaseEvent.__table__  # type: ignore[attr-defined]
EXPORT = Export.__table__  # type: ignore[attr-defined]
QUARANTINE = QuarantinedItem.__table__  # type: ignore[attr-defined]
ALERT = Alert.__table__  # type: ignore[attr-defined]
VIEW = SavedView.__table__  # type: ignore[attr-defined]
TOMBSTONE = Tombstone.__table__  # type: ignore[attr-defined]
REPLY = Reply.__table__  # type: ignore[attr-defined]
TICKET = HelpdeskTicket.__table__  # type: ignore[attr-defined]

#: What an erased mention's text says instead.
ERASED_TEXT = "(erased at the author's request)"
#: What replaces a person's name, email, phone or handle in a row that is kept.
ERASED = "[erased]"
#: Needles shorter than this are not searched for in other rows (they would match words).
MIN_NEEDLE = 4


def digest(value: str) -> str:
    """The SHA-256 hex digest a tombstone keeps (handles compared without ``@``, any case)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def handle_key(handle: str) -> str:
    """A handle as it is compared: without a leading ``@``, lower case, no spaces."""
    return handle.strip().lstrip("@").lower()


@dataclass
class Person:
    """Everything found about one person: row ids per table, and the strings that name them."""

    customer_ids: list[int] = field(default_factory=list)
    mention_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    link_ids: list[int] = field(default_factory=list)
    customer_event_ids: list[int] = field(default_factory=list)
    revision_ids: list[int] = field(default_factory=list)
    case_event_ids: list[int] = field(default_factory=list)
    export_ids: list[int] = field(default_factory=list)
    quarantine_ids: list[int] = field(default_factory=list)
    reply_ids: list[int] = field(default_factory=list)
    ticket_ids: list[int] = field(default_factory=list)
    #: Rows of other tables naming them: (table, id).
    naming: list[tuple[str, int]] = field(default_factory=list)
    #: (source or source type, handle) pairs to tombstone.
    handles: list[tuple[str, str]] = field(default_factory=list)
    #: Their name, email, phone and handles, as searched for in other rows.
    needles: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing at all was found."""
        return not (self.customer_ids or self.mention_ids or self.quarantine_ids or self.naming)

    def counts(self) -> dict[str, int]:
        """How many rows of each table the forget touches (tables with none left out)."""
        named: dict[str, int] = {}
        for table, _ in self.naming:
            named[f"{table} (naming them)"] = named.get(f"{table} (naming them)", 0) + 1
        counts = {
            "customer": len(self.customer_ids),
            "customer_link": len(self.link_ids),
            "customer_event": len(self.customer_event_ids),
            "mention": len(self.mention_ids),
            "mention_revision": len(self.revision_ids),
            "triage_case": len(self.case_ids),
            "case_event": len(self.case_event_ids),
            "export": len(self.export_ids),
            "quarantine": len(self.quarantine_ids),
            "reply": len(self.reply_ids),
            "helpdesk_ticket": len(self.ticket_ids),
            **named,
        }
        return {k: v for k, v in counts.items() if v}


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _ids(conn: Connection, query: Any) -> list[int]:
    return sorted({int(i) for i in conn.execute(query).scalars()})


def _contains_any(columns: Sequence[Any], needles: Sequence[str]) -> Any:
    return or_(
        *[
            func.lower(cast(column, String)).contains(needle.lower(), autoescape=True)
            for column in columns
            for needle in needles
        ]
    )


def _customers(
    conn: Connection, customer: str | None, email: str | None, phone: str | None
) -> list[dict[str, Any]]:
    c = CUSTOMER.c
    rows: dict[int, dict[str, Any]] = {}

    def add(condition: Any) -> int:
        found = [dict(r) for r in conn.execute(select(CUSTOMER).where(condition)).mappings()]
        rows.update({int(r["id"]): r for r in found})
        return len(found)

    if customer and not add(c.external_id == customer.strip()) and customer.strip().isdigit():
        add(c.id == int(customer))  # the dashboard's customer number
    if email and email.strip():
        add(func.lower(c.email) == email.strip().lower())
    if phone and phone.strip() and not add(c.phone == phone.strip()):
        wanted = _digits(phone)  # the same number written differently
        if len(wanted) >= 7:
            candidates = conn.execute(
                select(CUSTOMER).where(c.phone.is_not(None), c.phone.contains(wanted[-4:]))
            ).mappings()
            rows.update(
                {int(r["id"]): dict(r) for r in candidates if _digits(r["phone"] or "") == wanted}
            )
    return list(rows.values())


def find_person(
    conn: Connection,
    *,
    customer: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    author: tuple[str, str] | None = None,
) -> Person:
    """Collect the ids of everything held about one person (see the module docstring).

    ``customer`` is a CRM id (or the dashboard's customer number); ``author`` is
    ``(source name or type, handle)``. Nothing is changed.
    """
    person = Person()
    customers = _customers(conn, customer, email, phone)
    person.customer_ids = sorted(int(r["id"]) for r in customers)
    needles: set[str] = set()
    contact: set[str] = set()
    for value in (email, phone):
        if value and value.strip():
            contact.add(value.strip())
    if author:
        person.handles.append((author[0], handle_key(author[1])))
    for row in customers:
        if row["name"]:
            needles.add(str(row["name"]).strip())
        for value in (row["email"], row["phone"]):
            if value:
                contact.add(str(value).strip())
        for platform, handle in (row["handles"] or {}).items():
            if handle:
                person.handles.append((str(platform), handle_key(str(handle))))
    m = MENTION.c
    conditions = []
    for source, handle in person.handles:
        needles.add(handle)
        conditions.append(
            (or_(m.source == source, m.source_type == source))
            & or_(
                func.lower(func.ltrim(m.author_handle, "@")) == handle,
                # a source without handles (Trustpilot, App Store): the display name
                m.author_handle.is_(None) & (func.lower(func.trim(m.author)) == handle),
            )
        )
    if person.customer_ids:
        conditions.append(
            m.id.in_(
                select(LINK.c.mention_id).where(
                    LINK.c.customer_id.in_(person.customer_ids),
                    LINK.c.status.in_(("confirmed", "suggested")),
                )
            )
        )
    needles |= contact
    if contact:
        conditions.append(_contains_any([m.text, m.title], sorted(contact)))
    if conditions:
        person.mention_ids = _ids(conn, select(m.id).where(or_(*conditions)))
    # the display names the mentions carry name them too (in notes, alerts) — full names
    # only: a one-word name ("Customer", "Adam") would blank that word everywhere
    if person.mention_ids:
        for name in conn.execute(
            select(m.author).where(m.id.in_(person.mention_ids), m.author.is_not(None))
        ).scalars():
            if " " in str(name).strip():
                needles.add(str(name).strip())
    person.needles = sorted(n for n in needles if len(n) >= MIN_NEEDLE)
    mids, cids = person.mention_ids, person.customer_ids
    person.link_ids = _ids(
        conn,
        select(LINK.c.id).where(or_(LINK.c.mention_id.in_(mids), LINK.c.customer_id.in_(cids))),
    )
    person.customer_event_ids = _ids(
        conn,
        select(CEVENT.c.id).where(
            or_(CEVENT.c.mention_id.in_(mids), CEVENT.c.customer_id.in_(cids))
        ),
    )
    person.revision_ids = _ids(conn, select(REVISION.c.id).where(REVISION.c.mention_id.in_(mids)))
    person.case_ids = _ids(conn, select(CASE.c.id).where(CASE.c.mention_id.in_(mids)))
    person.case_event_ids = _ids(
        conn, select(EVENT.c.id).where(EVENT.c.case_id.in_(person.case_ids))
    )
    person.export_ids = _ids(conn, select(EXPORT.c.id).where(EXPORT.c.case_id.in_(person.case_ids)))
    person.quarantine_ids = _quarantined(conn, person)
    person.reply_ids = _ids(conn, select(REPLY.c.id).where(REPLY.c.mention_id.in_(mids)))
    person.ticket_ids = _ids(conn, select(TICKET.c.id).where(TICKET.c.case_id.in_(person.case_ids)))
    if person.needles:
        for table, id_column, columns in _naming_tables():
            query = select(id_column).where(_contains_any(columns, person.needles))
            if table == "case_event":
                query = query.where(EVENT.c.case_id.not_in(person.case_ids))
            person.naming += [(table, i) for i in _ids(conn, query)]
    return person


def _naming_tables() -> list[tuple[str, Any, list[Any]]]:
    return [
        ("case_event", EVENT.c.id, [EVENT.c.message, EVENT.c.data]),
        ("alert", ALERT.c.id, [ALERT.c.message, ALERT.c.data]),
        ("saved_view", VIEW.c.id, [VIEW.c.filters]),
    ]


def _quarantined(conn: Connection, person: Person) -> list[int]:
    keys = {
        (r.source, r.external_id)
        for r in conn.execute(
            select(MENTION.c.source, MENTION.c.external_id).where(
                MENTION.c.id.in_(person.mention_ids)
            )
        )
    }
    found = []
    q = QUARANTINE.c
    lowered = [n.lower() for n in person.needles]
    for row in conn.execute(select(q.id, q.source, q.external_id, q.item)):
        item = row.item or {}
        handle = handle_key(str(item.get("author_handle") or ""))
        blob = json.dumps(item, ensure_ascii=False).lower()
        if (
            (row.source, row.external_id) in keys
            or any(
                handle == h and source in (row.source, item.get("source_type"))
                for source, h in person.handles
            )
            or any(n in blob for n in lowered)
        ):
            found.append(int(row.id))
    return sorted(found)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    return value


def needle_pattern(needles: Collection[str]) -> re.Pattern[str]:
    """A pattern matching any of ``needles`` as a whole word, any case (none: nothing)."""
    if not needles:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(n) for n in sorted(set(needles), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def erase(
    conn: Connection, person: Person, *, request_id: str | None = None, reason: str = ""
) -> dict[str, int]:
    """Erase what :func:`find_person` found, write the tombstones; the counts per table.

    Run it inside the caller's transaction (with the audit row). See the module docstring
    for what is deleted, what is anonymised and why the rollups stay right.
    """
    request_id = request_id or uuid.uuid4().hex
    counts = person.counts()
    now = utcnow()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:  # freed and overwritten cells are zeroed, not left in the file
        secure = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    mids, cids, case_ids = person.mention_ids, person.customer_ids, person.case_ids
    stones: list[dict[str, Any]] = [
        {"source": source, "external_id_hash": None, "handle_hash": digest(handle)}
        for source, handle in sorted(set(person.handles))
    ]
    for row in conn.execute(
        select(MENTION.c.id, MENTION.c.source, MENTION.c.external_id).where(MENTION.c.id.in_(mids))
    ):
        stones.append(
            {"source": row.source, "external_id_hash": digest(row.external_id), "handle_hash": None}
        )
        if row.external_id.startswith("forgotten:"):
            continue
        conn.execute(
            update(MENTION)
            .where(MENTION.c.id == row.id)
            .values(external_id=f"forgotten:{digest(row.external_id)}")
        )
    if mids:
        conn.execute(
            update(MENTION)
            .where(MENTION.c.id.in_(mids))
            .values(
                text=ERASED_TEXT,
                title=None,
                author=None,
                author_handle=None,
                url=None,
                raw={},
                metrics={},
                cues=[],
                reply_text=None,
                content_hash="",
                updated_at=now,
            )
        )
    conn.execute(delete(REVISION).where(REVISION.c.id.in_(person.revision_ids)))
    conn.execute(delete(LINK).where(LINK.c.id.in_(person.link_ids)))
    conn.execute(delete(CEVENT).where(CEVENT.c.id.in_(person.customer_event_ids)))
    conn.execute(delete(CUSTOMER).where(CUSTOMER.c.id.in_(cids)))
    if case_ids:
        conn.execute(update(CASE).where(CASE.c.id.in_(case_ids)).values(dismissed_reason=None))
        conn.execute(update(EVENT).where(EVENT.c.case_id.in_(case_ids)).values(message="", data={}))
        conn.execute(update(EXPORT).where(EXPORT.c.case_id.in_(case_ids)).values(last_error=None))
    if person.reply_ids:
        conn.execute(
            update(REPLY).where(REPLY.c.id.in_(person.reply_ids)).values(text="", last_error=None)
        )
    if person.ticket_ids:
        conn.execute(
            update(TICKET)
            .where(TICKET.c.id.in_(person.ticket_ids))
            .values(conflict_detail=None, last_error=None)
        )
    conn.execute(delete(QUARANTINE).where(QUARANTINE.c.id.in_(person.quarantine_ids)))
    if person.naming:
        _scrub_naming(conn, person)
    if stones:
        conn.execute(
            insert(TOMBSTONE),
            [
                {**s, "request_id": request_id, "reason": reason[:200], "created_at": now}
                for s in stones
            ],
        )
    counts["tombstone"] = len(stones)
    if sqlite:
        _sqlite_compact(conn)
        conn.exec_driver_sql(f"PRAGMA secure_delete = {int(secure or 0)}")
    return counts


def _sqlite_compact(conn: Connection) -> None:
    """Merge the full-text index so that no segment keeps the erased words (SQLite FTS5)."""
    names = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'mention_fts'"
    ).all()
    if names:
        conn.exec_driver_sql("INSERT INTO mention_fts(mention_fts) VALUES ('optimize')")


def _scrub_naming(conn: Connection, person: Person) -> None:
    pattern = needle_pattern(person.needles)
    tables = {
        "case_event": (EVENT, ("message", "data")),
        "alert": (ALERT, ("message", "data")),
        "saved_view": (VIEW, ("filters",)),
    }
    for table_name, (table, columns) in tables.items():
        ids = [i for t, i in person.naming if t == table_name]
        if not ids:
            continue
        rows = conn.execute(
            select(table.c.id, *[table.c[c] for c in columns]).where(table.c.id.in_(ids))
        ).mappings()
        for row in list(rows):
            values = {c: _scrub(row[c], pattern) for c in columns}
            conn.execute(update(table).where(table.c.id == row["id"]).values(values))


def tombstoned(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[int]:
    """The positions in ``rows`` (mention rows about to be upserted) that were forgotten.

    A row is forgotten when a tombstone names its source (or source type) with its external
    id or its author's handle (the display name on a source without handles).
    """
    if not rows:
        return set()
    ext = {i: digest(str(r.get("external_id") or "")) for i, r in enumerate(rows)}
    hnd = {
        i: digest(handle_key(str(r.get("author_handle") or r.get("author"))))
        for i, r in enumerate(rows)
        if r.get("author_handle") or r.get("author")
    }
    t = TOMBSTONE.c
    found = conn.execute(
        select(t.source, t.external_id_hash, t.handle_hash).where(
            or_(t.external_id_hash.in_(set(ext.values())), t.handle_hash.in_(set(hnd.values())))
        )
    ).all()
    if not found:
        return set()
    by_ext = {(s.source, s.external_id_hash) for s in found if s.external_id_hash}
    by_handle = {(s.source, s.handle_hash) for s in found if s.handle_hash}
    out = set()
    for i, row in enumerate(rows):
        sources = (row.get("source"), row.get("source_type"))
        if any((s, ext[i]) in by_ext for s in sources) or (
            i in hnd and any((s, hnd[i]) in by_handle for s in sources)
        ):
            out.add(i)
    return out


def tombstone_count(conn: Connection) -> int:
    """How many tombstones there are."""
    return int(conn.execute(select(func.count()).select_from(TOMBSTONE)).scalar_one())


def _rows(conn: Connection, table: Any, ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    query = select(table).where(table.c.id.in_(ids)).order_by(table.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def person_data(conn: Connection, person: Person) -> dict[str, Any]:
    """Everything held about ``person`` as plain values (the access request's contents)."""
    events = _rows(conn, EVENT, person.case_event_ids)
    exports = _rows(conn, EXPORT, person.export_ids)
    tickets = _rows(conn, TICKET, person.ticket_ids)
    replies = _rows(conn, REPLY, person.reply_ids)
    cases = []
    for case in _rows(conn, CASE, person.case_ids):
        case["timeline"] = [e for e in events if e["case_id"] == case["id"]]
        case["exports"] = [e for e in exports if e["case_id"] == case["id"]]
        case["helpdesk_tickets"] = [t for t in tickets if t["case_id"] == case["id"]]
        case["replies"] = [r for r in replies if r["case_id"] == case["id"]]
        cases.append(case)
    revisions = _rows(conn, REVISION, person.revision_ids)
    mentions = []
    for mention in _rows(conn, MENTION, person.mention_ids):
        mention["earlier_versions"] = [r for r in revisions if r["mention_id"] == mention["id"]]
        mentions.append(mention)
    naming: dict[str, list[dict[str, Any]]] = {}
    tables = {"case_event": EVENT, "alert": ALERT, "saved_view": VIEW}
    for name, table in tables.items():
        ids = [i for t, i in person.naming if t == name]
        if ids:
            naming[name] = _rows(conn, table, ids)
    return {
        "customers": _rows(conn, CUSTOMER, person.customer_ids),
        "customer_links": _rows(conn, LINK, person.link_ids),
        "customer_events": _rows(conn, CEVENT, person.customer_event_ids),
        "mentions": mentions,
        "cases": cases,
        "quarantined_items": _rows(conn, QUARANTINE, person.quarantine_ids),
        "other_records_naming_them": naming,
    }


def export_targets(conn: Connection, person: Person) -> list[dict[str, Any]]:
    """What left Grapevine about them and cannot be recalled from here, oldest case first.

    Rows: ``case_id``, ``target``, ``state``, ``reference`` — the export ledger, the helpdesk
    tickets (``reference`` the ticket's link or id) and the replies posted on a platform
    (``target`` ``reply on <platform>``, ``reference`` its link).
    """
    out: list[dict[str, Any]] = []
    if person.export_ids:
        e = EXPORT.c
        query = select(e.case_id, e.target, e.state, e.reference).where(e.id.in_(person.export_ids))
        out += [dict(r) for r in conn.execute(query).mappings()]
    if person.ticket_ids:
        t = TICKET.c
        query = select(t.case_id, t.target, t.kind, t.ticket_id, t.url).where(
            t.id.in_(person.ticket_ids)
        )
        out += [
            {"case_id": r.case_id, "target": r.target, "state": f"{r.kind} ticket",
             "reference": r.url or r.ticket_id}
            for r in conn.execute(query)
        ]  # fmt: skip
    if person.reply_ids:
        r = REPLY.c
        query = select(r.case_id, r.platform, r.state, r.url).where(
            r.id.in_(person.reply_ids), r.state == "posted"
        )
        out += [
            {"case_id": row.case_id, "target": f"reply on {row.platform}", "state": row.state,
             "reference": row.url}
            for row in conn.execute(query)
        ]  # fmt: skip
    return sorted(out, key=lambda row: (row["case_id"], row["target"]))


def forget_person(
    conn: Connection,
    *,
    actor: str,
    customer: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    author: tuple[str, str] | None = None,
    reason: str = "",
) -> tuple[Person, dict[str, int], str]:
    """Find and erase one person on ``conn`` with its audit row; (person, counts, request id).

    Call it inside a transaction (``engine.begin()``): the erasure, the tombstones and the
    audit row (``action="forget"``, counts only) land together or not at all. ``person`` is
    as found before the erasure (its ids, for the files and the ledger's targets).
    """
    from storage.audit import record_audit

    person = find_person(conn, customer=customer, email=email, phone=phone, author=author)
    request_id = uuid.uuid4().hex
    counts = erase(conn, person, request_id=request_id, reason=reason)
    kind = "customer" if (customer or email or phone) else "author"
    record_audit(
        conn,
        actor=actor,
        action="forget",
        subject_type=kind,
        subject_id=request_id,
        summary="forgot a person: "
        + ", ".join(f"{n} {table}" for table, n in counts.items() if table != "tombstone"),
        detail={"request_id": request_id, "counts": counts, "customer_ids": person.customer_ids},
    )
    return person, counts, request_id


def checkpoint(engine: Engine) -> None:
    """After a forget on SQLite: copy the WAL into the database and empty it, so that no old
    page image in the WAL file keeps what was erased. Nothing to do on PostgreSQL (old row
    versions go at the next VACUUM, which autovacuum runs)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
