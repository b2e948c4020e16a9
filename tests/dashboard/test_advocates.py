"""The Advocates page: happy customers first, a thank-you ready, recorded on the timeline."""

from argon2 import PasswordHasher
from conftest import open_page

from storage.advocates import customer_events
from tests.storage.test_advocates_storage import seed


def test_advocates_on_an_empty_database(app) -> None:
    at = open_page(app(), "advocates")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Advocates"
    assert "No happy mention" in at.info[0].value


def test_known_customers_first_with_a_thank_you_ready(app, sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    at = open_page(app(actor_name="Sam"), "advocates")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert list(table["Who"])[0] == "Marco Bianchi"
    assert set(table["Who"]) == {"Marco Bianchi", "James", "glow_gal"}
    first = table.iloc[0]
    assert (first["Known"], first["Tier"], first["Lifetime value"]) == ("customer", "vip", "5,400")
    assert first["Came back happier"] == "yes"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Came back happier"] == "1" and metrics["Happy voices"] == "3"
    assert "Marco Bianchi" in at.success[0].value
    reply = at.code[0].value
    assert reply.startswith("Hi Marco,") and reply.rstrip().endswith("Sam, Larkwood Coffee")
    facts = at.text[0].value
    assert "Lifetime value: 5,400" in facts and "Came back happier: case #" in facts

    record = next(b for b in at.button if b.label.startswith("Record “Thank”"))
    record.click().run()
    assert not at.exception
    assert at.success[0].value == "Recorded on the customer's timeline."
    events = customer_events(sqlite_engine, customer_id=ids["customer_marco"])
    assert [(e["kind"], e["actor"]) for e in events] == [("thanked", "Sam")]
    assert at.dataframe[0].value.iloc[0]["Done"] == "Thank"

    # the customer's file shows the timeline
    at = open_page(app(customer_id=ids["customer_marco"]), "customers")
    assert not at.exception, [e.value for e in at.exception]
    timeline = next(d.value for d in at.dataframe if "What" in d.value.columns)
    assert list(timeline["What"]) == ["Thank"] and list(timeline["By"]) == ["Sam"]


def test_other_actions_and_an_unknown_author(app, sqlite_engine) -> None:
    seed(sqlite_engine)
    glow = _mention_id(sqlite_engine, "glow")
    at = open_page(app(actor_name="Sam", adv_mention=glow), "advocates")
    position = list(at.dataframe[0].value["Who"]).index("glow_gal")
    assert "Customer: not a known customer (yet)" in at.text[0].value
    at.segmented_control(key=f"adv_action_{glow}").set_value("review_requested").run()
    reply = at.code[0].value
    assert reply.startswith("Hi glow_gal,") and "review site" in reply
    next(b for b in at.button if b.label.startswith("Record “Ask for a review")).click().run()
    assert at.success[0].value == "Recorded on the mention."
    assert at.dataframe[0].value.iloc[position]["Done"] == "Ask for a review elsewhere"


def test_a_viewer_sees_the_advocates_but_cannot_record(app, sqlite_engine) -> None:
    seed(sqlite_engine)
    digest = PasswordHasher().hash("a long enough secret")
    users = [{"name": "vic", "role": "viewer", "password_hash": digest}]
    at = open_page(app(settings={"users": users}, signed_in={"name": "vic"}), "advocates")
    assert not at.exception, [e.value for e in at.exception]
    assert "read access" in at.info[0].value
    assert at.code[0].value.startswith("Hi Marco,")
    assert next(b for b in at.button if b.label.startswith("Record")).disabled


def _mention_id(engine, key: str) -> int:
    from sqlmodel import Session, select

    from storage.models import Mention

    with Session(engine) as session:
        return session.exec(select(Mention.id).where(Mention.external_id == key)).one() or 0


def test_brand_health_counts_praise_too(app, sqlite_engine) -> None:
    from dashboard import health_view as hv
    from storage import health
    from storage.health import Period

    seed(sqlite_engine)
    at = open_page(app(), "health")
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    period = Period.last(30)
    praise = health.mention_kpis(sqlite_engine, period)["positive"]
    assert metrics["Praise"] == str(praise) and praise == 4  # James, Marco, glow_gal, Pat
    share = hv.share_of_voice(hv.frame(health.daily(sqlite_engine, period)), "Larkwood Coffee")
    rows = {row["brand"]: row for row in share.to_dict("records")}
    assert rows["Larkwood Coffee"]["praise"] == praise
    assert rows["Beanstalk Roasters"]["praise"] == 1  # the rival's fan
    assert rows["Beanstalk Roasters"]["praise_share"] == 0.5


def test_a_hostile_fan_is_shown_as_text(app, sqlite_engine) -> None:
    from storage.mentions import upsert_mentions
    from tests.dashboard.seed import HOSTILE_TEXT, HOSTILE_TITLE, mention

    upsert_mentions(
        sqlite_engine,
        [
            mention(
                "hostile-fan", 0.1, author="<b>Eve</b> **bold**", title=HOSTILE_TITLE,
                text=HOSTILE_TEXT, url="javascript:alert(5)", label="positive", sentiment=0.9,
                rating=5.0,
            )
        ],
    )  # fmt: skip
    at = open_page(app(), "advocates")
    assert not at.exception, [e.value for e in at.exception]
    texts = [t.value for t in at.text]
    assert HOSTILE_TITLE in texts and HOSTILE_TEXT in texts  # as written, as plain text
    assert any("not a web link, not opened" in t for t in texts)
    assert not at.get("link_button")
    shown = " ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.success, *at.subheader])
    assert "<script" not in shown and "**bold**" not in shown and "javascript:" not in shown
    # the first word of the name as they wrote it, in a code block: text, never HTML
    assert at.code[0].value.startswith("Hi <b>Eve</b>,")
