"""Cases and a real Request Tracker 5 (Debian's packages, started by the tests on 127.0.0.1).

A case becomes one RT ticket even when the export is killed after RT created it; resolving
the ticket in RT resolves the case here (with RT's note), reopening it reopens the case, a
case resolved here adds one note to its ticket, and changes on both sides are a conflict.
"""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.cases import mention, seed_cases
from helpers.rt_server import RtServer, rt_fixture
from sqlmodel import Session, select

from storage.audit import list_audit
from storage.models import Case, CaseEvent, Export
from storage.tickets import tracked_tickets
from triage.cases import Change, get_case, update_case
from triage.export.run import export_pending
from triage.export.targets import HelpdeskTarget
from triage.helpdesk.sync import sync_tickets

pytestmark = pytest.mark.rt
ROOT = Path(__file__).resolve().parents[2]

CRASH_AFTER_CREATE = """
import os, signal, sys
from storage import make_engine
from triage.export.run import export_pending
from triage.helpdesk.rt import RtClient
from triage.export.targets import HelpdeskTarget

create = RtClient.create_ticket

def create_then_die(self, payload, *, external_id):
    create(self, payload, external_id=external_id)
    os.kill(os.getpid(), signal.SIGKILL)  # after RT made the ticket, before the ledger knows

RtClient.create_ticket = create_then_die
target = HelpdeskTarget("rt", "rt", sys.argv[2], token=os.environ["RT_TOKEN"], queue=sys.argv[3])
export_pending(make_engine(sys.argv[1]), [target])
"""


@pytest.fixture(scope="session")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtServer]:
    yield from rt_fixture(tmp_path_factory)


@pytest.fixture
def queue(rt: RtServer) -> str:
    """A queue of its own per test (case ids restart at 1 in each test's database)."""
    name = f"care-{uuid.uuid4().hex[:8]}"
    rt.api("POST", "queue", json={"Name": name})
    return name


def target(rt: RtServer, queue: str) -> HelpdeskTarget:
    return HelpdeskTarget("rt", "rt", rt.url, token=rt.token, queue=queue)


def comments(rt: RtServer, ticket_id: str) -> list[str]:
    history = rt.api("GET", f"ticket/{ticket_id}/history", params={"fields": "Type"})
    texts = []
    for item in history["items"]:
        if item["Type"] == "Comment":
            parts = rt.api("GET", f"transaction/{item['id']}/attachments", params={
                "fields": "Content"})  # fmt: skip
            texts += [p.get("Content", "") for p in parts["items"]]
    return texts


def test_a_case_becomes_one_ticket_even_when_the_export_dies_after_rt_made_it(
    rt: RtServer, queue: str, tmp_path: Path, sqlite_engine
) -> None:
    (case_id,) = seed_cases(sqlite_engine, [mention("r1", text="Refund never arrived")])
    url = str(sqlite_engine.url)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_AFTER_CREATE, url, rt.url, queue],
        cwd=ROOT, env={**os.environ, "RT_TOKEN": rt.token}, capture_output=True, timeout=120,
    )  # fmt: skip
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()[-2000:]
    made = rt.tickets(f"Queue = '{queue}'")
    assert len(made) == 1 and f"[grapevine-case-{case_id}]" in made[0]["Subject"]
    with Session(sqlite_engine) as session:
        (row,) = session.exec(select(Export)).all()
    assert row.state == "sending"  # the ledger never heard of the ticket

    report = export_pending(sqlite_engine, [target(rt, queue)], lease=timedelta(0))
    assert (report.sent, report.failed) == (1, 0)
    again = rt.tickets(f"Queue = '{queue}'")
    assert [t["id"] for t in again] == [made[0]["id"]]  # found by its tag, not made twice
    with Session(sqlite_engine) as session:
        (row,) = session.exec(select(Export)).all()
    assert row.state == "sent"
    assert row.reference == (
        f"rt #{made[0]['id']} {rt.url.removesuffix('/REST/2.0/')}/Ticket/Display.html?id="
        f"{made[0]['id']}"
    )
    synced = sync_tickets(sqlite_engine, [target(rt, queue)])
    assert [c.what for c in synced.changes] == ["tracked"]
    with sqlite_engine.connect() as conn:
        (tracked,) = tracked_tickets(conn)
        created = list_audit(conn, action="ticket.created")
    assert tracked["ticket_id"] == made[0]["id"] and tracked["case_id"] == case_id
    assert len(created) == 1 and created[0]["subject_id"] == str(case_id)


