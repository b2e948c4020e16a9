"""Customer links are suggested or confirmed and decided by a person; manual sends are queued."""

from datetime import UTC, datetime

from sqlmodel import Session

from storage.mentions import upsert_mentions
from storage.models import Customer
from triage.cases import timeline
from triage.export.ledger import exports_for_case, request_send
from triage.links import LinkEvidence, decide_link, links_for_mention, record_links
from triage.opening import open_cases
from triage.policy import TriagePolicy


def seed(engine) -> tuple[int, int, int]:
    result = upsert_mentions(
        engine,
        [
            {
                "source": "s",
                "source_type": "feed",
                "external_id": "1",
                "url": "https://x",
                "author": "Maria L",
                "text": "Still waiting",
                "content_hash": "1",
                "needs_attention": True,
                "sentiment": -0.5,
                "published_at": datetime(2026, 11, 1, tzinfo=UTC),
            }
        ],
    )
    [case_id] = open_cases(engine, TriagePolicy())
    with Session(engine) as session:
        customers = [
            Customer(external_id="C1", name="Maria Lopez"),
            Customer(external_id="C2", name="Mario Lopez"),
        ]
        session.add_all(customers)
        session.commit()
        ids = [c.id for c in customers]
    return result.new_ids[0], case_id, ids


def test_suggestions_then_a_decision(engine) -> None:
    mention_id, case_id, (maria, mario) = seed(engine)
    new = record_links(
        engine,
        [
            LinkEvidence(mention_id, maria, "name", 0.82, "name 'Maria L' ~ 'Maria Lopez'"),
            LinkEvidence(mention_id, mario, "name", 0.61, "name 'Maria L' ~ 'Mario Lopez'"),
        ],
    )
    assert new == 2
    assert record_links(engine, [LinkEvidence(mention_id, maria, "name", 0.9, "again")]) == 0
    links = links_for_mention(engine, mention_id)
    assert [(link.status, c.name) for link, c in links] == [
        ("suggested", "Maria Lopez"),
        ("suggested", "Mario Lopez"),
    ]
    decided = decide_link(engine, links[0][0].id, confirm=True, actor="sam")
    assert decided.status == "confirmed" and decided.decided_by == "sam"
    decide_link(engine, links[1][0].id, confirm=False, actor="sam")
    assert [link.status for link, _ in links_for_mention(engine, mention_id)] == [
        "confirmed",
        "rejected",
    ]
    assert [e.message for e in timeline(engine, case_id) if e.kind == "link"] == [
        "confirmed link to Maria Lopez (name)",
        "rejected link to Mario Lopez (name)",
    ]


def test_manual_send_is_queued_once_per_target(engine) -> None:
    _, case_id, _ = seed(engine)
    first = request_send(engine, case_id, "helpdesk", actor="sam")
    assert first.state == "pending" and first.attempts == 0
    again = request_send(engine, case_id, "helpdesk", actor="sam")
    assert again.id == first.id
    assert [e.target for e in exports_for_case(engine, case_id)] == ["helpdesk"]
    assert [e.message for e in timeline(engine, case_id) if e.kind == "export"] == [
        "queued for helpdesk",
        "queued again for helpdesk",
    ]
