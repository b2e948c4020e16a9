"""Answering in place: post, edit and delete a case's reply on the platform, and notice answers
made there.

Nothing here runs on its own: :func:`post_reply`, :func:`edit_reply` and :func:`delete_reply`
are called when a person presses a button on the case page, with the person's name. The draft
is saved before the platform is asked, so a failure (expired token, rate limit, the post was
deleted) loses nothing: the reply stays a ``failed`` draft with the reason in words, and
pressing the button again retries it (under the same idempotency key while the text is the
same, so a post that did reach the platform is not made twice). A posted reply is a
"public reply" / "private reply" action on the case's timeline and counts as the first
response for the service level; every post, edit, delete and failure is in the audit trail.

Answers made on the platform (outside Grapevine or not) are found by
:mod:`triage.replies_found` (:func:`record_platform_answers`, also importable from here).
"""

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from storage import replies as store
from storage.audit import record_audit
from storage.casefile import case_file
from storage.models import Mention
from storage.tables.replies import Reply
from storage.types import utcnow
from triage.connectors.base import (
    Connector,
    PostedReply,
    ReplyError,
    ReplyTarget,
    Visibility,
    connector_for,
)
from triage.replies_found import AnswerReport, record_platform_answers

__all__ = [
    "AnswerReport",
    "Channel",
    "ReplyOutcome",
    "channel",
    "delete_reply",
    "edit_reply",
    "post_reply",
    "reason",
    "record_platform_answers",
    "replies_for",
    "target_of",
]

log = logging.getLogger(__name__)

#: Source settings by source name, as in the config (``type``, ``base_url``, ``*_env``…).
Sources = Mapping[str, Mapping[str, Any]]


@dataclass
class ReplyOutcome:
    """What happened to a post, edit or delete, in words for the person who pressed."""

    ok: bool
    message: str
    reply: Reply | None = None
    case_version: int | None = None


#: Where a mention of a source type was said, in words (for "answer on …").
PLATFORM_NAMES = {
    "trustpilot": "Trustpilot",
    "appstore": "the App Store",
    "reddit": "Reddit",
    "hackernews": "Hacker News",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "mastodon_notifications": "Mastodon",
    "appstore_connect": "the App Store",
    "googleplay": "Google Play",
    "googlebusiness": "Google",
    "trustpilot_business": "Trustpilot",
    "feed": "the site it came from",
    "schemaorg": "the review site",
}


@dataclass
class Channel:
    """Where a case's mention can be answered from Grapevine: the connector, or why not."""

    source_type: str
    connector: Connector | None = None
    problem: str | None = None

    @property
    def platform(self) -> str:
        """The platform's name as people know it."""
        if self.connector is not None:
            return self.connector.platform
        return PLATFORM_NAMES.get(self.source_type, self.source_type.replace("_", " ").title())


def reason(error: ReplyError) -> str:
    """Why a post failed, in words a responder can act on."""
    said = error.message
    if error.kind == "auth":
        return (
            f"The platform did not accept Grapevine's credentials (missing, wrong or expired "
            f"token): ask an admin to renew them, then try again. ({said})"
        )
    if error.kind == "forbidden":
        return (
            "The account may not answer this (not the owner of the listing, or a permission "
            f"is missing). ({said})"
        )
    if error.kind == "gone":
        return (
            f"The review or post was deleted on the platform: there is nothing to answer. ({said})"
        )
    if error.kind == "rate_limited":
        wait = f"after {error.retry_after:.0f} s" if error.retry_after is not None else "later"
        return f"The platform's rate limit was reached: try again {wait}. ({said})"
    if error.kind == "invalid":
        return f"The platform refused the text: {said}"
    if error.kind == "unsupported":
        return said
    return f"The platform did not answer; try again later. ({said})"


def target_of(mention: Mention) -> ReplyTarget:
    """The mention as a connector sees it."""
    return ReplyTarget(
        source_type=mention.source_type,
        external_id=mention.external_id,
        url=mention.url,
        author_handle=mention.author_handle,
        raw=dict(mention.raw or {}),
    )


def channel(mention: Mention, sources: Sources, environ: Mapping[str, str]) -> Channel:
    """The connector that answers ``mention`` (``connector`` None: copy and answer by hand)."""
    settings = sources.get(mention.source) or {"type": mention.source_type}
    found = Channel(source_type=str(settings.get("type") or mention.source_type))
    try:
        found.connector = connector_for(settings, environ)
    except ReplyError as exc:
        found.problem = exc.message
    return found


