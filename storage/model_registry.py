"""The learned models the desk trained, and the desk's decisions they learn from (all SQL).

Every triage decision is a label (:func:`desk_decisions`):

* a case **dismissed** with a reason that says "not a complaint" (``dismissed_reason``, free
  text; :data:`NOT_A_COMPLAINT` lists the phrasings) — complaint 0;
* a case **resolved with an action taken** (refund, replacement, call…) — complaint 1;
* a **desk label** (``desk_label``): a sentiment corrected, a mention marked as needing
  attention by hand (complaint 1), a complaint called or uncalled.

A later desk label on the same mention and kind wins over the case's.

Models (``model_version``): :func:`add_model_version` stores a trained one, :func:`activate`
switches (or rolls back: activating a shipped model's name deactivates the language's
registry models), :func:`active_artefact` is what the analyser loads. Each change is audited
in the same transaction.
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from storage.audit import record_audit
from storage.models import Case, Mention
from storage.tables.model_registry import DeskLabel, ModelVersion
from storage.types import utcnow

MODEL = ModelVersion.__table__  # type: ignore[attr-defined]
LABEL = DeskLabel.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
MENTION = Mention.__table__  # type: ignore[attr-defined]
#: Dismissal reasons that mean "this is not a complaint" (lower case, anywhere in the reason).
NOT_A_COMPLAINT = ("not a complaint", "no complaint", "not complaint", "kein problem")
LABEL_KINDS = ("sentiment", "complaint", "attention")
OPEN_STATUSES = ("new", "in_progress", "waiting_on_customer")


@dataclass(frozen=True, slots=True)
class DeskDecision:
    """One label from the desk: ``kind`` ``complaint`` (1/0) or ``sentiment`` (-1..1)."""

    mention_id: int
    text: str
    rating: float | None
    language: str | None
    kind: str
    value: float
    origin: str


def record_desk_label(
    conn: Connection, *, mention_id: int, kind: str, value: float, actor: str
) -> None:
    """Store a person's label on a mention (see :class:`DeskLabel`), audited."""
    if kind not in LABEL_KINDS:
        raise ValueError(f"kind must be one of {LABEL_KINDS}")
    conn.execute(
        insert(LABEL).values(
            mention_id=mention_id, kind=kind, value=float(value), actor=actor, at=utcnow()
        )
    )
    record_audit(
        conn,
        actor=actor,
        action=f"label.{kind}",
        subject_type="mention",
        subject_id=mention_id,
        summary=f"{kind} label on mention {mention_id}",
        detail={"value": float(value)},
    )


def mention_exists(conn: Connection, *, mention_id: int) -> bool:
    """Whether the mention is stored."""
    found = conn.execute(select(MENTION.c.id).where(MENTION.c.id == mention_id)).first()
    return found is not None


def desk_decisions(conn: Connection) -> list[DeskDecision]:
    """Every decision of the desk as a label, one per mention and kind (a desk label, the
    latest, wins over the case's); mentions whose text was erased are left out."""
    text_ok = func.length(func.coalesce(MENTION.c.text, "")) > 0
    columns = (MENTION.c.id, MENTION.c.text, MENTION.c.rating, MENTION.c.language)
    reason = func.lower(func.coalesce(CASE.c.dismissed_reason, ""))
    found: dict[tuple[int, str], DeskDecision] = {}
    dismissed = (
        select(*columns)
        .join(CASE, CASE.c.mention_id == MENTION.c.id)
        .where(CASE.c.status == "dismissed", text_ok)
        .where(or_(*(reason.contains(phrase) for phrase in NOT_A_COMPLAINT)))
    )
    for row in conn.execute(dismissed):
        found[(row.id, "complaint")] = DeskDecision(
            row.id, row.text, row.rating, row.language, "complaint", 0.0, "dismissed"
        )
    resolved = (
        select(*columns)
        .join(CASE, CASE.c.mention_id == MENTION.c.id)
        .where(CASE.c.status == "resolved", CASE.c.action_taken.is_not(None), text_ok)
        .where(func.length(CASE.c.action_taken) > 0)
    )
    for row in conn.execute(resolved):
        found[(row.id, "complaint")] = DeskDecision(
            row.id, row.text, row.rating, row.language, "complaint", 1.0, "resolved"
        )
    labels = (
        select(*columns, LABEL.c.kind, LABEL.c.value)
        .join(LABEL, LABEL.c.mention_id == MENTION.c.id)
        .where(text_ok)
        .order_by(LABEL.c.at, LABEL.c.id)
    )
    for row in conn.execute(labels):
        kind = "complaint" if row.kind == "attention" else row.kind
        found[(row.id, kind)] = DeskDecision(
            row.id, row.text, row.rating, row.language, kind, float(row.value), "label"
        )
    return sorted(found.values(), key=lambda d: (d.mention_id, d.kind))


