"""Advocates: happy mentions with their customers, came-back-happier, the customer timeline."""

from datetime import timedelta

from storage.advocates import customer_events, event_counts, happy_mentions
from storage.mentions import upsert_mentions
from storage.types import utcnow
from tests.dashboard.seed import mention, seed_desk
from triage import advocacy
from triage.links import LinkEvidence, record_links


def seed(engine) -> dict[str, int]:
    """The desk, plus Marco (whose case was resolved) writing a glowing review afterwards."""
    ids = seed_desk(engine)
    upsert_mentions(
        engine,
        [
            mention(
                "marco-back",
                0.1,
                author="Marco Bianchi",
                text="The replacement grinder is perfect, thank you for sorting it so fast!",
                label="positive",
                sentiment=0.93,
                rating=5.0,
                aspects=["customer service", "product quality"],
                reach=800,
            ),
            mention("meh", 0.3, author="Pat", label="positive", sentiment=0.35),
            mention("glow", 0.4, author="glow_gal", label="positive", sentiment=0.72, rating=None),
            mention(
                "rival-fan",
                0.2,
                brand="Beanstalk Roasters",
                is_competitor=True,
                label="positive",
                sentiment=0.9,
                rating=5.0,
            ),
        ],
    )
    from sqlmodel import Session, select

    from storage.models import Case, Customer, Mention

    with Session(engine) as session:
        marco_back = session.exec(select(Mention).where(Mention.external_id == "marco-back")).one()
        stale = session.exec(select(Mention).where(Mention.external_id == "stale")).one()
        customer = Customer(
            external_id="C-300", name="Marco Bianchi", tier="vip", lifetime_value=5400.0
        )
        session.add(customer)
        case = session.exec(select(Case).where(Case.mention_id == stale.id)).one()
        case.resolved_at = utcnow() - timedelta(days=1)  # resolved before the glowing review
        session.add(case)
        session.commit()
        ids["customer_marco"] = customer.id or 0
        ids["mention_marco_back"] = marco_back.id or 0
        ids["mention_stale"] = stale.id or 0
    record_links(
        engine,
        [
            LinkEvidence(ids["mention_stale"], ids["customer_marco"], "email", 1.0, "", True),
            LinkEvidence(ids["mention_marco_back"], ids["customer_marco"], "email", 1.0, "", True),
        ],
    )
    return ids


def test_happy_mentions_are_the_own_brands_enthusiastic_ones_known_customers_first(
    engine,
) -> None:
    ids = seed(engine)
    rows = advocacy.advocates(engine, days=7)
    authors = [row["author"] for row in rows]
    # rated 4-5 or unrated and enthusiastic; not lukewarm, not a competitor's, not a complaint
    assert set(authors) == {"Marco Bianchi", "James", "glow_gal"}
    assert authors[0] == "Marco Bianchi"  # a known customer first
    marco = rows[0]
    assert marco["customer_id"] == ids["customer_marco"]
    assert (marco["customer_name"], marco["tier"], marco["lifetime_value"]) == (
        "Marco Bianchi",
        "vip",
        5400.0,
    )
    assert marco["came_back"]["case_id"] == ids["case_stale"]
    assert marco["reach"] == 800 and marco["aspects"] == ["customer service", "product quality"]
    assert all(row["came_back"] is None for row in rows[1:])
    # Maria's five stars of 40 days ago are outside the week, inside the quarter
    older = advocacy.advocates(engine, days=90)
    assert "Maria Lopez" in [row["author"] for row in older]


def test_a_thank_you_reads_like_a_person_and_lands_on_the_customer_timeline(engine) -> None:
    ids = seed(engine)
    row = advocacy.advocates(engine, days=7)[0]
    templates = advocacy.load_templates()
    assert set(templates) == {"thank", "ask-review", "invite-referral"}
    text = advocacy.reply(templates["thank"], row, brand="Larkwood Coffee", responder="Sam")
    assert text.startswith("Hi Marco,")
    assert "how our team looked after you and the product" in text
    assert text.rstrip().endswith("Sam, Larkwood Coffee")
    for paragraph in text.split("\n\n"):
        assert "\n" not in paragraph.strip()  # no hard line breaks mid-sentence
    assert "[" not in text  # nothing left to fill in

    advocacy.record(engine, row, kind="thanked", actor="Sam", message=text)
    events = customer_events(engine, customer_id=ids["customer_marco"])
    assert [(e["kind"], e["actor"], e["mention_id"]) for e in events] == [
        ("thanked", "Sam", row["id"])
    ]
    assert events[0]["message"] == text
    again = advocacy.advocates(engine, days=7)[0]
    assert again["done"] == ["thanked"]
    now = utcnow()
    counts = event_counts(engine, since=now - timedelta(days=1), until=now + timedelta(minutes=1))
    assert counts == {"thanked": 1}


def test_an_unknown_author_can_be_thanked_too(engine) -> None:
    seed(engine)
    rows = happy_mentions(
        engine, since=utcnow() - timedelta(days=7), min_sentiment=0.6, min_rating=4
    )
    glow = next(row for row in rows if row["author"] == "glow_gal")
    assert glow["customer_id"] is None
    advocacy.record(engine, glow, kind="referral_invited", actor="Sam", message="Hi")
    rows = happy_mentions(
        engine, since=utcnow() - timedelta(days=7), min_sentiment=0.6, min_rating=4
    )
    assert next(row for row in rows if row["author"] == "glow_gal")["done"] == ["referral_invited"]