def replies_for(engine: Engine, case_id: int) -> list[Reply]:
    """A case's replies, oldest first."""
    with engine.connect() as conn:
        return store.replies_for_case(conn, case_id=case_id)


def _action(visibility: str) -> str:
    return "private reply" if visibility == "direct" else "public reply"


def post_reply(
    engine: Engine,
    *,
    case_id: int,
    text: str,
    visibility: Visibility,
    actor: str,
    sources: Sources,
    environ: Mapping[str, str],
    reply_id: int | None = None,
) -> ReplyOutcome:
    """Post ``text`` as the answer to the case's mention (a person pressed the button).

    ``reply_id``: retry that failed draft (its text replaced by ``text``). The outcome says
    what happened; on failure the draft is kept with the reason.
    """
    text = (text or "").strip()
    if not text:
        return ReplyOutcome(False, "Write the reply first: the text is empty.")
    cf = case_file(engine, case_id)
    if cf is None:
        return ReplyOutcome(False, f"There is no case #{case_id}.")
    mention = cf.mention
    found = channel(mention, sources, environ)
    connector = found.connector
    if connector is None:
        return ReplyOutcome(
            False,
            found.problem
            or f"Grapevine cannot answer on {found.platform}: copy the text and answer there.",
        )
    if visibility == "direct" and not connector.can_private:
        return ReplyOutcome(False, f"{connector.platform} has no private replies.")
    with engine.begin() as conn:
        draft = store.get_reply(conn, reply_id=reply_id) if reply_id else None
        if draft is not None and draft.case_id == case_id and draft.state in ("draft", "failed"):
            key = draft.idempotency_key
            if draft.text != text or draft.visibility != visibility or not key:
                key = uuid.uuid4().hex
            store.set_reply(
                conn, reply_id=draft.id or 0, text=text, visibility=visibility, idempotency_key=key
            )
            rid = draft.id or 0
        else:
            key = uuid.uuid4().hex
            rid = store.create_reply(
                conn,
                case_id=case_id,
                mention_id=mention.id or 0,
                platform=connector.platform,
                visibility=visibility,
                text=text,
                posted_by=actor,
                idempotency_key=key,
            )
    target = replace(target_of(mention), idempotency_key=key)
    try:
        posted = connector.post(target, text, visibility=visibility)
    except ReplyError as exc:
        return _failed(engine, case_id, rid, actor, "post", exc)
    action = _action(visibility)
    now = utcnow()
    with engine.begin() as conn:
        store.set_reply(
            conn,
            reply_id=rid,
            state="posted",
            platform_id=posted.platform_id,
            url=posted.url,
            posted_by=actor,
            posted_at=now,
            last_error=None,
            error_kind=None,
        )
        store.add_case_event(
            conn,
            case_id=case_id,
            actor=actor,
            kind="action",
            message=f"{action} on {connector.platform}" + (f": {posted.url}" if posted.url else ""),
            data={
                "action": action,
                "reply_id": rid,
                "platform_id": posted.platform_id,
                "url": posted.url,
                "visibility": visibility,
            },
            at=now,
        )
        store.record_first_response(conn, case_id=case_id, at=now, action=action)
        record_audit(
            conn,
            actor=actor,
            action="reply.posted",
            subject_type="case",
            subject_id=case_id,
            summary=f"{action} on {connector.platform}",
            detail={"reply_id": rid, "platform_id": posted.platform_id, "visibility": visibility},
        )
    log.info("case %s: reply %s posted on %s", case_id, rid, connector.platform)
    return _outcome(engine, True, f"Posted on {connector.platform}.", case_id, rid)


def _outcome(engine: Engine, ok: bool, message: str, case_id: int, rid: int) -> ReplyOutcome:
    with engine.connect() as conn:
        reply = store.get_reply(conn, reply_id=rid)
    cf = case_file(engine, case_id)
    return ReplyOutcome(ok, message, reply, cf.case.version if cf else None)


_DONE = {"post": "posted", "edit": "edited", "delete": "deleted"}


def _failed(
    engine: Engine, case_id: int, rid: int, actor: str, what: str, exc: ReplyError
) -> ReplyOutcome:
    why = reason(exc)
    with engine.begin() as conn:
        if what == "post":
            store.set_reply(conn, reply_id=rid, state="failed", last_error=why, error_kind=exc.kind)
        else:
            store.set_reply(conn, reply_id=rid, last_error=why, error_kind=exc.kind)
        store.add_case_event(
            conn,
            case_id=case_id,
            actor=actor,
            kind="reply",
            message=f"reply not {_DONE[what]}: {why}",
            data={"reply_id": rid, "error_kind": exc.kind, "retry_after": exc.retry_after},
        )
        record_audit(
            conn,
            actor=actor,
            action="reply.failed",
            subject_type="case",
            subject_id=case_id,
            summary=f"{what} refused: {exc.kind}",
            detail={"reply_id": rid, "kind": exc.kind, "what": what},
        )
    log.info("case %s: reply %s %s failed (%s)", case_id, rid, what, exc.kind)
    return _outcome(engine, False, why, case_id, rid)


