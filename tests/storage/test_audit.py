"""The audit trail: append-only in the database, and a row for every case change, link
decision and delivery (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from helpers.cases import NOW, mention, seed_cases
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from storage.audit import AUDIT, list_audit, purge_audit_before, record_audit
from storage.models import Customer
from triage.cases import Change, get_case, update_case
from triage.export.ledger import request_send
from triage.export.run import export_pending
from triage.export.targets import FileTarget
from triage.links import LinkEvidence, decide_link, record_links


def _seed_rows(engine) -> None:
    with engine.begin() as conn:
        record_audit(conn, actor="ana", action="signin", at=NOW - timedelta(days=400))
        record_audit(conn, actor="ana", action="case.note", subject_type="case", subject_id=1)


def test_audit_rows_cannot_be_updated_or_deleted(engine) -> None:
    _seed_rows(engine)
    for statement in (
        update(AUDIT).values(actor="mallory"),
        delete(AUDIT),
        text("DELETE FROM audit_event WHERE actor = 'ana'"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        rows = list_audit(conn)
    assert [r["actor"] for r in rows] == ["ana", "ana"]


def test_only_the_retention_purge_removes_old_rows_and_the_guard_stays(engine) -> None:
    _seed_rows(engine)
    with engine.begin() as conn:
        assert purge_audit_before(conn, before=NOW - timedelta(days=365)) == 1
    with engine.connect() as conn:
        assert [r["action"] for r in list_audit(conn)] == ["case.note"]
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(AUDIT))  # the purge left the guard in place


def test_every_case_change_leaves_its_row_without_the_note_text(engine) -> None:
    (case_id,) = seed_cases(engine, [mention("1")])
    case = get_case(engine, case_id)
    assert case is not None
    update_case(
        engine,
        case_id,
        version=case.version,
        actor="sam",
        change=Change(status="in_progress", assignee="sam", note="Called Maria on +33 6 12"),
    )
    case = get_case(engine, case_id)
    assert case is not None
    update_case(
        engine,
        case_id,
        version=case.version,
        actor="sam",
        change=Change(status="dismissed", dismissed_reason="spam by maria@example.com"),
    )
    with engine.connect() as conn:
        rows = list_audit(conn, subject_type="case", subject_id=str(case_id))
    assert sorted(r["action"] for r in rows) == [
        "case.assigned",
        "case.note",
        "case.opened",  # by the triage step
        "case.status",
        "case.status",
    ]
    assert {r["actor"] for r in rows if r["action"] != "case.opened"} == {"sam"}
    assert "status in_progress → dismissed" in {r["summary"] for r in rows}
    with engine.connect() as conn:
        (opened,) = list_audit(conn, action="case.opened")
    assert (opened["actor"], opened["subject_id"], opened["detail"]["cases"]) == (
        "system", str(case_id), 1,
    )  # fmt: skip
    everything = repr(rows)
    assert "Maria" not in everything and "maria@example.com" not in everything
    assert "+33" not in everything


def test_link_decisions_and_deliveries_leave_their_rows(engine, tmp_path) -> None:
    (case_id,) = seed_cases(engine, [mention("1")])
    with Session(engine) as session:
        session.add(Customer(external_id="c1", name="Maria Lopez"))
        session.commit()
    with engine.connect() as conn:
        customer_id = conn.execute(text("SELECT id FROM customer")).scalar_one()
        mention_id = conn.execute(text("SELECT mention_id FROM triage_case")).scalar_one()
    record_links(engine, [LinkEvidence(mention_id, customer_id, "name", 0.6, "similar name")])
    with engine.connect() as conn:
        link_id = conn.execute(text("SELECT id FROM customer_link")).scalar_one()
    decide_link(engine, link_id, confirm=True, actor="sam")

    target = FileTarget("drop", tmp_path / "drop.jsonl")
    assert export_pending(engine, [target]).sent == 1
    request_send(engine, case_id, "drop", actor="sam")  # by hand, after it went: a re-send
    broken = FileTarget("broken", tmp_path)  # a directory: the delivery fails
    request_send(engine, case_id, "broken", actor="sam")
    export_pending(engine, [target, broken])
    with engine.connect() as conn:
        rows = list_audit(conn)
    actions = [(r["actor"], r["action"], r["detail"].get("target")) for r in reversed(rows)]
    assert ("sam", "link.confirmed", None) in actions
    assert actions.index(("system", "export.sent", "drop")) < actions.index(
        ("sam", "export.resend", "drop")
    )
    assert ("sam", "export.requested", "broken") in actions
    assert ("system", "export.failed", "broken") in actions
    assert actions.count(("system", "export.sent", "drop")) == 2
    assert "Maria" not in repr(rows)
