"""Zendesk and Freshdesk targets against local servers that follow their documented APIs
(tests/helpers/fake_helpdesks.py): one ticket per case, status back, errors in words."""

from datetime import timedelta

import pytest
from helpers.cases import NOW, mention, seed_cases
from helpers.fake_helpdesks import FakeFreshdesk, FakeZendesk, serve
from sqlmodel import Session, select

from storage.audit import list_audit
from storage.models import Case, CaseEvent, Customer, CustomerLink, Export
from storage.tickets import tracked_tickets
from triage.cases import Change, get_case, update_case
from triage.export.ledger import request_send
from triage.export.run import export_pending
from triage.export.targets import HelpdeskTarget
from triage.helpdesk.base import HelpdeskError
from triage.helpdesk.freshdesk import FreshdeskClient
from triage.helpdesk.sync import sync_tickets
from triage.helpdesk.zendesk import ZendeskClient

EMAIL, TOKEN, KEY = "agent@acme.example", "zd-token-s3cret", "fd-key-s3cret"


def link_customer(engine, case_id: int) -> None:
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        customer = Customer(external_id="C-7", name="Kim Lee", email="kim@example.com")
        session.add(customer)
        session.flush()
        session.add(
            CustomerLink(
                mention_id=case.mention_id, customer_id=customer.id or 0, method="email",
                confidence=1.0, status="confirmed",
            )
        )  # fmt: skip
        session.commit()


def zendesk(url: str, token: str = TOKEN) -> HelpdeskTarget:
    return HelpdeskTarget("zd", "zendesk", url, token=token, email=EMAIL, tags=("grapevine",))


def freshdesk(url: str) -> HelpdeskTarget:
    return HelpdeskTarget("fd", "freshdesk", url, token=KEY, email="care@acme.example")


def test_zendesk_one_ticket_per_case_and_status_back(engine) -> None:
    (case_id,) = seed_cases(engine, [mention("z1", text="My parcel never came")])
    link_customer(engine, case_id)
    with serve(FakeZendesk(EMAIL, TOKEN)) as zd:
        target = zendesk(zd.url)
        assert export_pending(engine, [target]).sent == 1
        (ticket,) = zd.tickets.values()
        assert ticket["external_id"] == f"grapevine-case-{case_id}"
        assert ticket["tags"] == ["grapevine", f"grapevine-case-{case_id}"]
        assert ticket["requester"] == {"name": "Kim Lee", "email": "kim@example.com"}
        assert "My parcel never came" in ticket["description"]
        request_send(engine, case_id, "zd", actor="dana")  # a resend by hand
        assert export_pending(engine, [target]).sent == 1
        assert len(zd.tickets) == 1  # found by external_id, not made twice
        with Session(engine) as session:
            (row,) = session.exec(select(Export)).all()
        assert row.reference == f"zendesk #1 {zd.url}/agent/tickets/1"

        sync_tickets(engine, [target])
        zd.agent_update(1, status="solved", comment={"body": "Reshipped, tracking sent"})
        report = sync_tickets(engine, [target])
        assert [c.what for c in report.changes] == ["resolved"]
        case = get_case(engine, case_id)
        assert case is not None and case.status == "resolved" and case.follow_up_at is not None
        with Session(engine) as session:
            notes = session.exec(select(CaseEvent.message).where(CaseEvent.kind == "note")).all()
        assert notes == ["Zendesk ticket #1 was solved in Zendesk: Reshipped, tracking sent"]

        zd.agent_update(1, status="open")
        assert [c.what for c in sync_tickets(engine, [target]).changes] == ["reopened"]
        case = get_case(engine, case_id)
        assert case is not None
        update_case(engine, case_id, version=case.version, actor="dana",
                    change=Change(status="resolved"))  # fmt: skip
        assert [c.what for c in sync_tickets(engine, [target]).changes] == ["noted"]
        assert sync_tickets(engine, [target]).changes == []
        last = zd.comments[1][-1]
        assert last["public"] is False and last["body"].startswith("Grapevine: case #")
    with engine.connect() as conn:
        assert len(list_audit(conn, action="ticket.created")) == 1
        assert len(list_audit(conn, action="ticket.synced")) == 3
        audit_text = repr(list_audit(conn))
    assert "kim@example.com" not in audit_text and "parcel" not in audit_text


