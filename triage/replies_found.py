"""Answers found on the platform: the daily job marks such a case answered, even when
somebody answered outside Grapevine.

Two ways: the crawl stored the company's own reply on the mention (``reply_text``/
``reply_at``: Trustpilot's company reply, the owner APIs' responses), or a connector that can
look (``looks_for_replies``: Mastodon with the brand's ``account``, Bluesky signed in) finds
the brand account's reply in the thread. Each case gets one "answered" timeline entry, which
counts as the first response when nobody had answered yet, and a ``reply.found`` audit row.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from storage import replies as store
from storage.audit import record_audit
from storage.types import utcnow
from triage.connectors.base import ReplyError, ReplyTarget, connector_for

#: Source settings by source name, as in the config (as :data:`triage.replies.Sources`).
Sources = Mapping[str, Mapping[str, Any]]

log = logging.getLogger(__name__)


@dataclass
class AnswerReport:
    """What :func:`record_platform_answers` found: cases marked answered, problems."""

    marked: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _answered_at(opened_at: datetime, reply_at: datetime | None, now: datetime) -> datetime:
    """The first response's time: the platform's reply time, but not before the case opened
    (an answer older than the case answered it at once) nor in the future."""
    if reply_at is None:
        return now
    return min(max(reply_at, opened_at), now)


def _mark_answered(
    engine: Engine, case_id: int, at: datetime, message: str, data: dict[str, Any]
) -> None:
    with engine.begin() as conn:
        store.add_case_event(
            conn,
            case_id=case_id,
            actor="system",
            kind=store.ANSWERED,
            message=message,
            data=data,
        )
        first = store.record_first_response(conn, case_id=case_id, at=at)
        record_audit(
            conn,
            actor="system",
            action="reply.found",
            subject_type="case",
            subject_id=case_id,
            summary="answered on the platform",
            detail={"first_response": first, **{k: v for k, v in data.items() if k != "url"}},
        )


def record_platform_answers(
    engine: Engine, *, sources: Sources, environ: Mapping[str, str]
) -> AnswerReport:
    """Mark cases answered whose mention now shows the company's reply on the platform.

    Two ways: the crawl stored the company's reply on the mention (Trustpilot's company reply,
    the owner APIs' responses), or a connector that can look finds the brand's own reply in
    the thread (Mastodon, the source's ``account``). Each case gets one "answered" entry; it
    counts as the first response when nobody had answered yet.
    """
    report = AnswerReport()
    now = utcnow()
    with engine.connect() as conn:
        stored = store.cases_answered_on_platform(conn)
    for row in stored:
        with engine.connect() as conn:
            ours = any(
                r.state == "posted" for r in store.replies_for_case(conn, case_id=row["case_id"])
            )
        message = f"the company's reply is on {row['source']} (found by the crawl)" + (
            "; it is the reply posted from Grapevine" if ours else ""
        )
        at = _answered_at(row["opened_at"], row["reply_at"], now)
        _mark_answered(
            engine, row["case_id"], at, message, {"source": row["source"], "how": "crawl"}
        )
        report.marked.append(row["case_id"])
    lookers: dict[str, Any] = {}
    for name, settings in sources.items():
        try:
            connector = connector_for(settings, environ)
        except ReplyError as exc:
            if settings.get("account"):
                report.problems.append(f"{name}: cannot look for the brand's replies: {exc}")
            continue
        if connector is not None and getattr(connector, "looks_for_replies", False):
            lookers[name] = connector
    if not lookers:
        return report
    with engine.connect() as conn:
        open_rows = store.unanswered_cases(conn, sources=list(lookers))
    for row in open_rows:
        connector = lookers[row["source"]]
        target = ReplyTarget(
            source_type=row["source_type"],
            external_id=row["external_id"],
            url=row["url"],
            author_handle=row["author_handle"],
            raw=dict(row["raw"] or {}),
        )
        try:
            found = connector.find_reply(target)
        except ReplyError as exc:
            if exc.kind in ("auth", "rate_limited", "unavailable"):
                wait = f" (try again after {exc.retry_after:.0f} s)" if exc.retry_after else ""
                report.problems.append(f"{row['source']}: {exc.message}{wait}")
                break
            continue
        if found is None:
            continue
        _mark_answered(
            engine,
            row["case_id"],
            now,
            f"answered on the platform by the brand's account: {found.url or found.platform_id}",
            {
                "source": row["source"],
                "how": "thread",
                "platform_id": found.platform_id,
                "url": found.url,
            },
        )
        report.marked.append(row["case_id"])
    return report
