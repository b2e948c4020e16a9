"""Retention: what is past its window, counted or removed — scores and counts stay.

Each part counts the rows its statements changed; a part already applied counts 0 the next
time (the conditions only match what still holds the data).

* mention text: mentions *published* before the cutoff lose their text, title and raw
  payload, and their earlier versions are deleted; sentiment, label, rating, aspects, the
  brand-health rollups (database triggers that do not watch the text) and the case stay;
* raw payloads: mentions *fetched* before the cutoff lose their raw payload;
* closed cases: cases resolved or dismissed before the cutoff are anonymised — assignee,
  dismissal reason, follow-up and timeline go, the mention's author, handle, text, title,
  link and customer links go; the case row (status, priority, opened, first action, resolved)
  stays, so response rates and times still add up;
* crawl runs: runs started before the cutoff are deleted, except each source's newest, and
  so are quarantined items a retry stored before it (those still waiting stay);
* audit rows: older than the cutoff, through :func:`storage.audit.purge_audit_before`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)

from storage.audit import purge_audit_before
from storage.models import (
    CLOSED_CASE_STATUSES,
    Case,
    CaseEvent,
    CrawlRun,
    CustomerLink,
    Mention,
    MentionRevision,
    QuarantinedItem,
)

MENTION = Mention.__table__  # type: ignore[attr-defined]
REVISION = MentionRevision.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
EVENT = CaseEvent.__table__  # type: ignore[attr-defined]
LINK = CustomerLink.__table__  # type: ignore[attr-defined]
RUN = CrawlRun.__table__  # type: ignore[attr-defined]
QUARANTINE = QuarantinedItem.__table__  # type: ignore[attr-defined]

#: The parts a run reports, in order.
PARTS = (
    "mention_texts",
    "mention_revisions",
    "raw_payloads",
    "closed_cases",
    "case_events",
    "customer_links",
    "crawl_runs",
    "quarantined_items",
    "audit_rows",
)


@dataclass(frozen=True)
class Cutoffs:
    """The moment before which each kind of data goes (``None``: keep it)."""

    mention_text: datetime | None = None
    raw_payload: datetime | None = None
    closed_case: datetime | None = None
    crawl_run: datetime | None = None
    audit: datetime | None = None


def _has_raw() -> ColumnElement[bool]:
    return cast(MENTION.c.raw, String) != "{}"


def _rows(conn: Connection, statement: Any) -> int:
    return int(conn.execute(statement).rowcount or 0)


def _closed_cases(cutoff: datetime) -> ColumnElement[bool]:
    mention_named = exists().where(
        MENTION.c.id == CASE.c.mention_id,
        or_(
            MENTION.c.author.is_not(None),
            MENTION.c.author_handle.is_not(None),
            MENTION.c.text != "",
        ),
    )
    return and_(
        CASE.c.status.in_(CLOSED_CASE_STATUSES),
        CASE.c.resolved_at < cutoff,
        or_(
            CASE.c.assignee.is_not(None),
            CASE.c.dismissed_reason.is_not(None),
            exists().where(EVENT.c.case_id == CASE.c.id),
            mention_named,
        ),
    )


def _anonymise_cases(conn: Connection, cutoff: datetime) -> dict[str, int]:
    found = list(conn.execute(select(CASE.c.id, CASE.c.mention_id).where(_closed_cases(cutoff))))
    counts = {"closed_cases": len(found), "case_events": 0, "customer_links": 0}
    for start in range(0, len(found), 500):
        cases = [r[0] for r in found[start : start + 500]]
        mentions = [r[1] for r in found[start : start + 500]]
        counts["case_events"] += _rows(conn, delete(EVENT).where(EVENT.c.case_id.in_(cases)))
        counts["customer_links"] += _rows(conn, delete(LINK).where(LINK.c.mention_id.in_(mentions)))
        conn.execute(
            update(CASE)
            .where(CASE.c.id.in_(cases))
            .values(assignee=None, dismissed_reason=None, follow_up_at=None)
        )
        conn.execute(delete(REVISION).where(REVISION.c.mention_id.in_(mentions)))
        conn.execute(
            update(MENTION)
            .where(MENTION.c.id.in_(mentions))
            .values(author=None, author_handle=None, text="", title=None, url=None, raw={})
        )
    return counts


def _mention_texts(conn: Connection, cutoff: datetime) -> dict[str, int]:
    old = MENTION.c.published_at < cutoff
    holding = and_(old, or_(MENTION.c.text != "", MENTION.c.title.is_not(None), _has_raw()))
    revisions = REVISION.c.mention_id.in_(select(MENTION.c.id).where(old))
    return {
        "mention_revisions": _rows(conn, delete(REVISION).where(revisions)),
        "mention_texts": _rows(
            conn, update(MENTION).where(holding).values(text="", title=None, raw={})
        ),
    }


def _raw_payloads(conn: Connection, cutoff: datetime) -> dict[str, int]:
    holding = and_(MENTION.c.fetched_at < cutoff, _has_raw())
    return {"raw_payloads": _rows(conn, update(MENTION).where(holding).values(raw={}))}


def _crawl_runs(conn: Connection, cutoff: datetime) -> dict[str, int]:
    newest = select(func.max(RUN.c.id)).group_by(RUN.c.source)
    old = and_(RUN.c.started_at < cutoff, RUN.c.id.not_in(newest))
    # a quarantined item a retry stored is history (its copy of the item included); one
    # still waiting for a retry stays whatever its age, so nothing is lost
    stored = and_(QUARANTINE.c.resolved_at.is_not(None), QUARANTINE.c.resolved_at < cutoff)
    return {
        "crawl_runs": _rows(conn, delete(RUN).where(old)),
        "quarantined_items": _rows(conn, delete(QUARANTINE).where(stored)),
    }


def apply_retention(conn: Connection, *, cutoffs: Cutoffs) -> dict[str, int]:
    """Remove what is past each cutoff in the caller's transaction; how many rows per part.

    A preview (``grapevine retention --dry-run``) runs this and rolls the transaction back,
    so it reports exactly what a run would do. Parts that are off count 0.
    """
    counts = dict.fromkeys(PARTS, 0)
    # closed cases first: their mentions are anonymised whole, not only their text
    if cutoffs.closed_case is not None:
        counts.update(_anonymise_cases(conn, cutoffs.closed_case))
    if cutoffs.mention_text is not None:
        counts.update(_mention_texts(conn, cutoffs.mention_text))
    if cutoffs.raw_payload is not None:
        counts.update(_raw_payloads(conn, cutoffs.raw_payload))
    if cutoffs.crawl_run is not None:
        counts.update(_crawl_runs(conn, cutoffs.crawl_run))
    if cutoffs.audit is not None:
        counts["audit_rows"] = purge_audit_before(conn, before=cutoffs.audit)
    return counts