def test_zendesk_errors_are_said_in_words_and_429_waits(sqlite_engine) -> None:
    seed_cases(sqlite_engine, [mention("z2"), mention("z3")])
    with serve(FakeZendesk(EMAIL, TOKEN)) as zd:
        report = export_pending(sqlite_engine, [zendesk(zd.url, token="wrong")])
        assert report.failed == 2 and not zd.tickets
        (error,) = report.targets[0].errors
        assert error == (
            "Zendesk: HTTP 401, the helpdesk rejected the credentials (check the token and "
            "its environment variable)"
        )
        assert "wrong" not in error and zd.url not in error

        target = zendesk(zd.url)
        export_pending(sqlite_engine, [target], ignore_backoff=True)
        sync_tickets(sqlite_engine, [target])
        zd.fail_next(429, retry_after=7)
        report = sync_tickets(sqlite_engine, [target])
        assert report.problems == [
            "zd: Zendesk: HTTP 429, rate limited by the helpdesk; retry after 7 s"
        ]
        assert report.checked == 1  # the turn ended at the 429: the second ticket waits
        zd.tickets.pop(2)  # deleted in Zendesk
        report = sync_tickets(sqlite_engine, [target])
        assert [c.what for c in report.changes] == ["error"]
        assert "HTTP 404, not found in the helpdesk" in report.changes[0].detail
    with sqlite_engine.connect() as conn:
        rows = {r["ticket_id"]: r for r in tracked_tickets(conn)}
    assert "HTTP 404" in rows["2"]["last_error"] and rows["1"]["last_error"] is None

    with serve(FakeZendesk(EMAIL, TOKEN)) as zd:
        client = ZendeskClient(zd.url, email=EMAIL, token=TOKEN)
        zd.fail_next(422)  # e.g. a required custom field the account added
        with pytest.raises(HelpdeskError, match="HTTP 422, the helpdesk refused the ticket") as no:
            client.create_ticket({"case_id": 1, "text": "x"}, external_id="grapevine-case-1")
        assert not no.value.retryable
        zd.fail_next(503)
        with pytest.raises(HelpdeskError) as info:
            client.find_ticket("grapevine-case-1")
        assert info.value.retryable and info.value.retry_after is None


def test_freshdesk_ticket_found_by_tag_and_closed_resolves_the_case(sqlite_engine) -> None:
    (case_id,) = seed_cases(sqlite_engine, [mention("f1")])
    with serve(FakeFreshdesk(KEY)) as fd:
        target = freshdesk(fd.url)
        assert export_pending(sqlite_engine, [target]).sent == 1
        (ticket,) = fd.tickets.values()
        assert ticket["email"] == "care@acme.example"  # no customer linked: the default
        assert ticket["status"] == 2 and f"grapevine-case-{case_id}" in ticket["tags"]
        with sqlite_engine.begin() as conn:  # as if the sender died before recording it
            conn.execute(Export.__table__.update().values(state="sending", reference=None))  # type: ignore[attr-defined]
        assert export_pending(sqlite_engine, [target], lease=timedelta(0)).sent == 1
        assert len(fd.tickets) == 1
        sync_tickets(sqlite_engine, [target])
        fd.agent_update(ticket["id"], status=5, note="<p>Customer refunded &amp; happy</p>")
        report = sync_tickets(sqlite_engine, [target])
        assert [c.what for c in report.changes] == ["resolved"]
        case = get_case(sqlite_engine, case_id)
        assert case is not None and case.status == "resolved"
        with Session(sqlite_engine) as session:
            notes = session.exec(select(CaseEvent.message).where(CaseEvent.kind == "note")).all()
        assert notes == [f"Freshdesk ticket #{ticket['id']} was closed in Freshdesk: "
                         "Customer refunded & happy"]  # fmt: skip

        asked = len(fd.requests)
        assert sync_tickets(sqlite_engine, [target]).checked == 0  # closed for good: not read
        assert len(fd.requests) == asked

        client = FreshdeskClient(fd.url, api_key=KEY, default_requester="not-an-email")
        fd.validation_status = 422
        with pytest.raises(HelpdeskError, match="HTTP 422, the helpdesk refused the ticket"):
            client.create_ticket({"case_id": 9, "text": "x"}, external_id="grapevine-case-9")
        with pytest.raises(HelpdeskError, match="HTTP 401"):
            FreshdeskClient(fd.url, api_key="nope").find_ticket("grapevine-case-1")


def test_the_export_waits_as_long_as_a_429_asks(sqlite_engine) -> None:
    seed_cases(sqlite_engine, [mention("z9")])
    with serve(FakeZendesk(EMAIL, TOKEN)) as zd:
        zd.fail_next(429, retry_after=3600)
        report = export_pending(sqlite_engine, [zendesk(zd.url)], clock=lambda: NOW)
    assert report.targets[0].errors == [
        "Zendesk: HTTP 429, rate limited by the helpdesk; retry after 3600 s"
    ]
    with Session(sqlite_engine) as session:
        (row,) = session.exec(select(Export)).all()
    assert row.state == "failed" and row.next_attempt_at == NOW + timedelta(hours=1)  # not 5 min