def _posted_reply(
    engine: Engine, reply_id: int, sources: Sources, environ: Mapping[str, str]
) -> tuple[Reply, Mention, Connector] | str:
    with engine.connect() as conn:
        reply = store.get_reply(conn, reply_id=reply_id)
    if reply is None or reply.state != "posted" or not reply.platform_id:
        return "That reply is not on the platform (not posted, or deleted)."
    cf = case_file(engine, reply.case_id)
    if cf is None:
        return "The reply's case is gone."
    found = channel(cf.mention, sources, environ)
    if found.connector is None:
        return found.problem or f"Grapevine cannot change replies on {found.platform}."
    return reply, cf.mention, found.connector


def edit_reply(
    engine: Engine,
    *,
    reply_id: int,
    text: str,
    actor: str,
    sources: Sources,
    environ: Mapping[str, str],
) -> ReplyOutcome:
    """Replace a posted reply's text on the platform (where the platform allows it)."""
    text = (text or "").strip()
    if not text:
        return ReplyOutcome(False, "The new text is empty: delete the reply instead.")
    found = _posted_reply(engine, reply_id, sources, environ)
    if isinstance(found, str):
        return ReplyOutcome(False, found)
    reply, mention, connector = found
    if not connector.can_edit:
        return ReplyOutcome(False, f"{connector.platform} replies cannot be edited.")
    before = PostedReply(platform_id=reply.platform_id or "", url=reply.url)
    try:
        posted = connector.edit(target_of(mention), before, text)
    except ReplyError as exc:
        return _failed(engine, reply.case_id, reply_id, actor, "edit", exc)
    now = utcnow()
    with engine.begin() as conn:
        store.set_reply(
            conn,
            reply_id=reply_id,
            text=text,
            edited_at=now,
            # an App Store edit is a new response with a new id: keep the one that is live now
            platform_id=posted.platform_id or reply.platform_id,
            url=posted.url or reply.url,
            last_error=None,
            error_kind=None,
        )
        message = f"reply edited on {connector.platform}"
        _record_change(conn, reply, actor=actor, done="edited", message=message, at=now)
    return _outcome(engine, True, f"Edited on {connector.platform}.", reply.case_id, reply_id)


def _record_change(
    conn: Connection, reply: Reply, *, actor: str, done: str, message: str, at: datetime
) -> None:
    """The timeline entry and the audit row (``reply.<done>``) of a posted reply changed."""
    case_id, reply_id, platform_id = reply.case_id, reply.id, reply.platform_id
    store.add_case_event(
        conn,
        case_id=case_id,
        actor=actor,
        kind="reply",
        message=message,
        data={"reply_id": reply_id, "platform_id": platform_id},
        at=at,
    )
    record_audit(
        conn,
        actor=actor,
        action=f"reply.{done}",
        subject_type="case",
        subject_id=case_id,
        summary=message,
        detail={"reply_id": reply_id, "platform_id": platform_id},
    )


def delete_reply(
    engine: Engine,
    *,
    reply_id: int,
    actor: str,
    sources: Sources,
    environ: Mapping[str, str],
) -> ReplyOutcome:
    """Delete a posted reply from the platform; its text stays here (``deleted``)."""
    found = _posted_reply(engine, reply_id, sources, environ)
    if isinstance(found, str):
        return ReplyOutcome(False, found)
    reply, mention, connector = found
    if not connector.can_delete:
        return ReplyOutcome(False, f"{connector.platform} replies cannot be deleted from here.")
    try:
        connector.delete(
            target_of(mention), PostedReply(platform_id=reply.platform_id or "", url=reply.url)
        )
    except ReplyError as exc:
        if exc.kind != "gone":  # already deleted on the platform: record it as deleted
            return _failed(engine, reply.case_id, reply_id, actor, "delete", exc)
    now = utcnow()
    with engine.begin() as conn:
        store.set_reply(conn, reply_id=reply_id, state="deleted", last_error=None, error_kind=None)
        message = f"reply deleted from {connector.platform}"
        _record_change(conn, reply, actor=actor, done="deleted", message=message, at=now)
    return _outcome(engine, True, f"Deleted from {connector.platform}.", reply.case_id, reply_id)