def add_model_version(
    conn: Connection,
    *,
    version: str,
    lang: str,
    parent: str,
    metrics: dict[str, Any],
    artefact: bytes,
    actor: str,
    activate_it: bool,
    note: str = "",
) -> None:
    """Store a trained model (``artefact``: its JSON, stored compressed); make it the active
    one of its language when ``activate_it``."""
    conn.execute(
        insert(MODEL).values(
            version=version,
            lang=lang,
            created_at=utcnow(),
            parent=parent,
            metrics=metrics,
            active=False,
            artefact=zlib.compress(artefact, 6),
            note=note,
        )
    )
    record_audit(
        conn,
        actor=actor,
        action="model.trained",
        subject_type="model",
        subject_id=version,
        summary=f"model {version} trained from {parent}",
        detail={k: v for k, v in metrics.items() if isinstance(v, int | float | str)},
    )
    if activate_it:
        activate(conn, version=version, lang=lang, actor=actor)


def activate(conn: Connection, *, version: str, lang: str, actor: str) -> None:
    """Make ``version`` the active model of ``lang``; a version not in the registry (the
    shipped model's name) deactivates the registry's models of ``lang``. Audited."""
    conn.execute(update(MODEL).where(MODEL.c.lang == lang).values(active=False))
    conn.execute(
        update(MODEL).where(MODEL.c.version == version, MODEL.c.lang == lang).values(active=True)
    )
    record_audit(
        conn,
        actor=actor,
        action="model.activated",
        subject_type="model",
        subject_id=version,
        summary=f"model {version} active for {lang}",
    )


def find_version(conn: Connection, *, version: str) -> dict[str, Any] | None:
    """A registry row (without its artefact), or None."""
    row = conn.execute(
        select(*(c for c in MODEL.c if c.name != "artefact")).where(MODEL.c.version == version)
    ).first()
    return dict(row._mapping) if row else None


def list_model_versions(conn: Connection) -> list[dict[str, Any]]:
    """Every registry row, newest first, without the artefacts."""
    rows = conn.execute(
        select(*(c for c in MODEL.c if c.name != "artefact")).order_by(
            MODEL.c.created_at.desc(), MODEL.c.id.desc()
        )
    )
    return [dict(row._mapping) for row in rows]


def active_artefact(conn: Connection, *, lang: str) -> tuple[str, bytes] | None:
    """``(version, the model's JSON)`` of the active registry model of ``lang``, or None
    (the language pack's shipped model is in use)."""
    row = conn.execute(
        select(MODEL.c.version, MODEL.c.artefact).where(
            MODEL.c.lang == lang, MODEL.c.active.is_(True)
        )
    ).first()
    if row is None or row.artefact is None:
        return None
    return row.version, zlib.decompress(row.artefact)


def active_artefacts(conn: Connection) -> dict[str, tuple[str, bytes]]:
    """``{lang: (version, the model's JSON)}`` of every language with an active registry
    model."""
    rows = conn.execute(
        select(MODEL.c.lang, MODEL.c.version, MODEL.c.artefact).where(MODEL.c.active.is_(True))
    )
    return {r.lang: (r.version, zlib.decompress(r.artefact)) for r in rows if r.artefact}


def count_versions(conn: Connection, *, lang: str) -> int:
    """How many models of ``lang`` the registry holds."""
    return int(conn.execute(select(func.count()).where(MODEL.c.lang == lang)).scalar_one())


def mentions_to_rescore(conn: Connection, *, open_cases: bool) -> list[dict[str, Any]]:
    """``id``, ``text``, ``rating``, ``is_competitor`` of the mentions to rescore: those of
    open cases, or all with a text."""
    query = select(MENTION.c.id, MENTION.c.text, MENTION.c.rating, MENTION.c.is_competitor).where(
        func.length(func.coalesce(MENTION.c.text, "")) > 0
    )
    if open_cases:
        query = query.join(CASE, CASE.c.mention_id == MENTION.c.id).where(
            CASE.c.status.in_(OPEN_STATUSES)
        )
    return [dict(row._mapping) for row in conn.execute(query.order_by(MENTION.c.id))]


def store_analyses(conn: Connection, *, rows: Sequence[dict[str, Any]]) -> int:
    """Write new analyses (``id`` plus the analysis columns) onto their mentions; how many."""
    for row in rows:
        values = {k: v for k, v in row.items() if k != "id"}
        conn.execute(update(MENTION).where(MENTION.c.id == row["id"]).values(**values))
    return len(rows)