def test_solved_in_rt_resolves_the_case_reopened_reopens_it_and_back(
    rt: RtServer, queue: str, sqlite_engine
) -> None:
    (case_id,) = seed_cases(sqlite_engine, [mention("r2")])
    rt_target = target(rt, queue)
    export_pending(sqlite_engine, [rt_target])
    sync_tickets(sqlite_engine, [rt_target])
    (ticket,) = rt.tickets(f"Queue = '{queue}'")
    tid = ticket["id"]

    said = {"Content": "Refund issued, customer confirmed by phone", "ContentType": "text/plain"}
    rt.api("POST", f"ticket/{tid}/comment", json=said)
    rt.api("PUT", f"ticket/{tid}", json={"Status": "resolved"})
    report = sync_tickets(sqlite_engine, [rt_target], follow_up_days=(30, 60, 90))
    assert [c.what for c in report.changes] == ["resolved"]
    case = get_case(sqlite_engine, case_id)
    assert case is not None and case.status == "resolved" and case.resolved_at is not None
    assert case.follow_up_at is not None
    assert case.follow_up_at - case.resolved_at == timedelta(days=30)
    with Session(sqlite_engine) as session:
        notes = session.exec(
            select(CaseEvent.message).where(CaseEvent.case_id == case_id, CaseEvent.kind == "note")
        ).all()
    assert any("Refund issued, customer confirmed by phone" in n for n in notes)
    assert sync_tickets(sqlite_engine, [rt_target]).changes == []  # nothing new: nothing done
    assert comments(rt, tid) == ["Refund issued, customer confirmed by phone"]  # no echo back

    rt.api("PUT", f"ticket/{tid}", json={"Status": "open"})
    report = sync_tickets(sqlite_engine, [rt_target])
    assert [c.what for c in report.changes] == ["reopened"]
    case = get_case(sqlite_engine, case_id)
    assert case is not None and case.status == "in_progress" and case.follow_up_at is None

    update_case(sqlite_engine, case_id, version=case.version, actor="dana",
                change=Change(status="resolved"))  # fmt: skip
    report = sync_tickets(sqlite_engine, [rt_target])
    assert [c.what for c in report.changes] == ["noted"]
    assert sync_tickets(sqlite_engine, [rt_target]).changes == []  # once
    ours = [c for c in comments(rt, tid) if c.startswith("Grapevine: ")]
    assert ours == [f"Grapevine: case #{case_id} was resolved in Grapevine."]
    assert rt.api("GET", f"ticket/{tid}")["Status"] == "open"  # a note, not a status change
    with sqlite_engine.connect() as conn:
        synced = list_audit(conn, action="ticket.synced")
    assert len(synced) == 3


def test_changes_on_both_sides_are_a_conflict_shown_and_not_overwritten(
    rt: RtServer, queue: str, sqlite_engine
) -> None:
    (case_id,) = seed_cases(sqlite_engine, [mention("r3")])
    rt_target = target(rt, queue)
    export_pending(sqlite_engine, [rt_target])
    sync_tickets(sqlite_engine, [rt_target])
    (ticket,) = rt.tickets(f"Queue = '{queue}'")
    case = get_case(sqlite_engine, case_id)
    assert case is not None
    update_case(sqlite_engine, case_id, version=case.version, actor="dana",
                change=Change(note="called the customer, waiting for photos"))  # fmt: skip
    rt.api("PUT", f"ticket/{ticket['id']}", json={"Status": "resolved"})

    report = sync_tickets(sqlite_engine, [rt_target])
    assert [c.what for c in report.changes] == ["conflict"]
    assert sync_tickets(sqlite_engine, [rt_target]).changes == []  # flagged once
    case = get_case(sqlite_engine, case_id)
    assert case is not None and case.status == "new"  # not overwritten
    assert rt.api("GET", f"ticket/{ticket['id']}")["Status"] == "resolved"
    with sqlite_engine.connect() as conn:
        (row,) = tracked_tickets(conn)
    assert row["conflict"] and "resolved in RT" in row["conflict_detail"]

    update_case(sqlite_engine, case_id, version=case.version, actor="dana",
                change=Change(status="resolved"))  # fmt: skip
    report = sync_tickets(sqlite_engine, [rt_target])
    assert [c.what for c in report.changes] == ["agreed"]
    with sqlite_engine.connect() as conn:
        (row,) = tracked_tickets(conn)
    assert not row["conflict"]
    with Session(sqlite_engine) as session:
        assert session.get(Case, case_id).status == "resolved"  # type: ignore[union-attr]


def test_rt_refusals_are_said_in_words(rt: RtServer, queue: str) -> None:
    from triage.helpdesk.base import HelpdeskError, TicketRef
    from triage.helpdesk.rt import RtClient

    with pytest.raises(HelpdeskError) as bad_token:
        RtClient(rt.url, token="1-1-nonsense", queue=queue).find_ticket("grapevine-case-1")
    assert str(bad_token.value).startswith("RT: HTTP 401, the helpdesk rejected the credentials")
    assert "nonsense" not in str(bad_token.value) and not bad_token.value.retryable
    with pytest.raises(HelpdeskError, match=r"^RT: HTTP 404, not found in the helpdesk"):
        RtClient(rt.url, token=rt.token, queue=queue).ticket_state(TicketRef("999999"))
