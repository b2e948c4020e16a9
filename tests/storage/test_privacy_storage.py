"""storage.privacy: finding a person, erasing them, tombstones the mention upsert respects."""

import json
from typing import Any

from helpers.cases import NOW, mention, seed_cases
from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session

from storage import privacy, quarantine
from storage.mentions import upsert_mentions
from storage.models import Customer, CustomerLink, Mention
from storage.tables.privacy import Tombstone


def _customer(engine: Engine, **values: Any) -> int:
    row: dict[str, Any] = {
        "external_id": "C-9",
        "name": "Anna Quill",
        "email": "anna@example.com",
        "phone": "+1 555 010 9999",
        "handles": {"mastodon": "@anna@social.example"},
        **values,
    }
    with Session(engine) as session:
        customer = Customer(**row)
        session.add(customer)
        session.commit()
        return int(customer.id or 0)


def test_find_by_email_handle_and_link_then_erase_keeps_the_counts(engine: Engine) -> None:
    case_ids = seed_cases(
        engine,
        [
            mention(
                "m1", source="toots", source_type="mastodon", author_handle="anna@social.example"
            ),
            mention("m2", text="mail me at ANNA@example.com, order late"),
            mention("m3", author="Anna Q"),  # linked below
            mention("m4", author="Somebody Else"),
        ],
    )
    customer_id = _customer(engine)
    with engine.begin() as conn:
        m3 = conn.execute(select(Mention.id).where(Mention.external_id == "m3")).scalar_one()  # type: ignore[arg-type]
        conn.execute(
            insert(CustomerLink.__table__),  # type: ignore[attr-defined]
            {
                "mention_id": m3,
                "customer_id": customer_id,
                "method": "name",
                "status": "suggested",
                "evidence": "name Anna Q ~ Anna Quill",
                "created_at": NOW,
            },
        )
    quarantine.add(
        engine,
        items=[{"source": "toots", "external_id": "q1", "author_handle": "@Anna@social.example"}],
        reasons=["ValueError: bad"],
        stage="store",
    )
    with engine.connect() as conn:
        day_before = conn.execute(
            text("SELECT sum(mentions), sum(attention) FROM mention_day")
        ).one()
        person = privacy.find_person(conn, email="anna@example.com")
    assert person.customer_ids == [customer_id]
    assert len(person.mention_ids) == 3 and len(person.case_ids) == 3
    assert len(person.quarantine_ids) == 1
    counts = person.counts()
    assert counts["customer"] == 1 and counts["mention"] == 3 and counts["customer_link"] == 1

    with engine.begin() as conn:
        done, counts, request_id = privacy.forget_person(
            conn, actor="test", email="anna@example.com"
        )
    assert counts["tombstone"] == 4  # the mastodon handle and three mentions
    with engine.connect() as conn:
        rows = conn.execute(select(Mention).order_by(Mention.id)).all()  # type: ignore[arg-type]
        assert [r.text == privacy.ERASED_TEXT for r in rows] == [True, True, True, False]
        assert all(r.external_id.startswith("forgotten:") for r in rows[:3])
        assert conn.execute(text("SELECT count(*) FROM customer")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM quarantine")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM triage_case")).scalar_one() == len(case_ids)
        day_after = conn.execute(
            text("SELECT sum(mentions), sum(attention) FROM mention_day")
        ).one()
        stones = conn.execute(select(Tombstone)).all()  # type: ignore[call-overload]
        audit = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'forget'")).one()
    assert tuple(day_after) == tuple(day_before)
    blob = json.dumps([tuple(str(v) for v in s) for s in stones])
    assert "anna" not in blob.lower() and "m1" not in blob
    detail = audit.detail if isinstance(audit.detail, dict) else json.loads(audit.detail)
    assert detail["request_id"] == request_id and "anna" not in json.dumps(detail)


