"""The audit trail in the dashboard: record what people do here, and the Audit page's parts.

Recording never stops a page: when the database refuses the row, the failure is logged (by
its type only) and the person carries on.
"""

import csv
import io
import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import context, display
from dashboard.auth import Person
from storage.audit import audit_facets, audit_now, list_audit
from triage.export.senders import neutralise

log = logging.getLogger(__name__)

#: The columns of the table and of the CSV download.
COLUMNS = ("When (UTC)", "Who", "Action", "Subject", "Summary", "Detail")
#: Filter widgets' session keys start with this (kept across pages by the entry script).
PREFIX = "audit_"


def note(action: str, *, actor: str, **fields: Any) -> None:
    """Append one audit row for something done in the dashboard (a sign-in, a file viewed)."""
    try:
        audit_now(context.engine(), actor=actor, action=action, **fields)
    except Exception as exc:  # the trail is refused (database down): say so in the log only
        log.warning("could not record %s in the audit trail: %s", action, type(exc).__name__)


def viewed_customer(who: Person, customer_id: int, where: str) -> None:
    """``customer.viewed`` once per session, customer and page (reruns are not new views)."""
    key = f"audit_seen_{where}_{customer_id}"
    if st.session_state.get(key):
        return
    st.session_state[key] = True
    note(
        "customer.viewed",
        actor=who.name,
        subject_type="customer",
        subject_id=customer_id,
        summary=f"customer file viewed on the {where} page",
        detail={"page": where},
    )


def filters() -> dict[str, Any]:
    """The filter row: actor, action, subject, dates; the arguments of :func:`list_audit`."""
    with context.engine().connect() as conn:
        facets = audit_facets(conn)
    left, middle, right = st.columns(3)
    actor = left.selectbox("Who", ["", *facets["actors"]], key="audit_actor", format_func=_any)
    action = middle.selectbox(
        "Action", ["", *facets["actions"]], key="audit_action", format_func=_any
    )
    subject = right.text_input(
        "Subject", key="audit_subject", placeholder="case 42, customer 7 or 42"
    )
    today = datetime.now(UTC).date()
    days = st.date_input(
        "Dates", value=(today - timedelta(days=30), today), key="audit_dates", max_value=today
    )
    since, until = _range(days)
    subject_type, subject_id = _subject(subject)
    return {
        "actor": actor or None,
        "action": action or None,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "since": since,
        "until": until,
    }


def _any(value: str) -> str:
    return value.replace("_", " ") if value else "(any)"


def _range(days: Any) -> tuple[datetime | None, datetime | None]:
    picked = [d for d in (days if isinstance(days, list | tuple) else [days]) if d]
    if not picked:
        return None, None
    first: date = picked[0]
    last: date = picked[-1]
    since = datetime.combine(first, time(0), tzinfo=UTC)
    return since, datetime.combine(last, time(0), tzinfo=UTC) + timedelta(days=1)


def _subject(text: str) -> tuple[str | None, str | None]:
    words = text.strip().lower().split()
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0].lstrip("#")
    return words[0], words[-1].lstrip("#")


def rows(wanted: dict[str, Any], limit: int = 5000) -> list[dict[str, Any]]:
    """The audit rows under the filters, newest first."""
    with context.engine().connect() as conn:
        return list_audit(conn, limit=limit, **wanted)


def _record(row: dict[str, Any]) -> dict[str, str]:
    subject = f"{row['subject_type']} {row['subject_id']}".strip()
    detail = ", ".join(  # codes in words: in_progress reads "in progress"
        f"{k.replace('_', ' ')}={str(v).replace('_', ' ')}"
        for k, v in sorted((row.get("detail") or {}).items())
        if v is not None
    )
    at = row["at"]
    return dict(
        zip(
            COLUMNS,
            (
                at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if at else "",
                row["actor"],
                row["action"].replace("_", " "),
                subject,
                display.clean(row["summary"]).replace("_", " "),
                detail,
            ),
            strict=True,
        )
    )


def frame(found: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as the page's table."""
    return pd.DataFrame([_record(r) for r in found], columns=list(COLUMNS))


def csv_bytes(found: list[dict[str, Any]]) -> bytes:
    """The rows as UTF-8 CSV; a cell starting with = + - @ cannot run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in found:
        writer.writerow([neutralise(v) for v in _record(row).values()])
    return out.getvalue().encode("utf-8")
