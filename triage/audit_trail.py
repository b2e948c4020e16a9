"""What the audit trail says about case work, links and deliveries (ids and counts only).

The case workflow, the ledger, the export and the link decisions call these inside the
transaction of their change, so the change and its audit row land together. Summaries never
carry a note's text, a dismissal reason, review text or a customer's name.
"""

from typing import Any

from sqlalchemy import Connection

from storage.audit import record_audit


def _summary(event: dict[str, Any]) -> str:
    data = event.get("data") or {}
    kind = event["kind"]
    if kind == "status":
        return f"status {data.get('from')} → {data.get('to')}"
    if kind == "note":
        return f"note added ({len(event.get('message') or '')} characters)"
    if kind == "assigned":
        return f"assigned to {data['to']}" if data.get("to") else "unassigned"
    return f"{kind}: {event.get('message', '')}"[:200]


def audit_case_events(
    conn: Connection, *, case_id: int, actor: str, events: list[dict[str, Any]]
) -> None:
    """One audit row per change of a case (``case.status``, ``case.assigned``, ``case.note``…)."""
    for event in events:
        detail = {k: v for k, v in (event.get("data") or {}).items() if k != "reason"}
        record_audit(
            conn,
            actor=actor,
            action=f"case.{event['kind']}",
            subject_type="case",
            subject_id=case_id,
            summary=_summary(event),
            detail=detail,
        )


def audit_export(
    conn: Connection,
    *,
    case_id: int,
    target: str,
    action: str,
    actor: str = "system",
    **detail: Any,
) -> None:
    """A delivery to a support-queue target: ``export.requested``/``resend``/``sent``/``failed``."""
    verb = {
        "export.requested": "queued for",
        "export.resend": "queued again for",
        "export.sent": "sent to",
        "export.failed": "failed for",
    }.get(action, action)
    record_audit(
        conn,
        actor=actor,
        action=action,
        subject_type="case",
        subject_id=case_id,
        summary=f"{verb} {target}",
        detail={"target": target, **detail},
    )


def audit_link_decision(
    conn: Connection, *, link_id: int, mention_id: int, customer_id: int, status: str, actor: str
) -> None:
    """A person confirmed or rejected a customer link (``link.confirmed``/``link.rejected``)."""
    record_audit(
        conn,
        actor=actor,
        action=f"link.{status}",
        subject_type="customer_link",
        subject_id=link_id,
        summary=f"{status} link of mention {mention_id} to customer {customer_id}",
        detail={"mention_id": mention_id, "customer_id": customer_id},
    )


def audit_cases_opened(conn: Connection, *, case_ids: list[int]) -> None:
    """One ``case.opened`` row per batch the triage step opened (the ids' range and count)."""
    if not case_ids:
        return
    record_audit(
        conn,
        actor="system",
        action="case.opened",
        subject_type="case",
        subject_id=case_ids[0] if len(case_ids) == 1 else f"{min(case_ids)}-{max(case_ids)}",
        summary=f"{len(case_ids)} case{'s' if len(case_ids) != 1 else ''} opened",
        detail={"cases": len(case_ids), "first": min(case_ids), "last": max(case_ids)},
    )