def test_the_upsert_skips_tombstoned_mentions_and_counts_them(engine: Engine) -> None:
    upsert_mentions(
        engine, [mention("k1", source="toots", source_type="mastodon", author_handle="bo")]
    )
    with engine.begin() as conn:
        privacy.forget_person(conn, actor="test", author=("mastodon", "@Bo"))
    again = upsert_mentions(
        engine,
        [
            mention("k1", source="toots", source_type="mastodon", author_handle="bo"),  # same id
            mention("k2", source="other-toots", source_type="mastodon", author_handle="BO"),
            mention("k3", source="toots", source_type="mastodon", author_handle="cy"),
        ],
    )
    assert again.forgotten == 2 and again.new == 1 and again.quarantined == 0
    # an item of theirs that a later crawl could not analyse is not kept in the quarantine
    forgotten_item = {"source": "toots", "source_type": "mastodon", "author_handle": "@bo"}
    other = {"source": "toots", "source_type": "mastodon", "author_handle": "cy"}
    assert quarantine.add(engine, items=[forgotten_item], reasons=["x"], stage="analyse") == 0
    assert quarantine.add(engine, items=[other], reasons=["x"], stage="analyse") == 1
    with engine.connect() as conn:
        kept = conn.execute(select(Mention.external_id)).scalars().all()  # type: ignore[call-overload]
    assert sorted(k for k in kept if not k.startswith("forgotten:")) == ["k3"]


def test_nothing_found_is_empty_and_a_short_name_is_not_searched(engine: Engine) -> None:
    upsert_mentions(engine, [mention("z1", text="Bo said hi")])
    with engine.connect() as conn:
        person = privacy.find_person(conn, email="nobody@example.com")
    assert person.empty and person.counts() == {}
    assert privacy.needle_pattern([]).search("anything") is None
    assert privacy.needle_pattern(["Anna Quill"]).sub("x", "Hi anna quill!") == "Hi x!"


def test_replies_and_tickets_are_blanked_and_listed_as_not_recallable(engine: Engine) -> None:
    from storage.tables.helpdesk import HelpdeskTicket
    from storage.tables.replies import Reply

    [case_id] = seed_cases(engine, [mention("r1", author_handle="dee", source_type="mastodon")])
    with engine.begin() as conn:
        m = conn.execute(select(Mention.id)).scalar_one()  # type: ignore[call-overload]
        conn.execute(
            insert(Reply.__table__),  # type: ignore[attr-defined]
            {"case_id": case_id, "mention_id": m, "platform": "mastodon", "text": "Hi Dee Quinn!",
             "state": "posted", "url": "https://social.example/@acme/1", "created_at": NOW,
             "idempotency_key": "k", "visibility": "public"},
        )  # fmt: skip
        conn.execute(
            insert(HelpdeskTicket.__table__),  # type: ignore[attr-defined]
            {"case_id": case_id, "target": "zd", "kind": "zendesk", "ticket_id": "77",
             "url": "https://acme.zendesk.example/tickets/77", "last_status": "open",
             "case_version": 1, "conflict": True, "conflict_detail": "Dee Quinn's ticket moved",
             "created_at": NOW},
        )  # fmt: skip
    with engine.begin() as conn:
        person = privacy.find_person(conn, author=("mastodon", "dee"))
        sent = privacy.export_targets(conn, person)
        privacy.erase(conn, person)
    assert {(r["target"], r["reference"]) for r in sent} == {
        ("zd", "https://acme.zendesk.example/tickets/77"),
        ("reply on mastodon", "https://social.example/@acme/1"),
    }
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM reply")).scalar_one() == ""
        assert conn.execute(text("SELECT conflict_detail FROM helpdesk_ticket")).scalar() is None


def test_an_author_without_a_handle_is_forgotten_by_display_name(engine: Engine) -> None:
    review = {"source": "tp", "source_type": "trustpilot", "author_handle": None}
    upsert_mentions(engine, [mention("t1", author="Dee Lane", **review), mention("t2", **review)])
    with engine.begin() as conn:
        _, counts, _ = privacy.forget_person(conn, actor="test", author=("trustpilot", "dee lane"))
    assert counts["mention"] == 1
    again = upsert_mentions(
        engine,
        [mention("t1", author="Dee Lane", **review), mention("t3", author=" DEE LANE", **review)],
    )
    assert again.forgotten == 2 and again.new == 0


def test_a_phone_number_written_differently_finds_the_customer(engine: Engine) -> None:
    customer_id = _customer(engine)
    with engine.connect() as conn:
        for written in ("+1 555 010 9999", "+15550109999", "1-555-010-9999"):
            assert privacy.find_person(conn, phone=written).customer_ids == [customer_id]
        assert privacy.find_person(conn, phone="+1 555 010 0000").customer_ids == []
        assert privacy.find_person(conn, customer="C-9").customer_ids == [customer_id]
        assert privacy.find_person(conn, customer=str(customer_id)).customer_ids == [customer_id]
